import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { analyze } from '../../src/analyze/analyze.js';
import { prometheusText } from '../../src/render/prometheus.js';
import { renderUnit } from '../../src/install/unit.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import { runCli } from '../helpers/run-cli.js';
import { SKU_A, bootOf, collectedHosts, tempDir } from '../fleet/support.js';

// The exposition format's rules (prometheus.io/docs/instrumenting/exposition_formats), checked line by
// line; promtool, when installed, checks the same file too (and the lint rules beside it).
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"(?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*)?\})? (-?[0-9.e+-]+|NaN|[+-]Inf)$/;

function checkFormat(text: string): Map<string, number> {
  assert.ok(text.endsWith('\n'), 'ends with a line feed');
  const declared = new Map<string, string>();
  const seen = new Set<string>();
  const values = new Map<string, number>();
  let current: string | null = null;
  for (const line of text.slice(0, -1).split('\n')) {
    const help = /^# HELP (\S+) (.*)$/.exec(line);
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (help) {
      assert.match(help[1]!, NAME);
      assert.ok(!declared.has(help[1]!), `${help[1]} declared once`);
      current = help[1]!;
      continue;
    }
    if (type) {
      assert.equal(type[1], current, 'TYPE follows its HELP');
      declared.set(type[1]!, type[2]!);
      continue;
    }
    const m = SAMPLE.exec(line);
    assert.ok(m, `a valid sample line: ${JSON.stringify(line)}`);
    assert.equal(m[1], current, `${m[1]} belongs to the family declared above it`);
    assert.ok(!seen.has(m[1]! + (m[2] ?? '')), `no duplicate series: ${line}`);
    seen.add(m[1]! + (m[2] ?? ''));
    values.set(m[1]! + (m[2] ?? ''), Number(m[3]));
  }
  return values;
}

function promtool(file: string): { ran: boolean; out: string; status: number | null } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: fs.readFileSync(file), timeout: 20_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') return { ran: false, out: '', status: null };
  return { ran: true, out: `${r.stdout}${r.stderr}`, status: r.status };
}

async function hostA(): Promise<Snapshot> {
  return bootOf((await collectedHosts()).old, 'a1', SKU_A, '2026-11-01T08:00:00Z');
}

test('check --prometheus: per-layer state, verdict, targets, group sizes, kernel and BIOS labels; valid for promtool', async (t) => {
  const dir = tempDir(t, 'vd-prom-');
  const snapFile = path.join(dir, 'a1.json');
  fs.writeFileSync(snapFile, JSON.stringify(await hostA()));
  const prom = path.join(dir, 'vfio-doctor.prom');
  const r = await runCli(['check', '--snapshot', snapFile, '--prometheus', prom]);
  assert.equal(r.code, 0, r.stderr);
  const text = fs.readFileSync(prom, 'utf8');
  const v = checkFormat(text);
  assert.equal(v.get('vfio_doctor_info{hostname="a1",kernel="6.8.12-4-pve",bios_version="3.4",bios_date="01/02/2026",tool_version="0.1.0"}'), 1);
  assert.equal(v.get('vfio_doctor_verdict{status="healthy"}'), 1);
  assert.equal(v.get('vfio_doctor_verdict{status="broken"}'), 0);
  for (const layer of ['firmware', 'kernel', 'modules', 'binding', 'isolation', 'device', 'hypervisor']) {
    assert.equal(v.get(`vfio_doctor_layer_state{layer="${layer}",state="ok"}`), 1, layer);
    assert.equal(v.get(`vfio_doctor_layer_state{layer="${layer}",state="fail"}`), 0, layer);
  }
  assert.equal(v.get('vfio_doctor_targets'), 3);
  assert.equal(v.get('vfio_doctor_targets_bound'), 3);
  assert.equal(v.get('vfio_doctor_target_bound{device="0000:01:00.0",id="1000:0097",role="target",driver="vfio-pci"}'), 1);
  assert.equal(v.get('vfio_doctor_target_group_size{device="0000:01:00.0",group="5"}'), 1);
  assert.equal(v.get('vfio_doctor_target_group_size{device="0000:03:00.0",group="7"}'), 2);
  assert.equal(v.get('vfio_doctor_dma_faults'), 0);
  assert.equal(v.get('vfio_doctor_check_timestamp_seconds'), Date.parse('2026-11-01T08:00:00Z') / 1000);
  assert.ok(!text.includes('vfio_doctor_verdict_info{'), 'no deciding layer when healthy');
  const tool = promtool(prom);
  if (tool.ran) assert.equal(tool.status, 0, tool.out);
  else if (process.env['CI']) assert.fail('promtool is missing in CI (scripts/install-system-deps.sh installs prometheus)');
  else t.diagnostic('promtool not installed: the exposition format was checked by this test alone');

  // The file is refreshed in place for the textfile collector, and nothing else is left in its directory.
  const regressed = path.join(dir, 'regressed.json');
  fs.writeFileSync(regressed, JSON.stringify(bootOf((await collectedHosts()).regressed, 'a1', SKU_A, '2026-11-02T08:00:00Z')));
  const again = await runCli(['check', '--snapshot', regressed, '--prometheus', prom]);
  assert.equal(again.code, 1);
  const v2 = checkFormat(fs.readFileSync(prom, 'utf8'));
  assert.equal(v2.get('vfio_doctor_verdict{status="broken"}'), 1);
  assert.equal(v2.get('vfio_doctor_layer_state{layer="isolation",state="fail"}'), 1);
  assert.ok([...v2.keys()].some((k) => k.startsWith('vfio_doctor_verdict_info{status="broken",layer="isolation",cause="group-shared"')));
  assert.equal(v2.get('vfio_doctor_target_group_size{device="0000:01:00.0",group="1"}'), 2);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['a1.json', 'regressed.json', 'vfio-doctor.prom']);
  if (tool.ran) assert.equal(promtool(prom).status, 0);

  const nowhere = await runCli(['check', '--snapshot', snapFile, '--prometheus', path.join(dir, 'no', 'such', 'x.prom')]);
  assert.equal(nowhere.code, 2);
  assert.match(nowhere.stderr, /cannot write .*x\.prom: directory does not exist\n$/);
});

