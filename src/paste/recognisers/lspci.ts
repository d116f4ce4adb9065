// lspci listings: plain, -n, -nn, -k, -v, -vv (and -D). One device is a title line
// ("01:00.0 VGA compatible controller [0300]: NVIDIA ... [10de:1e87] (rev a1)") followed by indented detail
// lines: Subsystem, Kernel driver in use / Kernel modules (pciutils ls-kernel.c), "IOMMU group" (on the
// -v Flags line or its own -vv line), and with -vv the capabilities.
import { whereText, type Recogniser, type InputLine } from '../types.js';
import { DRIVER_FROM, type PasteFacts } from '../facts.js';
import { ADDR, addr, classCodeOfName, isBlank, seeDevice } from './common.js';
import { configFromLspci } from './lspci-config.js';

const TITLE = new RegExp(`^(${ADDR}) (.+)$`);
// "VGA compatible controller [0300]: rest", "0300: 10de:1e87 (rev a1)", "VGA compatible controller: rest".
const CLASS_NN = /^(.+?) \[([0-9a-fA-F]{4})\]: (.*)$/;
const CLASS_N = /^([0-9a-fA-F]{4}): ([0-9a-fA-F]{4}):([0-9a-fA-F]{4})(.*)$/;
const CLASS_NAME = /^([A-Za-z0-9][^:[\]]*?): (.*)$/;
// Messages pciutils prints on stderr that end up in pasted output.
const NOISE = /^(lspci|pcilib|setpci): /;

interface Title {
  address: string;
  classCode: string | null;
  className: string | null;
  vendorId: string | null;
  deviceId: string | null;
  revision: string | null;
  progIf: string | null;
  name: string | null;
}

export function parseLspciTitle(text: string): Title | null {
  const m = TITLE.exec(text);
  if (!m) return null;
  const address = addr(m[1]!);
  if (!address) return null;
  const rest = m[2]!;
  const rev = /\(rev ([0-9a-fA-F]{2})\)/.exec(rest)?.[1] ?? null;
  const progIf = /\(prog-if ([0-9a-fA-F]{2})/.exec(rest)?.[1] ?? null;
  let n = CLASS_N.exec(rest);
  if (n) return { address, classCode: n[1]!.toLowerCase(), className: null, vendorId: n[2]!, deviceId: n[3]!, revision: rev, progIf, name: null };
  n = CLASS_NN.exec(rest);
  if (n) {
    const desc = n[3]!.replace(/\s*\((rev|prog-if) [^)]*\)+/g, '').trim();
    const ids = [...desc.matchAll(/\[([0-9a-fA-F]{4}):([0-9a-fA-F]{4})\]/g)].at(-1);
    return {
      address,
      classCode: n[2]!.toLowerCase(),
      className: n[1]!,
      vendorId: ids?.[1] ?? null,
      deviceId: ids?.[2] ?? null,
      revision: rev,
      progIf,
      name: ids ? desc.slice(0, ids.index).trim() : desc,
    };
  }
  n = CLASS_NAME.exec(rest);
  if (n) {
    const code = classCodeOfName(n[1]!);
    // Without -nn only a known class name tells this is lspci and not some other "xx:yy.z word: ..." line.
    if (!code) return null;
    return { address, classCode: code, className: n[1]!, vendorId: null, deviceId: null, revision: rev, progIf, name: n[2]!.replace(/\s*\((rev|prog-if) [^)]*\)+/g, '').trim() };
  }
  return null;
}

const INDENTED = /^[ \t]+\S/;

/** The length of one device block: its title and the indented lines under it. */
function blockLength(lines: readonly InputLine[], at: number): number {
  let i = at + 1;
  while (i < lines.length && INDENTED.test(lines[i]!.text)) i++;
  return i - at;
}

