import type { Rule } from '../../rule.js';

export const kvmDevice: Rule = {
  meta: {
    id: 'kvm-device',
    layer: 'hypervisor',
    title: '/dev/kvm present',
    causes: ['kvm-unavailable'],
    description: '/dev/kvm exists, so the hypervisor can run accelerated VMs.',
    warnOnly: true,
  },
  check(ctx, out) {
    if (ctx.snap.devnodes.kvm !== null) return;
    const dev = ctx.snap.sources['dev'];
    if (dev && dev.status !== 'read') {
      out.cannotCheck(null, `/dev was not readable (${dev.message ?? dev.status})`, 'ls -l /dev/kvm /dev/vfio');
      return;
    }
    const cpu = ctx.snap.host.cpu;
    out.report({
      cause: 'kvm-unavailable',
      severity: 'warn',
      title: '/dev/kvm is missing',
      evidence: [{ source: '/dev/kvm', text: 'not present' }],
      decision: cpu && !cpu.vmx && !cpu.svm
        ? 'The CPU shows no hardware virtualisation (see the firmware layer): enable VT-x / AMD-V first.'
        : `Load the KVM module (modprobe ${cpu?.vendor === 'amd' ? 'kvm_amd' : 'kvm_intel'}) and check the kernel log for why it refused ("disabled by bios"). VFIO user-space drivers (DPDK) do not need it.`,
    });
  },
};
