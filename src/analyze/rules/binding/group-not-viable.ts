import type { Rule } from '../../rule.js';
import type { Evidence } from '../../finding.js';
import type { PciDevice } from '../../../snapshot/types.js';
import { isBridge, vfioCompatibleDriver } from '../../pci-facts.js';
import { slotOf } from '../../../pci/address.js';
import { eventsOf, originWords } from '../evidence-events.js';
import { sh } from '../../shell.js';

// "group N is not viable" (QEMU, DPDK, KubeVirt) says a member of the group is on a host driver. With the
// group's members known it can say which: the target itself when it is the group's only endpoint (the
// trap: the message reads like a grouping problem), or a sibling function of the same device. Members
// on other devices are group-shared's to report.
export const groupNotViable: Rule = {
  meta: {
    id: 'group-not-viable',
    layer: 'binding',
    title: 'Group not viable',
    causes: ['host-driver-bound', 'companion-not-bound'],
    description: 'A VM manager that reports "group is not viable" names a group whose members can all be handed over; the rule says which function of the target\'s own device is still on a host driver.',
  },
  check(ctx, out) {
    const s = ctx.snap;
    const groups = s.iommu.groups ?? [];
    const seen = new Set<string>();
    for (const e of eventsOf(s, ['vfio-group-not-viable'])) {
      const printed = e.event.device;
      const address = printed ? (ctx.device(printed)?.address ?? printed) : null;
      const n = typeof e.event.fields['group'] === 'number' ? (e.event.fields['group'] as number) : null;
      let groupId = n ?? (address ? (ctx.device(address)?.iommuGroup ?? null) : null);
      let guessed = false;
      if (groupId === null && !address && groups.length === 1) {
        groupId = groups[0]!.id;
        guessed = true;
      }
      const key = `${groupId ?? '?'}:${address ?? '?'}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const members = groupId === null ? [] : (groups.find((g) => g.id === groupId)?.devices ?? s.pci.filter((d) => d.iommuGroup === groupId).map((d) => d.address));
      if (members.length === 0) {
        out.cannotCheck(address, `${e.from === 'kernel' ? 'the log' : e.from} reports ${groupId === null ? 'an IOMMU group' : `group ${groupId}`} not viable, but its members are not in ${originWords(s)}`, groupId === null ? "for d in /sys/kernel/iommu_groups/*/devices/*; do echo \"group $(basename $(dirname $(dirname $d))) $(lspci -nnks ${d##*/})\"; done" : sh`for d in /sys/kernel/iommu_groups/${groupId}/devices/*; do lspci -nnks \${d##*/}; done`);
        continue;
      }
      const devs = members.map((a) => ({ address: a, d: ctx.device(a) }));
      const endpoints = devs.filter((x) => !x.d || !isBridge(x.d));
      const driverKnown = (d: PciDevice | undefined) => d !== undefined && (d.driver !== null || s.sources[`pci:${d.address}:driver`]?.status !== 'absent');
      const hostOwned = endpoints.filter((x) => driverKnown(x.d) && !vfioCompatibleDriver(x.d!.driver));
      const unknown = endpoints.filter((x) => !driverKnown(x.d));
      const evidence: Evidence[] = [e.evidence, { source: `IOMMU group ${groupId}${guessed ? ' (the only group in the input)' : ''}`, text: devs.map((x) => `${x.address}${x.d && isBridge(x.d) ? ' (bridge)' : ''}${x.d?.driver ? ` driver ${x.d.driver}` : ''}`).join(', ') }];
      const sameSlot = (a: string) => (address ? slotOf(a) === slotOf(address) : endpoints.every((x) => slotOf(x.address) === slotOf(a)));
      const culprits = hostOwned.length > 0 ? hostOwned : unknown;
      if (culprits.length === 0) continue;
      if (address && culprits.length === 1 && culprits[0]!.address === address) {
        out.report({
          cause: 'host-driver-bound',
          severity: 'fail',
          subject: address,
          title: `Group ${groupId} is "not viable" because ${address} itself is not on vfio-pci`,
          evidence,
          decision: `The group holds only ${address} and bridges (bridges do not count), so the device that is not bound to vfio-pci is ${address} itself${hostOwned.length ? ` (owned by ${hostOwned[0]!.d!.driver})` : ''}: a host driver (nvidia, nouveau, amdgpu, ...) took it. This is a binding problem, not a grouping one: stop the host driver from claiming it (blacklist it or add "softdep <driver> pre: vfio-pci", give vfio-pci its ids early) and rebind before starting the VM.`,
          commands: [sh`lspci -nnk -s ${address}`],
        });
        continue;
      }
      const siblings = culprits.filter((x) => sameSlot(x.address) && x.address !== address);
      if (siblings.length === 0 || siblings.length < culprits.length) continue;
      out.report({
        cause: 'companion-not-bound',
        severity: 'fail',
        subject: siblings.length === 1 ? siblings[0]!.address : null,
        title: `Group ${groupId} is "not viable": ${siblings.map((x) => x.address).join(', ')}, function${siblings.length > 1 ? 's' : ''} of the same device${address ? ` as ${address}` : ''}, ${hostOwned.length ? 'stay on host drivers' : 'are not shown bound to vfio-pci'}`,
        evidence,
        decision: `Every endpoint of the group must be bound to vfio-pci (or have no driver) before the group can be used. ${siblings.length > 1 || !address ? 'These are functions of one physical device (GPU + its HDMI audio, sibling NIC ports)' : `${siblings[0]!.address} is another function of the same device`}: bind all of them to vfio-pci together${hostOwned.length ? '' : ` (${originWords(s)} does not show which one is still on a host driver: lspci -nnk shows it)`}, and pass them to the VM together.`,
        commands: siblings.map((x) => sh`lspci -nnk -s ${x.address}`),
      });
    }
  },
};