test('prometheus: DMA faults since boot by device; label values escaped', async () => {
  const s = structuredClone(await hostA());
  s.host.hostname = 'odd"host\\name';
  s.kernelLog = {
    origin: 'dmesg',
    from: 'dmesg',
    lines: [
      { n: 1, text: '[  300.1] DMAR: DRHD: handling fault status reg 2' },
      { n: 2, text: '[  300.1] DMAR: [DMA Read NO_PASID] Request device [01:00.0] fault addr 0x7f3c0000 [fault reason 0x06] PTE Read access is not set' },
      { n: 3, text: '[  300.2] DMAR: [DMA Write NO_PASID] Request device [01:00.0] fault addr 0x7f3d0000 [fault reason 0x05] PTE Write access is not set' },
    ],
    totalLines: 3,
    totalBytes: 300,
    relevantLines: 3,
    droppedLines: 0,
    truncatedLines: 0,
    binaryLines: 0,
  };
  const text = prometheusText(s, analyze(s));
  const v = checkFormat(text);
  assert.equal(v.get('vfio_doctor_dma_faults'), 2);
  assert.equal(v.get('vfio_doctor_device_dma_faults{device="0000:01:00.0"}'), 2);
  assert.equal(v.get('vfio_doctor_kernel_log_read'), 1);
  assert.match(text, /hostname="odd\\"host\\\\name"/);
  assert.equal(v.get('vfio_doctor_layer_state{layer="device",state="fail"}'), 1);
});

test('the boot-snapshot unit refreshes the textfile when asked, with write access to its directory', () => {
  const unit = renderUnit({ node: '/usr/bin/node', cli: '/usr/local/bin/vfio-doctor', dir: null, keep: 30, prometheus: '/var/lib/prometheus/node-exporter/vfio-doctor.prom' });
  assert.match(unit, /\nExecStart=-\/usr\/bin\/node \/usr\/local\/bin\/vfio-doctor check --prometheus \/var\/lib\/prometheus\/node-exporter\/vfio-doctor\.prom\n/);
  assert.match(unit, /\nReadWritePaths=-\/var\/lib\/prometheus\/node-exporter\n/);
  assert.ok(unit.indexOf('diff --last') < unit.indexOf('check --prometheus'), 'after the snapshot and the comparison');
  assert.doesNotMatch(renderUnit({ node: '/usr/bin/node', cli: '/usr/local/bin/vfio-doctor', dir: null, keep: 30 }), /prometheus/);
  assert.throws(() => renderUnit({ node: '/usr/bin/node', cli: '/x', dir: null, keep: 1, prometheus: 'rel.prom' }), /absolute path/);
});

test('the example alert rules of docs/prometheus.md are valid rules for promtool', async (t) => {
  const { repoRoot } = await import('../helpers/paths.js');
  const doc = fs.readFileSync(path.join(repoRoot, 'docs', 'prometheus.md'), 'utf8');
  const rules = /```yaml\n(groups:[\s\S]*?)```/.exec(doc)?.[1];
  assert.ok(rules, 'docs/prometheus.md has a rules block');
  const { regressed } = await collectedHosts();
  const exported = prometheusText(regressed, analyze(regressed));
  for (const metric of rules.matchAll(/\b(vfio_doctor_[a-z_]+)/g)) assert.match(exported, new RegExp(`# TYPE ${metric[1]} gauge`), `${metric[1]} exists`);
  const dir = tempDir(t, 'vd-prom-rules-');
  const file = path.join(dir, 'rules.yml');
  fs.writeFileSync(file, rules);
  const r = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8', timeout: 20_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    if (process.env['CI']) assert.fail('promtool is missing in CI');
    t.diagnostic('promtool not installed: rule syntax not checked');
    return;
  }
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /SUCCESS: 5 rules found/);
});
