// What the one-model tests compare: a VM definition without where it was read or what only the host
// around it can tell, and a fixture host collected the way check --root collects it.
import path from 'node:path';
import { buildHost, type HostSpec } from '../../fixtures/host-builder.js';
import { tempDir } from '../../helpers/temp.js';
import { collectSnapshot } from '../../../src/collect/collect.js';
import type { Snapshot } from '../../../src/snapshot/types.js';
import type { VmDefinition } from '../../../src/hypervisor/types.js';

/** The definition itself: file and line, who runs QEMU, autostart and whether a ROM file exists are left out. */
export function definitionOnly(vm: VmDefinition): unknown {
  const { file: _f, line: _l, runAs: _r, autostart: _a, devices, ...rest } = vm;
  return { ...rest, devices: devices.map(({ where: _w, line: _n, romFileFound: _x, ...a }) => a) };
}

export async function collected(spec: HostSpec, t: { after: (fn: () => void) => void }): Promise<Snapshot> {
  const root = await buildHost(spec, path.join(tempDir('one-model', t), 'host'));
  return collectSnapshot({ root });
}