function depthsOf(block: readonly InputLine[]): { text: string; depth: number }[] {
  const spaceIndents = block.map((l) => /^ +/.exec(l.text)?.[0].length ?? 0).filter((n) => n > 0);
  const unit = spaceIndents.length ? Math.min(...spaceIndents) : 8;
  return block.map((l) => {
    const ind = /^[ \t]*/.exec(l.text)![0];
    const tabs = (ind.match(/\t/g) ?? []).length;
    const spaces = ind.length - tabs;
    return { text: l.text.trim(), depth: tabs + Math.round(spaces / unit) };
  });
}

interface Parsed {
  title: Title;
  details: { text: string; depth: number }[];
}

function applyDevices(facts: PasteFacts, where: string, devices: Parsed[], showsDrivers: boolean): void {
  for (const { title: t, details } of devices) {
    // Four digits without a prog-if: the builder completes them with 00.
    const code = t.classCode ? t.classCode + (t.progIf?.toLowerCase() ?? '') : null;
    seeDevice(facts, t.address, where, { vendorId: t.vendorId, deviceId: t.deviceId, classCode: code, revision: t.revision, className: t.className, deviceName: t.name });
    const d = facts.device(t.address);
    let driver: string | null = null;
    for (const { text, depth } of details) {
      if (depth > 1) continue;
      let m = /^Subsystem: (.*?)(?: \[([0-9a-fA-F]{4}):([0-9a-fA-F]{4})\])?$/.exec(text);
      if (m) {
        d.subsystemName = m[1]!;
        if (m[2]) {
          d.subsystemVendorId = m[2].toLowerCase();
          d.subsystemDeviceId = m[3]!.toLowerCase();
        }
        continue;
      }
      m = /^Kernel driver in use: (\S+)/.exec(text);
      if (m) driver = m[1]!;
      m = /^Kernel modules: (.*)$/.exec(text);
      if (m) d.modules = m[1]!.split(/,\s*/).filter(Boolean);
      m = /(?:^IOMMU group: |, IOMMU group )(\d+)/.exec(text);
      if (m) facts.addToGroup(Number(m[1]), t.address);
      m = /(?:^NUMA node: |, NUMA node )(\d+)/.exec(text);
      if (m) d.numaNode = Number(m[1]);
    }
    if (showsDrivers) facts.setDriver(t.address, driver, DRIVER_FROM.lspci, where);
    const bridge = d.classCode?.startsWith('0604') === true || details.some((x) => x.text.startsWith('Bus: primary='));
    const cfg = configFromLspci({ vendorId: d.vendorId ?? 'ffff', deviceId: d.deviceId ?? 'ffff', bridge, cardbus: d.classCode?.startsWith('0607') === true, details });
    if (cfg) d.config = cfg.config;
  }
}

export const lspci: Recogniser = {
  id: 'lspci',
  label: 'lspci (-nn, -k, -v, -vv, -D)',
  commands: /^lspci\b(?!.*\s-t)/,
  match(lines, at, ctx) {
    const first = lines[at]!;
    if (NOISE.test(first.text)) return { length: 1, apply: () => undefined };
    if (!parseLspciTitle(first.text)) return null;
    const devices: Parsed[] = [];
    let i = at;
    let end = at;
    while (i < lines.length) {
      if (isBlank(lines[i])) {
        i++;
        continue;
      }
      if (NOISE.test(lines[i]!.text)) {
        i++;
        end = i;
        continue;
      }
      const title = parseLspciTitle(lines[i]!.text);
      if (!title) break;
      const len = blockLength(lines, i);
      devices.push({ title, details: depthsOf(lines.slice(i + 1, i + len)) });
      i += len;
      end = i;
    }
    const flagsShowDrivers = ctx.command !== null && /^lspci\b.*\s-\w*[kv]/.test(ctx.command);
    return {
      length: end - at,
      apply(facts, where) {
        const w = whereText(where);
        const showsDrivers = flagsShowDrivers || devices.some((d) => d.details.some((x) => /^Kernel (driver in use|modules):/.test(x.text)));
        applyDevices(facts, w, devices, showsDrivers);
        facts.note('lspci', w, devices.some((d) => d.details.some((x) => x.text.startsWith('Capabilities:'))) ? 'lspci -vv' : undefined);
      },
    };
  },
};
