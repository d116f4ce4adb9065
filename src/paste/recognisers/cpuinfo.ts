// The CPU: /proc/cpuinfo ("vendor_id : GenuineIntel", "flags : ... vmx ...") or lscpu ("Vendor ID:
// AuthenticAMD", "Flags: ... svm ...", "Virtualization: AMD-V").
import { parseCpuinfo } from '../../parse/cpuinfo.js';
import { whereText, type Recogniser } from '../types.js';

const CPUINFO = /^(processor|vendor_id|cpu family|model|model name|stepping|microcode|cpu MHz|cache size|physical id|siblings|core id|cpu cores|apicid|initial apicid|fpu|fpu_exception|cpuid level|wp|flags|vmx flags|bugs|bogomips|TLB size|clflush size|cache_alignment|address sizes|power management)\s*:/;
const LSCPU = /^(Architecture|CPU op-mode\(s\)|Address sizes|Byte Order|CPU\(s\)|On-line CPU\(s\) list|Vendor ID|Model name|CPU family|Model|Thread\(s\) per core|Core\(s\) per (?:socket|cluster)|Socket\(s\)|Stepping|CPU(?:\(s\))? (?:max|min) MHz|CPU MHz|BogoMIPS|Flags|Virtualization(?: type)?|Hypervisor vendor|L1d cache|L1i cache|L2 cache|L3 cache|NUMA node\(s\)|NUMA node\d+ CPU\(s\)|Vulnerability .*|Caches \(sum of all\):|Frequency boost|CPU scaling MHz|BIOS Vendor ID|BIOS Model name|Virtualization features:|NUMA:|Vulnerabilities:)\s*:?/;

export const cpuinfo: Recogniser = {
  id: 'cpuinfo',
  label: '/proc/cpuinfo, lscpu',
  commands: /\/proc\/cpuinfo|^lscpu\b/,
  match(lines, at) {
    const first = lines[at]!.text.trim();
    const isCpuinfo = CPUINFO.test(first);
    if (!isCpuinfo && !LSCPU.test(first)) return null;
    let i = at;
    const re = isCpuinfo ? CPUINFO : LSCPU;
    while (i < lines.length && (re.test(lines[i]!.text.trim()) || (isCpuinfo && lines[i]!.text.trim() === ''))) i++;
    while (i > at && lines[i - 1]!.text.trim() === '') i--;
    const slice = lines.slice(at, i).map((l) => l.text.trim());
    // Without vendor and flags nothing can be said about VT-x / AMD-V.
    const text = isCpuinfo
      ? slice.join('\n')
      : slice
          .map((l) => l.replace(/^Vendor ID:\s*/, 'vendor_id\t: ').replace(/^Flags:\s*/, 'flags\t\t: ').replace(/^Model name:\s*/, 'model name\t: '))
          .join('\n');
    if (!/^vendor_id\s*:/m.test(text) || !/^flags\s*:/m.test(text)) {
      return { length: i - at, apply: () => undefined };
    }
    return {
      length: i - at,
      apply(facts, where) {
        facts.cpu = parseCpuinfo(text);
        facts.note('proc/cpuinfo', whereText(where), isCpuinfo ? undefined : 'lscpu');
      },
    };
  },
};
