// libvirt node device names: "virsh nodedev-list" output (pci_0000_01_00_0 per line, all devices libvirt
// sees), and names in hook configuration ("VIRSH_GPU_VIDEO=pci_0000_02_00_0") or detach commands, which
// name the devices being passed through.
import { whereText, type Recogniser } from '../types.js';
import { nodedevAddress } from './common.js';

const NAME = /^pci_[0-9a-fA-F]{4}_[0-9a-fA-F]{2}_[0-9a-fA-F]{2}_[0-7]$/;
const ASSIGN = /^(?:export\s+)?([A-Z_][A-Z0-9_]*)=["']?(pci_[0-9a-fA-F]{4}_[0-9a-fA-F]{2}_[0-9a-fA-F]{2}_[0-7])["']?$/;
const OTHER_NODEDEV = /^(?:computer|net_\S+|usb_\S+|scsi\S*|block_\S+|drm_\S+|mdev_\S+|storage_\S+|ap_\S+|css_\S+|vdpa_\S+|nvme\S*)$/;

export const virshNodedev: Recogniser = {
  id: 'virsh-nodedev',
  label: 'virsh nodedev-list, libvirt hook variables (pci_0000_01_00_0)',
  commands: /^virsh\s+nodedev-list\b/,
  match(lines, at, ctx) {
    const t = lines[at]!.text.trim();
    const assign = ASSIGN.exec(t);
    if (assign) {
      const a = nodedevAddress(assign[2]!)!;
      return {
        length: 1,
        apply(facts, where) {
          facts.name(a, `libvirt hook variable ${assign[1]}`, whereText(where));
          facts.device(a, whereText(where));
        },
      };
    }
    const listing = ctx.command !== null && /^virsh\s+nodedev-list\b/.test(ctx.command);
    // Without the command only a pci_ name starts a listing; "computer" alone could be anything.
    if (!NAME.test(t) && !(listing && OTHER_NODEDEV.test(t))) return null;
    let i = at;
    const names: string[] = [];
    while (i < lines.length) {
      const s = lines[i]!.text.trim();
      if (NAME.test(s)) names.push(s);
      else if (!OTHER_NODEDEV.test(s)) break;
      i++;
    }
    return {
      length: i - at,
      apply(facts, where) {
        for (const n of names) if (!facts.libvirtNodedevs.includes(n)) facts.libvirtNodedevs.push(n);
        facts.note('virsh-nodedev-list', whereText(where));
      },
    };
  },
};
