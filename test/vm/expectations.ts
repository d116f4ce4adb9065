// What vfio-doctor must conclude in each guest. Each variant's kernel lines were checked first
// (variants.ts, kernelShows), so these are held against what the kernel itself showed.
import assert from 'node:assert/strict';
import type { GuestRun } from './support/guest.js';

interface Finding {
  id: string;
  layer: string;
  cause: string;
  severity: string;
  subject: string | null;
  title: string;
  evidence: { source: string; text: string }[];
}

export interface ReportJson {
  verdict: { status: string; layer: string | null; cause: string | null; subject: string | null };
  findings: Finding[];
  notUnderstood?: { line?: number; text: string }[] | string[];
}

function json<T>(g: GuestRun, file: string, log: string): T {
  assert.ok(g.has(file), `the guest wrote no ${file}${log}`);
  try {
    return JSON.parse(g.read(file)) as T;
  } catch {
    return assert.fail(`${file} is not JSON${log}\n--- ${file}\n${g.read(file).slice(0, 1500)}`);
  }
}

const check = (g: GuestRun, log: string) => json<ReportJson>(g, 'check.out', log);
const nestedAnalysis = (g: GuestRun, log: string) => json<ReportJson>(g, 'nested-analyze.out', log);
const failing = (r: ReportJson) => r.findings.filter((f) => f.severity === 'fail');
const brief = (r: ReportJson) => `\nverdict ${JSON.stringify(r.verdict)}\nfindings ${JSON.stringify(r.findings.map((f) => [f.id, f.cause, f.severity, f.subject]))}`;

/** Under TCG an Intel guest has no VMX: KVM is missing, which must be the only thing said. */
function onlyKvmMissing(r: ReportJson, log: string): void {
  assert.deepEqual(failing(r), [], `nothing may fail${brief(r)}${log}`);
  assert.equal(r.verdict.status, 'warning', `${brief(r)}${log}`);
  assert.equal(r.verdict.cause, 'kvm-unavailable', `${brief(r)}${log}`);
  assert.deepEqual(
    r.findings.map((f) => f.cause),
    ['kvm-unavailable'],
    `the KVM warning is the only finding${brief(r)}${log}`,
  );
}

function nestedOpened(g: GuestRun, log: string): void {
  assert.equal(g.read('nested.rc').trim(), '0', `the nested QEMU could not open the device through VFIO${log}`);
}

function nestedFailedWith(g: GuestRun, re: RegExp, log: string): void {
  assert.notEqual(g.read('nested.rc').trim(), '0', `the nested QEMU was expected to fail${log}`);
  assert.match(g.read('nested.log'), re, `the nested QEMU failed otherwise than expected${log}`);
}

/** The nested QEMU's own error, analysed as a user would paste it, points at `layer` (and `cause`). */
function nestedVerdict(g: GuestRun, layer: string, cause: string | null, log: string): void {
  const r = nestedAnalysis(g, log);
  assert.equal(r.verdict.layer, layer, `analyze of QEMU's message${brief(r)}\n--- nested.log\n${g.read('nested.log')}${log}`);
  if (cause !== null) assert.equal(r.verdict.cause, cause, `analyze of QEMU's message${brief(r)}\n--- nested.log\n${g.read('nested.log')}${log}`);
}

