import { LAYERS } from '../analyze/layers.js';
import type { Style } from '../render/style.js';
import { HANG } from '../render/wrap.js';
import { skuTitle } from './fleet.js';
import type { DecisiveSummary, FleetHost, FleetReport, LayerState, Sku } from './types.js';

const STATE_ORDER: LayerState[] = ['fail', 'warn', 'undetermined', 'ok'];

function hostsWord(n: number): string {
  return `${n} host${n === 1 ? '' : 's'}`;
}

function verdictText(v: DecisiveSummary): string {
  if (v.status === 'healthy') return 'healthy';
  if (v.status === 'undetermined') return v.layer ? `undetermined (${v.layer} could not be checked)` : 'undetermined (no layer pointed at)';
  return `${v.status} at ${v.layer}: ${v.title ?? v.cause}`;
}

function layerLine(s: Sku): string {
  return LAYERS.map((l) => {
    const c = s.layers[l];
    const parts = STATE_ORDER.filter((st) => c[st] > 0).map((st) => `${st} ${c[st]}`);
    return `${l} ${parts.join('/')}`;
  }).join(' · ');
}

function hostLine(h: FleetHost, width: number, st: Style): string {
  const bios = h.biosVersion ? `BIOS ${h.biosVersion}${h.biosDate ? ` (${h.biosDate})` : ''}` : 'BIOS unknown';
  const v = verdictText(h.verdict);
  const coloured = h.verdict.status === 'broken' ? st.red(v) : h.verdict.status === 'healthy' ? st.green(v) : st.yellow(v);
  const lines = [`    ${h.name.padEnd(width)}  ${HANG}${h.latest.kernel ?? 'unknown kernel'}  ${bios}  ${coloured}`];
  if (h.policyEntries !== null && h.policyEntries.length === 0) lines.push(`      ${st.yellow('no policy entry matches this host')}`);
  for (const f of h.policyFindings) lines.push(`      policy ${f.severity === 'fail' ? st.red('FAIL') : f.severity === 'warn' ? st.yellow('WARN') : 'info'} ${HANG}${f.layer}: ${f.title}`);
  return lines.join('\n');
}

function skuBlock(s: Sku, st: Style): string {
  const c = s.canary;
  const word = c.decision === 'go' ? st.green('GO') : c.decision === 'hold' ? st.red('HOLD') : st.yellow('NO CANARY YET');
  const lines = [st.bold(`SKU ${s.id}  ${skuTitle(s)}`), `  canary for ${c.kernel ?? 'no kernel'}: ${HANG}${word} — ${c.reason}`];
  for (const run of c.canaries) {
    const from = run.previous ? `${run.previous.kernel ?? 'unknown kernel'} → ` : '';
    const what = run.outcome === 'regressed' ? st.red(`${run.regressions.length} regression${run.regressions.length === 1 ? '' : 's'}`) : run.outcome === 'clean' ? st.green('no regression') : 'no earlier boot to compare';
    lines.push(`    canary ${run.host}: ${from}${run.on.kernel}: ${what}`);
    for (const r of run.regressions) lines.push(`      ${r.layer.padEnd(10)} ${HANG}${r.title}`);
    if (run.outcome !== 'no-baseline') lines.push(`      verdict ${run.verdictBefore ? `${verdictText(run.verdictBefore)} → ` : ''}${verdictText(run.verdictOn)}`);
  }
  lines.push(`  kernels: ${s.kernels.map((k) => `${k.release} (${hostsWord(k.hosts)})`).join(', ')}`);
  lines.push(`  BIOS: ${s.biosVersions.map((b) => `${b.version} (${hostsWord(b.hosts)})`).join(', ')}`);
  lines.push(`  layers: ${layerLine(s)}`);
  lines.push(`  hosts (${s.hosts.length}):`);
  const width = Math.max(...s.hosts.map((h) => h.name.length));
  for (const h of s.hosts) lines.push(hostLine(h, width, st));
  return lines.join('\n');
}

export function renderFleetText(r: FleetReport, st: Style): string {
  const kernel = r.kernel ? `kernel ${r.kernel} (${r.kernelFrom === 'option' ? '--kernel' : 'newest seen'})` : 'no kernel recorded';
  const out = [st.bold(`vfio-doctor fleet: ${r.snapshots} snapshot${r.snapshots === 1 ? '' : 's'}, ${hostsWord(r.hosts)}, ${r.skus.length} SKU${r.skus.length === 1 ? '' : 's'} — ${kernel}`)];
  if (r.policy) out.push(`policy: ${r.policy}`);
  for (const n of r.notes) out.push(st.yellow(`note: ${n}`));
  out.push('');
  for (const s of r.skus) out.push(skuBlock(s, st), '');
  const count = (d: string) => r.skus.filter((s) => s.canary.decision === d).length;
  const hold = count('hold');
  const result = `RESULT for ${r.kernel ?? 'no kernel'}: ${hold} SKU${hold === 1 ? '' : 's'} hold, ${count('go')} go, ${count('no-canary')} without a canary`;
  out.push(hold > 0 ? st.red(st.bold(result)) : st.bold(result), '');
  return out.join('\n');
}
