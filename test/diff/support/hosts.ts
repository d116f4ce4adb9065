// Snapshots for the diff tests: fixture host trees built by the host builder and collected by the
// real collector, so every change class is exercised on data shaped exactly like a host's.

import fs from 'node:fs';
import { buildHost, type HostSpec, type PciFunctionSpec } from '../../fixtures/host-builder.js';
import { collectSnapshot } from '../../../src/collect/collect.js';
import type { Snapshot } from '../../../src/snapshot/types.js';

export const HBA = '0000:01:00.0';
export const NIC = '0000:02:00.0';
export const GPU = '0000:03:00.0';
export const GPU_AUDIO = '0000:03:00.1';
export const HBA_PORT = '0000:00:01.0';
export const NIC_PORT = '0000:00:01.1';

export const BOOT_A = '3f2a1c9e-5b7d-4e21-9a0c-1d2e3f405162';
export const BOOT_B = '7b1d0c2a-8e9f-4a3b-b2c1-6d5e4f3a2b10';

export interface HostOptions {
  release?: string;
  bootId?: string;
  /** ACS of the two CPU root ports (HBA and NIC): enabled, or present but switched off. */
  rootPortAcs?: 'enabled' | 'off';
  hbaDriver?: string | null;
  nicDriver?: string | null;
  gpuResetMethods?: string[] | null;
  /** Where the GPU sits: behind the PCH root port 1c.0 (bus 03) or, when moved, 1d.0. */
  gpuPort?: '1c.0' | '1d.0';
  withGpu?: boolean;
  extraEndpoint?: boolean;
}

function rootPort(at: string, id: string, acs: 'enabled' | 'off', children: PciFunctionSpec[]): PciFunctionSpec {
  return {
    at,
    id,
    class: 0x060400,
    portType: 'root-port',
    caps: { acs: acs === 'enabled' ? true : { cap: 'SV TB RR CR UF', ctrl: 0 } },
    children,
  };
}

/**
 * A Proxmox host in the shape of the playbook's storage team: an HBA passed through (vfio-pci ids in
 * modprobe.d, bound to vfio-pci), the management NIC on the neighbouring CPU root port, and a GPU with
 * its audio function behind a PCH root port.
 */
export function hostSpec(o: HostOptions = {}): HostSpec {
  const gpu: PciFunctionSpec[] = [
    { at: '00.0', id: '10de:1e87', class: 0x030000, subsys: '1462:3771', driver: 'vfio-pci', resetMethods: o.gpuResetMethods === undefined ? ['flr', 'bus'] : o.gpuResetMethods },
    { at: '00.1', id: '10de:10f8', class: 0x040300, subsys: '1462:3771', driver: 'vfio-pci' },
  ];
  const withGpu = o.withGpu ?? true;
  const devices: PciFunctionSpec[] = [
    { at: '00.0', id: '8086:3e0f', class: 0x060000 },
    rootPort('01.0', '8086:1901', o.rootPortAcs ?? 'enabled', [
      { at: '00.0', id: '1000:0097', class: 0x010700, subsys: '1000:3090', driver: o.hbaDriver === undefined ? 'vfio-pci' : o.hbaDriver, hostDriver: 'mpt3sas' },
    ]),
    rootPort('01.1', '8086:1905', o.rootPortAcs ?? 'enabled', [{ at: '00.0', id: '8086:1533', class: 0x020000, subsys: '8086:0001', driver: o.nicDriver === undefined ? 'igb' : o.nicDriver }]),
    { at: '17.0', id: '8086:a352', class: 0x010601, subsys: '1043:8694', driver: 'ahci', conventional: true },
  ];
  if (withGpu && (o.gpuPort ?? '1c.0') === '1c.0') devices.push(rootPort('1c.0', '8086:a338', 'enabled', gpu));
  else devices.push(rootPort('1c.0', '8086:a338', 'enabled', o.extraEndpoint ? [{ at: '00.0', id: '1b21:2142', class: 0x0c0330, driver: 'xhci_hcd' }] : []));
  if (withGpu && o.gpuPort === '1d.0') devices.push(rootPort('1d.0', '8086:a330', 'enabled', gpu));
  if (o.extraEndpoint && (o.gpuPort ?? '1c.0') === '1c.0') devices.push(rootPort('1d.0', '8086:a330', 'enabled', [{ at: '00.0', id: '1b21:2142', class: 0x0c0330, driver: 'xhci_hcd' }]));
  return {
    hostname: 'pve1',
    os: 'proxmox-8',
    cpu: { vendor: 'intel' },
    kernel: { release: o.release ?? '6.8.12-4-pve' },
    bootId: o.bootId ?? BOOT_A,
    cmdlineArgs: ['intel_iommu=on', 'iommu=pt'],
    iommu: {},
    pci: [{ devices }],
    modprobe: { 'vfio.conf': 'options vfio-pci ids=1000:0097,10de:1e87,10de:10f8\nsoftdep nouveau pre: vfio-pci\n' },
    initramfsModules: ['vfio', 'vfio_pci', 'vfio_iommu_type1'],
    rootDisk: { device: '0000:00:17.0' },
    defaultRoute: { device: NIC, interface: 'enp2s0', bridge: 'vmbr0' },
  };
}

/** Builds the tree, collects it, removes it. */
export async function collectHost(spec: HostSpec): Promise<Snapshot> {
  const root = await buildHost(spec);
  try {
    return await collectSnapshot({ root });
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}

/** A later snapshot derived from an earlier one, for what the builder cannot express (a new boot id on top). */
export function mutate(s: Snapshot, fn: (s: Snapshot) => void): Snapshot {
  const c = structuredClone(s);
  c.host.bootId = BOOT_B;
  fn(c);
  return c;
}
