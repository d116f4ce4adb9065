// Knowledge-base entries whose kernel range the update enters: problems the running kernel did not
// have and the new one may. Shown as information; the entry's signature decides only after the boot.

import type { Finding } from '../../analyze/finding.js';
import { CAUSES } from '../../analyze/causes.js';
import { idPair } from '../../analyze/pci-facts.js';
import { builtinKnowledgeBase } from '../../kb/load.js';
import type { KbEntry } from '../../kb/types.js';
import { inRange, parseKernelVersion } from '../../kb/version.js';
import type { PreflightCheck, PreflightInput } from '../types.js';

export function checkKbJump(input: PreflightInput, entries: readonly KbEntry[] = builtinKnowledgeBase()): Finding[] {
  const next = parseKernelVersion(input.kernel.version);
  if (!next) return [];
  const running = input.running ? parseKernelVersion(input.running) : null;
  const ids = input.ctx.targets.map((t) => input.ctx.device(t.address)).filter((d) => d !== undefined).map((d) => idPair(d));
  const out: Finding[] = [];
  for (const e of entries) {
    if (!e.kernelRange || !inRange(next, e.kernelRange)) continue;
    if (running && inRange(running, e.kernelRange)) continue;
    if (e.devicePatterns && !ids.some((id) => e.devicePatterns!.some((p) => p.test(id)))) continue;
    out.push({
      id: `preflight.kb.${e.id}`,
      layer: CAUSES[e.cause]?.layer ?? e.layer,
      cause: e.cause,
      severity: 'info',
      subject: null,
      title: `${input.running ?? 'the running kernel'} → ${input.kernel.version} enters "${e.signature.kernel}": ${e.title}`,
      evidence: [{ source: e.file, text: `${e.id}: kernel ${e.signature.kernel}` }],
      decision: e.fix,
      commands: [],
      trusted: true,
      untrustedUntil: null,
    });
  }
  return out;
}

export const kbJump: PreflightCheck = {
  meta: {
    id: 'kb-jump',
    layer: 'kernel',
    // Each finding has the cause and layer of its knowledge-base entry.
    get causes() {
      return [...new Set(builtinKnowledgeBase().map((e) => e.cause))].sort();
    },
    title: 'Known regressions the kernel update enters',
    description: 'Knowledge-base entries whose kernel range the next kernel enters and the running one is outside of, for the targets\' device ids: shown as information, with the entry\'s fix.',
    reports: ['preflight.kb.<entry>'],
    warnOnly: true,
  },
  check: (input) => checkKbJump(input),
};
