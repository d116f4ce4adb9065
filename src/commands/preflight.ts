import type { Command } from '../cli/command.js';
import { UsageError } from '../cli/command.js';
import { rootOption } from '../cli/root-option.js';
import { fullFunctionAddress } from '../pci/address.js';
import { parseCommandLine } from '../cli/options.js';
import { COLOR_OPTION, colourChoice, DEVICE_OPTION, IDS_OPTION, JSON_OPTION, MARKDOWN_OPTION, QUIET_OPTION, ROOT_OPTION } from '../cli/common-options.js';
import { progressSink } from '../cli/progress-sink.js';
import { withProgress } from '../progress/terminal.js';
import { colourWanted, makeStyle } from '../render/style.js';
import { runPreflight } from '../preflight/preflight.js';
import { preflightJson, preflightNothingJson, renderPreflightMarkdown, renderPreflightText } from '../preflight/render.js';
import { printText } from '../cli/print-text.js';

const OPTIONS = [
  ROOT_OPTION,
  { name: 'kernel', value: 'VERSION', description: 'the installed kernel to judge, by its release (as in /lib/modules/VERSION)', default: 'the newest installed kernel other than the running one', complete: 'none' },
  { name: 'initramfs', value: 'FILE', description: 'the initramfs image that kernel will boot with', default: "that kernel's image in /boot (initrd.img-VERSION, initramfs-VERSION.img, ...)", complete: 'file' },
  DEVICE_OPTION,
  IDS_OPTION,
  JSON_OPTION,
  COLOR_OPTION,
  MARKDOWN_OPTION,
  QUIET_OPTION,
] as const;

export const preflightCommand: Command = {
  name: 'preflight',
  summary: 'before the reboot: check a newly installed kernel, its initramfs and its command line for passthrough',
  usage: 'vfio-doctor preflight [--root DIR] [--kernel VERSION] [--initramfs FILE] [--device ADDR]... [--ids VVVV:DDDD]... [--json | --markdown] [--quiet]',
  options: OPTIONS,
  examples: [
    { command: 'vfio-doctor preflight', says: 'after a kernel update, before the reboot: will passthrough still work on the new kernel?' },
    { command: 'vfio-doctor preflight --kernel 6.8.12-5-pve', says: 'judge one installed kernel by its release' },
    { command: 'vfio-doctor preflight --device 01:00.0 --json', says: 'judge one device, as JSON (exit 1 on a predicted failure)' },
  ],
  async run(argv, io) {
    const { values } = parseCommandLine(argv, OPTIONS);
    const colour = colourChoice(values.color);
    if (values.json && values.markdown) throw new UsageError('--json and --markdown exclude each other');
    if (values.kernel !== undefined && !/^[\w.+~-]+$/.test(values.kernel)) throw new UsageError(`--kernel ${values.kernel}: not a kernel release (expected e.g. 6.12.9-amd64)`);
    for (const d of values.device ?? []) if (!fullFunctionAddress(d)) throw new UsageError(`--device ${d}: not a PCI address (expected 0000:01:00.0 or 01:00.0)`);
    const ids = (values.ids ?? []).flatMap((s) => s.split(',')).filter(Boolean);
    for (const i of ids) if (!/^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$/.test(i)) throw new UsageError(`--ids ${i}: expected VVVV:DDDD (hex vendor and device id)`);
    const root = rootOption(values.root, io.cwd);
    const result = await withProgress(progressSink(io, values), 'preflight', (progress) =>
      runPreflight({
        ...(root === undefined ? {} : { root }),
        ...(values.kernel === undefined ? {} : { kernel: values.kernel }),
        ...(values.initramfs === undefined ? {} : { initramfs: values.initramfs }),
        devices: values.device ?? [],
        ids,
        cwd: io.cwd,
        progress,
      }),
    );
    if (result.kind === 'nothing-to-check') {
      if (values.json) io.stdout(JSON.stringify(preflightNothingJson(result.running, result.message), null, 2) + '\n');
      else io.stdout(`vfio-doctor preflight: ${result.message}\n`);
      return 0;
    }
    const r = result.report;
    if (values.json) io.stdout(JSON.stringify(preflightJson(r), null, 2) + '\n');
    else if (values.markdown) io.stdout(renderPreflightMarkdown(r));
    else printText(io, renderPreflightText(r, makeStyle(colourWanted(io.isTty, io.env, colour))));
    return r.verdict === 'fail' ? 1 : 0;
  },
};
