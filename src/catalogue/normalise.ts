// One line as pasted → the message a catalogue entry is written against. Whatever stands in front of a
// message is taken off, in any order and stacked: time stamps of every kind and log headers (through
// src/log/prefix.ts), JSON log records, Markdown quotes and inline code, program names ("kvm:",
// "qemu-system-x86_64:", "modprobe:"), QEMU's "-device ...:" option location, wrappers that only say
// where an error travelled ("QMP command failed:", "TASK ERROR:", "error: internal error:", libvirt's
// "process exited while connecting to monitor:", the OCI runtime chain), a compiler's "file:line:col:",
// and the "<driver> <dddd:bb:dd.f>:" device prefix. What was taken off is kept when it names a device.
import { cleanLine, parsePrefix } from '../log/prefix.js';

export interface NormalisedLine {
  /** The message without its prefixes and wrappers. */
  message: string;
  /** The line carried a prefix of its own: it starts a message, it does not continue a wrapped one. */
  headed: boolean;
  /** The PCI function (dddd:bb:dd.f) the prefixes or the message name, when one does. */
  device: string | null;
  /** Markup with no message (a code fence), or nothing left. */
  empty: boolean;
}

const BDF = '[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]';
const SHORT_BDF = '[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\\.[0-7]';
const FENCE = /^(?:`{3,}|~{3,})[\w+-]*\s*$/;
const QUOTE = /^(?:>\s?)+/;
const DEVICE_PREFIX = new RegExp(`^([A-Za-z0-9_.+-]+) (${BDF}):\\s+`);

// Stamps that are not log headers: QEMU's "-msg timestamp=on", Go's log package, klog (kubelet),
// a bare time of day, libvirt's own log format ("<time>: <pid>: error : <function>:<line> : ").
const STAMPS: RegExp[] = [
  /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?:?\s+/,
  /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d(?:\.\d+)?\s+/,
  /^[IWEF]\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ [\w.-]+:\d+\]\s+/,
  /^\[?\d\d:\d\d:\d\d(?:[.,]\d+)?\]?\s+/,
  /^\d+:\s+(?:error|warning|info|debug)\s*:\s+\w+:\d+\s*:\s+/,
  /^(?:error|warning|info|debug)\s*:\s+\w+:\d+\s*:\s+/,
];

// Program names in front of their own messages.
const PROGRAMS = new RegExp(
  '^(?:\\S*/)?(?:qemu-system-[\\w.-]+|qemu-\\d[\\w.-]*|qemu-kvm|qemu|kvm|modprobe|insmod|rmmod|depmod|kmod|libkmod|' +
    'systemd-modules-load|systemd-udevd|dracut-install|dracut|mkinitcpio|update-initramfs|dkms|virsh|libvirtd|virtqemud|' +
    'crun|runc|podman|docker|sudo|-?bash|sh|zsh|tee|echo|kubelet|virt-launcher|cloud-hypervisor|spdk_tgt|sign-file)(?:\\[\\d+\\])?(?:: line \\d+)?:\\s+',
);

// Wrappers: they say how an error travelled, never what it was. Taken off only when text follows.
const WRAPPERS: RegExp[] = [
  /^QMP command failed:\s+/i,
  /^TASK ERROR:\s+/,
  /^start failed:\s+/,
  /^(?:libvirt\.)?libvirtError:\s+/,
  /^libvirt:\s+(?:\w+\s+)?error\s*:\s+/i,
  /^Error starting domain:\s+/,
  /^(?:internal error|operation failed|argument unsupported|unsupported configuration|operation forbidden|invalid argument|Requested operation is not valid|Operation not supported|this function is not supported by the connection driver):\s+/,
  /^(?:process exited while connecting to monitor|qemu unexpectedly closed the monitor(?: \(vm='[^']*'\))?|Process exited prior to exec|unable to execute QEMU command '[\w-]+'):\s+/i,
  /^(?:docker:\s+)?Error response from daemon:\s+/,
  /^OCI runtime (?:create|start|exec|run) failed:\s+/,
  /^(?:runc|crun) (?:create|run|start) failed:\s+/,
  /^(?:unable to start container process|error during container init|container_linux\.go:\d+):\s+/,
  /^(?:FATAL|ERROR|Error|error|fatal|WARNING|Warning|warning|WARN|E|W):\s+/,
  /^(?:EAL|SPDK|VFIO|USER1):\s+/,
  /^\*\*\s*/,
];

// A compiler or script location ("src/amd/atom.c:123:5: ", "/usr/sbin/foo:42: ").
const LOCATION = /^(?:\/|\.{1,2}\/)?[\w.+-]+(?:\/[\w.+-]+)*:\d+(?::\d+)?:\s+/;
const DEVICE_OPTION = /^-device\s+(\S+?):\s+/;
const VFIO_PREFIX = new RegExp(`^vfio(?:[- ]pci)?(?: error)?(?: (${BDF}))?:\\s+`);

export function normaliseLine(raw: string): NormalisedLine {
  let s = cleanLine(raw).trim();
  if (FENCE.test(s)) return { message: '', headed: true, device: null, empty: true };
  let headed = false;
  let device: string | null = null;
  // Stamps, headers and program names start a message; generic words such as "error:" may as well
  // stand at the start of a wrapped line's second half, so they do not count as a start.
  const take = (re: RegExp, starts = true): boolean => {
    const m = re.exec(s);
    if (!m || m[0].length >= s.length) return false;
    s = s.slice(m[0].length);
    if (starts) headed = true;
    return true;
  };
  const takeWrapper = (re: RegExp): boolean => take(re, false);
  for (let pass = 0; pass < 16; pass++) {
    const before = s;
    s = s.replace(QUOTE, '').trim();
    if (s.length > 2 && s.startsWith('`') && s.endsWith('`') && !s.startsWith('``')) s = s.slice(1, -1).trim();
    if (s.startsWith('{')) {
      const j = jsonMessage(s);
      if (j !== null) {
        s = j;
        headed = true;
        continue;
      }
    }
    const p = parsePrefix(s);
    // A host name never ends in ":" and a program is not a device or sysfs file: "<ISO time> DMAR: DRHD:
    // ..." and "<time> open /dev/vfio/1: ..." are a stamp and a message, not a syslog header.
    if (p.format !== 'plain' && p.message.length < s.length && !(p.host ?? '').endsWith(':') && !/^\/(?:dev|sys|proc)\//.test(p.ident ?? '')) {
      s = p.message.trim();
      headed = true;
    }
    if (STAMPS.some((re) => take(re))) continue;
    let m = DEVICE_OPTION.exec(s);
    if (m) {
      device ??= hostOf(m[1]!);
      take(DEVICE_OPTION);
      continue;
    }
    m = VFIO_PREFIX.exec(s);
    if (m && m[0].length < s.length) {
      if (m[1]) device ??= m[1].toLowerCase();
      take(VFIO_PREFIX);
      continue;
    }
    m = DEVICE_PREFIX.exec(s);
    if (m && m[0].length < s.length) {
      device ??= m[2]!.toLowerCase();
      take(DEVICE_PREFIX);
      continue;
    }
    if (take(PROGRAMS) || WRAPPERS.some(takeWrapper) || takeWrapper(LOCATION)) continue;
    // The OCI runtime chain ends in ": unknown".
    if (s.includes('unknown')) s = s.replace(/:\s+unknown\.?$/, '');
    if (s === before) break;
  }
  s = s.trim();
  device ??= deviceIn(s);
  return { message: s, headed, device, empty: s === '' };
}

/** A continuation line of a wrapped message: only cleaned, never stripped of what looks like a prefix. */
export function continuationText(raw: string): string {
  return cleanLine(raw).trim().replace(QUOTE, '').trim();
}

// Compiled once: these run on every line the catalogue looks at.
const HOST_OPTION = new RegExp(`host"?[=:]"?((?:[0-9a-fA-F]{4}:)?${SHORT_BDF})`);
const FULL_BDF = new RegExp(`(?<![\\w:])(${BDF})(?![\\w])`);
const NODE_DEVICE = /pci_([0-9a-fA-F]{4})_([0-9a-fA-F]{2})_([0-9a-fA-F]{2})_([0-7])/;

function hostOf(option: string): string | null {
  const m = HOST_OPTION.exec(option);
  if (!m) return null;
  const a = m[1]!.toLowerCase();
  return a.length === 7 ? `0000:${a}` : a;
}

/** The first PCI function a message names: a full address, libvirt's node device name, a host= option. */
export function deviceIn(message: string): string | null {
  const full = FULL_BDF.exec(message);
  if (full) return full[1]!.toLowerCase();
  const node = NODE_DEVICE.exec(message);
  if (node) return `${node[1]}:${node[2]}:${node[3]}.${node[4]}`.toLowerCase();
  return hostOf(message);
}

// journald, KubeVirt, Docker and logfmt-in-JSON records: the message, and the reason when it is apart.
function jsonMessage(s: string): string | null {
  let obj: unknown;
  try {
    obj = JSON.parse(s);
  } catch {
    return null;
  }
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return null;
  const o = obj as Record<string, unknown>;
  const text = (k: string): string | null => (typeof o[k] === 'string' && (o[k] as string).trim() !== '' ? (o[k] as string).trim() : null);
  const msg = text('MESSAGE') ?? text('message') ?? text('msg') ?? text('log');
  const reason = text('reason') ?? text('error') ?? text('err');
  if (msg === null) return reason;
  return reason !== null && !msg.includes(reason) ? `${msg}: ${reason}` : msg;
}
