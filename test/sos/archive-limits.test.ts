import test, { type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { unpackWanted, DEFAULT_LIMITS, ArchiveLimitError } from '../../src/sos/archive-stream.js';
import { openSos, SosInputError } from '../../src/sos/archive.js';
import { findTool } from '../helpers/tools.js';
import { repoRoot } from '../helpers/paths.js';

// Issue 13 point 6: --sos unpacked everything with the system tar, without limit (387 KB of xz became
// 2.1 GB on disk), and Ctrl-C left the directory and a tar that kept extracting.

const TOP = 'sosreport-pve-2024-10-01-abcdefg';

function tmpdir(t: TestContext): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'vfio-doctor-sostest-'));
  t.after(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

type Member = { name: string; data?: Buffer; type?: 'symlink' | 'directory'; linkname?: string };

async function tarOf(members: Member[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => void chunks.push(c as Buffer));
  const done = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  for (const m of members) {
    if (m.type === 'symlink') pack.entry({ name: m.name, type: 'symlink', linkname: m.linkname! });
    else if (m.type === 'directory') pack.entry({ name: m.name, type: 'directory' });
    else pack.entry({ name: m.name }, m.data ?? Buffer.alloc(0));
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** A ustar header for a regular file that says it holds `size` bytes. */
function headerClaiming(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 'latin1');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(size.toString(8).padStart(11, '0') + '\0', 124, 'latin1');
  h.write('00000000000\0', 136, 'latin1');
  h.write('        ', 148, 'latin1');
  h.write('0', 156, 'latin1');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return h;
}

function xz(data: Buffer): Buffer | null {
  if (!findTool('xz')) return null;
  const r = spawnSync('xz', ['-c', '-0', '-T1'], { input: data, maxBuffer: 64 << 20 });
  return r.status === 0 ? r.stdout : null;
}

test('a member that claims 2 GB is refused at its header, before anything is decompressed', async (t) => {
  const dir = tmpdir(t);
  const raw = Buffer.concat([headerClaiming(`${TOP}/sos_commands/kernel/dmesg`, 2_100_000_000), Buffer.alloc(1 << 20)]);
  for (const [name, bytes] of [['bomb.tar.gz', gzipSync(raw)], ['bomb.tar.xz', xz(raw)]] as const) {
    if (!bytes) continue;
    const archive = path.join(dir, name);
    fs.writeFileSync(archive, bytes);
    const dest = fs.mkdtempSync(path.join(dir, 'out-'));
    await assert.rejects(unpackWanted(archive, dest), (e: Error) => e instanceof ArchiveLimitError && /2100000000 bytes, more than the \d+ bytes/.test(e.message));
    await assert.rejects(openSos(archive), (e: Error) => e instanceof SosInputError && /refused/.test(e.message));
  }
});

test('the decompressed stream is counted: many members past the limit are refused once the limit is read', async (t) => {
  const dir = tmpdir(t);
  const members: Member[] = Array.from({ length: 40 }, (_, i) => ({ name: `${TOP}/sos_logs/part-${i}`, data: Buffer.alloc(1 << 20) }));
  const archive = path.join(dir, 'many.tar.gz');
  fs.writeFileSync(archive, gzipSync(await tarOf(members)));
  const dest = fs.mkdtempSync(path.join(dir, 'out-'));
  const limits = { ...DEFAULT_LIMITS, streamBytes: 8 << 20, maxRatio: 1e9 };
  await assert.rejects(unpackWanted(archive, dest, limits), (e: Error) => e instanceof ArchiveLimitError && /expands to more than 8388608 bytes/.test(e.message));
  // Skipped members are not written: nothing of sos_logs landed.
  assert.ok(!fs.existsSync(path.join(dest, TOP, 'sos_logs')));
  const kept = { ...DEFAULT_LIMITS, keptBytes: 4 << 20 };
  const wantedOnly: Member[] = Array.from({ length: 8 }, (_, i) => ({ name: `${TOP}/var/log/kern.log.${i}`, data: Buffer.alloc(1 << 20, 0x41) }));
  const archive2 = path.join(dir, 'kept.tar.gz');
  fs.writeFileSync(archive2, gzipSync(await tarOf(wantedOnly)));
  await assert.rejects(unpackWanted(archive2, fs.mkdtempSync(path.join(dir, 'out-')), kept), /hold more than 4194304 bytes: refused/);
});

test('an archive that expands far more than a report does is refused once past the ratio, not at the end', async (t) => {
  const dir = tmpdir(t);
  // 96 MB of zeros in 24 members: about 100 KB of gzip, the shape of the 387 KB xz that became 2.1 GB.
  const members: Member[] = Array.from({ length: 24 }, (_, i) => ({ name: `${TOP}/sos_commands/kernel/dmesg.${i}`, data: Buffer.alloc(4 << 20) }));
  const archive = path.join(dir, 'bomb.tar.gz');
  fs.writeFileSync(archive, gzipSync(await tarOf(members)));
  const size = fs.statSync(archive).size;
  assert.ok(size * DEFAULT_LIMITS.maxRatio < DEFAULT_LIMITS.ratioAfter, `a small archive (${size} bytes)`);
  await assert.rejects(openSos(archive), (e: Error) => e instanceof SosInputError && /expands more than 200 times its size: refused as a compression bomb/.test(e.message));
});

test('only the members vfio-doctor reads are kept, files private, links only inside the report, long logs by their end', async (t) => {
  const dir = tmpdir(t);
  const log = Buffer.from(Array.from({ length: 3000 }, (_, i) => `line ${i}\n`).join(''));
  const archive = path.join(dir, 'report.tar.gz');
  fs.writeFileSync(
    archive,
    gzipSync(
      await tarOf([
        { name: `${TOP}/`, type: 'directory' },
        { name: `${TOP}/sos_commands/kernel/dmesg`, data: Buffer.from('[    0.000000] Linux version 6.8.12-4-pve\n') },
        { name: `${TOP}/sos_commands/kernel/something_else`, data: Buffer.from('x') },
        { name: `${TOP}/sos_logs/sos.log`, data: Buffer.from('x') },
        { name: `${TOP}/var/lib/big`, data: Buffer.alloc(4096) },
        { name: `${TOP}/proc/cmdline`, data: Buffer.from('BOOT_IMAGE=/vmlinuz root=/dev/sda1\n') },
        { name: `${TOP}/var/log/kern.log`, data: log },
        { name: `${TOP}/etc/libvirt`, type: 'symlink', linkname: '/etc' },
        { name: `${TOP}/etc/os-release`, type: 'symlink', linkname: '../../../../../etc/shadow' },
        { name: `${TOP}/sys/bus/pci/devices/0000:01:00.0`, type: 'symlink', linkname: '../../../devices/pci0000:00/0000:00:01.0/0000:01:00.0' },
        { name: `${TOP}/proc/cmdline`, data: Buffer.from('second copy\n') },
        { name: `other-top/proc/cmdline`, data: Buffer.from('x') },
      ]),
    ),
  );
  const dest = fs.mkdtempSync(path.join(dir, 'out-'));
  const top = await unpackWanted(archive, dest, { ...DEFAULT_LIMITS, memberBytes: 1000 });
  assert.equal(top, path.join(fs.realpathSync(dest), TOP));
  const files: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else files.push(r);
    }
  };
  walk(top, '');
  assert.deepEqual(files.sort(), ['proc/cmdline', 'sos_commands/kernel/dmesg', 'sys/bus/pci/devices/0000:01:00.0', 'var/log/kern.log']);
  assert.equal(fs.readFileSync(path.join(top, 'proc/cmdline'), 'utf8'), 'BOOT_IMAGE=/vmlinuz root=/dev/sda1\n', 'the first copy stays');
  assert.equal((fs.statSync(path.join(top, 'proc/cmdline')).mode & 0o777).toString(8), '600');
  assert.equal(fs.readlinkSync(path.join(top, 'sys/bus/pci/devices/0000:01:00.0')), '../../../devices/pci0000:00/0000:00:01.0/0000:01:00.0');
  const kern = fs.readFileSync(path.join(top, 'var/log/kern.log'), 'utf8');
  assert.ok(kern.length <= 1000 && kern.endsWith('line 2999\n') && /^line \d+\n/.test(kern), 'the end of the log, from a line start');
  assert.ok(!fs.existsSync(path.join(dir, 'other-top')));
});

