// Stopping a walk early: an image in initramfs-tools' sorted order is read only until past the last path
// asked about, and answers exactly as the full read does; every other image is read to the end.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

import { summariseInitramfs } from '../../src/collect/sources/initramfs.js';
import { isSingleZstdFrame } from '../../src/initramfs/early-stop.js';
import { readInitramfsFiles } from '../../src/initramfs/index.js';
import { MODE_DIR, MODE_FILE, newcArchive, type MemberSpec } from './support/newc-writer.js';
import { compress, tempDir, toolTest } from './support/tools.js';

const work = tempDir('early-stop');
const K = '6.1.0-57-amd64';
const MODS = `usr/lib/modules/${K}/kernel`;

const dir = (name: string): MemberSpec => ({ name, mode: MODE_DIR });
const file = (name: string, data: string | Buffer = `${name}\n`): MemberSpec => ({ name, mode: MODE_FILE, data });

/** Paths as mkinitramfs stores them, in LC_ALL=C sort order; a big file near the end keeps zstd busy. */
function sortedMembers(): MemberSpec[] {
  const members = [
    dir('.'),
    dir('conf'),
    file('conf/arch.conf', 'DPKG_ARCH=amd64\n'),
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
    dir('usr/lib/modprobe.d'),
    file('usr/lib/modprobe.d/aliases.conf', 'alias net-pf-10 ipv6\n'),
    dir('usr/lib/modules'),
    dir(`usr/lib/modules/${K}`),
    dir(MODS),
    dir(`${MODS}/drivers`),
    file(`${MODS}/drivers/ahci.ko`),
    dir(`${MODS}/drivers/gpu`),
    file(`${MODS}/drivers/gpu/nouveau.ko`),
    dir(`${MODS}/drivers/vfio`),
    dir(`${MODS}/drivers/vfio/pci`),
    file(`${MODS}/drivers/vfio/pci/vfio-pci.ko`),
    file(`${MODS}/drivers/vfio/vfio.ko`),
    dir(`${MODS}/sound`),
    file(`${MODS}/sound/snd-hda-intel.ko`),
    file(`usr/lib/modules/${K}/modules.alias`, Buffer.alloc(32 * 1024 * 1024)),
    dir('usr/lib/x86_64-linux-gnu'),
    file('usr/lib/x86_64-linux-gnu/libz.so.1'),
    dir('var'),
    file('var/last.ko'),
  ];
  const names = members.map((m) => m.name);
  assert.deepEqual(names, [...names].sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b)))), 'fixture is in byte order');
  return members;
}

let counter = 0;
async function zstdImage(members: MemberSpec[], after: Buffer = Buffer.alloc(0)): Promise<string> {
  const image = path.join(work, `image-${counter++}.img`);
  writeFileSync(image, Buffer.concat([await compress('zstd', newcArchive(members)), after]));
  return image;
}

/** Every path the walk showed onMember. */
async function seen(image: string, stopLimit: string | null): Promise<string[]> {
  const paths: string[] = [];
  await readInitramfsFiles(image, () => false, { onMember: (p) => paths.push(p), stopLimit: () => stopLimit });
  return paths;
}

/** zstd processes whose parent is this test process (none may outlive a walk, zombies included). */
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
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const ppid = Number(stat.slice(close + 2).split(' ')[1]);
    if (ppid === process.pid && comm === 'zstd') out.push(`${pid} ${stat.slice(close + 2, close + 3)}`);
  }
  return out;
}

const VFIO_LIMIT = `${MODS}/drivers/vfio/pci/vfio-pci.kp`;
const SOUND_LIMIT = `${MODS}/sound/snd-hda-intel.kp`;

