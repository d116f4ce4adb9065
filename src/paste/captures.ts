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

/** A capture as positions in a list of kernel lines. */
export interface CaptureRange {
  label: string;
  /** Positions of its lines, oldest first. */
  at: Int32Array;
}

const BOOT_START = /^Linux version \d/;

/** What splitting needs to know of each line: its host name and whether it starts a boot (a KernelLines store). */
export interface LineKeys {
  length: number;
  host(i: number): string | null;
  startsBoot(i: number): boolean;
}

function boots(group: Int32Array, keys: LineKeys): Int32Array[] {
  const out: Int32Array[] = [];
  let from = 0;
  for (let k = 0; k < group.length; k++) {
    if (keys.startsBoot(group[k]!) && k > from) {
      out.push(group.subarray(from, k));
      from = k;
    }
  }
  if (group.length > from) out.push(group.subarray(from));
  return out;
}

/** The lines split into captures, as positions, oldest first; one capture when the lines hold one. */
export function captureRanges(keys: LineKeys): CaptureRange[] {
  // Groups in the order their first line appears; lines without a host name (dmesg) form their own group
  // only when two named hosts are there, otherwise they belong to the one host. Lines are counted per host
  // first, so a log of one host (the usual paste) is one list of positions, and several hosts get lists of
  // their exact sizes (a list of numbers grown a line at a time was 8 MB at the peak of a 50 MB paste).
  const counts = new Map<string | null, number>();
  for (let i = 0; i < keys.length; i++) {
    const host = keys.host(i);
    counts.set(host, (counts.get(host) ?? 0) + 1);
  }
  const named = [...counts.keys()].filter((h) => h !== null).length;
  let groups: [string | null, Int32Array][];
  if (named <= 1) {
    const a = new Int32Array(keys.length);
    for (let i = 0; i < a.length; i++) a[i] = i;
    groups = [[null, a]];
  } else {
    const byHost = new Map<string | null, { at: Int32Array; n: number }>();
    for (const [host, n] of counts) byHost.set(host, { at: new Int32Array(n), n: 0 });
    for (let i = 0; i < keys.length; i++) {
      const g = byHost.get(keys.host(i))!;
      g.at[g.n++] = i;
    }
    groups = [...byHost].map(([h, g]) => [h, g.at]);
  }
  const out: CaptureRange[] = [];
  for (const [host, group] of groups) {
    const bs = boots(group, keys);
    bs.forEach((b, i) => {
      const boot = bs.length > 1 ? `boot ${i + 1} of ${bs.length}` : '';
      const label = [host !== null ? `host ${host}` : groups.length > 1 ? 'lines without a host name' : '', boot].filter(Boolean).join(', ');
      out.push({ label: label || 'kernel log', at: b });
    });
  }
  return out;
}

/** The kernel lines split into captures, oldest first; one capture when the paste holds one. */
export function splitCaptures(lines: readonly KernelInputLine[]): KernelCapture[] {
  const parsed = lines.map((l) => parsePrefix(l.text.trim()));
  const keys: LineKeys = { length: lines.length, host: (i) => parsed[i]!.host, startsBoot: (i) => BOOT_START.test(parsed[i]!.message.trim()) };
  return captureRanges(keys).map((c) => ({ label: c.label, lines: Array.from(c.at, (i) => lines[i]!) }));
}
