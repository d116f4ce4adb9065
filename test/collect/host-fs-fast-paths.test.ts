// HostFs's short cuts for a large host's thousands of reads must answer what the general reads answer:
// readBytesTransient() (a view of the shared scratch buffer, no copy) is readBytes(), and readAttr()
// (no result objects around a success) is the trimmed text of readText(), or null where that fails,
// for every kind of entry a capture may hold where a file belongs.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HostFs } from '../../src/collect/host-fs.js';

function tmp(t: { after: (fn: () => void) => void }): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'vd-fast-paths-'));
  t.after(() => fs.rmSync(d, { recursive: true, force: true }));
  return d;
}

function put(root: string, rel: string, data: string | Buffer): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), data);
}

function link(root: string, rel: string, target: string): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.symlinkSync(target, path.join(root, rel));
}

const CONFIG = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7 + 3) & 0xff));

/** A capture with one entry of each kind where a file belongs, under /sys (one read) and /proc (read to EOF). */
function capture(t: { after: (fn: () => void) => void }): { root: string; paths: string[] } {
  const outside = tmp(t);
  put(outside, 'secret', 'outside\n');
  const root = path.join(tmp(t), 'capture');
  const paths: string[] = [];
  for (const top of ['/sys/devices/pci0000:00/0000:00:01.0', '/proc/x']) {
    const rel = top.slice(1);
    put(root, `${rel}/vendor`, '0x10de\n');
    put(root, `${rel}/spaced`, '  two words \n\n');
    put(root, `${rel}/empty`, '');
    put(root, `${rel}/config`, CONFIG);
    put(root, `${rel}/short-config`, CONFIG.subarray(0, 64));
    put(root, `${rel}/long-config`, Buffer.concat([CONFIG, CONFIG]));
    put(root, `${rel}/utf8`, 'Größe ✓\n');
    fs.mkdirSync(path.join(root, rel, 'subdir'), { recursive: true });
    link(root, `${rel}/inside`, 'vendor');
    link(root, `${rel}/escape`, path.join(outside, 'secret'));
    link(root, `${rel}/dangling`, 'nothing-here');
    link(root, `${rel}/loop`, 'loop');
    assert.equal(spawnSync('mkfifo', [path.join(root, rel, 'fifo')]).status, 0);
    for (const name of ['vendor', 'spaced', 'empty', 'config', 'short-config', 'long-config', 'utf8', 'subdir', 'inside', 'escape', 'dangling', 'loop', 'fifo', 'missing', 'missing-dir/x']) {
      paths.push(`${top}/${name}`);
    }
    paths.push(`${top}/../0000:00:01.0/vendor`, `${top}//vendor`);
  }
  paths.push('/dev/null');
  return { root, paths };
}

test('readBytesTransient() gives readBytes() bytes and records, for every kind of entry and cap', (t) => {
  const { root, paths } = capture(t);
  for (const r of [root, '']) {
    const hostFs = new HostFs(r);
    for (const p of r === '' ? ['/dev/null', '/proc/self/stat', '/sys/nothing/here'] : paths) {
      for (const max of [4096, 64, 100, 65536]) {
        const general = hostFs.readBytes(p, max);
        const transient = hostFs.readBytesTransient(p, max);
        const label = `${r === '' ? 'live' : 'root'} ${p} max ${max}`;
        assert.equal(transient.ok, general.ok, label);
        assert.deepEqual(transient.record, general.record, label);
        if (transient.ok && general.ok && !p.startsWith('/proc/self')) assert.deepEqual(Buffer.from(transient.value), general.value, label);
      }
    }
  }
});

test('readBytesTransient() reads whole config spaces: 4096 bytes, cut at the cap, and larger caps than its buffer', (t) => {
  const { root } = capture(t);
  const hostFs = new HostFs(root);
  const full = hostFs.readBytesTransient('/sys/devices/pci0000:00/0000:00:01.0/config', 4096);
  assert.ok(full.ok);
  assert.deepEqual(Buffer.from(full.value), CONFIG);
  const long = hostFs.readBytesTransient('/proc/x/long-config', 6000);
  assert.ok(long.ok);
  assert.equal(long.value.length, 6000);
  const beyond = hostFs.readBytesTransient('/proc/x/long-config', 1 << 20);
  assert.ok(beyond.ok);
  assert.deepEqual(Buffer.from(beyond.value), Buffer.concat([CONFIG, CONFIG]));
});

