import type { Snapshot } from '../snapshot/types.js';
import type { Report } from '../analyze/analyze.js';
import type { Finding } from '../analyze/finding.js';
import { LAYERS, LAYER_QUESTIONS, type Layer } from '../analyze/layers.js';
import { assess } from '../fleet/assess.js';
import { skuTitle } from '../fleet/fleet.js';
import type { FleetReport, LayerState } from '../fleet/types.js';
import { VERSION } from '../version.js';
import { undeterminedWords } from './verdict-words.js';

// One self-contained HTML file per report, to attach to a ticket or print: inline style, no script,
// nothing fetched. It shows the same things the text report does, in the same order.

function esc(s: string | number | null | undefined): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STYLE = `
:root { --fail: #b3261e; --warn: #8a5a00; --ok: #1e6b35; --muted: #5f6368; --line: #d0d4d9; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1b1f23; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; } h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
h3 { font-size: 1rem; margin: 1rem 0 .25rem; }
.meta { color: var(--muted); margin: 0 0 1rem; }
.verdict { padding: .75rem 1rem; border-left: 6px solid var(--ok); background: #f3f8f4; margin: 1rem 0; }
.verdict.broken { border-color: var(--fail); background: #fbeeed; } .verdict.warning, .verdict.undetermined { border-color: var(--warn); background: #fdf6e7; }
ol.chain { list-style: none; padding: 0; display: flex; flex-wrap: wrap; gap: .4rem; }
ol.chain li { border: 1px solid var(--line); border-radius: 4px; padding: .4rem .6rem; min-width: 9rem; }
ol.chain li .state { display: block; font-weight: 600; text-transform: uppercase; font-size: .75rem; }
.s-ok .state { color: var(--ok); } .s-warn .state, .s-undetermined .state { color: var(--warn); } .s-fail .state { color: var(--fail); }
li.s-fail.first { border: 2px solid var(--fail); } li.untrusted { opacity: .6; }
.finding { border: 1px solid var(--line); border-left: 5px solid var(--muted); padding: .5rem .75rem; margin: .6rem 0; break-inside: avoid; }
.finding.fail { border-left-color: var(--fail); } .finding.warn { border-left-color: var(--warn); }
.sev { font-weight: 700; font-size: .75rem; text-transform: uppercase; margin-right: .4rem; }
.fail .sev { color: var(--fail); } .warn .sev { color: var(--warn); }
pre { background: #f6f8fa; border: 1px solid var(--line); padding: .5rem; overflow-x: auto; white-space: pre-wrap; word-break: break-all; font: 12px/1.4 ui-monospace, "DejaVu Sans Mono", monospace; margin: .4rem 0; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0; } th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } td.no { color: var(--fail); } td.yes { color: var(--ok); }
.decision-go { color: var(--ok); font-weight: 700; } .decision-hold { color: var(--fail); font-weight: 700; } .decision-no-canary { color: var(--warn); font-weight: 700; }
.note { color: var(--muted); font-size: .9em; }
@media print { body { margin: 0; max-width: none; font-size: 11pt; } h2 { break-after: avoid; } .finding, tr { break-inside: avoid; } pre { white-space: pre-wrap; } a { color: inherit; } }
`;

