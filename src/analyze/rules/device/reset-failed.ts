import type { Rule } from '../../rule.js';
import type { Evidence } from '../../finding.js';
import { deviceOf, eventsOf, toolLines } from '../evidence-events.js';
import { sh } from '../../shell.js';

// What the kernel and the VM managers said about resets: a method the device does not have (reset_method
// writes, vendor-reset's device_specific not registered), a reset that timed out or failed, QEMU or Proxmox
// finding no reset mechanism.
const NO_MECHANISM = /Cannot reset device ([0-9a-fA-F:.]+), no available reset mechanism|Inappropriate ioctl for device/;
const FAILED = /failed to reset PCI device '([^']+)'/;

interface Entry {
  unsupported: Evidence[];
  failed: Evidence[];
  methods: Set<string>;
}

export const resetFailed: Rule = {
  meta: {
    id: 'reset-failed',
    layer: 'device',
    title: 'Device reset failed',
    causes: ['reset-failed', 'reset-unsupported'],
    description: 'No log line shows a reset of a device failing, timing out, or being refused for want of a method.',
  },
  check(ctx, out) {
    const s = ctx.snap;
    const byDevice = new Map<string, Entry>();
    const entry = (dev: string | null) => {
      const k = dev ?? '';
      const e = byDevice.get(k) ?? { unsupported: [], failed: [], methods: new Set<string>() };
      byDevice.set(k, e);
      return e;
    };
    for (const e of eventsOf(s, ['reset-method-unsupported'])) {
      const en = entry(deviceOf(ctx, e.event.device));
      en.unsupported.push(e.evidence);
      en.methods.add(String(e.event.fields['method']));
    }
    for (const e of eventsOf(s, ['reset-not-ready'])) {
      if (!/giving up/.test(String(e.event.fields['outcome'] ?? ''))) continue;
      entry(deviceOf(ctx, e.event.device)).failed.push(e.evidence);
    }
    for (const e of eventsOf(s, ['vendor-reset'])) {
      if (typeof e.event.fields['result'] === 'number' && e.event.fields['result'] !== 0) entry(deviceOf(ctx, e.event.device)).failed.push(e.evidence);
    }
    for (const t of toolLines(s, NO_MECHANISM)) entry(deviceOf(ctx, NO_MECHANISM.exec(t.message.text)![1] ?? null)).unsupported.push(t.evidence);
    for (const t of toolLines(s, FAILED)) entry(deviceOf(ctx, FAILED.exec(t.message.text)![1]!)).failed.push(t.evidence);
    for (const [dev, e] of byDevice) {
      const subject = dev === '' ? null : dev;
      const who = subject ?? 'the device';
      if (e.failed.length > 0) {
        out.report({
          cause: 'reset-failed',
          severity: 'fail',
          subject,
          title: `A reset of ${who} failed`,
          evidence: [...e.failed, ...e.unsupported].slice(0, 6),
          decision: `The device did not come back from its reset: it keeps whatever state the last user left, so the next VM start fails or hangs. Reboot the host to get it back; then find out why: a device with known reset bugs (AMD Polaris/Vega/Navi need vendor-reset), a bus reset that also hit other functions, or D3cold (see power states). Avoid restarting the VM in a loop until fixed.`,
          commands: subject ? [sh`cat /sys/bus/pci/devices/${subject}/reset_method`, sh`lspci -vv -s ${subject} | grep -e FLReset -e NoSoftRst`] : [],
        });
        continue;
      }
      const methods = [...e.methods];
      const deviceSpecific = methods.includes('device_specific');
      out.report({
        cause: 'reset-unsupported',
        severity: 'fail',
        subject,
        title: methods.length ? `${who} has no ${methods.join(', ')} reset (the kernel refused ${methods.length > 1 ? 'them' : 'it'})` : `No reset mechanism is available for ${who}`,
        evidence: e.unsupported.slice(0, 6),
        decision: deviceSpecific
          ? `"device_specific" is offered only while a device-specific reset is registered for the device: vendor-reset provides one for AMD GPUs, and only after its module is loaded. Since kernel 5.15 the reset used is chosen per device in reset_method, so load vendor_reset first (at boot: modules-load.d), then select its reset: echo device_specific > /sys/bus/pci/devices/${subject ?? '<address>'}/reset_method. vendor-reset ships a udev rule that does this at every boot. The other methods the kernel refused are ones the hardware does not have.`
          : 'The kernel has no reset for this device among the methods asked for: without FLR, AF FLR, a PM reset or a usable bus reset it keeps the last guest\'s state. Pass every function below its bridge together (so a bus reset is possible), reboot the host between VM runs, or use hardware with FLR.',
        commands: subject ? [sh`cat /sys/bus/pci/devices/${subject}/reset_method`, ...(deviceSpecific ? ['modprobe vendor_reset', sh`echo device_specific > /sys/bus/pci/devices/${subject}/reset_method`] : [])] : [],
      });
    }
  },
};
