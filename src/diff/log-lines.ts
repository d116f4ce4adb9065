// Kernel-log lines from two boots compared as messages: every way of reading the log puts its own
// clock in front (dmesg's seconds since boot, dmesg -T's wall clock, syslog and journal stamps with
// the host name), and that clock differs at every boot while the message does not.

const PRIORITY = /^<\d{1,3}>/;
const KMSG = /^\d+,\d+,\d+,[^;]*;/;
const DMESG_LEVEL = /^(?:kern|user|mail|daemon|auth|syslog|lpr|news|uucp|cron|authpriv|ftp|local\d)\s*:\s*(?:emerg|alert|crit|err|warn|notice|info|debug)\s*: /;
const BRACKETED = /^\[\s*(?:[+-]?\d+(?:[.,]\d+)?|[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]?\d \d\d:\d\d:\d\d \d{4}|[A-Z][a-z]{2}\s+\d+ \d\d:\d\d|\d{4}-\d\d-\d\d[T ][\d:.,]+(?:Z|[+-]\d\d:?\d\d)?)\]\s*/;
const CALLER = /^\[\s*[TC]\d+\]\s*/;
const ISO = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?\s+/;
const SYSLOG = /^[A-Z][a-z]{2}\s+\d{1,2} \d\d:\d\d:\d\d(?:\.\d+)?\s+/;
const UNIX = /^\d{9,}\.\d+\s+/;
// After a syslog or journal stamp: "<host> kernel: " (journal -o short-full puts a weekday first).
const HOST_KERNEL = /^(?:[A-Z][a-z]{2} )?\S+ kernel(?:\[\d+\])?: /;
const FULL_WEEKDAY = /^[A-Z][a-z]{2} \d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)? [A-Z]{2,5}\s+/;

const STAMPS = [BRACKETED, FULL_WEEKDAY, ISO, SYSLOG, UNIX];
const MARKERS = [PRIORITY, KMSG, DMESG_LEVEL, CALLER];

/** The message of one log line, without any time, priority or host prefix, whitespace collapsed. */
export function messageOf(line: string): string {
  let s = line.trim();
  // Prefixes stack (rsyslog's stamp in front of dmesg's, a caller id after a clock): peel one at a
  // time until none is left. Most lines carry exactly one, so this is a handful of anchored tests.
  for (let guard = 0; guard < 8; guard++) {
    let m: RegExpExecArray | null = null;
    for (const re of STAMPS) {
      m = re.exec(s);
      if (m) break;
    }
    if (m) {
      s = s.slice(m[0].length);
      const host = HOST_KERNEL.exec(s);
      if (host) s = s.slice(host[0].length);
      continue;
    }
    for (const re of MARKERS) {
      m = re.exec(s);
      if (m) break;
    }
    if (!m) break;
    s = s.slice(m[0].length);
  }
  return /\s\s|[\t\r\n\f\v]/.test(s) ? s.replace(/\s+/g, ' ').trim() : s.trim();
}

/** The message with the numbers that vary between occurrences (addresses, counts, delays) masked. */
export function messageKind(message: string): string {
  return message
    .replace(/0x[0-9a-fA-F]+/g, '0x#')
    .replace(/\b(fault addr|address=|index) ?[0-9a-fA-F]+\b/g, '$1 #')
    .replace(/\b\d+ callbacks suppressed/g, '# callbacks suppressed')
    .replace(/\b\d+ ?ms\b/g, '#ms')
    .replace(/\b(status reg|reason) \d+\b/g, '$1 #');
}

const FULL_BDF = /\b([0-9a-fA-F]{4}):([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])\b/;
const SHORT_BDF = /\[(?:0x)?([0-9a-fA-F]{2}):(?:0x)?([0-9a-fA-F]{2})\.([0-7])\]|device=([0-9a-fA-F]{2}):([0-9a-fA-F]{2})\.([0-7])\b/;

/** The PCI function a message is about, when it names one (DMAR faults print no domain: 0000 is assumed). */
export function messageDevice(message: string): string | null {
  const f = FULL_BDF.exec(message);
  if (f) return `${f[1]!.toLowerCase()}:${f[2]!.toLowerCase()}:${f[3]!.toLowerCase()}.${f[4]}`;
  const s = SHORT_BDF.exec(message);
  if (!s) return null;
  const bus = s[1] ?? s[4]!;
  const dev = s[2] ?? s[5]!;
  const fn = s[3] ?? s[6]!;
  return `0000:${bus.toLowerCase()}:${dev.toLowerCase()}.${fn}`;
}
