import type { Rule } from '../../rule.js';
import type { Evidence } from '../../finding.js';
import { deviceLogMatches } from '../../log-evidence.js';
import { kernelArgCommands } from '../../fixes/kernel-args.js';
import { kernelAtLeast } from '../../context.js';
import { describeDevice } from '../../pci-facts.js';
import { framebufferFix, framebufferOwnerOf, type FramebufferOwner } from '../../fixes/framebuffer.js';
import type { Snapshot } from '../../../snapshot/types.js';
import { eventsOf } from '../evidence-events.js';

const FRAMEBUFFERS = /^(BOOTFB|simpledrm|simple-framebuffer(\.\d+)?|efifb|vesafb|vesa-framebuffer(\.\d+)?|efi-framebuffer(\.\d+)?)$/;

/** Who holds the framebuffer: the claims under the BAR first, then the kernel log's framebuffer lines. */
function ownerOf(snap: Snapshot, claimNames: string[]): FramebufferOwner {
  for (const n of claimNames) {
    const o = framebufferOwnerOf(n);
    if (o !== 'unknown') return o;
  }
  const said = eventsOf(snap, ['boot-framebuffer', 'iomem-framebuffer']).map((e) => framebufferOwnerOf(String(e.event.fields['driver'] ?? e.event.fields['name'] ?? '')));
  return said.find((o) => o === 'sysfb') ?? said.find((o) => o !== 'unknown') ?? 'unknown';
}

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
      const fix = framebufferFix(ownerOf(ctx.snap, claims.map((e) => e.name)), ctx.kernel, ctx.snap.host.kernelRelease);
      const builtinSimpledrm = ctx.snap.kernelConfig?.options['CONFIG_DRM_SIMPLEDRM'] === 'y';
      const add = [...fix.add];
      let decision = `A boot framebuffer sits inside the BAR, so vfio-pci cannot reserve it and the guest driver fails. ${fix.why}`;
      if (add.includes('initcall_blacklist=sysfb_init') && builtinSimpledrm) {
        decision += ' This kernel has simpledrm built in, and on recent kernels that may still bind; if the claim stays, boot on another GPU (or the iGPU) or bind vfio-pci to this GPU from the command line (vfio-pci.ids=), which removes the conflicting framebuffer when it claims a VGA device (kernels >= 6.0).';
        if (kernelAtLeast(ctx.kernel, 6, 0)) add.push(`vfio-pci.ids=${d.vendorId}:${d.deviceId}`);
      }
      if (add.length === 0) decision += ' Or boot the host on another GPU.';
      out.report({
        cause: 'bar-conflict',
        severity: 'fail',
        subject: d.address,
        title: `A boot framebuffer holds part of ${describeDevice(d)}'s BAR`,
        evidence,
        decision,
        commands: add.length > 0 ? kernelArgCommands(ctx.snap, { add }) : ['uname -r', 'grep -i -e BOOTFB -e simpledrm -e efifb -e vesafb /proc/iomem'],
      });
    }
  },
};
