import type { Rule } from '../../rule.js';
import type { Evidence } from '../../finding.js';
import { kernelArgCommands } from '../../fixes/kernel-args.js';
import { rebuildInitramfsCommand } from '../../fixes/initramfs.js';
import { deviceOf, eventsOf } from '../evidence-events.js';
import { sh } from '../../shell.js';

// stuck-in-d3 reads the kernel's lines about the targets. QEMU says it too ("vfio: Unable to power on
// device, stuck in D3"), without naming the device, and the kernel may name a device that is not known
// as a target: both are the same failure.
export const powerStateReported: Rule = {
  meta: {
    id: 'power-state-reported',
    layer: 'device',
    title: 'Device could not leave D3',
    causes: ['stuck-in-d3'],
    description: 'Neither QEMU nor the kernel reports a device that could not be powered up from D3 (outside the targets stuck-in-d3 already judges).',
  },
  check(ctx, out) {
    const s = ctx.snap;
    const byDevice = new Map<string, Evidence[]>();
    for (const e of eventsOf(s, ['vfio-stuck-in-d3', 'power-state-stuck'])) {
      const dev = deviceOf(ctx, e.event.device);
      // Lines of the kernel log about a target are stuck-in-d3's.
      if (e.from === 'kernel' && dev && ctx.isTarget(dev)) continue;
      if (e.event.kind === 'power-state-stuck' && !/D3/.test(String(e.event.fields['from'] ?? ''))) continue;
      const k = dev ?? '';
      byDevice.set(k, [...(byDevice.get(k) ?? []), e.evidence]);
    }
    for (const [dev, evidence] of byDevice) {
      const disabled = /^(1|y|Y)$/.test(s.modules.parameters['vfio_pci']?.['disable_idle_d3'] ?? '');
      out.report({
        cause: 'stuck-in-d3',
        severity: 'fail',
        subject: dev || null,
        title: `${dev || 'The passed-through device'} could not be powered up from D3`,
        evidence: evidence.slice(0, 4),
        decision:
          'vfio-pci puts idle devices into D3 (D3cold with runtime PM since ~5.19/6.0), and some GPUs and boards never wake from it, so QEMU gives up. ' +
          (disabled ? 'disable_idle_d3 is already on: forbid D3cold for the device as well (d3cold_allowed=0), and check the firmware\'s ASPM / power settings.' : 'Keep idle devices powered: "options vfio-pci disable_idle_d3=1" in /etc/modprobe.d (or vfio-pci.disable_idle_d3=1 on the command line when vfio-pci is built in), and forbid D3cold for the device.'),
        commands: [
          ...(dev ? [sh`echo 0 > /sys/bus/pci/devices/${dev}/d3cold_allowed`] : []),
          ...(ctx.moduleState('vfio_pci') === 'builtin' ? kernelArgCommands(s, { add: ['vfio-pci.disable_idle_d3=1'] }) : ["echo 'options vfio-pci disable_idle_d3=1' >> /etc/modprobe.d/vfio.conf", rebuildInitramfsCommand(s), 'reboot']),
        ],
      });
    }
  },
};
