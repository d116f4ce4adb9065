// Facts that sections state in passing: the kernel log names drivers, IOMMU groups, the command line and
// the release; tool errors name the devices being assigned and their groups. Each is taken only where no
// more direct section said otherwise.
import { holdsAnchor } from '../log/anchors.js';
import { decodeKnown } from '../log/events/index.js';
import { parsePrefix } from '../log/prefix.js';
import { parseCmdline } from '../parse/cmdline.js';
import { DRIVER_FROM, type PasteFacts } from './facts.js';
import { ADDR, addr, nodedevAddress, seeDevice } from './recognisers/common.js';
import { absenceCounts } from './output-filter.js';

// Bus names in dev_printk prefixes that are not drivers.
const NOT_DRIVERS = new Set(['pci', 'pci_bus', 'iommu', 'acpi', 'platform']);

// Built once: a paste can have millions of lines, and a pattern compiled per line costs more than the match.
const QEMU_HOST = new RegExp(`host=(${ADDR})`);
const TOOL_GROUP = new RegExp(`(${ADDR})\\S*:? .*\\bgroup (\\d+)\\b`);
const FULL_ADDRESS = /\b([0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7])\b/g;
const PROBE_ANCHOR = /probe (?:of|with driver) .*failed with error -22/;

// The ACPI table list at boot ("ACPI: FACS 0x… 000040") is not a log event (collection drops it as noise),
// but in a paste it tells that the firmware's tables were listed, so a missing DMAR/IVRS means absent.
const ACPI_TABLE_LISTED = /^ACPI: [A-Z0-9]{4} 0x[0-9A-Fa-f]+ /;
// Most lines of a full log hold no PCI address (a device prefix), no table listing and no anchor of the
// log-event table: those say nothing here, and are skipped before their prefix is parsed.
const DEVICE_OR_TABLE = /[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]|ACPI: [A-Z0-9]{4} 0x/;

export interface AcpiTableEvidence {
  /** A table listing was seen whose command would also have shown a DMAR and an IVRS line. */
  listed: boolean;
  DMAR: boolean;
  IVRS: boolean;
  IORT: boolean;
  where: string | null;
}

const TABLE_SIGNATURE = /ACPI: [A-Z0-9]{4} 0x/;

/** What the kernel log's lines state in passing, read through the log-event table (src/log/events). */
export function deriveFromKernelLog(facts: PasteFacts): AcpiTableEvidence {
  const tables: AcpiTableEvidence = { listed: false, DMAR: false, IVRS: false, IORT: false, where: null };
  let cmdlineFromLog: string | null = null;
  for (const l of facts.kernelLines.kept()) {
    if (!DEVICE_OR_TABLE.test(l.text) && !holdsAnchor(l.text)) continue;
    const p = parsePrefix(l.text.trim());
    const where = `${l.file}:${l.n}`;
    const e = decodeKnown(l.text, l.n, p)?.event ?? null;
    // A failed probe is printed under the driver's name, but that driver then does not own the device.
    if (p.device?.address && e?.kind !== 'probe-failed') {
      const drv = p.device.driver;
      if (!NOT_DRIVERS.has(drv)) facts.setDriver(p.device.address, drv, DRIVER_FROM.log, where);
    }
    if (ACPI_TABLE_LISTED.test(p.message.trim())) {
      // The same line with the IOMMU tables' signatures: would the pasted command (a grep) have shown them?
      const shownToo = (sig: string) => absenceCounts(l.command ?? null, l.text.replace(TABLE_SIGNATURE, `ACPI: ${sig} 0x`));
      if (shownToo('DMAR') && shownToo('IVRS')) {
        tables.listed = true;
        tables.where ??= where;
      }
      if (/^ACPI: IORT /.test(p.message.trim())) tables.IORT = true;
    }
    if (p.device?.address && e?.kind !== 'pci-device') facts.device(p.device.address, where);
    if (!e) continue;
    const f = e.fields;
    switch (e.kind) {
      case 'pci-device': {
        const [vendorId, deviceId] = String(f['id']).split(':');
        if (e.device) seeDevice(facts, e.device, where, { vendorId, deviceId, classCode: String(f['class']).replace(/^0x/, '') });
        break;
      }
      case 'iommu-group-add':
        if (e.device && addr(e.device)) facts.addToGroup(Number(f['group']), addr(e.device) as string);
        break;
      case 'kernel-version':
        facts.kernelRelease ??= String(f['release']);
        break;
      case 'kernel-cmdline':
        cmdlineFromLog = String(f['cmdline']);
        break;
      case 'secure-boot-state':
        if (f['state'] !== 'unknown') facts.secureBoot ??= f['state'] === 'enabled';
        break;
      case 'lockdown-enabled':
      case 'lockdown-denied':
        facts.lockdown ??= 'integrity';
        break;
      // The DMAR table is parsed (and these lines printed) whenever it exists, even with DMA remapping off.
      case 'acpi-dmar-table':
      case 'dmar-table':
      case 'dmar-drhd':
      case 'dmar-unit':
        tables.DMAR = true;
        break;
      // The AMD IOMMU driver runs only when IVRS exists (detect_ivrs): every line it prints about the
      // hardware, and IVRS's own firmware bugs, say the table is there.
      case 'acpi-ivrs-table':
      case 'amd-iommu-found':
      case 'amd-iommu-features':
      case 'amd-iommu-perf':
      case 'ivrs-firmware-bug':
      case 'ivrs-table-broken':
        tables.IVRS = true;
        break;
    }
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
      // A device a VM error names is a device of the analysis, with what is known about it (its address).
      facts.device(a, where);
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
  for (const l of facts.kernelLines.kept()) {
    // Both wordings: "vfio-pci: probe of ADDR failed with error -22" and (6.x) "vfio-pci ADDR: probe with
    // driver vfio-pci failed with error -22".
    if (!PROBE_ANCHOR.test(l.text)) continue;
    const e = decodeKnown(l.text, l.n, parsePrefix(l.text.trim()))?.event ?? null;
    if (e?.kind !== 'probe-failed' || Number(e.fields['errno']) !== -22 || !/^vfio[-_]pci$/.test(String(e.fields['probeDriver']))) continue;
    const a = e.device ? addr(e.device) : null;
    if (!a) continue;
    const d = facts.devices.get(a);
    if (d?.classCode?.startsWith('0604')) continue;
    const because = `vfio-pci refused ${a} with -EINVAL (error -22), which it does for a device without an IOMMU group`;
    facts.inferences.push({ what: 'no IOMMU groups', because, where: `${l.file}:${l.n}` });
    return { where: `${l.file}:${l.n}`, because };
  }
  return null;
}
