import type { Rule } from '../../rule.js';
import type { Evidence } from '../../finding.js';
import { resetBugFamily } from '../../data/reset-bug-devices.js';
import { kernelAtLeast } from '../../context.js';
import { describeDevice, isBridge } from '../../pci-facts.js';

export const resetSupport: Rule = {
  meta: {
    id: 'reset-support',
    layer: 'device',
    causes: ['reset-unsupported'],
    description: 'Each target can be reset between VMs: FLR, AF FLR, PM reset, a bus reset, or a working device-specific reset for families with known reset bugs.',
  },
  check(ctx, out) {
    for (const t of ctx.targets) {
      const d = ctx.device(t.address);
      if (!d || isBridge(d)) continue;
      const family = resetBugFamily(d.vendorId, d.deviceId);
      if (family && t.role === 'target') {
        const loaded = ctx.moduleState('vendor_reset') === 'loaded';
        const newKernel = kernelAtLeast(ctx.kernel, 5, 15);
        const methods = d.resetMethods;
        if (!loaded) {
          out.report({
            cause: 'reset-unsupported',
            severity: 'warn',
            subject: d.address,
            title: `${describeDevice(d)} is an AMD ${family} GPU: it does not reset reliably without vendor-reset`,
            evidence: [{ source: '/proc/modules', text: 'vendor_reset not loaded' }, { source: `/sys/bus/pci/devices/${d.address}`, text: `${d.vendorId}:${d.deviceId} (${family})` }],
            decision: 'The first VM start works; after the VM stops, the GPU stays in a state the next start cannot recover from. Install vendor-reset (DKMS), load it at boot, and on kernels 5.15+ select its reset with reset_method=device_specific.',
            commands: [
              'apt install dkms linux-headers-$(uname -r)  # or your distribution\'s equivalent; then build gnif/vendor-reset with dkms install .',
              "echo vendor-reset >> /etc/modules-load.d/vendor-reset.conf",
              ...(newKernel !== false ? [`echo device_specific > /sys/bus/pci/devices/${d.address}/reset_method`] : []),
            ],
          });
        } else if (newKernel && methods !== null && methods[0] !== 'device_specific') {
          out.report({
            cause: 'reset-unsupported',
            severity: 'fail',
            subject: d.address,
            title: `vendor-reset is loaded, but ${d.address} does not use it (reset_method: ${methods.join(' ') || 'none'})`,
            evidence: [{ source: `/sys/bus/pci/devices/${d.address}/reset_method`, text: methods.join(' ') || '(empty)' }, { source: '/proc/modules', text: 'vendor_reset loaded' }],
            decision: 'Since kernel 5.15 the reset method is chosen per device and vendor-reset\'s device-specific reset is not used unless selected. Select it now, and make it stick with a udev rule (vendor-reset ships one).',
            commands: [
              `echo device_specific > /sys/bus/pci/devices/${d.address}/reset_method`,
              `echo 'ACTION=="add", SUBSYSTEM=="pci", ATTR{vendor}=="0x${d.vendorId}", ATTR{device}=="0x${d.deviceId}", RUN+="/bin/sh -c \\'echo device_specific > /sys$env{DEVPATH}/reset_method\\'"' > /etc/udev/rules.d/99-vendor-reset.rules`,
            ],
          });
        }
        continue;
      }
      if (d.resetMethods !== null && d.resetMethods.length > 0) continue;
      const c = d.config;
      if (!c || c.capabilities === null) {
        if (d.resetMethods === null) out.cannotCheck(d.address, 'no reset_method file (kernel older than 5.15) and config space not readable: run as root', `sudo lspci -vv -s ${d.address}`);
        continue;
      }
      const evidence: Evidence[] = [];
      const flr = c.express?.flr === true;
      const afFlr = c.af?.flr === true && c.af.transactionsPending;
      const pmReset = c.pm !== null && !c.pm.noSoftReset;
      if (flr || afFlr || pmReset) continue;
      // A secondary bus reset works when the device is alone below its bridge.
      const parent = d.upstream.at(-1);
      const siblings = parent ? ctx.snap.pci.filter((o) => o.upstream.at(-1) === parent && o.address.split(':')[1] === d.address.split(':')[1] && o.address !== d.address) : [];
      const busReset = parent !== undefined && siblings.every((s) => ctx.isTarget(s.address));
      if (d.resetMethods !== null) evidence.push({ source: `/sys/bus/pci/devices/${d.address}/reset_method`, text: '(empty: the kernel found no reset method)' });
      evidence.push({ source: `/sys/bus/pci/devices/${d.address}/config`, text: `FLReset${flr ? '+' : '-'}, AF FLR ${c.af ? (c.af.flr ? '+' : '-') : 'absent'}, PM NoSoftRst${c.pm ? (c.pm.noSoftReset ? '+' : '-') : ' (no PM)'}` });
      if (d.resetMethods === null && busReset) continue;
      out.report({
        cause: 'reset-unsupported',
        severity: 'warn',
        subject: d.address,
        title: `${describeDevice(d)} has no function-level reset`,
        evidence,
        decision: busReset
          ? 'Only a secondary bus reset is possible: it resets everything below the same bridge. Expect "works once, fails after a VM restart"; plan for host reboots between assignments, or use hardware with FLR.'
          : 'No usable reset: the device will keep the state the last guest left it in. Do not restart the VM in a loop; reboot the host between assignments, or choose hardware with FLR.',
      });
    }
  },
};
