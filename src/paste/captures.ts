// Several captures in one paste: a log from before and after a fix (two boots: a second "Linux version"
// line), or logs of two machines (different host names in the syslog prefixes). Mixed, the earlier boot's
// failure and the later boot's success would be read as one host at one time. They are kept apart: the
// latest capture (the last host in the paste, its last boot) is what the verdict judges; each earlier one
// is analysed on its own and shown as "before".
import { parsePrefix } from '../log/prefix.js';
import type { KernelInputLine } from './facts.js';

export interface KernelCapture {
  /** "boot 1 of 2", "host pve2", "host pve2, boot 1 of 2". */
  label: string;
  lines: KernelInputLine[];
}

const BOOT_START = /^Linux version \d/;

function boots(lines: KernelInputLine[]): KernelInputLine[][] {
  const out: KernelInputLine[][] = [];
  let cur: KernelInputLine[] = [];
  for (const l of lines) {
    if (BOOT_START.test(parsePrefix(l.text.trim()).message.trim()) && cur.length > 0) {
      out.push(cur);
      cur = [];
    }
    cur.push(l);
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/** The kernel lines split into captures, oldest first; one capture when the paste holds one. */
export function splitCaptures(lines: readonly KernelInputLine[]): KernelCapture[] {
  // Groups in the order their first line appears; lines without a host name (dmesg) form their own group
  // only when two named hosts are there, otherwise they belong to the one host.
  const byHost = new Map<string | null, KernelInputLine[]>();
  for (const l of lines) {
    const host = parsePrefix(l.text.trim()).host;
    let g = byHost.get(host);
    if (!g) {
      g = [];
      byHost.set(host, g);
    }
    g.push(l);
  }
  const named = [...byHost.keys()].filter((h) => h !== null).length;
  const groups: [string | null, KernelInputLine[]][] = named <= 1 ? [[null, [...lines]]] : [...byHost.entries()];
  const out: KernelCapture[] = [];
  for (const [host, group] of groups) {
    const bs = boots(group);
    bs.forEach((b, i) => {
      const boot = bs.length > 1 ? `boot ${i + 1} of ${bs.length}` : '';
      const label = [host !== null ? `host ${host}` : groups.length > 1 ? 'lines without a host name' : '', boot].filter(Boolean).join(', ');
      out.push({ label: label || 'kernel log', lines: b });
    });
  }
  return out;
}
