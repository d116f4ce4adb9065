// Proxmox VE VM configuration (qm config <vmid>, /etc/pve/qemu-server/<vmid>.conf): "hostpci0:
// 0000:01:00,pcie=1,x-vga=1" passes a whole slot, "hostpci1: 01:00.0;01:00.1" single functions,
// "hostpci2: mapping=gpu". The other keys are read as part of the file.
import { whereText, type Recogniser } from '../types.js';
import { isSlotAddress, normalisePciAddress } from '../../pci/address.js';

const KEY = /^([a-z][a-z0-9_-]*\d*|\[[\w-]+\]):\s?(.*)$/;
const KNOWN_KEYS = /^(?:hostpci\d+|usb\d+|agent|args|balloon|bios|boot|bootdisk|cores|cpu|cpuunits|description|efidisk\d+|hotplug|ide\d+|kvm|machine|memory|meta|name|net\d+|numa|onboot|ostype|parent|protection|sata\d+|scsi\d+|scsihw|serial\d+|smbios1|sockets|startup|tablet|tags|tpmstate\d+|vga|virtio\d+|vmgenid|vcpus|affinity|hookscript|digest|lock|localtime|shares|\[[\w-]+\])$/;

export const proxmoxConfig: Recogniser = {
  id: 'proxmox-config',
  label: 'Proxmox VE VM configuration (hostpciN)',
  commands: /^qm\s+(?:config|showcmd)\b|\/etc\/pve\/(?:nodes\/[^/]+\/)?qemu-server\//,
  match(lines, at, ctx) {
    // A key appears once per section, and "kvm:" holds 0 or 1: repeated "kvm: vfio: ..." lines are
    // QEMU's messages on Proxmox, not a configuration.
    const seen = new Set<string>();
    const known = (s: string) => {
      if (/^\[[\w:-]+\]$/.test(s.trim())) {
        seen.clear();
        return true;
      }
      const m = KEY.exec(s.trim());
      if (m === null || !KNOWN_KEYS.test(m[1]!) || seen.has(m[1]!)) return false;
      if (m[1] === 'kvm' && !/^[01]$/.test(m[2]!.trim())) return false;
      seen.add(m[1]!);
      return true;
    };
    let i = at;
    let hostpci = 0;
    let keys = 0;
    while (i < lines.length) {
      const s = lines[i]!.text.trim();
      if (s === '' || s.startsWith('#')) {
        i++;
        continue;
      }
      if (!known(s)) break;
      keys++;
      if (/^hostpci\d+:/.test(s)) hostpci++;
      i++;
    }
    while (i > at && lines[i - 1]!.text.trim() === '') i--;
    // A VM config has several of these keys; one "name: x" line alone is not one.
    if (hostpci === 0 && keys < 3) return null;
    const vmid = /(?:qm\s+config\s+|qemu-server\/)(\d+)/.exec(`${ctx.command ?? ''} ${ctx.shows ?? ''}`)?.[1] ?? null;
    const slice = lines.slice(at, i);
    return {
      length: i - at,
      apply(facts, where) {
        const w = whereText(where);
        let memory: number | null = null;
        for (const l of slice) {
          const m = KEY.exec(l.text.trim());
          if (!m) continue;
          if (m[1] === 'memory') memory = /^\d+$/.test(m[2]!.trim()) ? Number(m[2]!.trim()) : null;
          if (!/^hostpci\d+$/.test(m[1]!)) continue;
          const [first, ...rest] = m[2]!.split(',');
          const options: Record<string, string> = {};
          for (const o of rest) {
            const [k, v] = o.split('=');
            if (k) options[k.trim()] = (v ?? '').trim();
          }
          const mapping = first!.startsWith('mapping=') ? first!.slice('mapping='.length) : null;
          const addresses: string[] = [];
          if (!mapping) {
            for (const part of first!.split(';')) {
              // A slot without function stands for every function of the slot (resolved when the host's functions are known).
              const a = normalisePciAddress(part, { slot: true, segment: 0 });
              if (a) addresses.push(a);
            }
          }
          facts.proxmoxHostpci.push({ vmid, slot: m[1]!, addresses, mapping, options, where: `${w} (${l.n})` });
          for (const a of addresses) if (!isSlotAddress(a)) facts.name(a, `Proxmox ${vmid ? `VM ${vmid} ` : ''}${m[1]}`, w);
        }
        facts.proxmoxVms.push({ vmid, memoryMiB: memory, where: w });
        facts.note('proxmox-vm-config', w);
      },
    };
  },
};
