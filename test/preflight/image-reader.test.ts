// The next kernel's image read on a worker thread, started before preflight knows where it may stop:
// it must answer exactly as summariseInitramfs on this thread does (the same summary, the same error),
// stop early only once told where, and leave no thread or decompressor behind.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { summariseInitramfs } from '../../src/collect/sources/initramfs.js';
import { InitramfsError } from '../../src/initramfs/index.js';
import { readImageInWorker } from '../../src/preflight/image-reader.js';
import { MODE_DIR, MODE_FILE, newcArchive, type MemberSpec } from '../initramfs/support/newc-writer.js';
import { compress, tempDir, toolTest } from '../initramfs/support/tools.js';

const work = tempDir('image-reader');
const K = '6.1.0-57-amd64';
const MODS = `usr/lib/modules/${K}/kernel`;
const dir = (name: string): MemberSpec => ({ name, mode: MODE_DIR });
const file = (name: string, data: string | Buffer = `${name}\n`): MemberSpec => ({ name, mode: MODE_FILE, data });

/** An initramfs-tools image in LC_ALL=C order; the big member after the modules keeps zstd busy. */
const MEMBERS: MemberSpec[] = [
  dir('.'),
  dir('conf'),
  file('conf/initramfs.conf', 'MODULES=most\n'),
  file('conf/modules', 'vfio\nvfio_pci\n'),
  dir('etc'),
  dir('etc/modprobe.d'),
  file('etc/modprobe.d/vfio.conf', 'options vfio-pci ids=10de:1e87\nsoftdep nouveau pre: vfio-pci\n'),
  file('init', '#!/bin/sh\n'),
  dir('scripts'),
  file('scripts/functions', '# functions\n'),
  dir('usr'),
  dir('usr/lib'),
  dir('usr/lib/modules'),
  dir(`usr/lib/modules/${K}`),
  dir(MODS),
  dir(`${MODS}/drivers`),
  dir(`${MODS}/drivers/gpu`),
  file(`${MODS}/drivers/gpu/nouveau.ko`),
  dir(`${MODS}/drivers/vfio`),
  dir(`${MODS}/drivers/vfio/pci`),
  file(`${MODS}/drivers/vfio/pci/vfio-pci.ko`),
  file(`usr/lib/modules/${K}/modules.alias`, Buffer.alloc(32 * 1024 * 1024)),
  file('var/last.ko'),
];
const VFIO_LIMIT = `${MODS}/drivers/vfio/pci/vfio-pci.kp`;

let counter = 0;
async function image(data: Buffer): Promise<string> {
  const p = path.join(work, `image-${counter++}.img`);
  writeFileSync(p, data);
  return p;
}

function job(file: string) {
  return { file, shown: `/boot/initrd.img-${K}`, kernel: K, timeoutMs: 60_000 };
}

/** zstd processes whose parent is this test process (threads share its pid), zombies included. */
function childZstd(): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const close = stat.lastIndexOf(')');
    const ppid = Number(stat.slice(close + 2).split(' ')[1]);
    if (ppid === process.pid && stat.slice(stat.indexOf('(') + 1, close) === 'zstd') out.push(pid);
  }
  return out;
}

/** How the summary is read: on the worker, or on this thread because the worker could not start. */
const READERS = [
  { name: 'worker thread', start: (file: string) => readImageInWorker(job(file)) },
  { name: 'main thread, the worker failing to start', start: (file: string) => readImageInWorker(job(file), { script: 'throw new Error("no worker here")', eval: true }) },
];

for (const reader of READERS) {
  toolTest(`the image read on the ${reader.name} answers as summariseInitramfs does, and stops only once told where`, ['zstd'], async () => {
    const file = await image(await compress('zstd', newcArchive(MEMBERS)));
    const full = await summariseInitramfs(file, job(file).shown, K, 60_000);
    const stopped = await summariseInitramfs(file, job(file).shown, K, 60_000, VFIO_LIMIT);
    assert.ok(stopped.entries < full.entries, 'the in-thread read stops early');

    for (const limit of [VFIO_LIMIT, null]) {
      const pending = reader.start(file);
      pending.limit(limit);
      const got = await pending.result();
      const want = limit === null ? full : stopped;
      assert.deepEqual(got.modprobe, want.modprobe);
      assert.deepEqual(got.loadAtBoot, want.loadAtBoot);
      for (const m of ['nouveau', 'vfio_pci', 'vfio']) assert.equal(got.modules.includes(m), full.modules.includes(m), m);
      // Told to read everything, it reads everything; told a limit, it stops before the last member.
      assert.equal(got.modules.includes('last'), limit === null);
      await pending.cancel();
      assert.deepEqual(childZstd(), [], 'no zstd left behind');
    }
  });
}

toolTest('a broken image read on the worker fails with the error summariseInitramfs throws', ['zstd'], async () => {
  const whole = await compress('zstd', newcArchive(MEMBERS));
  const broken = [
    { name: 'truncated zstd data', file: await image(whole.subarray(0, whole.length >> 1)) },
    { name: 'not an image', file: await image(Buffer.from('MZ this is not an initramfs at all')) },
    { name: 'no such file', file: path.join(work, 'absent.img') },
  ];
  for (const b of broken) {
    const expected = await summariseInitramfs(b.file, job(b.file).shown, K, 60_000).then(
      () => assert.fail(`${b.name}: read without an error`),
      (e: unknown) => e as InitramfsError,
    );
    assert.ok(expected instanceof InitramfsError, b.name);
    const pending = readImageInWorker(job(b.file));
    pending.limit(null);
    await assert.rejects(pending.result(), (e: unknown) => {
      assert.ok(e instanceof InitramfsError, `${b.name}: ${String(e)}`);
      assert.equal(e.kind, expected.kind, b.name);
      assert.equal(e.message, expected.message, b.name);
      return true;
    });
    await pending.cancel();
  }
  assert.deepEqual(childZstd(), []);
});

toolTest('a read abandoned before its limit is known ends its decoder and its thread', ['zstd'], async () => {
  const file = await image(await compress('zstd', newcArchive(MEMBERS)));
  const pending = readImageInWorker(job(file));
  await pending.cancel();
  assert.deepEqual(childZstd(), [], 'no zstd left behind');
  // It was the walk that ended, not a whole read that finished first.
  await assert.rejects(pending.result(), (e: unknown) => e instanceof InitramfsError && e.kind === 'cancelled');

  // The same on this thread: a limit not known yet, then an abort.
  const abort = new AbortController();
  const read = summariseInitramfs(file, file, K, 60_000, () => undefined, abort.signal);
  abort.abort();
  await assert.rejects(read, (e: unknown) => e instanceof InitramfsError && e.kind === 'cancelled');
  assert.deepEqual(childZstd(), []);
});

toolTest('a limit told while the walk is under way stops it as one known from the start does', ['zstd'], async () => {
  const file = await image(await compress('zstd', newcArchive(MEMBERS)));
  let limit: string | undefined;
  let asked = 0;
  // Unknown for the first few chunks, then known: the walk goes on meanwhile and stops once told.
  const late = await summariseInitramfs(file, file, K, 60_000, () => (++asked > 3 ? (limit ??= VFIO_LIMIT) : undefined));
  const known = await summariseInitramfs(file, file, K, 60_000, VFIO_LIMIT);
  assert.ok(asked > 3);
  assert.deepEqual(late.modprobe, known.modprobe);
  assert.deepEqual(late.loadAtBoot, known.loadAtBoot);
  assert.equal(late.modules.includes('last'), false, 'stopped before the end');
  assert.deepEqual(childZstd(), []);
});
