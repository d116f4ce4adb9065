import type { Rule } from '../../rule.js';
import type { Evidence } from '../../finding.js';
import { kernelAtLeast, kernelMajorMinor } from '../../context.js';
import { moduleKey } from '../../../parse/proc-modules.js';
import { rebuildInitramfsCommand } from '../../fixes/initramfs.js';
import { eventsOf, toolLines } from '../evidence-events.js';
import { sh, literalRegex } from '../../shell.js';

// What the module tools said when asked for a module this kernel does not have: modprobe at boot,
// systemd-modules-load, or an initramfs generator (which then fails to build the image at all).
const MKINITCPIO_MISSING = /ERROR: module not found: [`'"]([\w-]+)['"]/;
const GENERATORS = new Set(['dracut', 'mkinitcpio', 'update-initramfs']);
const RELEVANT = /^(vfio|kvm|vendor_reset|pci_stub|iommufd)/;

interface Miss {
  module: string;
  evidence: Evidence[];
  generator: boolean;
}

function kernelOfMessages(texts: string[]): string | null {
  for (const t of texts) {
    const m = /\/lib\/modules\/([^/\s]+)/.exec(t) ?? /--kver[= ]\s*([^\s`]+)/.exec(t);
    if (m && /^\d+\.\d+/.test(m[1]!)) return m[1]!;
  }
  return null;
}

export const moduleNotFound: Rule = {
  meta: {
    id: 'module-not-found',
    layer: 'modules',
    title: 'A module tool could not find a VFIO module',
    causes: ['module-renamed', 'module-missing'],
    description: 'No module tool (modprobe, systemd-modules-load, dracut, mkinitcpio, update-initramfs) reported a VFIO-related module that this kernel does not have.',
  },
  check(ctx, out) {
    const s = ctx.snap;
    const misses = new Map<string, Miss>();
    const add = (name: string, evidence: Evidence, generator: boolean) => {
      const k = moduleKey(name);
      if (!RELEVANT.test(k)) return;
      const m = misses.get(k) ?? { module: k, evidence: [], generator: false };
      if (!m.evidence.some((e) => e.source === evidence.source && e.line === evidence.line)) m.evidence.push(evidence);
      m.generator ||= generator;
      misses.set(k, m);
    };
    for (const e of eventsOf(s, ['module-not-found'])) add(String(e.event.fields['module']), e.evidence, GENERATORS.has(e.from) || /dracut/.test(String(e.event.fields['tool'] ?? '')));
    for (const t of toolLines(s, MKINITCPIO_MISSING)) add(MKINITCPIO_MISSING.exec(t.message.text)![1]!, t.evidence, true);
    if (misses.size === 0) return;
    // A generator that failed names what it was asked to include; that line is evidence too.
    const failed = toolLines(s, /FAILED:|ERROR:|failed for \/boot|Error: /, ['dracut', 'mkinitcpio', 'update-initramfs']);
    const release = kernelOfMessages(s.toolMessages.filter((m) => m.tool !== 'other').map((m) => m.text)) ?? s.host.kernelRelease;
    const k = kernelMajorMinor(release);
    for (const m of misses.values()) {
      const generator = m.generator || failed.some((f) => new RegExp(`\\b${m.module.replace(/_/g, '[-_]')}\\b`).test(f.message.text));
      const evidence = [...m.evidence, ...failed.filter((f) => !m.evidence.some((e) => e.line === f.evidence.line && e.source === f.evidence.source)).map((f) => f.evidence)].slice(0, 5);
      const virqfdGone = m.module === 'vfio_virqfd' && kernelAtLeast(k, 6, 2) !== false;
      const coreTooEarly = m.module === 'vfio_pci_core' && kernelAtLeast(k, 5, 15) === false;
      if (virqfdGone || coreTooEarly) {
        out.report({
          cause: 'module-renamed',
          severity: generator ? 'fail' : 'warn',
          title: generator
            ? `The initramfs build failed on ${m.module}, which kernel ${release ?? '6.2+'} does not have`
            : `${m.module} is listed to load, but kernel ${release ?? '6.2+'} has no such module`,
          evidence,
          decision: virqfdGone
            ? `vfio_virqfd was merged into vfio in kernel 6.2${release ? '' : ' (if this kernel is older, the VFIO modules are missing instead: check uname -r)'}: its function is always there and nothing replaces it. Remove vfio_virqfd from every module list${generator ? '; until then the initramfs generator aborts and the new initramfs is not built, so the next boot may use a stale one or none' : ' (the boot just prints an error; the rest still loads)'}, then rebuild the initramfs.`
            : 'vfio_pci_core exists only from kernel 5.15 on (vfio-pci was split then): on this kernel vfio-pci contains it. Remove vfio_pci_core from the module lists and rebuild the initramfs.',
          commands: [
            sh`grep -rn -e ${m.module} /etc/modules /etc/modules-load.d /etc/initramfs-tools/modules /etc/dracut.conf /etc/dracut.conf.d /etc/mkinitcpio.conf /etc/mkinitcpio.conf.d 2>/dev/null`,
            sh`sed -i 's/\\b${literalRegex(m.module)}\\b//g' <each file listed above>`,
            rebuildInitramfsCommand(s),
          ],
        });
        continue;
      }
      const core = ['vfio', 'vfio_pci', 'vfio_iommu_type1'].includes(m.module);
      out.report({
        cause: 'module-missing',
        severity: core || generator ? 'fail' : 'warn',
        title: `Module ${m.module} is not found for kernel ${release ?? '(release not known)'}`,
        evidence,
        decision: core
          ? 'This kernel has no VFIO driver as a module: install the kernel\'s extra-modules package (Debian/Ubuntu: linux-modules-extra-$(uname -r); Fedora: kernel-modules-core), or check whether it is built in (grep vfio /lib/modules/$(uname -r)/modules.builtin) and drop it from the module lists if so.'
          : m.module === 'vendor_reset'
            ? 'vendor-reset is an out-of-tree module: it must be rebuilt for every new kernel (DKMS). Check "dkms status" and its make.log for the build error; until it loads, AMD GPUs with reset bugs will not survive a VM restart.'
            : `The module lists name ${m.module}, which this kernel does not provide: remove it or install the package that provides it, then rebuild the initramfs.`,
        commands: [sh`modinfo ${m.module}`, 'dkms status', rebuildInitramfsCommand(s)],
      });
    }
  },
};
