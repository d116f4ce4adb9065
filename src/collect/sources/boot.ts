import type { BlsEntry, BootConfig, BootLoader } from '../../snapshot/types.js';
import { parseEnvFile } from '../../parse/os-release.js';
import { note, type CollectContext } from '../context.js';

const BLS_DIRS = ['/boot/loader/entries', '/boot/efi/loader/entries', '/efi/loader/entries'];

export function parseBlsEntry(text: string, file: string): BlsEntry {
  const kv: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(\w+)\s+(.*)$/.exec(line);
    if (m && !m[1]!.startsWith('#')) kv[m[1]!] = (kv[m[1]!] ? kv[m[1]!] + ' ' : '') + m[2]!.trim();
  }
  return { file, title: kv['title'] ?? null, version: kv['version'] ?? null, linux: kv['linux'] ?? null, options: kv['options'] ?? null };
}

function hasTool(ctx: CollectContext, name: string): boolean {
  return ['/usr/sbin', '/usr/bin', '/sbin', '/bin'].some((d) => ctx.fs.exists(`${d}/${name}`));
}

/** Pop!_OS kernelstub keeps the command line in /etc/kernelstub/configuration (JSON, user.kernel_options). */
function readKernelstub(ctx: CollectContext): string | null {
  const r = ctx.fs.readText('/etc/kernelstub/configuration');
  if (!r.ok) return null;
  note(ctx, 'etc/kernelstub/configuration', r.record);
  try {
    const conf = JSON.parse(r.value) as { user?: { kernel_options?: unknown } };
    const opts = conf.user?.kernel_options;
    return Array.isArray(opts) ? opts.map(String).join(' ') : '';
  } catch (err) {
    note(ctx, 'etc/kernelstub/configuration', { status: 'error', path: '/etc/kernelstub/configuration', message: `not valid JSON: ${(err as Error).message}` });
    return '';
  }
}

export function collectBoot(ctx: CollectContext): BootConfig {
  let grubDefault = null as BootConfig['grubDefault'];
  const grubFiles = ['/etc/default/grub', ...ctx.fs.list('/etc/default/grub.d').filter((n) => n.endsWith('.cfg')).map((n) => `/etc/default/grub.d/${n}`)];
  for (const file of grubFiles) {
    const r = ctx.fs.readText(file);
    if (file === '/etc/default/grub') note(ctx, 'etc/default/grub', r.record);
    if (!r.ok) continue;
    const kv = parseEnvFile(r.value);
    // Later files override earlier ones, as grub-mkconfig sources them in this order.
    grubDefault = {
      file: kv['GRUB_CMDLINE_LINUX'] !== undefined || kv['GRUB_CMDLINE_LINUX_DEFAULT'] !== undefined || !grubDefault ? file : grubDefault.file,
      cmdlineLinux: kv['GRUB_CMDLINE_LINUX'] ?? grubDefault?.cmdlineLinux ?? null,
      cmdlineLinuxDefault: kv['GRUB_CMDLINE_LINUX_DEFAULT'] ?? grubDefault?.cmdlineLinuxDefault ?? null,
    };
  }
  const kc = ctx.fs.readText('/etc/kernel/cmdline');
  note(ctx, 'etc/kernel/cmdline', kc.record);
  const kernelstub = readKernelstub(ctx);
  const blsEntries: BlsEntry[] = [];
  for (const dir of BLS_DIRS) {
    for (const name of ctx.fs.list(dir)) {
      if (!name.endsWith('.conf')) continue;
      const r = ctx.fs.readText(`${dir}/${name}`);
      if (r.ok) blsEntries.push(parseBlsEntry(r.value, `${dir}/${name}`));
    }
  }
  const proxmoxBootTool = ctx.fs.exists('/etc/kernel/proxmox-boot-uuids');
  const tools = {
    updateGrub: hasTool(ctx, 'update-grub'),
    grub2Mkconfig: hasTool(ctx, 'grub2-mkconfig'),
    grubby: hasTool(ctx, 'grubby'),
    kernelstub: hasTool(ctx, 'kernelstub'),
    updateInitramfs: hasTool(ctx, 'update-initramfs'),
    dracut: hasTool(ctx, 'dracut'),
    mkinitcpio: hasTool(ctx, 'mkinitcpio'),
  };
  let loader: BootLoader = 'unknown';
  if (proxmoxBootTool && kc.ok) loader = 'proxmox-boot-tool';
  else if (kernelstub !== null) loader = 'kernelstub';
  else if (grubDefault || tools.updateGrub || tools.grub2Mkconfig || ctx.fs.exists('/boot/grub/grub.cfg') || ctx.fs.exists('/boot/grub2/grub.cfg')) loader = 'grub';
  else if (blsEntries.length > 0 || kc.ok) loader = 'systemd-boot';
  const kernelCmdline = kc.ok ? kc.value.trim() : kernelstub;
  return { loader, grubDefault, kernelCmdline, blsEntries, proxmoxBootTool, tools };
}
