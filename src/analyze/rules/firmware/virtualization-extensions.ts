import type { Rule } from '../../rule.js';

export const virtualizationExtensions: Rule = {
  meta: {
    id: 'virtualization-extensions',
    layer: 'firmware',
    title: 'CPU virtualisation extensions',
    causes: ['virtualization-disabled'],
    description: 'The CPU shows hardware virtualisation (vmx for Intel VT-x, svm for AMD-V), which KVM needs.',
    warnOnly: true,
  },
  check(ctx, out) {
    const cpu = ctx.snap.host.cpu;
    if (!cpu) {
      out.cannotCheck(null, '/proc/cpuinfo was not read', "grep -m2 -E '^(vendor_id|flags)' /proc/cpuinfo");
      return;
    }
    if (cpu.vmx || cpu.svm || cpu.vendor === 'other') return;
    const vm = ctx.snap.host.virtualMachine === true;
    out.report({
      cause: 'virtualization-disabled',
      severity: 'warn',
      title: `The CPU does not show ${cpu.vendor === 'intel' ? 'vmx (VT-x)' : 'svm (AMD-V)'}`,
      evidence: [{ source: '/proc/cpuinfo', text: `vendor_id ${cpu.vendorId ?? '?'}, flags without ${cpu.vendor === 'intel' ? 'vmx' : 'svm'}${cpu.hypervisor ? ', with hypervisor' : ''}` }],
      decision: vm
        ? 'This is a virtual machine without nested virtualisation: KVM guests cannot run here (VFIO user-space drivers such as DPDK can). Enable nested virtualisation on the outer host if VMs must run here.'
        : `Enable ${cpu.vendor === 'intel' ? 'Intel Virtualization Technology (VT-x)' : 'SVM mode'} in the BIOS/UEFI setup: without it KVM cannot run the VM that would receive the device.`,
    });
  },
};
