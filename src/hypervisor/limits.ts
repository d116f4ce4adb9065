// Locked-memory limits as systemd units and pam_limits write them.
import type { LimitsConfMemlockSetting, MemlockSetting } from './types.js';

const SUFFIX: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5, e: 1024 ** 6 };

/** A systemd LimitMEMLOCK value ("infinity", "64M", "8388608", "soft:hard") -> KiB of the soft limit; undefined when unreadable. */
export function systemdLimitKiB(value: string): number | null | undefined {
  // The soft limit is what the process is held to until it raises it itself.
  const soft = value.trim().split(':')[0]!.trim();
  if (soft === 'infinity') return null;
  const m = /^(\d+)\s*([KMGTPE]?)i?B?$/i.exec(soft);
  if (!m) return undefined;
  return Math.floor((Number(m[1]) * SUFFIX[m[2]!.toLowerCase()]!) / 1024);
}

export function parseUnitMemlock(text: string, where: string): MemlockSetting[] {
  const out: MemlockSetting[] = [];
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const m = /^\s*LimitMEMLOCK\s*=\s*(.*?)\s*$/.exec(lines[n]!);
    if (!m) continue;
    const kib = systemdLimitKiB(m[1]!);
    // An empty assignment resets earlier ones: the systemd default applies again.
    if (m[1] === '' || kib === undefined) continue;
    out.push({ limitKiB: kib, text: lines[n]!.trim(), where, line: n + 1 });
  }
  return out;
}

/** memlock lines of limits.conf: "<domain> <soft|hard|-> memlock <KiB|unlimited|infinity>". */
export function parseLimitsConf(text: string, where: string): LimitsConfMemlockSetting[] {
  const out: LimitsConfMemlockSetting[] = [];
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const f = lines[n]!.replace(/#.*/, '').trim().split(/\s+/);
    if (f.length < 4 || f[2] !== 'memlock') continue;
    const v = f[3]!;
    const kib = v === 'unlimited' || v === 'infinity' || v === '-1' ? null : /^\d+$/.test(v) ? Number(v) : undefined;
    if (kib === undefined) continue;
    out.push({ limitKiB: kib, text: lines[n]!.trim(), where, line: n + 1, domain: f[0]!, type: f[1]! });
  }
  return out;
}
