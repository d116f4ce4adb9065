// The part of a PCI function's config space that `lspci -vv` prints in words, read back into the same
// PciConfig the binary decoder produces: capability lists, the Express port type and FLR, PM state,
// AF FLR, ACS capability and control, SR-IOV counts.
import type { AcsBits, CapabilityRef, PciConfig, PciePortType } from '../../snapshot/types.js';
import { emptyPciConfig } from '../../pci/config/index.js';
import { extendedCapabilityName, standardCapabilityName } from '../../pci/config/capability-ids.js';

interface NamedId {
  id: number;
  name: string;
}

function nameTable(nameOf: (id: number) => string, max: number): NamedId[] {
  const out: NamedId[] = [];
  for (let id = 0; id <= max; id++) {
    const name = nameOf(id);
    if (!/^(Extended )?Capability ID 0x/.test(name)) out.push({ id, name });
  }
  // Longest first, so "Multi-Function Virtual Channel" is not read as something shorter.
  return out.sort((a, b) => b.name.length - a.name.length);
}

const STANDARD = nameTable(standardCapabilityName, 0x20);
const EXTENDED = nameTable(extendedCapabilityName, 0x40);

function idOf(text: string, table: NamedId[], unknown: RegExp): number | null {
  const u = unknown.exec(text);
  if (u) return parseInt(u[1]!, 16);
  for (const e of table) if (text === e.name || text.startsWith(e.name + ' ') || text.startsWith(e.name + ':')) return e.id;
  return null;
}

// How lspci words each port type after "Express (vN) ".
const PORT_TYPES: [string, PciePortType, number][] = (
  [
    ['Root Complex Integrated Endpoint', 'rc-integrated-endpoint', 9],
    ['Root Complex Event Collector', 'rc-event-collector', 10],
    ['PCI-Express to PCI/PCI-X Bridge', 'pcie-to-pci-bridge', 7],
    ['PCI/PCI-X to PCI-Express Bridge', 'pci-to-pcie-bridge', 8],
    ['Legacy Endpoint', 'legacy-endpoint', 1],
    ['Downstream Port', 'downstream-port', 6],
    ['Upstream Port', 'upstream-port', 5],
    ['Root Port', 'root-port', 4],
    ['Endpoint', 'endpoint', 0],
  ] as [string, PciePortType, number][]
);

/** "Name+" / "Name-" in an lspci detail line. */
export function lspciFlag(text: string, name: string): boolean | null {
  const m = new RegExp(`(?:^|[\\s:,])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([+-])`).exec(text);
  return m ? m[1] === '+' : null;
}

const ACS_NAMES: [keyof AcsBits, string, number][] = [
  ['sourceValidation', 'SrcValid', 0x01],
  ['translationBlocking', 'TransBlk', 0x02],
  ['requestRedirect', 'ReqRedir', 0x04],
  ['completionRedirect', 'CmpltRedir', 0x08],
  ['upstreamForwarding', 'UpstreamFwd', 0x10],
  ['egressControl', 'EgressCtrl', 0x20],
  ['directTranslated', 'DirectTrans', 0x40],
];

function acsBits(text: string): { bits: AcsBits; raw: number } {
  const bits = {} as AcsBits;
  let raw = 0;
  for (const [field, name, bit] of ACS_NAMES) {
    const on = lspciFlag(text, name) === true;
    bits[field] = on;
    if (on) raw |= bit;
  }
  return { bits, raw };
}

interface CapBlock {
  offset: number;
  version: number | null;
  title: string;
  /** Its detail lines, continuation lines joined on, trimmed. */
  body: string[];
}

const CAP_LINE = /^Capabilities: \[([0-9a-fA-F]+)(?: v(\d+))?\] (.*)$/;

/** Splits a device's detail lines into capability blocks; lines before the first belong to none. */
function capabilityBlocks(details: { text: string; depth: number }[]): { blocks: CapBlock[]; denied: boolean } {
  const blocks: CapBlock[] = [];
  let denied = false;
  let cur: CapBlock | null = null;
  for (const d of details) {
    const t = d.text.trim();
    if (d.depth <= 1) {
      const m = CAP_LINE.exec(t);
      if (m) {
        cur = { offset: parseInt(m[1]!, 16), version: m[2] === undefined ? null : Number(m[2]), title: m[3]!, body: [] };
        blocks.push(cur);
        continue;
      }
      if (t === 'Capabilities: <access denied>') denied = true;
      cur = null;
      continue;
    }
    if (!cur) continue;
    // Three levels deep continues the line above (DevCap's second line holds FLReset).
    if (d.depth >= 3 && cur.body.length > 0) cur.body[cur.body.length - 1] += ' ' + t;
    else cur.body.push(t);
  }
  return { blocks, denied };
}

export interface LspciConfigInput {
  vendorId: string;
  deviceId: string;
  bridge: boolean;
  cardbus: boolean;
  details: { text: string; depth: number }[];
}

