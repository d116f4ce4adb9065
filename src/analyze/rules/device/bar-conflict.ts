import type { Rule } from '../../rule.js';
import type { Evidence } from '../../finding.js';
import { deviceLogMatches, logMatches } from '../../log-evidence.js';
import { kernelArgCommands } from '../../fixes/kernel-args.js';
import { kernelAtLeast } from '../../context.js';
import { describeDevice } from '../../pci-facts.js';

const FRAMEBUFFERS = /^(BOOTFB|simpledrm|simple-framebuffer(\.\d+)?|efifb|vesafb|vesa-framebuffer(\.\d+)?|efi-framebuffer(\.\d+)?)$/;

export const barConflict: Rule = {
  meta: {
    id: 'bar-conflict',
    layer: 'device',
    title: 'BAR held by a boot framebuffer',
    causes: ['bar-conflict'],
    description: 'No boot framebuffer (BOOTFB, simpledrm, efifb, vesafb) holds a range inside a target BAR, and vfio-pci could reserve every BAR.',
  },
  check(ctx, out) {
    for (const t of ctx.targets) {
      const d = ctx.device(t.address);
      if (!d) continue;
      const claims = (ctx.snap.iomem ?? []).filter((e) => e.device === d.address && FRAMEBUFFERS.test(e.name));
      const cantReserve = deviceLogMatches(ctx.snap, d.address, /BAR \d+: can't reserve/);
      if (claims.length === 0 && cantReserve.length === 0) continue;
      const evidence: Evidence[] = [
        ...claims.map((e) => ({ source: '/proc/iomem', text: `${'  '.repeat(e.depth)}${e.start}-${e.end} : ${e.name} (inside ${d.address})` })),
        ...cantReserve,
      ];
      const simpledrm = claims.some((e) => e.name === 'simpledrm' || e.name.startsWith('simple-framebuffer')) || logMatches(ctx.snap, /simpledrm|simple-framebuffer/, 1).length > 0;
      const sysfb = simpledrm || claims.some((e) => e.name === 'BOOTFB');
      const builtinSimpledrm = ctx.snap.kernelConfig?.options['CONFIG_DRM_SIMPLEDRM'] === 'y';
      let decision: string;
      let add: string[];
      if (sysfb) {
        add = ['initcall_blacklist=sysfb_init'];
        decision =
          'The firmware framebuffer of the boot GPU (BOOTFB, driven by simpledrm/simplefb since ~5.15) sits inside the BAR, so vfio-pci cannot reserve it and the guest driver fails. Stop the kernel from registering it: initcall_blacklist=sysfb_init. ' +
          (builtinSimpledrm ? 'This kernel has simpledrm built in, and on recent kernels that may still bind; if the claim stays, boot on another GPU (or the iGPU) or bind vfio-pci to this GPU from the command line (vfio-pci.ids=), which removes the conflicting framebuffer when it claims a VGA device (kernels >= 6.0).' : '') +
          ' video=efifb:off no longer helps on these kernels.';
        if (builtinSimpledrm && kernelAtLeast(ctx.kernel, 6, 0)) add.push(`vfio-pci.ids=${d.vendorId}:${d.deviceId}`);
      } else {
        add = ['video=efifb:off', 'video=vesafb:off'];
        decision = 'A firmware framebuffer driver (efifb / vesafb) claims the BAR: turn it off on the kernel command line, or boot on another GPU.';
      }
      out.report({
        cause: 'bar-conflict',
        severity: 'fail',
        subject: d.address,
        title: `A boot framebuffer holds part of ${describeDevice(d)}'s BAR`,
        evidence,
        decision,
        commands: kernelArgCommands(ctx.snap, { add }),
      });
    }
  },
};
