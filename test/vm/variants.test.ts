// Real kernels, real sysfs: Debian's 6.1 and 6.12 kernels boot under QEMU (TCG) with an emulated IOMMU,
// and the project's bundle diagnoses each guest from the inside. Every variant first proves, from the
// guest kernel's own dmesg, that it is what it claims; then vfio-doctor's verdict is held to it. On a
// disagreement the guest's console and logs are attached to the failure.
// Slow (minutes): runs under `npm run test:vm` (VFIO_DOCTOR_VM_TESTS=1), which .ci/run calls.
// VFIO_DOCTOR_VM_ONLY=REGEX boots only the matching variants; VFIO_DOCTOR_VM_SAVE=DIR keeps every
// guest's output there (how test/fixtures/vm is regenerated: see docs/testing.md).

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { guestKernel, staticBusybox, type GuestKernel, type Series } from './support/assets.js';
import { bootGuest, type GuestRun } from './support/guest.js';
import { BUNDLE, PREAMBLE } from './support/scripts.js';
import { findTool } from '../initramfs/support/tools.js';
import { buildRealImage } from '../preflight/support/real-kernels.js';
import { VARIANTS, type Variant } from './variants.js';
import { EXPECTATIONS } from './expectations.js';

function skipReason(): string | null {
  if (process.env['VFIO_DOCTOR_VM_TESTS'] !== '1') return 'VM tests: run `npm run test:vm` (VFIO_DOCTOR_VM_TESTS=1)';
  const missing = ['qemu-system-x86_64', 'apt-get', 'dpkg-deb', 'depmod', 'cpio', 'xz', 'mkinitramfs', 'unshare'].filter((t) => !findTool(t));
  if (missing.length > 0) return `VM tests: missing ${missing.join(', ')} (scripts/install-system-deps.sh installs them)`;
  if (!fs.existsSync(BUNDLE)) return `VM tests: ${BUNDLE} is not built (npm run build)`;
  return null;
}

const skip = skipReason();
// Asked for explicitly, a VM run that cannot run is a failure, not a skip.
if (skip && process.env['VFIO_DOCTOR_VM_TESTS'] === '1') throw new Error(skip);

/** Everything the guest left, for a failure message: a verdict that disagrees must show why. */
export function guestLog(g: GuestRun): string {
  const tail = (t: string, n: number) => t.split('\n').slice(-n).join('\n');
  const files = ['run.log', 'check.out', 'check.err', 'nested.log'].filter((f) => g.has(f)).map((f) => `--- ${f}\n${tail(g.read(f), 40)}`);
  return `\n--- console (tail)\n${tail(g.console, 40)}\n${files.join('\n')}`;
}

const only = process.env['VFIO_DOCTOR_VM_ONLY'] ? new RegExp(process.env['VFIO_DOCTOR_VM_ONLY']) : null;
const save = process.env['VFIO_DOCTOR_VM_SAVE'] ?? null;

test('vfio-doctor on real Debian kernels with an emulated IOMMU', { skip: skip ?? false, timeout: 3_600_000 }, async (t) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vfio-doctor-vm-'));
  t.after(() => fs.rmSync(work, { recursive: true, force: true }));
  const busybox = await staticBusybox();
  const kernels: Record<Series, GuestKernel> = { '6.1': await guestKernel('6.1'), '6.12': await guestKernel('6.12') };
  t.diagnostic(`kernels: ${kernels['6.1'].package}, ${kernels['6.12'].package}`);
  // The image the 6.1 host's update-initramfs would build for 6.12 from its pre-6.2 module list.
  const nextInitrd = path.join(work, 'initrd.img-next');
  // mkinitramfs warns that it cannot find vfio_virqfd (gone in 6.2) and builds the image anyway.
  await buildRealImage({
    hostRoot: kernels['6.12'].tree,
    version: kernels['6.12'].version,
    workDir: path.join(work, 'next-initrd'),
    output: nextInitrd,
    modules: ['vfio', 'vfio_iommu_type1', 'vfio_pci', 'vfio_virqfd'],
    modprobe: null,
  });
  const runs = new Map<string, Promise<GuestRun>>();
  const boot = (v: Variant): Promise<GuestRun> => {
    let r = runs.get(v.name);
    if (!r) {
      const before = v.after ? VARIANTS.find((x) => x.name === v.after) : undefined;
      r = (before ? boot(before) : Promise.resolve(null)).then((prev) =>
        bootGuest({
          name: v.name,
          kernel: kernels[v.series],
          busybox,
          cpu: v.cpu,
          iommu: v.iommu,
          ...(v.intremap !== undefined ? { intremap: v.intremap } : {}),
          ...(v.append ? { append: v.append } : {}),
          ...(v.devices ? { devices: v.devices } : {}),
          seed: [...(prev ? [path.join(prev.out, 'store')] : []), ...(v.nextInitrd ? [nextInitrd] : [])],
          script: PREAMBLE + (typeof v.steps === 'function' ? v.steps({ kernels }) : v.steps),
          workDir: work,
        }),
      );
      runs.set(v.name, r);
    }
    return r;
  };

  const selected = VARIANTS.filter((v) => !only || only.test(v.name));
  // Two guests at a time (each is one TCG vCPU; the machine has two cores), taken from one queue in
  // which a variant that continues another comes after every independent one.
  const queue = [...selected.filter((v) => !v.after), ...selected.filter((v) => v.after)];
  await Promise.all(
    [0, 1].map(async () => {
      for (let v = queue.shift(); v; v = queue.shift()) await boot(v).catch(() => undefined);
    }),
  );
  for (const v of selected) {
    await t.test(v.name, async () => {
      const g = await boot(v);
      // The seeded initramfs is an input, megabytes large, and rebuilt by every run: not kept.
      if (save) fs.cpSync(g.out, path.join(save, v.name), { recursive: true, filter: (f) => path.basename(f) !== 'initrd.img-next' });
      if (save) fs.writeFileSync(path.join(save, v.name, 'console.txt'), g.console);
      assert.ok(g.finished, `the guest did not finish its script${guestLog(g)}`);
      const dmesg = g.read('dmesg.txt');
      for (const re of v.kernelShows) assert.match(dmesg, re, `the guest kernel does not show what the variant needs${guestLog(g)}`);
      const expect = EXPECTATIONS[v.name];
      assert.ok(expect, `no expectation written for ${v.name}`);
      expect(g, guestLog(g));
    });
  }
});