test('readBytes() of a file on disk, read in one buffer of its size: its bytes up to the cap, also when it grew after fstat', (t) => {
  const root = tmp(t);
  const sizes = [0, 1, 4095, 65535, 65536, 65537, 200_001];
  const body = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff));
  for (const n of sizes) put(root, `lib/modules/6.1.0/f${n}`, body(n));
  const hostFs = new HostFs(root);
  const caps = [0, 1, 64, 65536, 65537, 100_000, 200_001, 1 << 20];
  const check = (label: string) => {
    for (const n of sizes) {
      for (const max of caps) {
        const r = hostFs.readBytes(`/lib/modules/6.1.0/f${n}`, max);
        assert.ok(r.ok, `${label} ${n} ${max}`);
        assert.deepEqual(r.value, body(n).subarray(0, Math.min(n, max)), `${label} size ${n} cap ${max}`);
      }
    }
  };
  check('as stat says');
  // A file that grew between fstat and the reads: stat says less than the file holds.
  const realFstat = fs.fstatSync;
  fs.fstatSync = ((fd: number) => {
    const st = realFstat(fd);
    st.size = Math.floor(st.size / 3);
    return st;
  }) as typeof fs.fstatSync;
  try {
    check('grown');
  } finally {
    fs.fstatSync = realFstat;
  }
});

test('readAttr() is the trimmed readText(), or null where readText() fails (FIFOs, directories, escapes, loops)', (t) => {
  const { root, paths } = capture(t);
  const hostFs = new HostFs(root);
  let refused = 0;
  for (const p of paths) {
    const text = hostFs.readText(p);
    const expected = text.ok ? text.value.trim() : null;
    if (expected === null) refused++;
    assert.equal(hostFs.readAttr(p), expected, p);
  }
  // The table holds entries of each kind that must be refused.
  assert.ok(refused >= 14, `${refused} refused`);
  assert.equal(hostFs.readAttr('/sys/devices/pci0000:00/0000:00:01.0/fifo'), null);
  assert.equal(hostFs.readAttr('/sys/devices/pci0000:00/0000:00:01.0/vendor'), '0x10de');
});

test('openFile() still says why an entry is refused', (t) => {
  const { root } = capture(t);
  const hostFs = new HostFs(root);
  const fifo = hostFs.openFile('/proc/x/fifo');
  assert.deepEqual(fifo, { ok: false, record: { status: 'error', path: '/proc/x/fifo', message: 'not a regular file (a FIFO), not read' } });
  const dir = hostFs.openFile('/proc/x/subdir');
  assert.deepEqual(dir, { ok: false, record: { status: 'error', path: '/proc/x/subdir', message: 'is a directory, expected a file' } });
  const ok = hostFs.openFile('/proc/x/inside');
  assert.ok(ok.ok);
  fs.closeSync(ok.value);
  assert.deepEqual(ok.record, { status: 'read', path: '/proc/x/inside' });
});

/** toHost() as it was before its short cut for plain paths: path.relative() from each root in turn. */
function toHostByRelative(realRoot: string, root: string, localPath: string): string | null {
  for (const base of [realRoot, root]) {
    const rel = path.relative(base, localPath);
    if (rel === '') return '/';
    if (!rel.startsWith('..') && !path.isAbsolute(rel)) return '/' + rel.split(path.sep).join('/');
  }
  return null;
}

