import type { Snapshot } from '../snapshot/types.js';
import type { Report } from '../analyze/analyze.js';
import { LAYERS, LAYER_QUESTIONS } from '../analyze/layers.js';
import type { Style } from './style.js';
import { findingText } from './finding.js';
import { idsUnknown } from '../analyze/pci-facts.js';
import { HANG, unbroken } from './wrap.js';
import { undeterminedWords } from './verdict-words.js';

export function hostLine(s: Snapshot): string {
  const parts = [
    s.host.hostname ?? 'host',
    s.host.kernelRelease ? `kernel ${s.host.kernelRelease}` : 'kernel unknown',
    s.host.osRelease?.prettyName ?? s.host.osRelease?.id ?? null,
    s.host.cpu ? `${s.host.cpu.vendor === 'other' ? s.host.cpu.vendorId ?? 'CPU' : s.host.cpu.vendor.toUpperCase()} CPU` : null,
    s.host.virtualMachine ? 'virtual machine' : null,
  ].filter(Boolean);
  const origin = s.origin.kind === 'live' ? 'live' : s.origin.kind === 'root' ? `--root ${s.origin.root}` : s.origin.kind === 'sos' ? `sosreport ${s.origin.path}` : `pasted ${s.origin.files.join(', ')}`;
  return `${parts.join(', ')} (${origin}${s.privileged === false ? ', not root' : ''})`;
}