function page(title: string, body: string[]): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    // No network at all: nothing may be fetched when the report is opened.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${esc(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    ...body,
    `<p class="note">vfio-doctor ${esc(VERSION)}</p>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function evidenceBlock(f: Finding): string {
  if (f.evidence.length === 0) return '';
  return `<pre class="evidence">${f.evidence.map((e) => esc(`${e.source}${e.line !== undefined ? `:${e.line}` : ''}: ${e.text}`)).join('\n')}</pre>`;
}

function findingBlock(f: Finding): string {
  return [
    `<div class="finding ${esc(f.severity)}" id="finding-${esc(f.id)}${f.subject ? `-${esc(f.subject)}` : ''}">`,
    `<div><span class="sev">${esc(f.severity)}</span><strong>${esc(f.title)}</strong></div>`,
    `<div class="note">${esc(f.layer)} · ${esc(f.cause)} · ${esc(f.id)}${f.subject ? ` · ${esc(f.subject)}` : ''}${f.trusted ? '' : ` · not trusted until the ${esc(f.untrustedUntil)} layer is fixed`}</div>`,
    evidenceBlock(f),
    `<p>${esc(f.decision)}</p>`,
    f.commands.length > 0 ? `<pre class="commands">${esc(f.commands.join('\n'))}</pre>` : '',
    '</div>',
  ].join('\n');
}

const STATE_WORD: Record<LayerState, string> = { ok: 'ok', warn: 'warning', fail: 'failing', undetermined: 'undetermined' };

/** The check (or analyze) report as one HTML page. */
export function htmlReport(snap: Snapshot, report: Report): string {
  const a = assess(snap, report);
  const v = report.verdict;
  const decisive = report.findings.find((f) => f.id === v.findingId && f.subject === v.subject && f.severity === v.severity) ?? null;
  const host = snap.host.hostname ?? 'unknown host';
  const verdictText =
    v.status === 'healthy'
      ? 'Healthy: every layer of the chain was checked and nothing is wrong.'
      : v.status === 'undetermined'
        ? `Undetermined: ${undeterminedWords(v.layer)}.`
        : `${v.status === 'broken' ? 'Broken' : 'Warning'} at the ${v.layer} layer: ${decisive?.title ?? v.cause}`;
  const body: string[] = [
    `<h1>vfio-doctor check: ${esc(host)}</h1>`,
    `<p class="meta">kernel ${esc(snap.host.kernelRelease ?? 'unknown')} · ${esc(snap.host.osRelease?.prettyName ?? 'unknown distribution')} · BIOS ${esc(snap.host.dmi?.biosVersion ?? 'unknown')} · snapshot of ${esc(snap.collectedAt)} (${esc(snap.origin.kind)})</p>`,
    `<div class="verdict ${esc(v.status)}" id="verdict" data-status="${esc(v.status)}"><strong>Verdict: ${esc(verdictText)}</strong></div>`,
    '<h2>Chain of custody</h2>',
    '<ol class="chain">',
  ];
  const firstFail = LAYERS.find((l) => a.layers[l] === 'fail') ?? null;
  for (const l of LAYERS) {
    const st = a.layers[l];
    const untrusted = firstFail !== null && LAYERS.indexOf(l) > LAYERS.indexOf(firstFail);
    body.push(`<li class="s-${st}${l === firstFail ? ' first' : ''}${untrusted ? ' untrusted' : ''}" data-layer="${l}"><span class="state">${esc(l === firstFail ? 'failing link' : STATE_WORD[st])}</span>${esc(l)}<br><span class="note">${esc(LAYER_QUESTIONS[l])}</span></li>`);
  }
  body.push('</ol>');
  if (decisive) body.push('<h2>Fix first</h2>', findingBlock(decisive));
  if (v.status === 'undetermined') {
    body.push('<h2>What would settle it</h2>', '<ul>', ...v.missing.slice(0, 10).map((u) => `<li>${esc(u.layer)}: ${esc(u.reason)}${u.settle ? ` — run <code>${esc(u.settle)}</code>` : ''}</li>`), '</ul>');
  }
  body.push('<h2>Findings by layer</h2>');
  if (report.findings.length === 0) body.push('<p>No findings.</p>');
  for (const l of LAYERS) {
    const fs = report.findings.filter((f) => f.layer === l && f !== decisive);
    if (fs.length === 0) continue;
    body.push(`<h3>${esc(l)}</h3>`, ...fs.map(findingBlock));
  }
  body.push('<h2>Targets</h2>');
  if (report.targets.length === 0) body.push('<p>No passthrough target was given or found in the host\'s configuration.</p>');
  else {
    const byAddress = new Map(snap.pci.map((d) => [d.address, d]));
    body.push('<table><tr><th>device</th><th>role</th><th>driver</th><th>why</th></tr>');
    for (const t of report.targets) {
      const d = byAddress.get(t.address);
      body.push(`<tr><td>${esc(t.address)}</td><td>${esc(t.role)}${t.companionOf ? ` of ${esc(t.companionOf)}` : ''}</td><td>${esc(d?.driver ?? 'none')}</td><td>${esc(t.reasons.join('; '))}</td></tr>`);
    }
    body.push('</table>');
  }
  body.push('<h2>IOMMU groups</h2>');
  if (report.groups.length === 0) body.push('<p>No IOMMU groups (the IOMMU is not active, or the capture does not show them).</p>');
  else {
    const targets = new Set(report.targets.map((t) => t.address));
    body.push('<table id="groups"><tr><th>group</th><th>devices</th><th>can be passed through</th><th>why</th></tr>');
    for (const g of report.groups) {
      const devs = g.devices.map((d) => `${targets.has(d.address) ? '<strong>' : ''}${esc(d.description)}${d.driver ? ` (${esc(d.driver)})` : ''}${targets.has(d.address) ? '</strong>' : ''}`).join('<br>');
      body.push(`<tr><td>${g.id}</td><td>${devs}</td><td class="${g.passable ? 'yes' : 'no'}">${g.passable ? 'yes' : 'no'}</td><td>${esc(g.why)}</td></tr>`);
    }
    body.push('</table>');
  }
  return page(`vfio-doctor: ${host} — ${v.status}`, body);
}

/** The fleet view as one HTML page. */
export function htmlFleet(r: FleetReport): string {
  const body: string[] = [
    `<h1>vfio-doctor fleet: canary decisions for ${esc(r.kernel ?? 'no kernel')}</h1>`,
    `<p class="meta">${r.snapshots} snapshots · ${r.hosts} hosts · ${r.skus.length} SKUs · kernel ${r.kernelFrom === 'option' ? 'given with --kernel' : 'the newest seen'}${r.policy ? ` · policy ${esc(r.policy)}` : ''}</p>`,
  ];
  const hold = r.skus.filter((s) => s.canary.decision === 'hold').length;
  body.push(`<div class="verdict ${hold > 0 ? 'broken' : 'healthy'}" id="verdict" data-holds="${hold}"><strong>${hold > 0 ? `${hold} SKU${hold === 1 ? '' : 's'} hold ${esc(r.kernel)}` : `No SKU holds ${esc(r.kernel ?? '')}`}</strong></div>`);
  for (const n of r.notes) body.push(`<p class="note">note: ${esc(n)}</p>`);
  body.push('<table id="skus"><tr><th>SKU</th><th>decision</th><th>why</th><th>hosts</th></tr>');
  for (const s of r.skus) body.push(`<tr><td><a href="#sku-${esc(s.id)}">${esc(s.id)}</a> ${esc(skuTitle(s))}</td><td class="decision-${esc(s.canary.decision)}">${esc(s.canary.decision)}</td><td>${esc(s.canary.reason)}</td><td>${s.hosts.length}</td></tr>`);
  body.push('</table>');
  for (const s of r.skus) {
    body.push(`<h2 id="sku-${esc(s.id)}">SKU ${esc(s.id)}: ${esc(skuTitle(s))}</h2>`);
    body.push(`<p><span class="decision-${esc(s.canary.decision)}">${esc(s.canary.decision.toUpperCase())}</span> — ${esc(s.canary.reason)}</p>`);
    for (const c of s.canary.canaries) {
      body.push(`<h3>canary ${esc(c.host)}: ${esc(c.previous?.kernel ?? '—')} → ${esc(c.on.kernel)} (${esc(c.outcome)})</h3>`);
      if (c.regressions.length > 0) body.push(`<pre class="evidence">${c.regressions.map((x) => esc(`${x.layer}: ${x.title}`)).join('\n')}</pre>`);
    }
    body.push(`<p>kernels: ${s.kernels.map((k) => `${esc(k.release)} (${k.hosts})`).join(', ')} · BIOS: ${s.biosVersions.map((b) => `${esc(b.version)} (${b.hosts})`).join(', ')}</p>`);
    body.push('<table><tr><th>layer</th><th>ok</th><th>warn</th><th>fail</th><th>undetermined</th></tr>');
    for (const l of LAYERS as readonly Layer[]) {
      const c = s.layers[l];
      body.push(`<tr><td>${l}</td><td>${c.ok}</td><td>${c.warn}</td><td${c.fail > 0 ? ' class="no"' : ''}>${c.fail}</td><td>${c.undetermined}</td></tr>`);
    }
    body.push('</table>');
    body.push('<table><tr><th>host</th><th>kernel</th><th>BIOS</th><th>verdict</th><th>policy</th></tr>');
    for (const h of s.hosts) {
      const verdict = h.verdict.status === 'healthy' ? 'healthy' : `${h.verdict.status} at ${h.verdict.layer}: ${h.verdict.title ?? h.verdict.cause}`;
      const policy = h.policyEntries === null ? '' : h.policyEntries.length === 0 ? 'no entry matches' : h.policyFindings.length === 0 ? `conforms (${h.policyEntries.join(', ')})` : h.policyFindings.map((f) => `${f.severity} ${f.layer}: ${f.title}`).join('\n');
      body.push(`<tr><td>${esc(h.name)}</td><td>${esc(h.latest.kernel)}</td><td>${esc(h.biosVersion ?? 'unknown')}</td><td${h.verdict.status === 'broken' ? ' class="no"' : ''}>${esc(verdict)}</td><td>${esc(policy).replace(/\n/g, '<br>')}</td></tr>`);
    }
    body.push('</table>');
  }
  return page(`vfio-doctor fleet — ${r.kernel ?? ''}`, body);
}
