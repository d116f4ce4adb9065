// Reads what a not-yet-booted kernel brings: its modules (on disk and built in), its modalias table
// and its build configuration. Everything comes from files of that kernel, never from the running one.

import fs from 'node:fs';
import path from 'node:path';
import type { HostFs } from '../collect/host-fs.js';
import { kernelMajorMinor } from '../analyze/context.js';
import { indexAliases } from '../modules/alias-match.js';
import { parseKernelConfig } from '../parse/kernel-config.js';
import { moduleKey } from '../parse/proc-modules.js';
import type { ModuleFile, NextKernel } from './types.js';

const KO = /\.ko(\.(xz|zst|gz))?$/;

export function moduleNameOf(file: string): string {
  return moduleKey(path.posix.basename(file).replace(KO, ''));
}

function modulesDirOf(hfs: HostFs, version: string): string | null {
  for (const d of [`/lib/modules/${version}`, `/usr/lib/modules/${version}`]) if (hfs.isDir(d)) return d;
  return null;
}

/**
 * Every module file below dir; a distribution kernel has a few thousand in a few hundred directories.
 * Only dir itself is resolved inside the capture: below it the walk enters real directories only (a
 * Dirent that is a symbolic link is not a directory, so no link is entered), so a child's local path is
 * its parent's plus its name, with no realpath per directory.
 */
function walkModules(hfs: HostFs, dir: string): Map<string, ModuleFile> {
  const out = new Map<string, ModuleFile>();
  const top = hfs.resolve(dir);
  if (!top.ok) return out;
  const stack: [string, string][] = [[dir, top.value]];
  while (stack.length > 0) {
    const [d, local] = stack.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(local, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = `${d}/${e.name}`;
      if (e.isDirectory()) stack.push([p, path.join(local, e.name)]);
      // updates/ and extra/ override kernel/ at load time (depmod's search order), so they win here too.
      else if (KO.test(e.name)) {
        const name = moduleNameOf(e.name);
        const existing = out.get(name);
        if (!existing || !/\/(updates|extra)\//.test(existing.path)) out.set(name, { name, path: p });
      }
    }
  }
  return out;
}

function readBuiltin(hfs: HostFs, dir: string): Set<string> | null {
  const r = hfs.readText(`${dir}/modules.builtin`, 4 << 20);
  if (!r.ok) return null;
  return new Set(r.value.split('\n').map((l) => l.trim()).filter(Boolean).map(moduleNameOf));
}

function readConfig(hfs: HostFs, version: string, dir: string | null): NextKernel['config'] {
  const candidates = [`/boot/config-${version}`, ...(dir ? [`${dir}/config`] : [])];
  for (const p of candidates) {
    const r = hfs.readText(p, 16 << 20);
    if (r.ok) return { path: p, options: parseKernelConfig(r.value) };
  }
  return null;
}

const ALIAS_PCI = 'alias pci:';
const LITERAL_VENDOR = /^alias pci:v([0-9A-Fa-f]{8})/;

/**
 * The lines of modules.alias that can match a device whose modalias vendor field is one of `vendors`
 * (8 hex digits, upper case): PCI patterns with that literal vendor, and PCI patterns without a literal
 * vendor. Their order is kept, which is all modulesForModalias reads of the line numbers, so for such a
 * device the index of these lines answers as the index of the whole file does.
 */
export function aliasLinesFor(text: string, vendors: ReadonlySet<string>): string {
  const out: string[] = [];
  let from = 0;
  let start = text.startsWith(ALIAS_PCI) ? 0 : -1;
  for (;;) {
    if (start < 0) {
      const hit = text.indexOf(`\n${ALIAS_PCI}`, from);
      if (hit < 0) break;
      start = hit + 1;
    }
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline;
    const line = text.slice(start, end);
    const m = LITERAL_VENDOR.exec(line);
    if (!m || vendors.has(m[1]!.toUpperCase())) out.push(line);
    from = end;
    start = -1;
  }
  return out.join('\n');
}

/** Vendor fields of modaliases (pci:vVVVVVVVV...), upper case, for aliasLinesFor. */
export function modaliasVendors(modaliases: Iterable<string | null | undefined>): Set<string> {
  const out = new Set<string>();
  for (const m of modaliases) {
    const v = m ? /^pci:v([0-9A-Fa-f]{8})/.exec(m) : null;
    if (v) out.add(v[1]!.toUpperCase());
  }
  return out;
}

/**
 * `aliasVendors`: when given, modules.alias is indexed only for devices of these vendors (see
 * aliasLinesFor); preflight asks it about the targets alone, and a distribution kernel's file has some
 * 25,000 lines.
 */
export function readNextKernel(hfs: HostFs, version: string, aliasVendors?: ReadonlySet<string>): NextKernel {
  const dir = modulesDirOf(hfs, version);
  const alias = dir ? hfs.readText(`${dir}/modules.alias`, 64 << 20) : null;
  return {
    version,
    majorMinor: kernelMajorMinor(version),
    modulesDir: dir,
    builtin: dir ? readBuiltin(hfs, dir) : null,
    onDisk: dir ? walkModules(hfs, dir) : new Map(),
    aliases: alias?.ok ? indexAliases(aliasVendors ? aliasLinesFor(alias.value, aliasVendors) : alias.value) : null,
    config: readConfig(hfs, version, dir),
  };
}

/** Whether the next kernel can load a module: a file on disk or built in. */
export function moduleAvailable(k: NextKernel, name: string): 'module' | 'builtin' | null {
  const key = moduleKey(name);
  if (k.builtin?.has(key)) return 'builtin';
  if (k.onDisk.has(key)) return 'module';
  return null;
}

export function atLeast(k: NextKernel, major: number, minor: number): boolean {
  const v = k.majorMinor;
  return v !== null && (v[0] > major || (v[0] === major && v[1] >= minor));
}