export function renderTextReport(s: Snapshot, r: Report, st: Style): string {
  const out: string[] = [];
  // The verdict and the fix that decides it come first, so they are on the first screen; the
  // targets, the chain and the inventory follow for whoever reads on.
  out.push(st.bold(`vfio-doctor check — ${hostLine(s)}`));
  out.push('');
  const v = r.verdict;
  if (v.status === 'healthy') out.push(st.green(st.bold('VERDICT: healthy — every layer checked, nothing failing or warning')));
  else if (v.status === 'undetermined') {
    out.push(st.yellow(st.bold(`VERDICT: undetermined — ${undeterminedWords(v.layer)}`)));
    for (const m of v.missing) out.push(`  - ${HANG}${m.id}${m.subject ? ` (${m.subject})` : ''}: ${m.reason}${m.settle ? ` — to settle it: ${st.cyan(unbroken(m.settle))}` : ''}`);
  } else {
    const label = v.severity === 'fail' ? st.red(st.bold(`VERDICT: ${v.layer} layer is broken`)) : st.yellow(st.bold(`VERDICT: ${v.layer} layer has a warning`));
    out.push(`${label} ${st.dim(`(${v.cause})`)}`);
  }
  const decisive = v.findingId ? r.findings.find((f) => f.id === v.findingId && f.subject === v.subject) : undefined;
  if (decisive) out.push(...findingText(decisive, st, '  '));
  if (v.status === 'warning' && v.missing.length > 0) {
    out.push(`  Not checked before the ${v.layer} layer (an earlier break is not ruled out):`);
    for (const m of v.missing) out.push(`  - ${HANG}${m.layer} ${m.id}${m.subject ? ` (${m.subject})` : ''}: ${m.reason}${m.settle ? ` — to settle it: ${st.cyan(unbroken(m.settle))}` : ''}`);
  }
  out.push('');

  if (r.targets.length > 0) {
    out.push(st.bold('Targets'));
    for (const t of r.targets) {
      const d = s.pci.find((x) => x.address === t.address);
      const name = d?.names?.device ? ` ${d.names.device}` : '';
      const absent = s.origin.kind === 'paste' ? ' (not in the input)' : ' (not present on this host)';
      const ids = d ? (idsUnknown(d) ? ' (ids not in the input)' : ` [${d.vendorId}:${d.deviceId}]`) : absent;
      // A capture may not show drivers at all: "unknown" there, not "none".
      const driverShown = s.sources[`pci:${t.address}:driver`]?.status !== 'absent';
      const driver = d?.driver ?? (driverShown ? 'none' : 'unknown (not in the input)');
      const about = `${name}${ids} driver ${driver} — ${t.role === 'companion' ? `companion of ${t.companionOf}` : t.reasons.join('; ')}`;
      out.push(`  ${t.address} ${HANG}${about.trimStart()}`);
    }
  } else {
    out.push(st.bold('Targets') + ': none given or configured (use --device ADDR or --ids VVVV:DDDD); judging host readiness');
  }
  out.push('');

  out.push(st.bold('The chain'));
  const firstFail = r.findings.find((f) => f.severity === 'fail')?.layer ?? null;
  for (const layer of LAYERS) {
    const fs = r.findings.filter((f) => f.layer === layer);
    const fails = fs.filter((f) => f.severity === 'fail').length;
    const warns = fs.filter((f) => f.severity === 'warn').length;
    const skipped = r.unchecked.filter((u) => u.layer === layer).length;
    const after = firstFail !== null && LAYERS.indexOf(layer) > LAYERS.indexOf(firstFail);
    const proven = (r.settled ?? []).find((x) => x.layer === layer);
    // Nothing read speaks about the layer (a paste without it): "no evidence", never "ok".
    const silent = r.evidenced !== undefined && !r.evidenced.includes(layer);
    let mark = st.green('ok  ');
    if (fails) mark = st.red('FAIL');
    else if (warns) mark = st.yellow('WARN');
    else if (after) mark = st.dim('--  ');
    else if (proven) mark = st.green('ok  ');
    else if (skipped) mark = st.yellow('?   ');
    else if (silent) mark = st.dim('·   ');
    const provenBy = proven && !fails && !warns ? `shown working by ${proven.evidence.source}${proven.evidence.line !== undefined ? `:${proven.evidence.line}` : ''}` : '';
    const note = [fails ? `${fails} failing` : '', warns ? `${warns} warning` : '', provenBy || (skipped ? `${skipped} not checked` : silent && !after ? 'no evidence' : ''), after ? `not trusted until ${firstFail} is fixed` : '']
      .filter(Boolean)
      .join(', ');
    out.push(`  ${mark} ${layer.padEnd(10)} ${HANG}${st.dim(LAYER_QUESTIONS[layer])}${note ? `  (${note})` : ''}`);
  }
  out.push('');

  const others = r.findings.filter((f) => !(f.id === v.findingId && f.subject === v.subject));
  if (others.length > 0) {
    out.push(st.bold(`Other findings (${others.length})`));
    for (const f of others) out.push(...findingText(f, st, '  '));
    out.push('');
  }

  if (r.targets.length === 0 && r.groups.length > 0) {
    out.push(st.bold('IOMMU groups'));
    for (const g of r.groups) {
      out.push(`  group ${String(g.id).padEnd(3)} ${HANG}${g.passable ? st.green('passable') : st.dim('not passable')} — ${g.why}`);
      for (const d of g.devices) out.push(`      ${HANG}${d.description} ${st.dim(`driver ${d.driver ?? 'none'}${d.bridge ? ', bridge' : ''}`)}`);
    }
    out.push('');
  }

  const unread = Object.entries(s.sources).filter(([, rec]) => rec.status === 'denied' || rec.status === 'error');
  if (r.unchecked.length > 0 || unread.length > 0) {
    out.push(st.bold('Could not check'));
    for (const u of r.unchecked) out.push(`  - ${HANG}${u.id}${u.subject ? ` (${u.subject})` : ''}: ${u.reason}${u.settle ? ` (settle: ${unbroken(u.settle)})` : ''}`);
    // Sources failing the same way (every function's config space without root) are one line.
    const byReason = new Map<string, string[]>();
    for (const [id, rec] of unread) {
      const key = `${rec.status}${rec.message ? ` — ${rec.message}` : ''}`;
      byReason.set(key, [...(byReason.get(key) ?? []), id]);
    }
    for (const [reason, ids] of byReason) {
      const who = ids.length > 3 ? `${ids.slice(0, 2).join(', ')} and ${ids.length - 2} more` : ids.join(', ');
      out.push(`  - ${HANG}${who}: ${reason}`);
    }
    out.push('');
  }
  return out.join('\n');
}
