import type { Rule } from '../../rule.js';
import type { Evidence } from '../../finding.js';
import { resetBugFamily } from '../../data/reset-bug-devices.js';
import { kernelAtLeast } from '../../context.js';
import { describeDevice, isBridge } from '../../pci-facts.js';
import { sh, udevSafe } from '../../shell.js';

export const resetSupport: Rule = {
  meta: {
    id: 'reset-support',
    layer: 'device',
    title: 'Reset method between VMs',
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
              ...(newKernel !== false ? [sh`echo device_specific > /sys/bus/pci/devices/${d.address}/reset_method`] : []),
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
              sh`echo device_specific > /sys/bus/pci/devices/${d.address}/reset_method`,
              ...(udevSafe(d.vendorId) && udevSafe(d.deviceId)
                ? [sh`echo ${`ACTION=="add", SUBSYSTEM=="pci", ATTR{vendor}=="0x${d.vendorId}", ATTR{device}=="0x${d.deviceId}", RUN+="/bin/sh -c 'echo device_specific > /sys$env{DEVPATH}/reset_method'"`} > /etc/udev/rules.d/99-vendor-reset.rules`]
                : []),
            ],
          });
        }
        continue;
      }
      if (d.resetMethods !== null && d.resetMethods.length > 0) continue;
      const rmSource = ctx.snap.sources[`pci:${d.address}:reset_method`];
      if (d.resetMethods === null && rmSource?.status === 'absent') {
        out.cannotCheck(d.address, rmSource.message ?? 'reset_method not captured', sh`cat /sys/bus/pci/devices/${d.address}/reset_method`);
        continue;
      }
      // VFIO can still reset the whole bus (the hot-reset ioctl QEMU uses) when every function below the
      // same bridge belongs to the passthrough: the usual case of a GPU with its audio function.
      const parent = d.upstream.at(-1);
      const bus = d.address.split(':')[1];
      const onBus = parent ? ctx.snap.pci.filter((o) => o.upstream.at(-1) === parent && o.address.split(':')[1] === bus) : [];
      // A function alone on its bus has "bus" in reset_method when the kernel allows it, so this applies to shared buses only.
      if (parent !== undefined && onBus.length > 1 && onBus.every((o) => ctx.isTarget(o.address))) continue;
      const evidence: Evidence[] = [];
      if (kernelAtLeast(ctx.kernel, 5, 15) === true) {
        // From 5.15 the kernel publishes reset_method only when some method (bus reset included) works.
        evidence.push({ source: `/sys/bus/pci/devices/${d.address}/reset_method`, text: d.resetMethods === null ? 'absent: the kernel found no reset method for this device' : '(empty: every reset method was disabled)' });
      } else {
        const c = d.config;
        if (!c || c.capabilities === null) {
          out.cannotCheck(d.address, 'no reset_method file (kernel older than 5.15) and config space not readable: run as root', sh`sudo lspci -vv -s ${d.address}`);
          continue;
        }
        const flr = c.express?.flr === true;
        const afFlr = c.af?.flr === true && c.af.transactionsPending;
        const pmReset = c.pm !== null && !c.pm.noSoftReset;
        if (flr || afFlr || pmReset) continue;
        evidence.push({ source: `/sys/bus/pci/devices/${d.address}/config`, text: `FLReset${flr ? '+' : '-'}, AF FLR ${c.af ? (c.af.flr ? '+' : '-') : 'absent'}, PM NoSoftRst${c.pm ? (c.pm.noSoftReset ? '+' : '-') : ' (no PM)'}` });
      }
      const others = onBus.filter((o) => !ctx.isTarget(o.address)).map((o) => o.address);
      out.report({
        cause: 'reset-unsupported',
        severity: 'warn',
        subject: d.address,
        title: `${describeDevice(d)} has no function-level reset`,
        evidence,
        decision: `No usable reset: the device keeps the state the last guest left it in (expect "works once, fails after a VM restart").${others.length ? ` A bus reset would also hit ${others.join(', ')}, which stay on the host.` : ''} Do not restart the VM in a loop; reboot the host between assignments, pass every function below the bridge together, or choose hardware with FLR.`,
      });
    }
  },
};
