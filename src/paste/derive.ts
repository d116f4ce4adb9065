// Facts that sections state in passing: the kernel log names drivers, IOMMU groups, the command line and
// the release; tool errors name the devices being assigned and their groups. Each is taken only where no
// more direct section said otherwise.
import { parsePrefix } from '../log/prefix.js';
import { parseCmdline } from '../parse/cmdline.js';
import { DRIVER_FROM, type PasteFacts } from './facts.js';
import { ADDR, addr, nodedevAddress, seeDevice } from './recognisers/common.js';

// Bus names in dev_printk prefixes that are not drivers.
const NOT_DRIVERS = new Set(['pci', 'pci_bus', 'iommu', 'acpi', 'platform']);

// Built once: a paste can have millions of lines, and a pattern compiled per line costs more than the match.
const ADDING_DEVICE = new RegExp(`^iommu: Adding device (${ADDR}) to group (\\d+)`);
const QEMU_HOST = new RegExp(`host=(${ADDR})`);
const TOOL_GROUP = new RegExp(`(${ADDR})\\S*:? .*\\bgroup (\\d+)\\b`);
const FULL_ADDRESS = /\b([0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7])\b/g;
const PROBE_EINVAL = new RegExp(`vfio[-_]pci:? probe of (${ADDR}) failed with error -22`);

const WORTH_PARSING = /[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]|Linux version|ommand line|Secure boot|locked down|Lockdown|ACPI: [A-Z0-9]{4} 0x|DMAR: /;

export interface AcpiTableEvidence {
  listed: boolean;
  DMAR: boolean;
  IVRS: boolean;
  where: string | null;
}

export function deriveFromKernelLog(facts: PasteFacts): AcpiTableEvidence {
  const tables: AcpiTableEvidence = { listed: false, DMAR: false, IVRS: false, where: null };
  let cmdlineFromLog: string | null = null;
  for (const l of facts.kernelLines) {
    // Most lines of a full log say nothing this loop looks for: skip them before parsing their prefix.
    if (!WORTH_PARSING.test(l.text)) continue;
    const p = parsePrefix(l.text.trim());
    const where = `${l.file}:${l.n}`;
    const text = p.text.trim();
    const message = p.message.trim();
    if (p.device?.address) {
      const a = p.device.address;
      const drv = p.device.driver;
      if (!NOT_DRIVERS.has(drv)) facts.setDriver(a, drv, DRIVER_FROM.log, where);
      let m = /^Adding to iommu group (\d+)/.exec(text);
      if (m) facts.addToGroup(Number(m[1]), a);
      m = /^\[([0-9a-fA-F]{4}):([0-9a-fA-F]{4})\] type ([0-9a-fA-F]{2}) class 0x([0-9a-fA-F]{6})/.exec(text);
      if (m) seeDevice(facts, a, where, { vendorId: m[1], deviceId: m[2], classCode: m[4] });
      else facts.device(a, where);
    }
    let m = ADDING_DEVICE.exec(message);
    if (m && addr(m[1]!)) facts.addToGroup(Number(m[2]), addr(m[1]!)!);
    m = /^Linux version (\S+)/.exec(message);
    if (m) facts.kernelRelease ??= m[1]!;
    m = /^(?:Kernel )?[Cc]ommand line: (.*)$/.exec(message);
    if (m) cmdlineFromLog = m[1]!;
    if (/\bSecure boot enabled\b/.test(message)) facts.secureBoot ??= true;
    if (/\bSecure boot disabled\b/.test(message)) facts.secureBoot ??= false;
    if (/^Kernel is locked down from /.test(message) || /^Lockdown: .* is restricted/.test(message)) facts.lockdown ??= 'integrity';
    m = /^ACPI: ([A-Z0-9]{4}) 0x[0-9A-Fa-f]+ /.exec(message);
    if (m) {
      tables.listed = true;
      tables.where ??= where;
      if (m[1] === 'DMAR') tables.DMAR = true;
      if (m[1] === 'IVRS') tables.IVRS = true;
    }
    // The DMAR table is parsed (and these lines printed) whenever it exists, even with DMA remapping off.
    if (/^DMAR: (?:Host address width|DRHD base)/.test(message)) tables.DMAR = true;
  }
  if (cmdlineFromLog !== null && !facts.cmdline) {
    facts.cmdline = parseCmdline(cmdlineFromLog);
    facts.note('proc/cmdline', 'kernel log', 'the "Command line:" line of the kernel log');
  }
  return tables;
}

/** Devices that tool errors name, and the groups they give for them. */
export function deriveFromTools(facts: PasteFacts): void {
  for (const t of facts.toolMessages) {
    const where = `${t.source}:${t.line}`;
    if (!['qemu', 'libvirt', 'proxmox', 'kubevirt', 'dpdk', 'cloud-hypervisor', 'other'].includes(t.tool)) continue;
    // One name per device and message: the most specific way the message names it.
    const named = new Set<string>();
    const name = (a: string | null, by: string) => {
      if (!a || named.has(a)) return;
      named.add(a);
      facts.name(a, by, where);
    };
    const host = QEMU_HOST.exec(t.text);
    if (host) name(addr(host[1]!), `${t.tool === 'proxmox' ? 'Proxmox' : 'QEMU'} (-device vfio-pci,host=)`);
    for (const m of t.text.matchAll(/pci_[0-9a-fA-F]{4}_[0-9a-fA-F]{2}_[0-9a-fA-F]{2}_[0-7]/g)) name(nodedevAddress(m[0]), 'libvirt (node device name)');
    if (t.tool !== 'other') for (const m of t.text.matchAll(FULL_ADDRESS)) name(addr(m[1]!), t.tool);
    const grp = TOOL_GROUP.exec(t.text.replace(/^.*?\bvfio(?: error)?:? /, 'vfio '));
    if (grp && addr(grp[1]!)) {
      const d = facts.device(addr(grp[1]!)!, where);
      d.iommuGroup ??= Number(grp[2]);
    }
  }
}

/**
 * vfio-pci refuses a device that has no IOMMU group with -EINVAL ("probe of ... failed with error -22").
 * With no group seen anywhere, that says DMA remapping is off; with groups seen it says nothing more.
 */
export function inferNoGroups(facts: PasteFacts): { where: string; because: string } | null {
  if (facts.groups.size > 0 || facts.groupIds.size > 0 || [...facts.devices.values()].some((d) => d.iommuGroup !== null)) return null;
  for (const l of facts.kernelLines) {
    const m = PROBE_EINVAL.exec(l.text);
    const a = m ? addr(m[1]!) : null;
    if (!a) continue;
    const d = facts.devices.get(a);
    if (d?.classCode?.startsWith('0604')) continue;
    const because = `vfio-pci refused ${a} with -EINVAL (error -22), which it does for a device without an IOMMU group`;
    facts.inferences.push({ what: 'no IOMMU groups', because, where: `${l.file}:${l.n}` });
    return { where: `${l.file}:${l.n}`, because };
  }
  return null;
}
