// The message catalogue: one entry per family of failure messages that people paste (QEMU, libvirt,
// Proxmox, the kernel, modprobe, container runtimes, DPDK, module builds, the shell). Each entry says
// what a message proves and what it does not, and how the errno it carries changes that.
import type { Layer } from '../analyze/layers.js';
import type { Severity } from '../analyze/finding.js';

/** Who prints the message: the kernel (dmesg / journalctl -k) or a user-space program. */
export const CATALOGUE_ORIGINS = [
  'kernel',
  'qemu',
  'libvirt',
  'proxmox',
  'kubevirt',
  'container',
  'dpdk',
  'spdk',
  'modprobe',
  'sysfs',
  'dkms',
  'kbuild',
  'shell',
  'cloud-hypervisor',
] as const;
export type CatalogueOrigin = (typeof CATALOGUE_ORIGINS)[number];

/** How one errno value changes what the message means. */
export interface ErrnoVariant {
  layer: Layer;
  cause: string;
  severity: Severity;
  meaning: string;
}

/** An entry as written in catalogue/*.json. */
export interface CatalogueEntrySpec {
  id: string;
  origin: CatalogueOrigin;
  /** Where the message is printed, in the sources it was read from (file, function, versions). */
  printedBy: string;
  /** Literal lower-case words one of which every message of the family contains (a cheap first look). */
  anchors: string[];
  /** Regular expressions (case-insensitive) on the normalised message; any one matching is a hit. */
  match: string[];
  /** A realistic line as the program prints it, without any log prefix. */
  example: string;
  layer: Layer;
  /** Cause of the finding; absent only for harmless entries. */
  cause?: string;
  severity?: Severity;
  /** What the message proves. */
  proves: string;
  /** What it does not prove, so nobody reads more into it. */
  notProves: string;
  /** Layers that must be working for the program to have got this far. */
  settles?: Layer[];
  /** Errno names (ENOENT, EACCES ...) that change the meaning. */
  errno?: Record<string, ErrnoVariant>;
  fix: string;
  /** Set when the message is no failure: the reason it needs no finding. */
  harmless?: string;
}

export interface CatalogueEntry extends CatalogueEntrySpec {
  file: string;
  patterns: RegExp[];
}
