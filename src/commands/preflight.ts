import { parseArgs } from 'node:util';
import type { Command } from '../cli/command.js';
import { UsageError } from '../cli/command.js';
import { rootOption } from '../cli/root-option.js';
import { fullFunctionAddress } from '../pci/address.js';
import { colourWanted, makeStyle } from '../render/style.js';
import { runPreflight } from '../preflight/preflight.js';
import { renderPreflightText } from '../preflight/render.js';

export const preflightCommand: Command = {
  name: 'preflight',
  summary: 'before the reboot: check a newly installed kernel, its initramfs and its command line for passthrough',
  usage: 'vfio-doctor preflight [--root DIR] [--kernel VERSION] [--initramfs FILE] [--device ADDR]... [--ids VVVV:DDDD]... [--json]',
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        root: { type: 'string' },
        kernel: { type: 'string' },
        initramfs: { type: 'string' },
        device: { type: 'string', multiple: true },
        ids: { type: 'string', multiple: true },
        json: { type: 'boolean', default: false },
      },
      allowPositionals: false,
    });
    if (values.kernel !== undefined && !/^[\w.+~-]+$/.test(values.kernel)) throw new UsageError(`--kernel ${values.kernel}: not a kernel release (expected e.g. 6.12.9-amd64)`);
    for (const d of values.device ?? []) if (!fullFunctionAddress(d)) throw new UsageError(`--device ${d}: not a PCI address (expected 0000:01:00.0 or 01:00.0)`);
    const ids = (values.ids ?? []).flatMap((s) => s.split(',')).filter(Boolean);
    for (const i of ids) if (!/^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$/.test(i)) throw new UsageError(`--ids ${i}: expected VVVV:DDDD (hex vendor and device id)`);
    const root = rootOption(values.root, io.cwd);
    const result = await runPreflight({
      ...(root === undefined ? {} : { root }),
      ...(values.kernel === undefined ? {} : { kernel: values.kernel }),
      ...(values.initramfs === undefined ? {} : { initramfs: values.initramfs }),
      devices: values.device ?? [],
      ids,
      cwd: io.cwd,
    });
    if (result.kind === 'nothing-to-check') {
      if (values.json) io.stdout(JSON.stringify({ running: result.running, kernel: null, verdict: 'nothing-to-check', message: result.message }, null, 2) + '\n');
      else io.stdout(`vfio-doctor preflight: ${result.message}\n`);
      return 0;
    }
    const r = result.report;
    if (values.json) io.stdout(JSON.stringify(r, null, 2) + '\n');
    else io.stdout(renderPreflightText(r, makeStyle(colourWanted(io.isTty, io.env))));
    return r.verdict === 'fail' ? 1 : 0;
  },
};
