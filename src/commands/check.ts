import path from 'node:path';
import type { Command } from '../cli/command.js';
import { InputError, UsageError } from '../cli/command.js';
import { rootOption } from '../cli/root-option.js';
import { parseCommandLine } from '../cli/options.js';
import { requireKnownDevices, unknownVm } from '../cli/known-targets.js';
import { COLOR_OPTION, colourChoice, DEVICE_OPTION, HTML_OPTION, IDS_OPTION, JSON_OPTION, MARKDOWN_OPTION, POLICY_OPTION, QUIET_OPTION, REDACT_OPTION, ROOT_OPTION, STRICT_OPTION } from '../cli/common-options.js';
import { progressSink } from '../cli/progress-sink.js';
import { withProgress } from '../progress/terminal.js';
import { redactorFor } from '../render/redact.js';
import { collectSnapshot } from '../collect/collect.js';
import { loadSnapshotFile, SnapshotLoadError } from '../snapshot/load.js';
import { analyze, devicesNeedingDetail, imageCanMatter } from '../analyze/analyze.js';
import { fullFunctionAddress } from '../pci/address.js';
import { renderTextReport } from '../render/text-report.js';
import { jsonReport } from '../render/json-report.js';
import { markdownReport } from '../render/markdown-report.js';
import { colourWanted, makeStyle } from '../render/style.js';
import type { Snapshot } from '../snapshot/types.js';
import type { Report } from '../analyze/analyze.js';
import { readSos } from '../sos/read-sos.js';
import { SosInputError } from '../sos/archive.js';
import { analyzeCaptured } from '../paste/targets.js';
import { focusOnVm } from '../hypervisor/vms.js';
import { loadPolicyFile } from '../policy/load.js';
import { prometheusText } from '../render/prometheus.js';
import { htmlReport } from '../render/html.js';
import { writeReportFile } from '../output/report-file.js';
import { PolicyError } from '../policy/parse.js';
import { evaluatePolicy, withPolicyFindings } from '../policy/evaluate.js';
import { printText } from '../cli/print-text.js';

/** Exit codes: 0 healthy (or warnings), 1 a failing finding, 2 usage/input, 3 warnings or undetermined with --strict. */
export function exitCodeFor(status: Report['verdict']['status'], strict: boolean): number {
  if (status === 'broken') return 1;
  if ((status === 'warning' || status === 'undetermined') && strict) return 3;
  return 0;
}

const OPTIONS = [
  ROOT_OPTION,
  { name: 'snapshot', value: 'FILE', description: 'judge a snapshot saved earlier (vfio-doctor snapshot -o FILE) instead of reading a host', complete: 'file' },
  { name: 'sos', value: 'DIR|ARCHIVE', description: 'judge a sosreport, unpacked or as its .tar.xz / .tar.gz archive', complete: 'file' },
  DEVICE_OPTION,
  IDS_OPTION,
  POLICY_OPTION,
  { name: 'prometheus', value: 'FILE', description: "also write the result in Prometheus text format to FILE, replaced atomically (for node_exporter's textfile collector)", complete: 'file' },
  { name: 'vm', value: 'NAME|VMID', description: "judge only the devices of this VM (a libvirt domain name or a Proxmox VE VMID)", default: 'every VM defined on the host', complete: 'none' },
  HTML_OPTION,
  JSON_OPTION,
  COLOR_OPTION,
  MARKDOWN_OPTION,
  STRICT_OPTION,
  REDACT_OPTION,
  QUIET_OPTION,
] as const;