test('SIGINT while an archive is read: the private copy is removed and the decompressor is stopped', async (t) => {
  const dir = tmpdir(t);
  const archive = path.join(dir, 'report.tar.bz2');
  const head = await tarOf([{ name: `${TOP}/sos_commands/kernel/dmesg`, data: Buffer.from('[    0.000000] Linux version 6.8.12-4-pve\n') }]);
  // The report's first member, then a decompressor that never finishes: a stand-in bzip2 on PATH.
  fs.writeFileSync(archive, Buffer.concat([Buffer.from('BZh9'), Buffer.alloc(600)]));
  const partial = path.join(dir, 'partial.tar');
  fs.writeFileSync(partial, head.subarray(0, head.length - 1024));
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin);
  const pidFile = path.join(dir, 'bzip2.pid');
  fs.writeFileSync(path.join(bin, 'bzip2'), `#!/bin/sh\necho $$ > '${pidFile}'\ncat '${partial}'\nexec sleep 600\n`, { mode: 0o755 });
  const tmp = path.join(dir, 'tmp');
  fs.mkdirSync(tmp);
  const child = spawn(process.execPath, [path.join(repoRoot, 'dist', 'vfio-doctor.mjs'), 'check', '--sos', archive], {
    env: { ...process.env, PATH: `${bin}:${process.env['PATH']}`, TMPDIR: tmp },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  // Wait until the first member is on disk: the read is then under way and cannot finish by itself.
  const dmesgWritten = () => fs.readdirSync(tmp).some((d) => fs.existsSync(path.join(tmp, d, TOP, 'sos_commands/kernel/dmesg')));
  while (!dmesgWritten()) {
    if (child.exitCode !== null) assert.fail(`ended before the signal: ${stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  const pid = Number(fs.readFileSync(pidFile, 'utf8'));
  child.kill('SIGINT');
  const end = await exited;
  assert.equal(end.signal, 'SIGINT', `ended by the signal (${JSON.stringify(end)}): ${stderr}`);
  assert.deepEqual(fs.readdirSync(tmp), [], 'the private copy is gone');
  // A killed process whose parent is gone may stay a zombie where PID 1 does not reap: that is stopped too.
  const state = () => {
    try {
      return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
    } catch {
      return null;
    }
  };
  const alive = state() !== null && state() !== 'Z';
  if (alive) process.kill(pid, 'SIGKILL');
  assert.equal(alive, false, 'the decompressor was stopped');
});
