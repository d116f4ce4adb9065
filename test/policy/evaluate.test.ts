import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { analyze } from '../../src/analyze/analyze.js';
import { evaluatePolicy, kernelAllowed, withPolicyFindings } from '../../src/policy/evaluate.js';
import { parsePolicy } from '../../src/policy/parse.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import { runCli } from '../helpers/run-cli.js';
import { SKU_A, SKU_B, bootOf, collectedHosts, saveBoots, tempDir } from '../fleet/support.js';
import { parseValidated } from '../helpers/json-output.js';

const TODAY = '2026-12-06';
const HBA = '0000:01:00.0';
const NIC = '0000:02:00.0';
const GPU = '0000:03:00.0';

function judge(snap: Snapshot, body: string) {
  const policy = parsePolicy(`version: 1\nentries:\n  - name: sku-a\n${body}`, 'fleet.yaml', TODAY);
  const report = analyze(snap);
  const result = evaluatePolicy(policy, snap, report);
  return { ...result, merged: withPolicyFindings(report, result.findings) };
}

async function hostA(): Promise<Snapshot> {
  return bootOf((await collectedHosts()).old, 'a1', SKU_A, '2026-11-01T08:00:00Z');
}

test('policy targets: on vfio-pci by id passes; a host driver, a missing device fail in the binding layer', async () => {
  const s = await hostA();
  assert.deepEqual(judge(s, '    targets:\n      - id: "1000:0097"\n').findings, []);
  const r = judge(s, `    targets:\n      - address: "${NIC}"\n      - id: "15b3:1017"\n`);
  const [nic, missing] = r.findings;
  assert.equal(nic?.id, 'policy-target');
  assert.equal(nic?.layer, 'binding');
  assert.equal(nic?.cause, 'host-driver-bound');
  assert.equal(nic?.severity, 'fail');
  assert.equal(nic?.subject, NIC);
  assert.match(nic!.title, /owned by igb; the policy expects vfio-pci/);
  assert.deepEqual(nic!.evidence.at(-1), { source: 'fleet.yaml', line: 5, text: 'entry "sku-a" (target)' });
  assert.equal(missing?.cause, 'policy-target-missing');
  assert.match(missing!.title, /The policy's target 15b3:1017 is not on this host/);
  assert.equal(r.merged.verdict.status, 'broken');
  assert.equal(r.merged.verdict.layer, 'binding');
});

test('policy isolation: alone, or only with the named companions; a merged group fails in the isolation layer', async () => {
  const { regressed } = await collectedHosts();
  const s = await hostA();
  assert.deepEqual(judge(s, `    targets:\n      - address: "${HBA}"\n        isolation: alone\n      - address: "${GPU}"\n        isolation: ["10de:10f8"]\n`).findings, []);
  const gpuAlone = judge(s, `    targets:\n      - address: "${GPU}"\n        isolation: alone\n`).findings;
  assert.equal(gpuAlone.length, 1);
  assert.equal(gpuAlone[0]!.layer, 'isolation');
  assert.equal(gpuAlone[0]!.cause, 'group-shared');
  assert.match(gpuAlone[0]!.title, /IOMMU group 7 of 0000:03:00\.0 holds 0000:03:00\.1 \[10de:10f8\], which the policy does not allow beside it/);
  const merged = judge(bootOf(regressed, 'a1', SKU_A, '2026-11-02T08:00:00Z'), `    targets:\n      - id: "1000:0097"\n        isolation: alone\n`).findings;
  assert.equal(merged.length, 1);
  assert.match(merged[0]!.title, /holds 0000:02:00\.0 \[8086:1533\]/);
  assert.equal(merged[0]!.evidence.at(-1)?.line, 6);
});

test('policy reset: the method must be offered; an unreadable reset_method only warns', async () => {
  const s = await hostA();
  assert.deepEqual(judge(s, `    targets:\n      - address: "${GPU}"\n        reset: flr\n`).findings, []);
  const f = judge(s, `    targets:\n      - address: "${HBA}"\n        reset: flr\n`).findings;
  assert.equal(f[0]?.layer, 'device');
  assert.equal(f[0]?.cause, 'reset-unsupported');
  assert.equal(f[0]?.severity, 'fail');
  assert.match(f[0]!.title, /does not offer the "flr" reset the policy requires \(it offers bus\)/);
  const audio = judge(s, `    targets:\n      - address: "0000:03:00.1"\n        reset: flr\n`).findings;
  assert.equal(audio[0]?.severity, 'warn');
  assert.match(audio[0]!.title, /reset_method of 0000:03:00\.1 is not readable/);
});

test('policy interrupt_remapping: required turns a tolerated missing remapping into a failure', async () => {
  const s = await hostA();
  assert.deepEqual(judge(s, '    interrupt_remapping: required\n').findings, []);
  const off = structuredClone(s);
  off.host.cmdline!.iommu.intremap = 'off';
  off.modules.parameters['vfio_iommu_type1'] = { allow_unsafe_interrupts: 'Y' };
  // Unsafe interrupts make check's own rule only warn; the policy that requires remapping fails.
  assert.equal(analyze(off).verdict.status, 'warning');
  const r = judge(off, '    interrupt_remapping: required\n');
  assert.equal(r.findings[0]?.layer, 'kernel');
  assert.equal(r.findings[0]?.cause, 'irq-remap-missing');
  assert.equal(r.findings[0]?.severity, 'fail');
  assert.equal(r.merged.verdict.status, 'broken');
  assert.deepEqual(judge(off, '    interrupt_remapping: optional\n').findings, []);
});

test('policy allow_unsafe_interrupts: forbidden catches the loaded parameter and modprobe.d', async () => {
  const s = await hostA();
  assert.deepEqual(judge(s, '    allow_unsafe_interrupts: forbidden\n').findings, []);
  const on = structuredClone(s);
  on.modules.parameters['vfio_iommu_type1'] = { allow_unsafe_interrupts: 'Y' };
  on.modules.modprobe.push({ kind: 'options', module: 'vfio_iommu_type1', value: 'allow_unsafe_interrupts=1', file: '/etc/modprobe.d/iommu.conf', line: 1 });
  const f = judge(on, '    allow_unsafe_interrupts: forbidden\n').findings;
  assert.equal(f.length, 1);
  assert.equal(f[0]!.cause, 'unsafe-interrupts-allowed');
  assert.equal(f[0]!.layer, 'kernel');
  assert.deepEqual(f[0]!.evidence.map((e) => e.source), ['/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts', '/etc/modprobe.d/iommu.conf', 'fleet.yaml']);
  assert.deepEqual(judge(on, '    allow_unsafe_interrupts: allowed\n').findings, []);
});

test('policy acs_override: in use without an allowance fails stating the threat model; an allowance is recorded', async () => {
  const s = await hostA();
  assert.deepEqual(judge(s, '    acs_override: { decision: forbidden }\n').findings, []);
  const acs = structuredClone(s);
  acs.host.cmdline!.iommu.pcieAcsOverride = 'downstream,multifunction';
  for (const [body, why] of [
    ['    kernels: ["6.8"]\n', /and no policy entry for this host allows it \("sku-a"\)/],
    ['    acs_override: { decision: forbidden }\n', /and entry "sku-a" forbids it/],
  ] as const) {
    const r = judge(acs, body);
    const f = r.findings.find((x) => x.id === 'policy-acs-override');
    assert.ok(f);
    assert.equal(f.layer, 'isolation');
    assert.equal(f.cause, 'acs-override-in-use');
    assert.equal(f.severity, 'fail');
    assert.match(f.title, why);
    assert.match(f.decision, /peer-to-peer DMA .* is not forced through the IOMMU/);
    assert.match(f.decision, /read or overwrite the memory traffic of its former group mates/);
    assert.equal(r.merged.verdict.layer, 'isolation');
    assert.equal(r.merged.verdict.status, 'broken');
  }
  const allowed = judge(acs, '    acs_override:\n      decision: allowed\n      reason: single-tenant lab\n      owner: infra\n      review_by: 2027-03-31\n');
  assert.equal(allowed.findings.length, 1);
  assert.equal(allowed.findings[0]!.severity, 'info');
  assert.match(allowed.findings[0]!.title, /allowed by entry "sku-a": single-tenant lab \(owner infra, review by 2027-03-31\)/);
  assert.notEqual(allowed.merged.verdict.status, 'broken');
});

test('policy kernels: a release, a series or a glob', async () => {
  assert.ok(kernelAllowed('6.8.12-4-pve', ['6.8']));
  assert.ok(kernelAllowed('6.8.12-4-pve', ['6.8.12-4-pve']));
  assert.ok(kernelAllowed('6.8.12-4-pve', ['6.*-pve']));
  assert.ok(!kernelAllowed('6.8.12-4-pve', ['6.11', '6.80']));
  const s = await hostA();
  assert.deepEqual(judge(s, '    kernels: ["6.8"]\n').findings, []);
  const f = judge(s, '    kernels: ["6.11", "6.5.*"]\n').findings;
  assert.equal(f[0]?.cause, 'kernel-not-allowed');
  assert.equal(f[0]?.layer, 'kernel');
  assert.match(f[0]!.title, /Kernel 6\.8\.12-4-pve is not one the policy allows \(6\.11, 6\.5\.\*\)/);
});

test('policy minimum_bios: older firmware fails in the firmware layer; unknown only warns', async () => {
  const s = await hostA();
  assert.deepEqual(judge(s, '    minimum_bios: "3.4"\n').findings, []);
  const f = judge(s, '    minimum_bios: "3.10"\n').findings;
  assert.equal(f[0]?.layer, 'firmware');
  assert.equal(f[0]?.cause, 'bios-below-minimum');
  assert.match(f[0]!.title, /BIOS 3\.4 is older than the policy's minimum 3\.10/);
  const none = structuredClone(s);
  none.host.dmi = null;
  assert.equal(judge(none, '    minimum_bios: "3.10"\n').findings[0]?.severity, 'warn');
});

test('policy match: globs on host and DMI fields decide which entries hold a host', async () => {
  const s = await hostA();
  const policy = parsePolicy(
    'version: 1\nentries:\n  - name: sm\n    match: { vendor: "super*", product: "SYS-1029?-WTR", host: "a*" }\n  - name: dell\n    match: { vendor: "Dell*" }\n  - name: all\n',
    'p.yaml',
    TODAY,
  );
  assert.deepEqual(evaluatePolicy(policy, s, analyze(s)).entries.map((e) => e.name), ['sm', 'all']);
  const b = bootOf((await collectedHosts()).old, 'b1', SKU_B, '2026-11-01T08:00:00Z');
  assert.deepEqual(evaluatePolicy(policy, b, analyze(b)).entries.map((e) => e.name), ['dell', 'all']);
});

test('check --policy and fleet --policy through the CLI; policy errors are one line, exit 2', async (t) => {
  const dir = tempDir(t, 'vd-policy-');
  const s = await hostA();
  const snapFile = path.join(dir, 'a1.json');
  fs.writeFileSync(snapFile, JSON.stringify(s));
  const good = path.join(dir, 'good.yaml');
  fs.writeFileSync(good, 'version: 1\nentries:\n  - name: sku-a\n    match: { product: "SYS-1029P-WTR" }\n    targets:\n      - id: "1000:0097"\n    kernels: ["6.8"]\n');
  const ok = await runCli(['check', '--snapshot', snapFile, '--policy', good]);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  const strict = path.join(dir, 'strict.yaml');
  fs.writeFileSync(strict, 'version: 1\nentries:\n  - name: sku-a\n    kernels: ["6.11"]\n');
  const bad = await runCli(['check', '--snapshot', snapFile, '--policy', strict, '--json']);
  assert.equal(bad.code, 1);
  const json = parseValidated('report', bad.stdout) as { verdict: { layer: string; cause: string; findingId: string } };
  assert.deepEqual([json.verdict.layer, json.verdict.cause, json.verdict.findingId], ['kernel', 'kernel-not-allowed', 'policy-kernel']);

  const other = path.join(dir, 'other.yaml');
  fs.writeFileSync(other, 'version: 1\nentries:\n  - name: dell\n    match: { vendor: "Dell*" }\n');
  const unmatched = await runCli(['check', '--snapshot', snapFile, '--policy', other]);
  assert.equal(unmatched.code, 2);
  assert.match(unmatched.stderr, /other\.yaml: no entry matches this host \(host a1, vendor Supermicro, product SYS-1029P-WTR/);

  const broken = path.join(dir, 'broken.yaml');
  fs.writeFileSync(broken, 'version: 1\nentries:\n  - name: x\n    minimum_bios: 3.4\n');
  for (const cmd of [['check', '--snapshot', snapFile], ['fleet', snapFile]]) {
    const r = await runCli([...cmd, '--policy', broken]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /broken\.yaml:4: entries\[0\]\.minimum_bios must be a non-empty string \(quote it: "3\.4"\)\n$/);
    assert.equal(r.stderr.split('\n').length, 2);
  }
  const missing = await runCli(['check', '--snapshot', snapFile, '--policy', path.join(dir, 'nope.yaml')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nope\.yaml: no such file/);

  const store = path.join(dir, 'store');
  saveBoots(store, [s, bootOf((await collectedHosts()).old, 'b1', SKU_B, '2026-11-01T08:00:00Z')]);
  const fleet = await runCli(['fleet', store, '--policy', strict, '--json']);
  assert.equal(fleet.code, 0, 'policy deviations show per host; only a canary regression holds');
  const fr = parseValidated('fleet', fleet.stdout) as { policy: string; skus: { hosts: { name: string; policyEntries: string[]; policyFindings: { id: string }[]; verdict: { status: string } }[] }[] };
  const hosts = fr.skus.flatMap((x) => x.hosts);
  assert.equal(fr.policy, strict);
  for (const h of hosts) {
    assert.deepEqual(h.policyEntries, ['sku-a']);
    assert.deepEqual(h.policyFindings.map((f) => f.id), ['policy-kernel']);
    assert.equal(h.verdict.status, 'broken');
  }
  const text = await runCli(['fleet', store, '--policy', other]);
  assert.match(text.stdout, /a1 .*\n\s+no policy entry matches this host/);
  // The finding on one line, as a terminal wide enough shows it (80 columns would wrap it).
  const strictText = await runCli(['fleet', store, '--policy', strict], { env: { COLUMNS: '300' } });
  assert.match(strictText.stdout, /\n {6}policy FAIL kernel: Kernel 6\.8\.12-4-pve is not one the policy allows \(6\.11\)\n/);
});

test('policy init writes a commented policy the same host satisfies; never overwrites; refuses a broken host', async (t) => {
  const dir = tempDir(t, 'vd-policy-init-');
  const s = await hostA();
  const snapFile = path.join(dir, 'a1.json');
  fs.writeFileSync(snapFile, JSON.stringify(s));
  const out = await runCli(['policy', 'init', '--snapshot', snapFile]);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /^# vfio-doctor passthrough policy, written by "vfio-doctor policy init" from a1/);
  assert.match(out.stdout, /\n {6}product: "SYS-1029P-WTR"\n/);
  assert.match(out.stdout, /- address: "0000:01:00\.0" {3}# Broadcom/);
  assert.match(out.stdout, /isolation: \["0000:03:00\.1"\]/);
  assert.match(out.stdout, /\n {4}interrupt_remapping: required\n/);
  assert.match(out.stdout, /\n {6}decision: forbidden\n/);
  assert.match(out.stdout, /kernels: \["6\.8"\] {3}# running now: 6\.8\.12-4-pve/);
  assert.match(out.stdout, /minimum_bios: "3\.4"/);
  const policy = parsePolicy(out.stdout, 'init.yaml');
  const e = policy.entries[0]!;
  assert.deepEqual(e.targets.map((x) => x.address), [HBA, GPU, '0000:03:00.1']);
  assert.deepEqual(evaluatePolicy(policy, s, analyze(s)).findings, [], 'the host it was written from satisfies it');

  const file = path.join(dir, 'policy.yaml');
  const w = await runCli(['policy', 'init', '--snapshot', snapFile, '-o', file]);
  assert.equal(w.code, 0, w.stderr);
  assert.equal(fs.readFileSync(file, 'utf8'), out.stdout);
  const again = await runCli(['policy', 'init', '--snapshot', snapFile, '-o', file]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /policy\.yaml already exists; it is not overwritten/);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['a1.json', 'policy.yaml'], 'no temporary file left');
  const checked = await runCli(['check', '--snapshot', snapFile, '--policy', file]);
  assert.equal(checked.code, 0, checked.stdout);

  const brokenSnap = path.join(dir, 'broken.json');
  fs.writeFileSync(brokenSnap, JSON.stringify(bootOf((await collectedHosts()).regressed, 'a1', SKU_A, '2026-11-02T08:00:00Z')));
  const refused = await runCli(['policy', 'init', '--snapshot', brokenSnap]);
  assert.equal(refused.code, 1);
  assert.equal(refused.stdout, '');
  assert.match(refused.stderr, /this host is broken at the isolation layer .* Fix it first/);
  const usage = await runCli(['policy', 'make']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /unknown action "make" \(init\)/);
});
