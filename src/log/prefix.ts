// Strips the prefixes that the various ways of reading the kernel log put in front of a message, and
// keeps what they say (time, host, priority, the device the message is about).
//
// Handled, alone or stacked: journalctl JSON (one object per line); /dev/kmsg records ("6,123,4567,-;");
// "<6>" priorities (dmesg -r); "kern  :info  : " (dmesg -x); syslog / journalctl short, short-precise,
// short-iso(-precise), short-full, short-unix and short-monotonic lines ("<time> <host> <ident>: ");
// dmesg stamps "[    1.234567]", "[Tue Feb  4 10:18:11 2026]" (dmesg -T), "[Feb 4 10:18]" and
// "[  +0.000123]" (dmesg -H / -d), printk caller ids "[    T1]"; ISO stamps of dmesg --time-format=iso;
// and finally the "<driver> <dddd:bb:dd.f>: " device prefix of dev_printk().

export type LineFormat =
  | 'plain'
  | 'dmesg'
  | 'dmesg-ctime'
  | 'dmesg-iso'
  | 'dmesg-raw'
  | 'kmsg'
  | 'syslog'
  | 'syslog-iso'
  | 'journal-full'
  | 'journal-unix'
  | 'journal-monotonic'
  | 'journal-json';

export interface DevicePrefix {
  /** The driver or bus name printed before the address ("vfio-pci", "pci", "nvme"). */
  driver: string;
  /** Lower-case dddd:bb:dd.f, or null for non-PCI devices such as "iommu ivhd0". */
  address: string | null;
  /** The printed device name when it is not a PCI address ("ivhd0", "dmar0"). */
  name: string | null;
}

export interface ParsedLine {
  /** What the kernel printed: all prefixes removed except the device prefix. */
  message: string;
  /** message without the device prefix: what the recognizers match. */
  text: string;
  device: DevicePrefix | null;
  format: LineFormat;
  /** Seconds since boot, when the line says. */
  monotonic: number | null;
  /** Wall-clock time as written, when the line says. */
  wallclock: string | null;
  host: string | null;
  /** The syslog identifier ("kernel", "qemu-system-x86_64[4242]"); null for raw kernel log formats. */
  ident: string | null;
  /** Log level 0 (emerg) … 7 (debug), when the line says. */
  level: number | null;
}

const LEVELS = ['emerg', 'alert', 'crit', 'err', 'warn', 'notice', 'info', 'debug'];

