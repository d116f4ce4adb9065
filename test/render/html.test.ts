import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { analyze } from '../../src/analyze/analyze.js';
import { htmlReport } from '../../src/render/html.js';
import { runCli } from '../helpers/run-cli.js';
import { SKU_A, bootOf, collectedHosts, saveBoots, tempDir, threeSkuFleet } from '../fleet/support.js';

const LAYERS = ['firmware', 'kernel', 'modules', 'binding', 'isolation', 'device', 'hypervisor'];

function chromiumPath(): string | null {
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    const r = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', name], { encoding: 'utf8' });
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  return null;
}

/** Renders a file in headless chromium: the DOM after load, and every console message the page caused. */
function render(browser: string, file: string, profile: string, extra: string[] = ['--dump-dom']): { dom: string; console: string[]; status: number | null } {
  const r = spawnSync(browser, ['--headless', '--no-sandbox', '--disable-gpu', `--user-data-dir=${profile}`, '--enable-logging=stderr', '--v=0', ...extra, `file://${file}`], {
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { dom: r.stdout, console: r.stderr.split('\n').filter((l) => l.includes(':CONSOLE')), status: r.status };
}

test('html report: chain of custody with the failing link, fix, evidence, group table; escaped; nothing to fetch', async () => {
  const s = structuredClone(bootOf((await collectedHosts()).regressed, 'a1', SKU_A, '2026-11-02T08:00:00Z'));
  s.host.hostname = 'a1<script>alert(1)</script>';
  const html = htmlReport(s, analyze(s));
  assert.match(html, /^<!DOCTYPE html>/);
  assert.ok(!html.includes('<script'), 'names are escaped, no script anywhere');
  assert.match(html, /a1&lt;script&gt;/);
  assert.doesNotMatch(html, /https?:\/\/|\bsrc=|<link\b|@import|url\(/, 'nothing refers outside the file');
  assert.match(html, /Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"/);
  assert.match(html, /data-status="broken"/);
  assert.match(html, /Verdict: Broken at the isolation layer/);
  const chain = [...html.matchAll(/<li class="s-(\w+)( first)?( untrusted)?" data-layer="(\w+)">/g)].map((m) => [m[4], m[1], Boolean(m[2])]);
  assert.deepEqual(chain.map((c) => c[0]), LAYERS);
  assert.deepEqual(chain.find((c) => c[2]), ['isolation', 'fail', true], 'the failing link is marked');
  assert.match(html, /<h2>Fix first<\/h2>\n<div class="finding fail"/);
  assert.match(html, /<pre class="evidence">\/sys\/kernel\/iommu_groups/);
  assert.match(html, /<table id="groups">/);
  assert.match(html, /<td class="no">no<\/td>/);
  assert.match(html, /@media print/);
});

test('check, analyze and fleet --html write one file each, never over an existing one; chromium renders them without errors', async (t) => {
  const dir = tempDir(t, 'vd-html-');
  const snapFile = path.join(dir, 'a1.json');
  fs.writeFileSync(snapFile, JSON.stringify(bootOf((await collectedHosts()).regressed, 'a1', SKU_A, '2026-11-02T08:00:00Z')));
  const checkHtml = path.join(dir, 'check.html');
  const c = await runCli(['check', '--snapshot', snapFile, '--html', checkHtml]);
  assert.equal(c.code, 1, c.stderr);
  assert.match(c.stdout, /isolation/, 'the text report is still printed');
  const again = await runCli(['check', '--snapshot', snapFile, '--html', checkHtml]);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /check\.html already exists; it is not overwritten/);

  const paste = path.join(dir, 'paste.txt');
  fs.writeFileSync(paste, '01:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU104 [10de:1e87] (rev a1)\n\tKernel driver in use: vfio-pci\n[  300.1] DMAR: [DMA Read NO_PASID] Request device [01:00.0] fault addr 0x7f3c0000 [fault reason 0x06] PTE Read access is not set\n');
  const analyzeHtml = path.join(dir, 'analyze.html');
  const a = await runCli(['analyze', paste, '--html', analyzeHtml]);
  assert.ok(fs.existsSync(analyzeHtml), a.stderr);
  assert.match(fs.readFileSync(analyzeHtml, 'utf8'), /PTE Read access is not set/);

  const store = path.join(dir, 'store');
  saveBoots(store, await threeSkuFleet());
  const fleetHtml = path.join(dir, 'fleet.html');
  const f = await runCli(['fleet', store, '--html', fleetHtml]);
  assert.equal(f.code, 1);
  const fleetText = fs.readFileSync(fleetHtml, 'utf8');
  assert.match(fleetText, /data-holds="1"/);
  assert.match(fleetText, /<td class="decision-hold">hold<\/td>/);
  assert.match(fleetText, /<td class="decision-go">go<\/td>/);
  assert.match(fleetText, /<td class="decision-no-canary">no-canary<\/td>/);

  const browser = chromiumPath();
  if (!browser) {
    if (process.env['CI']) assert.fail('chromium is missing in CI (scripts/install-system-deps.sh installs it)');
    t.diagnostic('chromium not installed: the HTML was checked as text only');
    return;
  }
  const profile = path.join(dir, 'profile');
  // The check can fail: a page that reaches for the network is reported on the console.
  const bad = path.join(dir, 'bad.html');
  fs.writeFileSync(bad, fs.readFileSync(checkHtml, 'utf8').replace('</body>', '<img alt="" src="http://192.0.2.1/x.png"></body>'));
  assert.ok(render(browser, bad, profile).console.length > 0, 'a blocked fetch shows on the console');

  for (const [file, marker] of [
    [checkHtml, /<div class="verdict broken" id="verdict" data-status="broken"><strong>Verdict: Broken at the isolation layer/],
    [analyzeHtml, /id="verdict" data-status="broken"><strong>Verdict: Broken at the device layer/],
    [fleetHtml, /<td class="decision-hold">hold<\/td>/],
  ] as const) {
    const r = render(browser, file, profile);
    assert.equal(r.status, 0, `chromium rendered ${file}`);
    assert.deepEqual(r.console, [], `no console messages for ${path.basename(file)}`);
    assert.match(r.dom, marker);
  }
  const pdf = path.join(dir, 'check.pdf');
  const printed = render(browser, checkHtml, profile, [`--print-to-pdf=${pdf}`, '--no-pdf-header-footer']);
  assert.equal(printed.status, 0);
  assert.equal(fs.readFileSync(pdf).subarray(0, 5).toString(), '%PDF-', 'it prints');
});
