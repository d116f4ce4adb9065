import zlib from 'node:zlib';
import type { KernelConfig } from '../../snapshot/types.js';
import { parseKernelConfig } from '../../parse/kernel-config.js';
import { note, type CollectContext } from '../context.js';

/** The running kernel's build configuration: /boot/config-<release>, else /proc/config.gz. */
export function collectKernelConfig(ctx: CollectContext, release: string | null): KernelConfig | null {
  const candidates = release ? [`/boot/config-${release}`, `/lib/modules/${release}/config`, `/usr/lib/modules/${release}/config`] : [];
  for (const p of candidates) {
    const r = ctx.fs.readText(p, 16 << 20);
    if (r.ok) {
      note(ctx, 'kernel-config', r.record);
      return { path: p, options: parseKernelConfig(r.value) };
    }
  }
  const gz = ctx.fs.readBytes('/proc/config.gz', 16 << 20);
  if (gz.ok) {
    try {
      const textValue = zlib.gunzipSync(gz.value).toString('utf8');
      note(ctx, 'kernel-config', gz.record);
      return { path: '/proc/config.gz', options: parseKernelConfig(textValue) };
    } catch (err) {
      note(ctx, 'kernel-config', { status: 'error', path: '/proc/config.gz', message: `not valid gzip: ${(err as Error).message}` });
      return null;
    }
  }
  note(ctx, 'kernel-config', {
    status: 'absent',
    path: [...candidates, '/proc/config.gz'].join(' | '),
    message: release ? 'no kernel config file for the running kernel' : 'kernel release unknown',
  });
  return null;
}
