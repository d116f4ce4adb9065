import { parseArgs } from 'node:util';
import type { Command } from '../cli/command.js';
import { InputError, UsageError } from '../cli/command.js';
import { rootOption } from '../cli/root-option.js';
import { collectSnapshot } from '../collect/collect.js';
import { loadSnapshotFile, SnapshotLoadError } from '../snapshot/load.js';
import { analyze } from '../analyze/analyze.js';
import { normaliseAddress } from '../analyze/pci-facts.js';
import { renderTextReport } from '../render/text-report.js';
import { jsonReport } from '../render/json-report.js';
import { colourWanted, makeStyle } from '../render/style.js';
import type { Snapshot } from '../snapshot/types.js';
import type { Report } from '../analyze/analyze.js';

/** Exit codes: 0 healthy (or warnings), 1 a failing finding, 2 usage/input, 3 warnings or undetermined with --strict. */
export function exitCodeFor(r: Report, strict: boolean): number {
  if (r.verdict.status === 'broken') return 1;
  if ((r.verdict.status === 'warning' || r.verdict.status === 'undetermined') && strict) return 3;
  return 0;
}

export const checkCommand: Command = {
  name: 'check',
  summary: 'diagnose passthrough layer by layer: the first broken layer, its evidence and the fix',
  usage: 'vfio-doctor check [--root DIR | --snapshot FILE] [--device ADDR]... [--ids VVVV:DDDD]... [--json] [--strict]',
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        root: { type: 'string' },
        snapshot: { type: 'string' },
        device: { type: 'string', multiple: true },
        ids: { type: 'string', multiple: true },
        json: { type: 'boolean', default: false },
        strict: { type: 'boolean', default: false },
      },
      allowPositionals: false,
    });
    if (values.root && values.snapshot) throw new UsageError('--root and --snapshot exclude each other');
    for (const d of values.device ?? []) if (!normaliseAddress(d)) throw new UsageError(`--device ${d}: not a PCI address (expected 0000:01:00.0 or 01:00.0)`);
    const ids = (values.ids ?? []).flatMap((s) => s.split(',')).filter(Boolean);
    for (const i of ids) if (!/^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$/.test(i)) throw new UsageError(`--ids ${i}: expected VVVV:DDDD (hex vendor and device id)`);

    let snap: Snapshot;
    if (values.snapshot) {
      try {
        snap = loadSnapshotFile(values.snapshot);
      } catch (err) {
        if (err instanceof SnapshotLoadError) throw new InputError(err.message);
        throw err;
      }
    } else snap = await collectSnapshot({ root: rootOption(values.root, io.cwd) });

    const report = analyze(snap, { devices: values.device ?? [], ids });
    if (values.json) io.stdout(JSON.stringify(jsonReport(snap, report), null, 2) + '\n');
    else io.stdout(renderTextReport(snap, report, makeStyle(colourWanted(io.isTty, io.env))));
    return exitCodeFor(report, values.strict);
  },
};