const ANSI_SGR = /\x1b\[[0-9;]*[A-Za-z]/g;
const KMSG = /^(\d+),(\d+),(\d+),[^;]*;/;
const PRIORITY = /^<(\d{1,3})>/;
const DMESG_X = /^([a-z0-9]+)\s*:\s*(emerg|alert|crit|err|warn|notice|info|debug)\s*: ?/;
const MONTHS = 'Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec';
const DAYS = 'Mon|Tue|Wed|Thu|Fri|Sat|Sun';
// The syslog identifier: a program name (starts with a letter or "/"), an optional [pid].
const IDENT = '([A-Za-z_/][^\\s:\\[\\]]*(?:\\[\\d+\\])?):';
const SYSLOG = new RegExp(`^((?:${MONTHS}) [ \\d]\\d \\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?) (\\S+) ${IDENT} ?`);
// syslog/journal ISO stamps use "." for fractions; dmesg --time-format=iso uses ",".
const ISO_TIME = '\\d{4}-\\d\\d-\\d\\d[T ]\\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?(?:Z|[+-]\\d\\d:?\\d\\d)?';
const DMESG_ISO_TIME = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d,\\d+(?:Z|[+-]\\d\\d:?\\d\\d)?';
const SYSLOG_ISO = new RegExp(`^(${ISO_TIME}) (\\S+) ${IDENT} ?`);
const JOURNAL_FULL = new RegExp(`^((?:${DAYS}) \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?(?: [A-Za-z+\\-0-9]+)?) (\\S+) ${IDENT} ?`);
const JOURNAL_UNIX = new RegExp(`^(\\d{9,}\\.\\d+) (\\S+) ${IDENT} ?`);
// Only "kernel" or "name[pid]" as identifier: "[ 1.2] pci 0000:00:01.0: …" must stay a dmesg line; and
// a host name has no colon: "[ 1.2] AMD-Vi: DTE[0]: …" is a dmesg line too.
const JOURNAL_MONO = /^\[\s*(\d+\.\d+)\] ([^\s:]+) (kernel|[^\s:\[\]]+\[\d+\]): ?/;
const DMESG_ISO = new RegExp(`^(${DMESG_ISO_TIME}) `);
// "[    1.234567]", "[  +0.000123]", "[    1.234567 <    0.000123>]", "[<    0.000123>]".
const STAMP_MONO = /^\[\s*(?:\+?(\d+\.\d+))?\s*(?:<\s*\d+\.\d+>)?\]\s?/;
const STAMP_CTIME = new RegExp(`^\\[((?:${DAYS}) (?:${MONTHS}) [ \\d]?\\d \\d\\d:\\d\\d:\\d\\d \\d{4})\\]\\s?`);
const STAMP_HUMAN = new RegExp(`^\\[((?:${MONTHS}) ?\\s?\\d{1,2} \\d\\d:\\d\\d(?::\\d\\d)?)\\]\\s?`);
const CALLER = /^\[\s*[TC]\d+\]\s?/;
const DEVICE = /^([A-Za-z0-9_.+-]+) ([0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]): /;
const IOMMU_DEVICE = /^(iommu) ((?:ivhd|dmar)\d+): /;

function blank(): ParsedLine {
  return { message: '', text: '', device: null, format: 'plain', monotonic: null, wallclock: null, host: null, ident: null, level: null };
}

/** Parses one line of any supported format. Never throws. */
export function parsePrefix(line: string): ParsedLine {
  const out = blank();
  let s = cleanLine(line);
  if (s.startsWith('{')) {
    const j = parseJsonLine(s);
    if (j) {
      out.format = 'journal-json';
      out.monotonic = j.monotonic;
      out.wallclock = j.wallclock;
      out.host = j.host;
      out.ident = j.ident;
      out.level = j.level;
      s = j.message;
    }
  }
  s = stripOuter(s, out);
  s = stripStamps(s, out);
  out.message = s;
  const dev = DEVICE.exec(s) ?? (s.charCodeAt(0) === 105 ? IOMMU_DEVICE.exec(s) : null);
  if (dev) {
    const addr = dev[2] as string;
    const isPci = addr.includes(':');
    out.device = { driver: dev[1] as string, address: isPci ? addr.toLowerCase() : null, name: isPci ? null : addr };
    out.text = s.slice(dev[0].length);
  } else {
    out.text = s;
  }
  return out;
}

/**
 * Length of a syslog or journal header ("Jan 31 09:12:02 host kernel: ") at the start of a line, 0 when
 * there is none. The scanner uses it so that a host name such as "vfio-lab" does not make every line
 * look relevant.
 */
export function headerLength(line: string): number {
  const first = line.charCodeAt(0);
  // Cheap exits first: this runs on every candidate line of a large log.
  if (first === 91) {
    const m = JOURNAL_MONO.exec(line);
    return m ? m[0].length : 0;
  }
  if (!((first >= 65 && first <= 90) || (first >= 48 && first <= 57) || first === 60)) return 0;
  const out = blank();
  const rest = stripOuter(line, out);
  return out.host !== null ? line.length - rest.length : 0;
}

/** Removes ANSI colour codes (dmesg --color=always pasted) and a trailing carriage return. */
export function cleanLine(line: string): string {
  let s = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (s.includes('\x1b')) s = s.replace(ANSI_SGR, '');
  if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
  return s;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

// Priorities, kmsg records and syslog headers: things that come before any dmesg stamp. Every pattern
// here is anchored at the start and can only match a line whose first character it allows, so that
// character picks the patterns worth running: this runs on every line the decoders look at.
function stripOuter(input: string, out: ParsedLine): string {
  let s = input;
  let m: RegExpExecArray | null;
  if (isDigit(s.charCodeAt(0))) {
    m = KMSG.exec(s);
    if (m) {
      out.format = 'kmsg';
      out.level = Number(m[1]) & 7;
      out.monotonic = Number(m[3]) / 1e6;
      return s.slice(m[0].length);
    }
  }
  if (s.charCodeAt(0) === 60) {
    m = PRIORITY.exec(s);
    if (m) {
      out.format = 'dmesg-raw';
      out.level = Number(m[1]) & 7;
      s = s.slice(m[0].length);
    }
  }
  const lead = s.charCodeAt(0);
  if (isDigit(lead) || (lead >= 97 && lead <= 122)) {
    m = DMESG_X.exec(s);
    if (m && LEVELS.includes(m[2] as string)) {
      out.level = LEVELS.indexOf(m[2] as string);
      s = s.slice(m[0].length);
    }
  }
  const first = s.charCodeAt(0);
  // Only lines starting with a letter, a digit or "[" can carry a syslog or journal header.
  const headers = first === 91 ? HEADERS_BRACKET : isDigit(first) ? HEADERS_DIGIT : first >= 65 && first <= 90 ? HEADERS_UPPER : null;
  if (headers !== null) {
    for (const [re, format] of headers) {
      m = re.exec(s);
      if (!m) continue;
      if (format === 'journal-monotonic') out.monotonic = Number(m[1]);
      else out.wallclock = m[1] as string;
      out.host = m[2] as string;
      out.ident = m[3] as string;
      out.format = format;
      return s.slice(m[0].length);
    }
  }
  return s;
}

// The headers in the order they are tried, split by the first character they can start with: a month
// or a day name, a digit (ISO and Unix stamps), "[" (short-monotonic).
const HEADERS_UPPER: [RegExp, LineFormat][] = [
  [SYSLOG, 'syslog'],
  [JOURNAL_FULL, 'journal-full'],
];
const HEADERS_DIGIT: [RegExp, LineFormat][] = [
  [SYSLOG_ISO, 'syslog-iso'],
  [JOURNAL_UNIX, 'journal-unix'],
];
const HEADERS_BRACKET: [RegExp, LineFormat][] = [[JOURNAL_MONO, 'journal-monotonic']];

// dmesg-style stamps, possibly two in a row ("[Feb 4 10:18] [  +0.000123]") and a caller id after them.
// All of them start with "[", except the ISO stamp of dmesg --time-format=iso, which starts with a digit.
function stripStamps(input: string, out: ParsedLine): string {
  let s = input;
  for (let k = 0; k < 3; k++) {
    const first = s.charCodeAt(0);
    if (first !== 91) {
      if (k === 0 && out.format === 'plain' && isDigit(first)) {
        const m = DMESG_ISO.exec(s);
        if (m) {
          out.wallclock = m[1] as string;
          out.format = 'dmesg-iso';
          s = s.slice(m[0].length);
          continue;
        }
      }
      break;
    }
    let m = STAMP_MONO.exec(s);
    if (m && (m[1] !== undefined || m[0].includes('<'))) {
      if (m[1] !== undefined && !m[0].includes('+') && out.monotonic === null) out.monotonic = Number(m[1]);
      if (out.format === 'plain') out.format = 'dmesg';
      s = s.slice(m[0].length);
      continue;
    }
    m = STAMP_CTIME.exec(s) ?? STAMP_HUMAN.exec(s);
    if (m) {
      if (out.wallclock === null) out.wallclock = m[1] as string;
      if (out.format === 'plain') out.format = 'dmesg-ctime';
      s = s.slice(m[0].length);
      continue;
    }
    m = CALLER.exec(s);
    if (m) {
      s = s.slice(m[0].length);
      continue;
    }
    break;
  }
  return s;
}

interface JsonLine {
  message: string;
  monotonic: number | null;
  wallclock: string | null;
  host: string | null;
  ident: string | null;
  level: number | null;
}

const JSON_MESSAGE = /"(MESSAGE|message|msg)"\s*:\s*("(?:[^"\\]|\\.)*")/;

/**
 * One journalctl -o json record (or another one-object-per-line log with a msg/message field). A record
 * cut at the line limit is no longer valid JSON: the message field is then dug out on its own.
 */
export function parseJsonLine(line: string): JsonLine | null {
  let obj: Record<string, unknown> | null = null;
  try {
    const v: unknown = JSON.parse(line);
    if (v && typeof v === 'object' && !Array.isArray(v)) obj = v as Record<string, unknown>;
  } catch {
    const m = JSON_MESSAGE.exec(line);
    if (!m) return null;
    try {
      obj = { [m[1] as string]: JSON.parse(m[2] as string) as unknown };
    } catch {
      return null;
    }
  }
  if (!obj) return null;
  const raw = obj['MESSAGE'] ?? obj['message'] ?? obj['msg'];
  let message: string | null = null;
  if (typeof raw === 'string') message = raw;
  // journald writes a message that is not valid UTF-8 as an array of byte values.
  else if (Array.isArray(raw) && raw.every((b) => typeof b === 'number')) message = Buffer.from(raw as number[]).toString('utf8');
  if (message === null) return null;
  const mono = obj['_SOURCE_MONOTONIC_TIMESTAMP'] ?? obj['__MONOTONIC_TIMESTAMP'];
  const real = obj['__REALTIME_TIMESTAMP'];
  const prio = obj['PRIORITY'];
  return {
    message: message.replace(/\n+$/, ''),
    monotonic: typeof mono === 'string' && /^\d+$/.test(mono) ? Number(mono) / 1e6 : null,
    wallclock: typeof real === 'string' && /^\d+$/.test(real) ? new Date(Number(real) / 1000).toISOString() : null,
    host: typeof obj['_HOSTNAME'] === 'string' ? obj['_HOSTNAME'] : null,
    ident: typeof obj['SYSLOG_IDENTIFIER'] === 'string' ? obj['SYSLOG_IDENTIFIER'] : null,
    level: typeof prio === 'string' && /^[0-7]$/.test(prio) ? Number(prio) : null,
  };
}

/** A JSON record rewritten the way dmesg would show it, so later readers need not know JSON. */
export function jsonLineAsText(line: string): string | null {
  const j = parseJsonLine(line);
  if (!j) return null;
  const msg = j.message.replace(/\n/g, ' ');
  return j.monotonic !== null ? `[${j.monotonic.toFixed(6).padStart(12)}] ${msg}` : msg;
}