export const checkCommand: Command = {
  name: 'check',
  summary: 'diagnose passthrough layer by layer: the first broken layer, its evidence and the fix',
  usage: 'vfio-doctor check [--root DIR | --snapshot FILE | --sos DIR|ARCHIVE] [--device ADDR]... [--ids VVVV:DDDD]... [--vm NAME|VMID] [--policy FILE] [--prometheus FILE] [--html FILE] [--json | --markdown] [--strict] [--redact] [--quiet]',
  options: OPTIONS,
  examples: [
    { command: 'vfio-doctor check', says: "diagnose this host; the targets come from its own configuration (run as root to see everything)" },
    { command: 'vfio-doctor check --device 01:00.0', says: 'diagnose passing through the function at 01:00.0 and its companions' },
    { command: 'vfio-doctor check --vm 101 --json', says: 'judge only the devices of Proxmox VM 101, as JSON for a script' },
    { command: 'vfio-doctor check --sos sosreport-pve1.tar.xz', says: "diagnose someone else's host from their sosreport" },
  ],
  async run(argv, io) {
    const { values } = parseCommandLine(argv, OPTIONS);
    const colour = colourChoice(values.color);
    if ([values.root, values.snapshot, values.sos].filter((v) => v !== undefined).length > 1) throw new UsageError('--root, --snapshot and --sos exclude each other');
    if (values.json && values.markdown) throw new UsageError('--json and --markdown exclude each other');
    for (const d of values.device ?? []) if (!fullFunctionAddress(d)) throw new UsageError(`--device ${d}: not a PCI address (expected 0000:01:00.0 or 01:00.0)`);
    const ids = (values.ids ?? []).flatMap((s) => s.split(',')).filter(Boolean);
    for (const i of ids) if (!/^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$/.test(i)) throw new UsageError(`--ids ${i}: expected VVVV:DDDD (hex vendor and device id)`);

    let policy = null;
    try {
      if (values.policy !== undefined) policy = loadPolicyFile(values.policy, io.cwd);
    } catch (err) {
      if (err instanceof PolicyError) throw new InputError(err.message);
      throw err;
    }

    let snap: Snapshot;
    const sink = progressSink(io, values);
    if (values.sos !== undefined) {
      const sos = values.sos;
      try {
        snap = (await withProgress(sink, `reading the sosreport ${sos}`, (progress) => readSos(path.resolve(io.cwd, sos), { progress }))).snapshot;
      } catch (err) {
        if (err instanceof SosInputError) throw new InputError(err.message.replace(path.resolve(io.cwd, sos), sos));
        throw err;
      }
    } else if (values.snapshot) {
      try {
        snap = loadSnapshotFile(values.snapshot);
      } catch (err) {
        if (err instanceof SnapshotLoadError) throw new InputError(err.message);
        throw err;
      }
    } else {
      const root = rootOption(values.root, io.cwd);
      const asked = { devices: values.device ?? [], ids };
      // The image is decompressed only when a target's host driver could race vfio-pci in it.
      const readInitramfs = (collected: Snapshot): boolean => {
        const focused = values.vm === undefined ? null : focusOnVm(collected, values.vm);
        return imageCanMatter(focused?.ok ? focused.snap : collected, asked);
      };
      // Reset methods, power states, modaliases ... are read only of the functions the analysis asks
      // them of (the targets, their companions, the displays): on a large host most functions are
      // none of those. A policy may ask them of any function, and --redact judges the whole snapshot:
      // those read everything.
      const detailFor = policy !== null || values.redact
        ? undefined
        : (collected: Snapshot): string[] => {
            const focused = values.vm === undefined ? null : focusOnVm(collected, values.vm);
            return [...devicesNeedingDetail(collected, asked), ...(focused?.ok ? devicesNeedingDetail(focused.snap, asked) : [])];
          };
      snap = await withProgress(sink, root === undefined ? 'reading this host' : `reading the host under ${values.root}`, () => collectSnapshot({ root, readInitramfs, detailFor }));
    }

    const where = values.sos !== undefined ? 'in the sosreport' : values.snapshot !== undefined ? 'in the snapshot' : values.root !== undefined ? `under ${values.root}` : 'on this host';
    requireKnownDevices(snap, values.device ?? [], where);
    if (values.vm !== undefined) {
      const focused = focusOnVm(snap, values.vm);
      if (!focused.ok) throw unknownVm(values.vm, focused.known, where);
      snap = focused.snap;
    }
    // A sosreport, like pasted output, names the devices its VMs use: they are the targets when none are given.
    let report = values.sos !== undefined ? analyzeCaptured(snap, { devices: values.device ?? [], ids }) : analyze(snap, { devices: values.device ?? [], ids });
    if (policy) {
      const judged = evaluatePolicy(policy, snap, report);
      if (judged.entries.length === 0) {
        const d = snap.host.dmi;
        throw new InputError(`${policy.file}: no entry matches this host (host ${snap.host.hostname ?? 'unknown'}, vendor ${d?.sysVendor ?? 'unknown'}, product ${d?.productName ?? 'unknown'}, board ${d?.boardName ?? 'unknown'}, cpu ${snap.host.cpu?.modelName ?? 'unknown'}); add an entry for it, or one without "match" for every host`);
      }
      report = withPolicyFindings(report, judged.findings);
    }
    // Written before the report is printed: a closed stdout must not cost the monitoring its file.
    if (values.prometheus !== undefined) writeReportFile(values.prometheus, prometheusText(snap, report), io.cwd, { replace: true });
    const shown = values.redact ? redactorFor(snap) : null;
    const out = (s: string) => (shown ? shown.text(s) : s);
    if (values.html !== undefined) writeReportFile(values.html, out(htmlReport(snap, report)), io.cwd, { replace: false });
    if (values.json) io.stdout(JSON.stringify(shown ? shown.json(jsonReport(snap, report)) : jsonReport(snap, report), null, 2) + '\n');
    else if (values.markdown) io.stdout(out(markdownReport(snap, report)));
    else printText(io, out(renderTextReport(snap, report, makeStyle(colourWanted(io.isTty, io.env, colour)))));
    return exitCodeFor(report.verdict.status, values.strict);
  },
};