/** The config space an lspci -vv block shows, or null when it shows no capability information at all. */
export function configFromLspci(input: LspciConfigInput): { config: PciConfig; denied: boolean } | null {
  const { blocks, denied } = capabilityBlocks(input.details);
  if (blocks.length === 0 && !denied) return null;
  const headerType = input.cardbus ? 2 : input.bridge ? 1 : 0;
  const base: PciConfig = emptyPciConfig({
    length: 64,
    truncated: true,
    vendorId: input.vendorId,
    deviceId: input.deviceId,
    headerType,
    multifunction: false,
    problems: [],
  });
  if (denied && blocks.length === 0) return { config: base, denied: true };
  const capabilities: CapabilityRef[] = [];
  const extended: CapabilityRef[] = [];
  const cfg: PciConfig = { ...base, truncated: false, capabilities, extendedCapabilities: extended };
  for (const b of blocks) {
    const isExt = b.version !== null;
    const id = isExt ? idOf(b.title, EXTENDED, /^Extended Capability ID 0x([0-9a-f]+)/) : idOf(b.title, STANDARD, /^Capability ID 0x([0-9a-f]+)/);
    if (id === null) continue;
    const name = isExt ? extendedCapabilityName(id) : standardCapabilityName(id);
    if (isExt) extended.push({ id, offset: b.offset, name, version: b.version! });
    else capabilities.push({ id, offset: b.offset, name });
    const body = b.body.join(' ');
    if (!isExt && id === 0x10) {
      const v = /^Express \(v(\d+)\) (.*)$/.exec(b.title);
      const typeText = v?.[2] ?? '';
      const type = PORT_TYPES.find(([t]) => typeText.startsWith(t));
      const devcap = b.body.find((l) => l.startsWith('DevCap:')) ?? '';
      const devctl2 = b.body.find((l) => l.startsWith('DevCtl2:')) ?? null;
      cfg.express = {
        version: v ? Number(v[1]) : 1,
        portType: type?.[1] ?? 'unknown',
        portTypeCode: type?.[2] ?? 15,
        flr: lspciFlag(devcap, 'FLReset') === true,
        ariForwarding: devctl2 === null ? null : lspciFlag(devctl2, 'ARIFwd'),
      };
    } else if (!isExt && id === 0x01) {
      const status = b.body.find((l) => l.startsWith('Status:')) ?? '';
      const st = /Status: D(\d)/.exec(status);
      const state = st ? (['D0', 'D1', 'D2', 'D3hot'] as const)[Number(st[1])] ?? 'D0' : 'D0';
      cfg.pm = { noSoftReset: lspciFlag(status, 'NoSoftRst') === true, powerState: state };
    } else if (!isExt && id === 0x13) {
      const afcap = b.body.find((l) => l.startsWith('AFCap:')) ?? '';
      cfg.af = { transactionsPending: lspciFlag(afcap, 'TP') === true, flr: lspciFlag(afcap, 'FLR') === true };
    } else if (!isExt && id === 0x05) cfg.msi = true;
    else if (!isExt && id === 0x11) cfg.msix = true;
    else if (isExt && id === 0x0d) {
      const cap = acsBits(b.body.find((l) => l.startsWith('ACSCap:')) ?? '');
      const ctl = acsBits(b.body.find((l) => l.startsWith('ACSCtl:')) ?? '');
      cfg.acs = { cap: cap.bits, ctrl: ctl.bits, capRaw: cap.raw, ctrlRaw: ctl.raw };
    } else if (isExt && id === 0x0e) cfg.ari = true;
    else if (isExt && id === 0x0f) cfg.ats = true;
    else if (isExt && id === 0x13) cfg.pri = true;
    else if (isExt && id === 0x1b) cfg.pasid = true;
    else if (isExt && id === 0x01) cfg.aer = true;
    else if (isExt && id === 0x15) cfg.resizableBar = true;
    else if (isExt && id === 0x10) {
      const num = (label: string) => {
        const m = new RegExp(`${label}: (\\d+)`).exec(body);
        return m ? Number(m[1]) : 0;
      };
      cfg.sriov = { totalVFs: num('Total VFs'), numVFs: num('Number of VFs'), initialVFs: num('Initial VFs') };
      // "VF offset: 16, stride: 1, Device ID: 154c": where the VFs sit and the id their registers hide.
      const vf = /VF offset: (\d+), stride: (\d+), Device ID: ([0-9a-fA-F]{4})/.exec(body);
      if (vf) Object.assign(cfg.sriov, { firstVfOffset: Number(vf[1]), vfStride: Number(vf[2]), vfDeviceId: vf[3]!.toLowerCase() });
    }
  }
  // lspci shows extended capabilities only when it could read past 256 bytes; a PCIe device listed
  // with standard capabilities was read as root, so the extended list is complete as printed.
  cfg.length = extended.length > 0 || cfg.express ? 4096 : 256;
  return { config: cfg, denied: false };
}
