import { closeSync } from 'node:fs';
import type { KernelLogOrigin, KernelLogSection, SourceRecord } from '../../snapshot/types.js';
import { collectKernelLog } from '../../log/relevant.js';
import { streamCommand } from '../run-command.js';
import { note, type CollectContext } from '../context.js';

// Where a kernel log comes from, in order of preference. dmesg is the current boot's ring buffer;
// journalctl -k -b is the same through journald when dmesg is restricted; the syslog files are the
// last resort (and hold earlier boots too). Under --root, command outputs are files in commands/.
interface LogCandidate {
  origin: KernelLogOrigin;
  command?: string[];
  file?: string;
}

export const ROOT_COMMAND_FILES: Record<string, string> = {
  dmesg: '/commands/dmesg',
  'journalctl-k': '/commands/journalctl-k',
};

function candidates(live: boolean): LogCandidate[] {
  const files: LogCandidate[] = [
    { origin: 'kern.log', file: '/var/log/kern.log' },
    { origin: 'messages', file: '/var/log/messages' },
    { origin: 'syslog', file: '/var/log/syslog' },
  ];
  if (live) {
    return [
      { origin: 'dmesg', command: ['dmesg'] },
      { origin: 'journalctl', command: ['journalctl', '-k', '-b', '0', '--no-pager', '-q', '-o', 'short-monotonic'] },
      ...files,
    ];
  }
  return [
    { origin: 'dmesg', file: ROOT_COMMAND_FILES['dmesg'] },
    { origin: 'journalctl', file: ROOT_COMMAND_FILES['journalctl-k'] },
    ...files,
  ];
}

export async function collectKernelLogSource(ctx: CollectContext): Promise<KernelLogSection | null> {
  const tried: SourceRecord[] = [];
  for (const c of candidates(ctx.live)) {
    if (c.command) {
      const started = streamCommand(c.command, { timeoutMs: Math.max(ctx.commandTimeoutMs, 30_000) });
      if (started.kind === 'failed') {
        tried.push(started.record);
        continue;
      }
      const section = await collectKernelLog(started.stdout, c.origin, c.command.join(' '));
      const done = await started.done;
      if (done.record.status === 'read' && section.totalLines > 0) {
        note(ctx, 'kernel-log', done.record);
        return section;
      }
      tried.push(done.record.status === 'read' ? { ...done.record, status: 'absent', message: 'no output' } : done.record);
      continue;
    }
    const file = c.file!;
    const st = ctx.fs.lstat(file);
    if (!st.ok) {
      // A capture records a command that failed as NAME.stderr (and NAME.exit) instead of NAME.
      const stderr = file.startsWith('/commands/') ? ctx.fs.readText(`${file}.stderr`) : null;
      if (stderr?.ok) {
        const msg = stderr.value.trim().split('\n')[0] ?? 'failed';
        tried.push({ status: /not permitted|permission denied/i.test(msg) ? 'denied' : 'error', path: file, message: msg });
      } else tried.push(st.record);
      continue;
    }
    // Opened through HostFs: a FIFO or a link out of the capture is refused instead of waited on or read.
    const opened = ctx.fs.openFile(file);
    if (!opened.ok) {
      tried.push(opened.record);
      continue;
    }
    try {
      const section = await collectKernelLog({ fd: opened.value }, c.origin, file);
      note(ctx, 'kernel-log', { status: 'read', path: file });
      return section;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      tried.push({ status: e.code === 'EACCES' || e.code === 'EPERM' ? 'denied' : 'error', path: file, message: e.message });
    } finally {
      closeSync(opened.value);
    }
  }
  const worst = tried.find((t) => t.status === 'denied') ?? tried.find((t) => t.status === 'error') ?? tried[0];
  note(ctx, 'kernel-log', {
    status: worst?.status ?? 'absent',
    message: 'no kernel log readable: ' + tried.map((t) => `${t.command?.join(' ') ?? t.path}: ${t.message ?? t.status}`).join('; '),
  });
  return null;
}
