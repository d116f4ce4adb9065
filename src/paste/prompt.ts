// Shell prompts and echoed commands in pasted terminal sessions. A prompt line tells what printed the
// lines below it, so it cuts the paste into chunks and hints the recogniser.

// Commands people run when asked for passthrough diagnostics. A "# word" line counts as a root prompt only
// when the word is one of these: otherwise it is a comment (modprobe.d, grub defaults, kernel config).
const KNOWN = new Set([
  'lspci', 'dmesg', 'journalctl', 'cat', 'grep', 'egrep', 'zgrep', 'rg', 'uname', 'lsmod', 'ls', 'find', 'virsh', 'qm', 'pct',
  'pveversion', 'mokutil', 'ulimit', 'modprobe', 'modinfo', 'dracut', 'mkinitcpio', 'update-initramfs', 'lsinitrd', 'lsinitramfs',
  'dkms', 'sed', 'head', 'tail', 'for', 'zcat', 'readlink', 'dpdk-devbind.py', 'dpdk-devbind', 'lscpu', 'systemctl', 'apt', 'apt-get',
  'dnf', 'yum', 'rpm', 'dpkg', 'pacman', 'awk', 'echo', 'tee', 'efibootmgr', 'bootctl', 'kernelstub', 'proxmox-boot-tool', 'grub-mkconfig',
  'grub2-mkconfig', 'update-grub', 'grubby', 'less', 'more', 'ls-iommu', 'bash', 'sh', 'sos', 'sosreport', 'lsusb', 'hostnamectl',
  'lsb_release', 'cut', 'sort', 'tree', 'stat', 'getfacl', 'id', 'groups', 'prlimit', 'qemu-system-x86_64', 'qemu-kvm', 'kvm',
  'cloud-hypervisor', 'kubectl', 'crictl', 'docker', 'podman', 'driverctl', 'xargs', 'zstdcat', 'xzcat', 'cpio', 'strings',
]);

const ALONE = new Set(['lspci', 'dmesg', 'lsmod', 'lscpu', 'lsusb', 'pveversion', 'hostnamectl', 'lsinitrd', 'lsb_release']);

/** The command word of a command line: "sudo -E lspci" -> "lspci", "./iommu.sh" -> "./iommu.sh". */
function firstWord(cmd: string): string {
  const m = /^\s*(?:(?:sudo|doas)(?:\s+-\S+)*\s+)?(\S+)/.exec(cmd);
  return m ? m[1]! : '';
}

function known(cmd: string): boolean {
  const w = firstWord(cmd);
  return KNOWN.has(w) || KNOWN.has(w.split('/').pop() ?? '') || /^\.?\/?[\w.-]+\.sh$/.test(w);
}

/** Removes sudo and its options, so hints match the command itself. */
export function withoutSudo(cmd: string): string {
  const m = /^\s*(?:sudo|doas)(?:\s+-\S+)*\s+(.*)$/.exec(cmd);
  return (m ? m[1]! : cmd).trim();
}

// user@host:~$ cmd   root@pve:~# cmd   [root@host dir]# cmd   host:~ # cmd   (venv) user@host:~$ cmd
const USER_HOST = /^(?:\([^)]*\)\s*)?(?:\[[\w.-]+@[\w.-]+[^\]]*\]|[\w.-]+@[\w.-]+(?::[^\s$#%>]*)?|[\w.-]+:[~/][^\s$#%>]*)\s?[$#%>]\s?(.*)$/;
// "$ cmd", "# cmd", "% cmd", "❯ cmd", "➜ dir cmd"
const BARE = /^(?:[$#%]|❯|»)\s+(.+)$/;

/**
 * The command of a prompt line, or null when the line is not one. `$ x` always is; `# x` and `% x`
 * only when x starts with a known command, as such lines are also comments.
 */
export function promptCommand(text: string): string | null {
  // Every prompt has one of these characters; most output lines can be passed over at once.
  if (!/[$#%>❯»]/.test(text)) return null;
  const t = text.trimStart();
  let m = USER_HOST.exec(t);
  if (m) {
    const cmd = m[1]!.trim();
    return cmd === '' ? '' : withoutSudo(cmd);
  }
  m = BARE.exec(t);
  if (m) {
    const cmd = m[1]!.trim();
    if (t.startsWith('$') || known(cmd)) return withoutSudo(cmd);
  }
  return null;
}

/**
 * A command echoed without a prompt ("sudo dracut -f", "dmesg | grep DMAR"): a known command word
 * followed by what only a command line has (options, a pipe, a path) or nothing at all.
 */
export function bareCommand(text: string): string | null {
  const t = text.trim();
  if (!known(t)) return null;
  const rest = t.slice(t.indexOf(firstWord(t)) + firstWord(t).length);
  // A word alone is a command only for the tools people run without arguments; "bash" or "systemd" alone
  // is as likely a line of output (lsinitrd's module list).
  if (/^\s*$/.test(rest)) return ALONE.has(firstWord(t)) ? withoutSudo(t) : null;
  if (/^\s+(-|\||\/|~|\$|`|"|')/.test(rest) || /^(sudo|doas)\s/.test(t) || /\s\|\s/.test(rest)) return withoutSudo(t);
  return null;
}