export const EXPECTATIONS: Record<string, (g: GuestRun, log: string) => void> = {
  'intel-vfio-6.1': (g, log) => {
    onlyKvmMissing(check(g, log), log);
    nestedOpened(g, log);
    assert.equal(g.read('save.rc').trim(), '0', `snapshot --save failed${log}`);
    // preflight against the 6.12 kernel installed beside it, whose initramfs was built from a module
    // list naming vfio_virqfd: 6.12 has no such module (merged into vfio in 6.2).
    const p = json<{ findings: { cause: string; severity: string; evidence: { source: string; text: string }[] }[] }>(g, 'preflight.out', log);
    assert.equal(g.read('preflight.rc').trim(), '1', `preflight must predict the failure${log}`);
    const fails = p.findings.filter((f) => f.severity === 'fail');
    // Nothing else: 6.12 keeps the Intel IOMMU on by default as 6.1 does (the guest on 6.12 shows it).
    assert.deepEqual(fails.map((f) => f.cause), ['module-renamed'], `preflight: ${JSON.stringify(p.findings.map((f) => [f.cause, f.severity]))}${log}`);
    const renamed = fails;
    assert.ok(renamed.some((f) => f.evidence.some((e) => /vfio_virqfd/.test(e.text))), `the finding names vfio_virqfd${log}`);
  },
  'intel-vfio-6.12': (g, log) => {
    onlyKvmMissing(check(g, log), log);
    nestedOpened(g, log);
    // The same host after the upgrade: what changed between the two kernels, and no false regression.
    const d = json<{ counts: { regression: number }; changes: { id: string; kind: string; title: string }[] }>(g, 'diff.out', log);
    const changes = `\n--- diff.out\n${g.read('diff.out').slice(0, 3000)}`;
    assert.equal(g.read('diff.rc').trim(), '0', `diff --last reports a regression that is not there${log}${changes}`);
    assert.equal(d.counts.regression, 0, changes);
    assert.ok(d.changes.some((c) => c.id === 'kernel-changed' && c.kind === 'neutral'), `the kernel change is reported${changes}`);
    // vfio_virqfd was loaded on 6.1 and does not exist on 6.12: expected, so neutral, never a regression.
    assert.ok(d.changes.some((c) => c.id === 'module-renamed' && c.kind === 'neutral' && /vfio_virqfd/.test(c.title)), `vfio_virqfd's merge is reported${changes}`);
  },
  'amd-vfio': (g, log) => {
    const r = check(g, log);
    assert.equal(r.verdict.status, 'healthy', `an AMD guest with AMD-Vi, interrupt remapping and kvm_amd is healthy${brief(r)}${log}`);
    nestedOpened(g, log);
  },
  'no-iommu': (g, log) => {
    const r = check(g, log);
    assert.equal(r.verdict.layer, 'firmware', `${brief(r)}${log}`);
    assert.equal(r.verdict.cause, 'iommu-disabled-firmware', `${brief(r)}${log}`);
    nestedFailedWith(g, /no iommu_group found/, log);
    // Without an IOMMU group the device never reached VFIO: the IOMMU itself is missing.
    const n = nestedAnalysis(g, log);
    assert.ok(n.verdict.layer === 'firmware' || n.verdict.layer === 'kernel', `QEMU's "no iommu_group found" points at the IOMMU${brief(n)}${log}`);
  },
  'intel-iommu-off': (g, log) => {
    const r = check(g, log);
    assert.equal(r.verdict.layer, 'kernel', `${brief(r)}${log}`);
    assert.equal(r.verdict.cause, 'iommu-disabled-cmdline', `${brief(r)}${log}`);
    assert.ok(failing(r)[0]?.evidence.some((e) => /intel_iommu=off/.test(e.text)), `the evidence names intel_iommu=off${brief(r)}${log}`);
  },
  'intremap-off': (g, log) => {
    const r = check(g, log);
    assert.equal(r.verdict.layer, 'kernel', `${brief(r)}${log}`);
    assert.equal(r.verdict.cause, 'irq-remap-missing', `${brief(r)}${log}`);
    nestedFailedWith(g, /Failed to set iommu for container: Operation not permitted/, log);
    nestedVerdict(g, 'kernel', 'irq-remap-missing', log);
  },
  'amd-iommu-on': (g, log) => {
    const r = check(g, log);
    const invalid = r.findings.find((f) => f.cause === 'iommu-args-invalid');
    assert.ok(invalid, `amd_iommu=on is not a valid value: the kernel said "AMD-Vi: Unknown option"${brief(r)}${log}`);
    assert.equal(invalid.layer, 'kernel');
    assert.deepEqual(failing(r), [], `the IOMMU is on all the same: nothing fails${brief(r)}${log}`);
  },
  'host-driver-first': (g, log) => {
    const r = check(g, log);
    assert.equal(r.verdict.layer, 'binding', `${brief(r)}${log}`);
    assert.equal(r.verdict.cause, 'host-driver-bound', `${brief(r)}${log}`);
    assert.equal(r.verdict.subject, '0000:01:00.0');
    assert.match(failing(r)[0]!.title, /e1000e/);
  },
  'vfio-node-0600': (g, log) => {
    assert.match(g.read('dev-vfio.txt'), /crw-------\s+1 root root .* \d+\s*$/m, `the group node is 0600 root${log}`);
    nestedFailedWith(g, /Permission denied/, log);
    nestedVerdict(g, 'hypervisor', 'vfio-node-permissions', log);
  },
  memlock: (g, log) => {
    nestedFailedWith(g, /VFIO_MAP_DMA failed: Cannot allocate memory|vfio_dma_map\(.*\) = -12/, log);
    nestedVerdict(g, 'hypervisor', 'memlock-limit', log);
  },
  'shared-group': (g, log) => {
    const r = check(g, log);
    assert.equal(r.verdict.layer, 'isolation', `${brief(r)}${log}`);
    assert.equal(r.verdict.cause, 'group-shared', `${brief(r)}${log}`);
    assert.equal(r.verdict.subject, '0000:01:01.0', `${brief(r)}${log}`);
    assert.ok(JSON.stringify(failing(r)[0]).includes('0000:01:02.0'), `the group's other NIC is named${brief(r)}${log}`);
  },
};
