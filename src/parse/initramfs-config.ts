import type { ModuleLoadEntry } from '../snapshot/types.js';
import { parseModulesLoad } from './modprobe-conf.js';

// The module lists the initramfs generators read, so early binding can be judged from configuration.

/** dracut.conf(5): add_drivers+=" a b ", force_drivers+=" c " — shell assignments. */
export function parseDracutConf(text: string, file: string): ModuleLoadEntry[] {
  const out: ModuleLoadEntry[] = [];
  text.split(/\r?\n/).forEach((l, i) => {
    const m = /^\s*(add_drivers|force_drivers|drivers)\s*\+?=\s*["']?([^"'#]*)["']?/.exec(l);
    if (!m) return;
    for (const name of m[2]!.split(/\s+/).filter(Boolean)) out.push({ module: name, file, line: i + 1, stage: 'initramfs' });
  });
  return out;
}

/** mkinitcpio.conf: MODULES=(a b c) (older releases: MODULES="a b c"). */
export function parseMkinitcpioConf(text: string, file: string): ModuleLoadEntry[] {
  const out: ModuleLoadEntry[] = [];
  text.split(/\r?\n/).forEach((l, i) => {
    const m = /^\s*MODULES=(?:\(([^)]*)\)|"([^"]*)")/.exec(l);
    if (!m) return;
    for (const name of (m[1] ?? m[2] ?? '').split(/\s+/).filter(Boolean)) out.push({ module: name, file, line: i + 1, stage: 'initramfs' });
  });
  return out;
}

/** /etc/initramfs-tools/modules: one module per line, as /etc/modules. */
export function parseInitramfsToolsModules(text: string, file: string): ModuleLoadEntry[] {
  return parseModulesLoad(text, file, 'initramfs');
}
