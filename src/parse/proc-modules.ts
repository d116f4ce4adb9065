import type { LoadedModule } from '../snapshot/types.js';

// /proc/modules: "name size refcount deps state address"; lsmod prints "name size usedby-count deps".
export function parseProcModules(text: string): LoadedModule[] {
  const out: LoadedModule[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 3 || !/^\d+$/.test(f[1] ?? '') || f[0] === 'Module') continue;
    const deps = f[3] && f[3] !== '-' ? f[3].split(',').filter(Boolean) : [];
    out.push({ name: f[0]!, size: Number(f[1]), refcount: Number(f[2]) || 0, usedBy: deps, state: f[4] ?? 'Live' });
  }
  return out;
}

/** Module names compare with '-' and '_' alike, as modprobe does. */
export function moduleKey(name: string): string {
  return name.replace(/-/g, '_');
}