test('toHost() of plain and other local paths is what path.relative() from the roots gives', (t) => {
  const top = tmp(t);
  fs.mkdirSync(path.join(top, 'real'));
  fs.symlinkSync('real', path.join(top, 'alias'));
  for (const root of [path.join(top, 'real'), path.join(top, 'alias')]) {
    const hostFs = new HostFs(root);
    const realRoot = fs.realpathSync.native(root);
    for (const base of [realRoot, root, top, '/']) {
      for (const rest of ['', '/', '/sys', '/sys/devices/pci0000:00/0000:00:01.0', '/sys/', '/..foo/x', '/...', '/.hidden/x', '/a/./b', '/a/../b', '/a//b', '/..', '/x..', 'suffix/x']) {
        const local = base === '/' ? rest || '/' : base + rest;
        assert.equal(hostFs.toHost(local), toHostByRelative(realRoot, root, local), `${root} ${local}`);
      }
    }
  }
});

/** realPath() as realpath(3) of the whole path gives it (the general path). */
function realPathByRealpath(root: string, hostPath: string): { ok: boolean; value?: string } {
  const realRoot = fs.realpathSync.native(root);
  try {
    const real = fs.realpathSync.native(path.join(root, hostPath));
    const host = toHostByRelative(realRoot, root, real);
    return host === null ? { ok: false } : { ok: true, value: host };
  } catch {
    return { ok: false };
  }
}

test('realPath() through links of every shape is what realpath(3) of the whole path gives', (t) => {
  const top = tmp(t);
  const root = path.join(top, 'capture');
  put(top, 'outside/dir/f', 'x');
  put(root, 'sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/vendor', '0x10de\n');
  put(root, 'sys/devices/pci0000:00/0000:00:1f.0/vendor', '0x8086\n');
  put(root, 'sys/..odd/0000:02:00.0/vendor', '0x1234\n');
  put(root, 'sys/.hidden/0000:03:00.0/vendor', '0x1234\n');
  fs.mkdirSync(path.join(root, 'sys/bus/pci/devices'), { recursive: true });
  fs.mkdirSync(path.join(root, 'sys/kernel/iommu_groups/7'), { recursive: true });
  link(root, 'sys/devices/real-link', 'pci0000:00/0000:00:1f.0');
  const links: Record<string, string> = {
    '0000:01:00.0': '../../../devices/pci0000:00/0000:00:01.0/0000:01:00.0',
    '0000:00:1f.0': '../../../devices/pci0000:00/0000:00:1f.0',
    '0000:02:00.0': '../../../..odd/0000:02:00.0',
    '0000:03:00.0': '../../../.hidden/0000:03:00.0',
    'through-link': '../../../devices/real-link',
    'dot': '../../../devices/./pci0000:00/0000:00:1f.0',
    'dotdot': '../../../devices/pci0000:00/../pci0000:00/0000:00:1f.0',
    'double-slash': '../../../devices//pci0000:00/0000:00:1f.0',
    'trailing-slash': '../../../devices/pci0000:00/0000:00:1f.0/',
    'absolute-inside': path.join(root, 'sys/devices/pci0000:00/0000:00:1f.0'),
    'escape': '../../../../../outside/dir',
    'far-escape': '../../../../../../../../../../../../../../..',
    'dangling': '../../../devices/none',
    'loop': 'loop',
    'to-file': '../../../devices/pci0000:00/0000:00:1f.0/vendor',
    'group': '../../../kernel/iommu_groups/7',
  };
  for (const [name, target] of Object.entries(links)) link(root, `sys/bus/pci/devices/${name}`, target);
  for (const order of [Object.keys(links), Object.keys(links).reverse()]) {
    const hostFs = new HostFs(root);
    for (const name of order) {
      for (const p of [`/sys/bus/pci/devices/${name}`, `/sys/bus/pci/devices/${name}/vendor`, `/sys/bus/pci//devices/${name}`]) {
        const got = hostFs.realPath(p);
        const want = realPathByRealpath(root, p);
        assert.equal(got.ok, want.ok, p);
        if (got.ok) assert.equal(got.value, want.value, p);
        // What realPath() remembered serves the reads in that directory.
        if (got.ok && want.ok && name !== 'to-file') assert.equal(hostFs.readAttr(`${got.value}/vendor`), fs.existsSync(path.join(root, want.value!, 'vendor')) ? fs.readFileSync(path.join(root, want.value!, 'vendor'), 'utf8').trim() : null, p);
      }
    }
  }
});
