import type { Rule } from '../../rule.js';
import type { Evidence } from '../../finding.js';
import { describeDevice, isDisplay } from '../../pci-facts.js';
import { assignedFunctions, hypervisorInfo, vmsInScope } from '../../../hypervisor/vms.js';
import { configEvidence } from './vm-hostdev-address.js';
import { sh } from '../../shell.js';

const FRAMEBUFFER = /BOOTFB|efifb|vesafb|simpledrm|simple-framebuffer|vesa-framebuffer/i;

// The consequence is in the device layer (a framebuffer holding the GPU's BAR, a shadowed vBIOS), so the
// finding is reported there, with the VM that asks for the boot GPU as its context. A framebuffer that
// still sits in the BAR is also the bar-conflict rule's failure; this one explains where it comes from.
export const vmPrimaryGpu: Rule = {
  meta: {
    id: 'vm-primary-gpu',
    layer: 'device',
    title: 'Host boot GPU assigned to a VM',
    causes: ['bar-conflict'],
    description: 'A GPU assigned to a VM (x-vga or not) is not the one the host boots on (boot_vga=1), or the host has let go of it.',
  },
  check(ctx, out) {
    const info = hypervisorInfo(ctx.snap);
    if (!info) return;
    const seen = new Set<string>();
    for (const vm of vmsInScope(info)) {
      for (const f of assignedFunctions(ctx.snap, info, vm)) {
        const d = ctx.device(f.address);
        if (!d || d.bootVga !== true || !isDisplay(d) || seen.has(d.address)) continue;
        seen.add(d.address);
        const iomem = ctx.snap.iomem;
        const fb = (iomem ?? []).filter((e) => e.device === d.address && FRAMEBUFFER.test(e.name));
        const evidence: Evidence[] = [
          configEvidence(f.vm, f.assignment),
          { source: `/sys/bus/pci/devices/${d.address}/boot_vga`, text: '1' },
          ...fb.map((e) => ({ source: '/proc/iomem', text: `${e.start}-${e.end} : ${e.name}` })),
        ];
        const romAdvice = f.assignment.romFile === null ? ' The vBIOS the card exposes was already run (and may be altered) by the host firmware; if the guest shows nothing or the driver fails, give the VM a clean ROM image (romfile / <rom file>).' : '';
        const unknown = iomem === null;
        out.report({
          cause: 'bar-conflict',
          severity: fb.length > 0 || unknown ? 'warn' : 'info',
          subject: d.address,
          title: `${describeDevice(d)}, assigned by ${f.reason}, is the GPU the host boots on`,
          evidence,
          decision:
            (fb.length > 0
              ? `The host's boot framebuffer (${fb.map((e) => e.name).join(', ')}) still holds memory inside the GPU's BAR: vfio-pci cannot reserve it ("BAR n: can't reserve") and the guest gets a black screen or error 43. Keep the host off it: initcall_blacklist=sysfb_init (or video=efifb:off on kernels before 5.15's simpledrm) on the kernel command line, or drive the host console from another GPU.`
              : unknown
                ? 'Whether the host\'s boot framebuffer (efifb / simpledrm / BOOTFB) still holds the GPU\'s BAR could not be read (/proc/iomem). If it does, vfio-pci cannot reserve the BAR ("BAR n: can\'t reserve"): keep the host off the card (initcall_blacklist=sysfb_init) or boot the host on another GPU.'
                : 'No framebuffer claims the GPU\'s memory now, so it can be assigned; the host console goes dark when the VM starts.') + romAdvice,
          commands: [sh`cat /sys/bus/pci/devices/${d.address}/boot_vga`, 'grep -i -e BOOTFB -e efifb -e simpledrm /proc/iomem'],
        });
      }
    }
  },
};
