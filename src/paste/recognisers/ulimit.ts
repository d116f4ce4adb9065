// The locked-memory limit: "ulimit -l" (KiB or "unlimited"), the "max locked memory (kbytes, -l)" line
// of ulimit -a, /proc/<pid>/limits ("Max locked memory  65536  65536  bytes"), systemd's LimitMEMLOCK=.
import { whereText, type Recogniser } from '../types.js';

const ULIMIT_A = /^max locked memory\s+\(kbytes, -l\)\s+(\d+|unlimited)$/;
const PROC_LIMITS = /^Max locked memory\s+(\d+|unlimited)\s+(\d+|unlimited)\s+bytes$/;
const SYSTEMD = /^(?:\S+:)?LimitMEMLOCK=(\S+)$/;

function kibOfSystemd(v: string): number | null | undefined {
  if (v === 'infinity') return null;
  const m = /^(\d+)([KMGT]?)$/i.exec(v.split(':')[0]!);
  if (!m) return undefined;
  const mult: Record<string, number> = { '': 1 / 1024, K: 1, M: 1024, G: 1048576, T: 1073741824 };
  return Math.floor(Number(m[1]) * mult[m[2]!.toUpperCase()]!);
}

export const ulimit: Recogniser = {
  id: 'ulimit',
  label: 'locked-memory limit (ulimit -l, /proc/PID/limits, LimitMEMLOCK=)',
  commands: /^(?:ulimit\b|prlimit\b|cat\s+\/proc\/\S+\/limits|systemctl\s+show\b)/,
  match(lines, at, ctx) {
    const t = lines[at]!.text.trim();
    let kib: number | null | undefined;
    let m = ULIMIT_A.exec(t);
    if (m) kib = m[1] === 'unlimited' ? null : Number(m[1]);
    else if ((m = PROC_LIMITS.exec(t))) kib = m[1] === 'unlimited' ? null : Math.floor(Number(m[1]) / 1024);
    else if ((m = SYSTEMD.exec(t))) kib = kibOfSystemd(m[1]!);
    else if (ctx.command !== null && /^ulimit\s+(?:-\w*)?l\b/.test(ctx.command) && /^(\d+|unlimited)$/.test(t)) kib = t === 'unlimited' ? null : Number(t);
    if (kib === undefined) return null;
    const value = kib;
    return {
      length: 1,
      apply(facts, where) {
        facts.memlock = { kib: value, where: whereText(where) };
        facts.note('memlock-limit', whereText(where));
      },
    };
  },
};
