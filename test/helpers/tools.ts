import { execFile } from 'node:child_process';
import fs from 'node:fs';

// Real third-party tools the tests compare against. In CI they must exist (.ci/run installs them);
// elsewhere a test that needs a missing tool is skipped with the reason.

export function findTool(name: string): string | null {
  for (const dir of (process.env['PATH'] ?? '/usr/bin:/bin').split(':').concat(['/usr/sbin', '/sbin'])) {
    const p = `${dir}/${name}`;
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      /* not in this directory */
    }
  }
  return null;
}

/** Skip message when the tool is missing outside CI; throws in CI, where a missing tool is a broken setup. */
export function requireTool(name: string, pkg: string): string | { skip: string } {
  const p = findTool(name);
  if (p) return p;
  if (process.env['CI'] === 'true') throw new Error(`${name} is missing in CI: scripts/install-system-deps.sh must install ${pkg}`);
  return { skip: `${name} not installed (Debian package ${pkg}); comparison skipped` };
}

export function run(cmd: string, args: string[], opts: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: opts.timeoutMs ?? 60_000, maxBuffer: 64 << 20, env: opts.env ?? process.env }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}
