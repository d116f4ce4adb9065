import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { buildHost, type HostSpec, type PciFunctionSpec } from '../fixtures/host-builder.js';
import { intelDesktop } from '../fixtures/hosts.js';
import { collectSnapshot } from '../../src/collect/collect.js';
import { analyze, type Report } from '../../src/analyze/analyze.js';
import type { Layer } from '../../src/analyze/layers.js';
import type { Severity } from '../../src/analyze/finding.js';
import { renderTextReport } from '../../src/render/text-report.js';
import { makeStyle } from '../../src/render/style.js';
import { fitText } from '../../src/render/wrap.js';
import { overlongLines } from './text-width.js';

// One tester for every rule scenario, in the manner of a lint rule tester: a table of hosts, each
// built as a real tree, collected, analysed, and held to the expected verdict and decision.

export interface Scenario {
  name: string;
  host: HostSpec;
  devices?: string[];
  ids?: string[];
  expect: {
    status: Report['verdict']['status'];
    layer?: Layer | null;
    cause?: string | null;
    /** The decisive finding's subject. */
    subject?: string;
    /** Some command of the decisive finding matches. */
    command?: RegExp;
    /** The decisive finding's title or decision matches. */
    text?: RegExp;
    /** Findings that must also be present (any layer). */
    alsoFinds?: { cause: string; severity?: Severity; trusted?: boolean }[];
    /** Causes that must not be reported at all. */
    notFinds?: string[];
  };
}

export function runScenarios(title: string, scenarios: Scenario[]): void {
  for (const sc of scenarios) {
    test(`${title}: ${sc.name}`, async (t) => {
      const root = await buildHost(sc.host);
      t.after(() => fs.rmSync(root, { recursive: true, force: true }));
      const snap = await collectSnapshot({ root });
      const r = analyze(snap, { devices: sc.devices ?? [], ids: sc.ids ?? [] });
      const e = sc.expect;
      const summary = () =>
        `verdict ${JSON.stringify(r.verdict)}\nfindings:\n${r.findings.map((f) => `  ${f.severity} ${f.layer}/${f.cause} ${f.subject ?? ''} ${f.title}`).join('\n')}\nunchecked:\n${r.unchecked.map((u) => `  ${u.id}: ${u.reason}`).join('\n')}`;
      assert.equal(r.verdict.status, e.status, summary());
      if (e.layer !== undefined) assert.equal(r.verdict.layer, e.layer, summary());
      if (e.cause !== undefined) assert.equal(r.verdict.cause, e.cause, summary());
      const decisive = r.findings.find((f) => f.id === r.verdict.findingId && f.subject === r.verdict.subject);
      if (e.subject !== undefined) assert.equal(r.verdict.subject, e.subject, summary());
      if (e.command) assert.ok(decisive?.commands.some((c) => e.command!.test(c)), `no command matches ${e.command}: ${JSON.stringify(decisive?.commands)}`);
      if (e.text) assert.match(`${decisive?.title}\n${decisive?.decision}`, e.text);
      for (const want of e.alsoFinds ?? []) {
        const f = r.findings.find((x) => x.cause === want.cause && (want.severity === undefined || x.severity === want.severity));
        assert.ok(f, `expected also a ${want.severity ?? ''} ${want.cause} finding\n${summary()}`);
        if (want.trusted !== undefined) assert.equal(f!.trusted, want.trusted, `${want.cause} trusted`);
      }
      for (const c of e.notFinds ?? []) assert.ok(!r.findings.some((f) => f.cause === c), `unexpected ${c}\n${summary()}`);
      // The text report at 80 columns: the verdict near the top, the deciding fix before the long detail,
      // and no line wider than 80 but a whole command or a token that cannot be broken.
      const text = fitText(renderTextReport(snap, r, makeStyle(false)), 80);
      const rows = text.split('\n');
      const verdictRow = rows.findIndex((l) => l.startsWith('VERDICT'));
      assert.ok(verdictRow >= 0 && verdictRow < 6, text);
      const detail = rows.findIndex((l) => l.startsWith('Targets'));
      for (const c of decisive?.commands ?? []) {
        const at = rows.findIndex((l) => l.trim() === (c.startsWith('#') ? c : `$ ${c}`));
        assert.ok(at > verdictRow && at < detail, `"${c}" is not between the verdict and the targets\n${text}`);
      }
      assert.deepEqual(overlongLines(text, 80, r.findings.flatMap((f) => f.commands)), []);
    });
  }
}

/** A changed copy of a host spec. */
export function variant(base: HostSpec, change: (h: HostSpec) => void): HostSpec {
  const h = structuredClone(base);
  change(h);
  return h;
}

/** The function at a bridge path such as "01.0/00.1" on root bus `bus` (index into spec.pci). */
export function fn(h: HostSpec, pathSpec: string, bus = 0): PciFunctionSpec {
  let list = h.pci![bus]!.devices;
  let found: PciFunctionSpec | undefined;
  for (const at of pathSpec.split('/')) {
    found = list.find((d) => d.at === at);
    if (!found) throw new Error(`no function ${at} in ${pathSpec}`);
    list = found.children ?? [];
  }
  return found!;
}

/** Playbook mini-story 1, the typical failure after an update: nouveau in the initramfs, vfio-pci not. */
export function miniStory1(): HostSpec {
  return variant(intelDesktop, (h) => {
    h.initramfsModules = [];
    h.kernel = { ...h.kernel, installed: [{ release: '6.8.0-45-generic', initramfs: { modules: ['nvme', 'nvme_core', 'nouveau', 'snd_hda_intel'] } }] };
    h.modprobe = { 'vfio.conf': 'options vfio-pci ids=10de:1b80,10de:10f0\n' };
    fn(h, '01.0/00.0').driver = 'nouveau';
    fn(h, '01.0/00.0').hostDriver = 'nouveau';
    fn(h, '01.0/00.1').driver = 'snd_hda_intel';
  });
}
