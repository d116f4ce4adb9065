// uname -r ("6.8.0-48-generic"), uname -a ("Linux pve 6.8.12-4-pve #1 SMP PREEMPT_DYNAMIC ... x86_64
// GNU/Linux"), also behind a label as issue templates print it ("OS: Linux archlinux 7.1.2-arch3-1 ...").
import { whereText, type Recogniser } from '../types.js';

const UNAME_A = /^(?:[A-Za-z][\w ]*:\s*)?Linux (\S+) (\d+\.\d+[\w.+~-]*) (#\S*(?: .*)?)$/;
const ARCHES = /\b(x86_64|aarch64|arm64|ppc64le|s390x|riscv64|i[3-6]86|armv7l|loongarch64)\b/;
// A kernel release: digits, dots and a distribution suffix after a dash ("5.13.19-5-pve-relaxablermrr").
const RELEASE_STRICT = /^\d+\.\d+(?:\.\d+)?-[\w.+~-]+$/;
const RELEASE_ANY = /^\d+\.\d+(?:\.\d+)?(?:[-+.~_][\w.+~-]*)?$/;

export const uname: Recogniser = {
  id: 'uname',
  label: 'uname -r / uname -a',
  commands: /^uname\b/,
  match(lines, at, ctx) {
    const t = lines[at]!.text.trim();
    const a = UNAME_A.exec(t);
    if (a && /GNU\/Linux$|#\d/.test(t)) {
      return {
        length: 1,
        apply(facts, where) {
          facts.hostname = a[1]!;
          facts.kernelRelease = a[2]!;
          const rest = a[3]!;
          facts.kernelVersion = rest.replace(/\s+(x86_64|aarch64|arm64|ppc64le|s390x|riscv64|i[3-6]86|armv7l|loongarch64).*$/, '').trim();
          facts.architecture = ARCHES.exec(rest)?.[1] ?? null;
          facts.note('proc/sys/kernel/osrelease', whereText(where), 'uname -a');
        },
      };
    }
    const hinted = ctx.command !== null && /^uname\s+-\w*r\b/.test(ctx.command);
    if (hinted ? RELEASE_ANY.test(t) : RELEASE_STRICT.test(t)) {
      return {
        length: 1,
        apply(facts, where) {
          facts.kernelRelease = t;
          facts.note('proc/sys/kernel/osrelease', whereText(where), 'uname -r');
        },
      };
    }
    return null;
  },
};
