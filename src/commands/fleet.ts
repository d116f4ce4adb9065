import { parseCommandLine } from '../cli/options.js';
import { COLOR_OPTION, colourChoice, HTML_OPTION, JSON_OPTION, POLICY_OPTION } from '../cli/common-options.js';
import type { Command } from '../cli/command.js';
import { InputError, UsageError } from '../cli/command.js';
import type { Snapshot } from '../snapshot/types.js';
import { analyze } from '../analyze/analyze.js';
import { analyzeCaptured } from '../paste/targets.js';
import { buildFleetReport, fleetExitCode, type Analysed } from '../fleet/fleet.js';
import { FleetInputError, snapshotFiles } from '../fleet/inputs.js';
import { renderFleetText } from '../fleet/render-text.js';
import { htmlFleet } from '../render/html.js';
import { writeReportFile } from '../output/report-file.js';
import { colourWanted, makeStyle } from '../render/style.js';
import { fleetJson } from '../fleet/render-json.js';
import { loadSnapshotArg } from '../cli/load-snapshot.js';
import { loadPolicyFile } from '../policy/load.js';
import { PolicyError } from '../policy/parse.js';
import { evaluatePolicy, withPolicyFindings } from '../policy/evaluate.js';
import type { Policy } from '../policy/types.js';
import { printText } from '../cli/print-text.js';

const load = loadSnapshotArg;

/** Captured snapshots (sosreport, pasted text) name their targets through the VMs they hold, as check --sos does. */
export function analyseStored(snap: Snapshot, policy: Policy | null = null): Analysed {
  const captured = snap.origin.kind === 'sos' || snap.origin.kind === 'paste';
  const report = captured ? analyzeCaptured(snap) : analyze(snap);
  if (!policy) return { report, policyFindings: [], policyEntries: null };
  const judged = evaluatePolicy(policy, snap, report);
  return { report: withPolicyFindings(report, judged.findings), policyFindings: judged.findings, policyEntries: judged.entries.map((e) => e.name) };
}

const OPTIONS = [
  { name: 'kernel', value: 'RELEASE', description: 'the kernel to decide go / hold for: canaries booted on it are compared with their previous kernel', default: 'the newest kernel release any snapshot shows', complete: 'none' },
  POLICY_OPTION,
  HTML_OPTION,
  JSON_OPTION,
  COLOR_OPTION,
] as const;

/** Exit codes: 0 no SKU holds, 1 a SKU holds the kernel, 2 usage or unreadable input. */
export const fleetCommand: Command = {
  name: 'fleet',
  summary: 'snapshots of many hosts grouped by hardware SKU, with a canary go / hold decision per SKU for a kernel (exit 1 on hold)',
  usage: 'vfio-doctor fleet PATH... [--kernel RELEASE] [--policy FILE] [--html FILE] [--json]',
  options: OPTIONS,
  positionals: [{ name: 'PATH...', description: 'snapshot store directories (one per host) or snapshot files', complete: 'file' }],
  examples: [
    { command: 'vfio-doctor fleet /srv/snapshots/*', says: 'group the hosts by hardware SKU and decide go / hold for the newest kernel any of them booted' },
    { command: 'vfio-doctor fleet /srv/snapshots/* --kernel 6.8.12-5-pve', says: 'go or hold per SKU for that kernel, from the canaries already on it (exit 1 on hold)' },
  ],
  async run(argv, io) {
    const { values, positionals } = parseCommandLine(argv, OPTIONS, { positionals: true });
    const colour = colourChoice(values.color);
    if (positionals.length === 0) throw new UsageError('give at least one snapshot store directory or snapshot file');
    if (values.kernel !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._+~-]*$/.test(values.kernel)) throw new UsageError(`--kernel ${values.kernel}: not a kernel release (e.g. 6.8.12-5-pve)`);
    let policy: Policy | null = null;
    try {
      if (values.policy !== undefined) policy = loadPolicyFile(values.policy, io.cwd);
    } catch (err) {
      if (err instanceof PolicyError) throw new InputError(err.message);
      throw err;
    }
    let files: string[];
    try {
      files = snapshotFiles(positionals, io.cwd);
    } catch (err) {
      if (err instanceof FleetInputError) throw new InputError(err.message);
      throw err;
    }
    const report = buildFleetReport(files, { kernel: values.kernel ?? null, load, analyse: (snap) => analyseStored(snap, policy), policy: values.policy ?? null });
    if (values.html !== undefined) writeReportFile(values.html, htmlFleet(report), io.cwd, { replace: false });
    if (values.json) io.stdout(JSON.stringify(fleetJson(report), null, 2) + '\n');
    else printText(io, renderFleetText(report, makeStyle(colourWanted(io.isTty, io.env, colour))));
    return fleetExitCode(report);
  },
};
