// The catalogue files shipped with vfio-doctor, imported so the single-file bundle carries them. A test
// checks that every catalogue/*.json file is listed here. Order matters: the first entry whose pattern
// matches a message is its family, so files with narrower messages come first.
import qemu from '../../catalogue/qemu.json' with { type: 'json' };
import libvirt from '../../catalogue/libvirt.json' with { type: 'json' };
import proxmox from '../../catalogue/proxmox.json' with { type: 'json' };
import kernel from '../../catalogue/kernel.json' with { type: 'json' };
import modules from '../../catalogue/modules.json' with { type: 'json' };
import containers from '../../catalogue/containers.json' with { type: 'json' };
import dpdkSpdk from '../../catalogue/dpdk-spdk.json' with { type: 'json' };
import builds from '../../catalogue/builds.json' with { type: 'json' };
import sysfsShell from '../../catalogue/sysfs-shell.json' with { type: 'json' };
import type { CatalogueEntry } from './types.js';
import { validateCatalogue, type CatalogueSource } from './validate.js';

export const BUILTIN_CATALOGUE_FILES: readonly CatalogueSource[] = [
  { file: 'catalogue/qemu.json', data: qemu },
  { file: 'catalogue/libvirt.json', data: libvirt },
  { file: 'catalogue/proxmox.json', data: proxmox },
  { file: 'catalogue/kernel.json', data: kernel },
  { file: 'catalogue/modules.json', data: modules },
  { file: 'catalogue/containers.json', data: containers },
  { file: 'catalogue/dpdk-spdk.json', data: dpdkSpdk },
  { file: 'catalogue/builds.json', data: builds },
  { file: 'catalogue/sysfs-shell.json', data: sysfsShell },
];

let builtin: CatalogueEntry[] | null = null;

/** The entries shipped with vfio-doctor, validated once, in the order they are tried. */
export function builtinCatalogue(): CatalogueEntry[] {
  builtin ??= validateCatalogue(BUILTIN_CATALOGUE_FILES);
  return builtin;
}
