import type { Command } from '../cli/command.js';
import { InputError, UsageError } from '../cli/command.js';
import { rootOption } from '../cli/root-option.js';
import { parseCommandLine } from '../cli/options.js';
import { COLOR_OPTION, colourChoice, DEVICE_OPTION, IDS_OPTION, JSON_OPTION, ROOT_OPTION, STORE_DIR_OPTION } from '../cli/common-options.js';
import { SnapshotLoadError } from '../snapshot/load.js';
import type { Snapshot } from '../snapshot/types.js';
import { fullFunctionAddress } from '../pci/address.js';
import { diffSnapshots } from '../diff/diff.js';
import { renderDiffText } from '../diff/render/text.js';
import { renderDiffMarkdown } from '../diff/render/markdown.js';
import { loadSnapshotArg } from '../cli/load-snapshot.js';
import { renderDiffSummary } from '../diff/render/summary.js';
import { diffJson } from '../diff/render/json.js';
import { colourWanted, makeStyle } from '../render/style.js';
import { baselineAndNewest, lastTwoBoots, storeDir, StoreError } from '../store/store.js';
import { printText } from '../cli/print-text.js';

const load = loadSnapshotArg;

function storeCall<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof StoreError || err instanceof SnapshotLoadError) throw new InputError(err.message);
    throw err;
  }
}

const OPTIONS = [
  { name: 'last', description: 'compare the two newest snapshots of different boots in the store (what the boot unit logs)' },
  { name: 'baseline', value: 'LABEL', description: 'compare the snapshot saved with --label LABEL with the newest one in the store', complete: 'none' },
  { ...STORE_DIR_OPTION, description: 'with --last or --baseline, the snapshot store directory' },
  { ...ROOT_OPTION, description: 'with --last or --baseline, find the store under DIR (a copy of a host\'s files)', default: '/' },
  { ...DEVICE_OPTION, default: "the targets named by each snapshot's host configuration" },
  IDS_OPTION,
  JSON_OPTION,
  COLOR_OPTION,
  { name: 'markdown', description: 'print the comparison as Markdown, for a ticket or a forum post' },
  { name: 'summary', description: 'print one line for a log: the two kernels, the counts, the worst change' },
] as const;

/** Exit codes: 0 no regression, 1 at least one regression, 2 usage or unreadable input. */
export const diffCommand: Command = {
  name: 'diff',
  summary: 'compare two snapshots layer by layer: what regressed, improved or changed (exit 1 on a regression)',
  usage:
    'vfio-doctor diff BEFORE.json AFTER.json | diff --last | diff --baseline LABEL  [--dir DIR] [--root DIR] [--device ADDR]... [--ids VVVV:DDDD]... [--json | --markdown | --summary]',
  options: OPTIONS,
  positionals: [{ name: 'BEFORE AFTER', description: 'two snapshot files (vfio-doctor snapshot -o FILE), the older first', complete: 'file' }],
  examples: [
    { command: 'vfio-doctor diff before.json after.json', says: 'what changed for passthrough between two snapshots (exit 1 on a regression)' },
    { command: 'vfio-doctor diff --last', says: 'compare this boot with the previous one, from the snapshot store' },
    { command: 'vfio-doctor diff --baseline baseline --markdown', says: 'compare the newest snapshot with the labelled known-good one, as Markdown' },
  ],
  async run(argv, io) {
    const { values, positionals } = parseCommandLine(argv, OPTIONS, { positionals: true });
    const colour = colourChoice(values.color);
    const modes = [positionals.length > 0, values.last, values.baseline !== undefined].filter(Boolean).length;
    if (modes !== 1) throw new UsageError('give two snapshot files, or --last, or --baseline LABEL (exactly one of them)');
    if (positionals.length > 0 && positionals.length !== 2) throw new UsageError(`expected two snapshot files (before and after), got ${positionals.length}`);
    if ([values.json, values.markdown, values.summary].filter(Boolean).length > 1) throw new UsageError('--json, --markdown and --summary exclude each other');
    if (positionals.length > 0 && (values.dir !== undefined || values.root !== undefined)) throw new UsageError('--dir and --root select the store for --last and --baseline; not with two files');
    for (const d of values.device ?? []) if (!fullFunctionAddress(d)) throw new UsageError(`--device ${d}: not a PCI address (expected 0000:01:00.0 or 01:00.0)`);
    const ids = (values.ids ?? []).flatMap((s) => s.split(',')).filter(Boolean);
    for (const i of ids) if (!/^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$/.test(i)) throw new UsageError(`--ids ${i}: expected VVVV:DDDD (hex vendor and device id)`);

    let beforeFile: string;
    let afterFile: string;
    let before: Snapshot | null = null;
    if (positionals.length === 2) {
      [beforeFile, afterFile] = positionals as [string, string];
    } else {
      const dir = storeDir({ dir: values.dir, root: rootOption(values.root, io.cwd), cwd: io.cwd });
      if (values.last) {
        const pair = storeCall(() => lastTwoBoots(dir));
        if (pair.before === null) {
          const msg = `no snapshot from an earlier boot in ${dir} to compare ${pair.after} with`;
          // At the first boot with the unit installed this is expected, not an error worth a failed unit.
          if (values.summary) {
            io.stdout(`vfio-doctor diff: ${msg}\n`);
            return 0;
          }
          throw new InputError(msg);
        }
        beforeFile = pair.before;
        afterFile = pair.after;
      } else {
        const found = storeCall(() => baselineAndNewest(dir, values.baseline!));
        beforeFile = found.baseline;
        afterFile = found.newest;
        before = found.baselineSnapshot;
      }
    }
    before ??= load(beforeFile);
    const after = load(afterFile);
    const report = diffSnapshots(before, after, { devices: values.device ?? [], ids, beforeFile, afterFile });
    if (values.json) io.stdout(JSON.stringify(diffJson(report), null, 2) + '\n');
    else if (values.markdown) io.stdout(renderDiffMarkdown(report));
    // One line for the journal, whatever its length: a log line is not wrapped.
    else if (values.summary) io.stdout(renderDiffSummary(report));
    else printText(io, renderDiffText(report, makeStyle(colourWanted(io.isTty, io.env, colour))));
    return report.counts.regression > 0 ? 1 : 0;
  },
};
