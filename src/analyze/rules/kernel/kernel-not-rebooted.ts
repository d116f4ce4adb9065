import type { Rule } from '../../rule.js';
import { compareKernelVersions } from '../../../collect/sources/host.js';

export const kernelNotRebooted: Rule = {
  meta: {
    id: 'kernel-not-rebooted',
    layer: 'kernel',
    title: 'Updated kernel not booted',
    causes: ['kernel-not-rebooted'],
    description: 'The running kernel is the newest installed one; otherwise the host was updated but not rebooted.',
    warnOnly: true,
  },
  check(ctx, out) {
    const running = ctx.snap.host.kernelRelease;
    if (!running) {
      out.cannotCheck(null, 'the running kernel release was not read', 'uname -r; ls /boot /lib/modules');
      return;
    }
    const bootable = ctx.snap.host.installedKernels.filter((k) => k.modulesDir && k.vmlinuz !== null);
    const newest = bootable.at(-1);
    if (!newest || compareKernelVersions(newest.version, running) <= 0) return;
    out.report({
      cause: 'kernel-not-rebooted',
      severity: 'warn',
      title: `Kernel ${newest.version} is installed but ${running} is running`,
      evidence: [
        { source: '/proc/sys/kernel/osrelease', text: running },
        { source: newest.vmlinuz!, text: `installed kernel ${newest.version}` },
      ],
      decision: `What you see now is the old kernel. Run "vfio-doctor preflight --kernel ${newest.version}" to check the new kernel before rebooting into it, then reboot and check again: do not debug the old runtime.`,
    });
  },
};
