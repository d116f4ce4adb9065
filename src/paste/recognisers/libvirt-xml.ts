// libvirt XML: a domain definition (virsh dumpxml, /etc/libvirt/qemu/<vm>.xml), read by the libvirt adapter
// collection uses (src/hypervisor/libvirt.ts) into the VM model; or a node device (virsh nodedev-dumpxml
// pci_...) with driver, ids and IOMMU group members.
import { whereText, type Recogniser, type Where } from '../types.js';
import { libvirtVm, parseDomainXml } from '../../hypervisor/libvirt.js';
import { DRIVER_FROM, type PasteFacts } from '../facts.js';
import { seeDevice } from './common.js';
import { formatPciAddress, isFullFunctionAddress, pciAddressFromAttributes } from '../../pci/address.js';

const ADDRESS = /<address\s+([^>]*?)\/>/g;

function attr(attrs: string, name: string): string | null {
  return new RegExp(`\\b${name}=['"]([^'"]*)['"]`).exec(attrs)?.[1] ?? null;
}

/** <address domain='0x0000' bus='0x01' slot='0x00' function='0x0'/> -> 0000:01:00.0 */
export function xmlAddress(attrs: string): string | null {
  const a = pciAddressFromAttributes({ domain: attr(attrs, 'domain'), bus: attr(attrs, 'bus'), slot: attr(attrs, 'slot'), function: attr(attrs, 'function') });
  return a ? formatPciAddress(a) : null;
}

/** A pasted domain (or a bare <hostdev>) through the same reader as collected domain XML. */
function applyDomain(facts: PasteFacts, xml: string, where: Where): void {
  let parsed;
  try {
    parsed = parseDomainXml(xml, where.file, where.from - 1);
  } catch {
    // Cut off before its end: nothing can be said about the domain's devices.
    facts.note('libvirt-domain', whereText(where), 'cut off: not read');
    return;
  }
  if (parsed.name === '') parsed.name = '(unnamed)';
  facts.vms.push(libvirtVm(parsed, where.file, where.from, { runAs: null, autostart: null }));
  facts.note('libvirt-domain', whereText(where));
}

function applyNodedev(facts: PasteFacts, xml: string, where: string): void {
  const cap = /<capability\s+type=['"]pci['"]>([\s\S]*?)<\/capability>\s*<\/device>/.exec(xml)?.[1] ?? /<capability\s+type=['"]pci['"]>([\s\S]*)/.exec(xml)?.[1];
  if (!cap) return;
  const field = (tag: string) => new RegExp(`<${tag}>\\s*([^<]*?)\\s*</${tag}>`).exec(cap)?.[1] ?? null;
  const fn = field('function');
  const parsed = fn === null ? null : pciAddressFromAttributes({ domain: field('domain'), bus: field('bus'), slot: field('slot'), function: fn });
  if (!parsed) return;
  const address = formatPciAddress(parsed);
  const cls = /<class>0x([0-9a-fA-F]{6})<\/class>/.exec(cap)?.[1] ?? null;
  const product = /<product\s+id=['"]0x([0-9a-fA-F]{4})['"]>([^<]*)<\/product>/.exec(cap);
  const vendor = /<vendor\s+id=['"]0x([0-9a-fA-F]{4})['"]>([^<]*)<\/vendor>/.exec(cap);
  seeDevice(facts, address, where, { vendorId: vendor?.[1] ?? null, deviceId: product?.[1] ?? null, classCode: cls, vendorName: vendor?.[2] ?? null, deviceName: product?.[2] ?? null });
  const driver = /<driver>\s*<name>([^<]+)<\/name>/.exec(xml)?.[1] ?? null;
  facts.setDriver(address, driver, DRIVER_FROM.lspci, where);
  const group = /<iommuGroup\s+number=['"](\d+)['"]>([\s\S]*?)<\/iommuGroup>/.exec(cap);
  if (group) {
    for (const m of group[2]!.matchAll(ADDRESS)) {
      const a = xmlAddress(m[1]!);
      if (a) facts.addToGroup(Number(group[1]), a);
    }
    facts.note('sys/kernel/iommu_groups', where, 'libvirt node device XML');
  }
  const path = /<path>([^<]+)<\/path>/.exec(xml)?.[1];
  if (path) facts.device(address).upstream = path.split('/').filter((c) => isFullFunctionAddress(c) && c !== address);
  facts.note('virsh-nodedev-dumpxml', where);
}

export const libvirtXml: Recogniser = {
  id: 'libvirt-xml',
  label: 'libvirt XML (domain definitions with hostdevs, nodedev-dumpxml)',
  commands: /^virsh\s+(?:dumpxml|nodedev-dumpxml|edit)\b|\/etc\/libvirt\/qemu\//,
  match(lines, at) {
    const t = lines[at]!.text.trim();
    if (!/^<(?:domain|device|hostdev)\b/.test(t)) return null;
    const root = /^<(\w+)/.exec(t)![1]!;
    let i = at;
    while (i < lines.length) {
      const s = lines[i]!.text.trim();
      if (!s.startsWith('<') && !/^[^<>]*<\/\w+>$/.test(s)) break;
      i++;
      if (s === `</${root}>`) break;
    }
    const xml = lines.slice(at, i).map((l) => l.text).join('\n');
    return {
      length: i - at,
      apply(facts, where) {
        const w = whereText(where);
        if (root === 'device') applyNodedev(facts, xml, w);
        // A bare <hostdev> is read as the only device of an unnamed domain; the wrapper adds no line.
        else applyDomain(facts, root === 'hostdev' ? `<domain><devices>${xml}</devices></domain>` : xml, where);
      },
    };
  },
};
