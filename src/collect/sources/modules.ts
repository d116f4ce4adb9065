import type { ModprobeEntry, ModuleLoadEntry, ModulesInfo } from '../../snapshot/types.js';
import { parseProcModules, moduleKey } from '../../parse/proc-modules.js';
import { parseModprobeConf, parseModulesLoad } from '../../parse/modprobe-conf.js';
import { parseDracutConf, parseInitramfsToolsModules, parseMkinitcpioConf } from '../../parse/initramfs-config.js';
import { matchModaliases } from '../../modules/alias-match.js';
import { note, type CollectContext } from '../context.js';
import { compareByteOrder } from '../../text/byte-order.js';

// modprobe.d directories in kmod's priority order: a file name in an earlier directory hides the
// same name in later ones.
const MODPROBE_DIRS = ['/etc/modprobe.d', '/run/modprobe.d', '/usr/local/lib/modprobe.d', '/usr/lib/modprobe.d', '/lib/modprobe.d'];
const MODULES_LOAD_DIRS = ['/etc/modules-load.d', '/run/modules-load.d', '/usr/local/lib/modules-load.d', '/usr/lib/modules-load.d', '/lib/modules-load.d'];
const PARAM_MODULES = /^(vfio|kvm|iommu|pci_stub|vendor_reset)/;

function configFiles(ctx: CollectContext, dirs: string[], suffix: string): string[] {
  const chosen = new Map<string, string>();
  for (const dir of dirs) {
    const listing = ctx.fs.readDir(dir);
    if (!listing.ok) {
      // A directory that exists but cannot be listed may hold the very option that decides: it is
      // something not checked, never "no files".
      if (listing.record.status !== 'absent') note(ctx, `config-dir:${dir}`, listing.record);
      continue;
    }
    for (const name of listing.value) {
      if (!name.endsWith(suffix) || chosen.has(name)) continue;
      chosen.set(name, `${dir}/${name}`);
    }
  }
  // In kmod's and systemd's order: strcmp of the names, whatever directory each came from.
  return [...chosen.entries()].sort(([a], [b]) => compareByteOrder(a, b)).map(([, p]) => p);
}

function modulesDir(ctx: CollectContext, release: string): string | null {
  for (const d of [`/lib/modules/${release}`, `/usr/lib/modules/${release}`]) if (ctx.fs.isDir(d)) return d;
  return null;
}

function collectModprobe(ctx: CollectContext): ModprobeEntry[] {
  const entries: ModprobeEntry[] = [];
  const files = configFiles(ctx, MODPROBE_DIRS, '.conf');
  for (const file of files) {
    const r = ctx.fs.readText(file);
    if (!r.ok) {
      note(ctx, `modprobe.d:${file}`, r.record);
      continue;
    }
    entries.push(...parseModprobeConf(r.value, file).entries);
  }
  note(ctx, 'modprobe.d', { status: 'read', path: MODPROBE_DIRS.join(' '), message: `${files.length} files` });
  return entries;
}

function collectLoadAtBoot(ctx: CollectContext): ModuleLoadEntry[] {
  const out: ModuleLoadEntry[] = [];
  const read = (file: string, parse: (t: string, f: string) => ModuleLoadEntry[]) => {
    const r = ctx.fs.readText(file);
    if (r.ok) out.push(...parse(r.value, file));
    else if (r.record.status !== 'absent') note(ctx, `load:${file}`, r.record);
  };
  read('/etc/modules', (t, f) => parseModulesLoad(t, f, 'boot'));
  for (const f of configFiles(ctx, MODULES_LOAD_DIRS, '.conf')) read(f, (t, p) => parseModulesLoad(t, p, 'boot'));
  read('/etc/initramfs-tools/modules', parseInitramfsToolsModules);
  read('/etc/dracut.conf', parseDracutConf);
  for (const f of configFiles(ctx, ['/etc/dracut.conf.d', '/usr/lib/dracut/dracut.conf.d'], '.conf')) read(f, parseDracutConf);
  read('/etc/mkinitcpio.conf', parseMkinitcpioConf);
  for (const f of configFiles(ctx, ['/etc/mkinitcpio.conf.d'], '.conf')) read(f, parseMkinitcpioConf);
  return out;
}

function collectParameters(ctx: CollectContext): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const mod of ctx.fs.list('/sys/module')) {
    if (!PARAM_MODULES.test(mod)) continue;
    const params: Record<string, string> = {};
    for (const p of ctx.fs.list(`/sys/module/${mod}/parameters`)) {
      const v = ctx.fs.readAttr(`/sys/module/${mod}/parameters/${p}`);
      if (v !== null) params[p] = v;
    }
    out[mod] = params;
  }
  return out;
}

/**
 * modaliases: the functions' modaliases to look up in modules.alias (aliasMatches); null defers that,
 * and matchAliases() is then called for the modaliases wanted, once they are known.
 */
export function collectModules(ctx: CollectContext, release: string | null, modaliases: string[] | null): ModulesInfo {
  const procModules = ctx.fs.readText('/proc/modules');
  note(ctx, 'proc/modules', procModules.record);

  let builtin: string[] | null = null;
  let vfioOnDisk: { name: string; path: string }[] | null = null;
  let aliasMatches: Record<string, string[]> | null = null;
  const dir = release ? modulesDir(ctx, release) : null;
  if (dir) {
    const b = ctx.fs.readText(`${dir}/modules.builtin`, 4 << 20);
    note(ctx, 'modules.builtin', b.record);
    if (b.ok) {
      builtin = b.value
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .map((l) => moduleKey(l.split('/').pop()!.replace(/\.ko(\.(xz|zst|gz))?$/, '')));
    }
    vfioOnDisk = [];
    const vfioDir = `${dir}/kernel/drivers/vfio`;
    const walk = (d: string, depth: number) => {
      for (const name of ctx.fs.list(d)) {
        const p = `${d}/${name}`;
        if (depth < 3 && ctx.fs.isDir(p)) walk(p, depth + 1);
        else if (/\.ko(\.(xz|zst|gz))?$/.test(name)) vfioOnDisk!.push({ name: moduleKey(name.replace(/\.ko(\.(xz|zst|gz))?$/, '')), path: p });
      }
    };
    walk(vfioDir, 0);
    if (modaliases !== null) aliasMatches = readAliasMatches(ctx, dir, modaliases);
  } else {
    note(ctx, 'modules.builtin', { status: 'absent', path: release ? `/lib/modules/${release}` : '/lib/modules', message: 'no modules directory for the running kernel' });
  }

  return {
    loaded: procModules.ok ? parseProcModules(procModules.value) : null,
    builtin,
    vfioOnDisk,
    aliasMatches,
    parameters: collectParameters(ctx),
    modprobe: collectModprobe(ctx),
    loadAtBoot: collectLoadAtBoot(ctx),
  };
}

function readAliasMatches(ctx: CollectContext, dir: string, modaliases: string[]): Record<string, string[]> | null {
  const a = ctx.fs.readText(`${dir}/modules.alias`, 64 << 20);
  note(ctx, 'modules.alias', a.record);
  return a.ok ? matchModaliases(a.value, modaliases) : null;
}

/** The aliasMatches collectModules() deferred (modaliases null), for these modaliases. */
export function matchAliases(ctx: CollectContext, release: string | null, modaliases: string[]): Record<string, string[]> | null {
  const dir = release ? modulesDir(ctx, release) : null;
  return dir ? readAliasMatches(ctx, dir, modaliases) : null;
}
