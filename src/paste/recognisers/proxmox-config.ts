// Proxmox VE VM configuration (qm config <vmid>, /etc/pve/qemu-server/<vmid>.conf): "hostpci0:
// 0000:01:00,pcie=1,x-vga=1" passes a whole slot, "hostpci1: 01:00.0;01:00.1" single functions,
// "hostpci2: mapping=gpu". Read by the Proxmox adapter collection uses (src/hypervisor/proxmox.ts) into the VM model.
import { whereText, type Recogniser } from '../types.js';
import { parsePveVmConfig, proxmoxVm } from '../../hypervisor/proxmox.js';

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
        // The same reader as /etc/pve/qemu-server/N.conf collected from a host; line numbers count in the paste.
        const v = parsePveVmConfig(slice.map((l) => l.text).join('\n'), vmid, where.file, slice[0]!.n - 1);
        facts.vms.push(proxmoxVm(v, where.file, where.from, null, null));
        facts.note('proxmox-vm-config', whereText(where));
      },
    };
  },
};
