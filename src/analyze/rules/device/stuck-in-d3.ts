import type { Rule } from '../../rule.js';
import { deviceLogMatches } from '../../log-evidence.js';
import { kernelArgCommands } from '../../fixes/kernel-args.js';
import { describeDevice, vfioDriver } from '../../pci-facts.js';
import { sh } from '../../shell.js';

export const stuckInD3: Rule = {
  meta: {
    id: 'stuck-in-d3',
    layer: 'device',
    title: 'Target stuck in D3',
    causes: ['stuck-in-d3'],
    description: 'Targets come back from low-power states: no "stuck in D3" / "Unable to change power state" in the log, not left in D3cold.',
  },
  check(ctx, out) {
    for (const t of ctx.targets) {
      const d = ctx.device(t.address);
      if (!d) continue;
      const lines = deviceLogMatches(ctx.snap, d.address, /stuck in D3|Unable to change power state|Unable to power on device|inaccessible/);
      const inD3cold = d.powerState === 'D3cold' && vfioDriver(d.driver);
      if (lines.length === 0 && !inD3cold) continue;
      const disabled = /^(1|y|Y)$/.test(ctx.snap.modules.parameters['vfio_pci']?.['disable_idle_d3'] ?? '');
      out.report({
        cause: 'stuck-in-d3',
        severity: lines.length ? 'fail' : 'warn',
        subject: d.address,
        title: `${describeDevice(d)} ${lines.length ? 'did not come back from a low-power state' : 'is idle in D3cold'}`,
        evidence: [
          ...lines,
          ...(inD3cold ? [{ source: `/sys/bus/pci/devices/${d.address}/power_state`, text: 'D3cold' }] : []),
          { source: '/sys/module/vfio_pci/parameters/disable_idle_d3', text: disabled ? 'Y' : 'N (idle devices may be powered down)' },
        ],
        decision:
          'vfio-pci puts idle devices into D3 (and D3cold since ~5.19/6.0 runtime PM); some GPUs and platforms never wake up from it. Keep idle devices powered: vfio-pci.disable_idle_d3=1 on the command line (or "options vfio-pci disable_idle_d3=1"), and forbid D3cold for the device.',
        commands: [sh`echo 0 > /sys/bus/pci/devices/${d.address}/d3cold_allowed`, ...kernelArgCommands(ctx.snap, { add: ['vfio-pci.disable_idle_d3=1'] })],
      });
    }
  },
};