toolTest('a sorted initramfs-tools image stops past the last path asked about and answers as the full read', ['zstd'], async () => {
  const image = await zstdImage(sortedMembers());
  const full = await summariseInitramfs(image, image, K, 60_000);
  for (const limit of [VFIO_LIMIT, SOUND_LIMIT]) {
    const early = await summariseInitramfs(image, image, K, 60_000, limit);
    assert.deepEqual(early.modprobe, full.modprobe);
    assert.deepEqual(early.loadAtBoot, full.loadAtBoot);
    for (const m of ['nouveau', 'vfio_pci', 'ahci']) assert.equal(early.modules.includes(m), full.modules.includes(m), m);
    assert.ok(early.entries < full.entries, `${limit}: read ${early.entries} of ${full.entries} entries`);
    assert.deepEqual(childZstd(), [], 'no zstd process left behind');
  }
  // The big file after the limit is never reached: the walk stopped, it did not just skip.
  const paths = await seen(image, VFIO_LIMIT);
  assert.ok(paths.includes(`${MODS}/drivers/vfio/pci/vfio-pci.ko`));
  assert.ok(!paths.includes('var/last.ko') && !paths.includes('usr/lib/x86_64-linux-gnu/libz.so.1'));
  assert.equal((await seen(image, SOUND_LIMIT)).includes(`${MODS}/sound/snd-hda-intel.ko`), true);
  // Without a limit (a module with no known place), or with none known yet, the image is read to the end.
  assert.ok((await seen(image, null)).includes('var/last.ko'));
  const undecided: string[] = [];
  await readInitramfsFiles(image, () => false, { onMember: (p) => undecided.push(p), stopLimit: () => undefined });
  assert.ok(undecided.includes('var/last.ko'));
  assert.deepEqual(childZstd(), []);
});

toolTest('an image out of sorted order is read to the end, and a member that sorts before but comes after is found', ['zstd'], async () => {
  const members = sortedMembers();
  // etc/modprobe.d/late.conf sorts among the early files but is stored after a module file.
  const at = members.findIndex((m) => m.name === `${MODS}/drivers/ahci.ko`);
  members.splice(at + 1, 0, file('etc/modprobe.d/late.conf', 'blacklist nouveau\n'));
  const image = await zstdImage(members);
  const paths = await seen(image, VFIO_LIMIT);
  assert.ok(paths.includes('var/last.ko'), 'read to the end');
  const early = await summariseInitramfs(image, image, K, 60_000, VFIO_LIMIT);
  const full = await summariseInitramfs(image, image, K, 60_000);
  assert.deepEqual(early, full);
  assert.ok(early.modprobe.some((e) => e.file === 'etc/modprobe.d/late.conf' && e.kind === 'blacklist'));

  // A repeated path is out of order too: the second one wins when unpacked, so it must be read.
  const repeated = sortedMembers();
  const vfio = repeated.findIndex((m) => m.name === `${MODS}/drivers/vfio/vfio.ko`);
  repeated.splice(vfio, 0, file('conf/modules', 'nouveau\n'));
  const image2 = await zstdImage(repeated);
  const files = await readInitramfsFiles(image2, ['conf/modules'], { stopLimit: () => VFIO_LIMIT });
  assert.equal(files.get('conf/modules')?.toString(), 'nouveau\n');
});

toolTest('sorted images that are not initramfs-tools ones, or hold more after the zstd frame, are read to the end', ['zstd'], async () => {
  // Sorted, but without initramfs-tools' own files: a hand-made or another generator's image.
  const handMade = sortedMembers().filter((m) => !['conf/initramfs.conf', 'scripts/functions'].includes(m.name));
  assert.ok((await seen(await zstdImage(handMade), VFIO_LIMIT)).includes('var/last.ko'));

  // A second archive after the zstd frame (catenate_cpiogz appends gzip ones) may replace anything.
  const appended = gzipSync(newcArchive([dir('etc'), dir('etc/modprobe.d'), file('etc/modprobe.d/vfio.conf', 'blacklist vfio_pci\n')]));
  const image = await zstdImage(sortedMembers(), appended);
  assert.equal(isSingleZstdFrame(image, 0, readFileSync(image).length), false);
  const files = await readInitramfsFiles(image, ['etc/modprobe.d/vfio.conf'], { stopLimit: () => VFIO_LIMIT });
  assert.equal(files.get('etc/modprobe.d/vfio.conf')?.toString(), 'blacklist vfio_pci\n');

  // gzip cannot be proven to end with its stream: read to the end.
  const gz = path.join(work, `image-${counter++}.img`);
  writeFileSync(gz, gzipSync(newcArchive(sortedMembers())));
  assert.ok((await seen(gz, VFIO_LIMIT)).includes('var/last.ko'));

  const single = await zstdImage(sortedMembers());
  assert.equal(isSingleZstdFrame(single, 0, readFileSync(single).length), true);
  assert.deepEqual(childZstd(), []);
});
