import path from 'node:path';
import type { Command } from '../cli/command.js';
import { InputError, UsageError } from '../cli/command.js';
import { rootOption } from '../cli/root-option.js';
import { parseCommandLine } from '../cli/options.js';
import { ROOT_OPTION } from '../cli/common-options.js';
import { collectSnapshot } from '../collect/collect.js';
import { loadSnapshotFile, SnapshotLoadError } from '../snapshot/load.js';
import type { Snapshot } from '../snapshot/types.js';
import { analyze } from '../analyze/analyze.js';
import { renderPolicyTemplate } from '../policy/init.js';
import { parsePolicy } from '../policy/parse.js';
import { writeReportFile } from '../output/report-file.js';

const OPTIONS = [
  ROOT_OPTION,
  { name: 'snapshot', value: 'FILE', description: 'write the policy from a snapshot saved earlier instead of reading a host', complete: 'file' },
  { name: 'output', short: 'o', value: 'FILE', description: 'write the policy to FILE, never over an existing file', default: 'standard output', complete: 'file' },
] as const;

/** Exit codes: 0 written, 1 the host is broken (a policy written from it would enshrine the breakage), 2 usage or input. */
export const policyCommand: Command = {
  name: 'policy',
  summary: 'policy init: write a commented passthrough policy from this healthy host (stdout, or -o FILE without overwriting)',
  usage: 'vfio-doctor policy init [--root DIR | --snapshot FILE] [-o FILE]',
  options: OPTIONS,
  positionals: [{ name: 'init', description: 'the action: write a policy that describes this host as it is now', complete: 'none' }],
  examples: [
    { command: 'vfio-doctor policy init -o /etc/vfio-doctor/policy.yaml', says: 'write down the known-good state of this healthy host' },
    { command: 'vfio-doctor policy init --snapshot pve1.json', says: 'write a policy from a saved snapshot, to standard output' },
  ],
  async run(argv, io) {
    const { values, positionals } = parseCommandLine(argv, OPTIONS, { positionals: true });
    if (positionals[0] !== 'init' || positionals.length !== 1) throw new UsageError(positionals.length === 0 ? 'which action? (init)' : `unknown action "${positionals.join(' ')}" (init)`);
    if (values.root !== undefined && values.snapshot !== undefined) throw new UsageError('--root and --snapshot exclude each other');
    let snap: Snapshot;
    if (values.snapshot !== undefined) {
      try {
        snap = loadSnapshotFile(path.resolve(io.cwd, values.snapshot));
      } catch (err) {
        if (err instanceof SnapshotLoadError) throw new InputError(err.message);
        throw err;
      }
    } else snap = await collectSnapshot({ root: rootOption(values.root, io.cwd) });
    const report = analyze(snap);
    if (report.verdict.status === 'broken') {
      const f = report.findings.find((x) => x.id === report.verdict.findingId);
      io.stderr(`vfio-doctor policy: this host is broken at the ${report.verdict.layer} layer (${f?.title ?? report.verdict.cause}); a policy written from it would write the breakage down. Fix it first ("vfio-doctor check").\n`);
      return 1;
    }
    const text = renderPolicyTemplate(snap, report, new Date().toISOString());
    // What init writes must be a policy this vfio-doctor accepts; a failure here is a bug, not bad input.
    parsePolicy(text, 'generated policy');
    if (values.output === undefined) {
      io.stdout(text);
      return 0;
    }
    writeReportFile(values.output, text, io.cwd, { replace: false });
    io.stderr(`vfio-doctor policy: wrote ${values.output}\n`);
    return 0;
  },
};
