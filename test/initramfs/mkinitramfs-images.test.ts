// Real images from initramfs-tools' mkinitramfs, with each compression it offers and with the two
// early-microcode archives the microcode packages prepend; every listing must equal lsinitramfs on the
// same image, and files put in through the host configuration must read back intact.

import assert from 'node:assert/strict';
import path from 'node:path';

import {
  findInitramfsEntry,
  listInitramfs,
  readInitramfsFile,
  readInitramfsFiles,
  type InitramfsCompression,
} from '../../src/initramfs/index.js';
import { buildWithMkinitramfs, FAKE_KERNEL_VERSION, SANDBOX_FILES } from './support/mkinitramfs-sandbox.js';
import { lsinitramfs, mountNamespaceProblem, tempDir, toolTest } from './support/tools.js';

const BUILD_TOOLS = ['mkinitramfs', 'lsinitramfs', 'cpio', 'unshare', 'mount'];

let namespaceProblem: string | null | undefined;
function namespaceCheck(): string | null {
  if (namespaceProblem === undefined) namespaceProblem = mountNamespaceProblem();
  return namespaceProblem;
}

// COMPRESS= value, the format the image must then be detected as, and the tool mkinitramfs runs for it.
// The slow compressors run at level 1 (COMPRESSLEVEL=1, a setting initramfs.conf offers) to keep the suite quick.
const CASES: Array<{ compress: string; expected: InitramfsCompression; tool: string; level?: number }> = [
  { compress: 'gzip', expected: 'gzip', tool: 'gzip' },
  { compress: 'zstd', expected: 'zstd', tool: 'zstd' },
  { compress: 'xz', expected: 'xz', tool: 'xz', level: 1 },
  { compress: 'lzma', expected: 'lzma', tool: 'xz', level: 1 },
  { compress: 'lz4', expected: 'lz4', tool: 'lz4' },
  { compress: 'bzip2', expected: 'bzip2', tool: 'bzip2', level: 1 },
  { compress: 'lzop', expected: 'lzo', tool: 'lzop' },
];

const work = tempDir('mkinitramfs');

function sorted(paths: string[]): string[] {
  return [...paths].sort();
}

for (const { compress, expected, tool, level } of CASES) {
  toolTest(
    `mkinitramfs COMPRESS=${compress} with early microcode: listing equals lsinitramfs`,
    [...BUILD_TOOLS, tool],
    async () => {
      const dir = path.join(work, `${compress}-early`);
      const image = path.join(work, `initrd.img-${compress}-early`);
      await buildWithMkinitramfs({ workDir: dir, output: image, compress, level, earlyArchives: true });

      const listing = await listInitramfs(image);
      assert.deepEqual(
        listing.segments.map((s) => s.compression),
        ['none', 'none', expected],
        'two uncompressed early archives, then the compressed main archive',
      );
      assert.equal(listing.segments[0]!.offset, 0);
      assert.equal(
        listing.segments.reduce((n, s) => n + s.entries, 0),
        listing.entries.length,
      );
      assert.deepEqual(sorted(listing.entries.map((e) => e.path)), sorted(await lsinitramfs(image)));

      const early = listing.entries.filter((e) => e.segment < 2).map((e) => e.path);
      assert.ok(early.includes('kernel/x86/microcode/GenuineIntel.bin'));
      assert.ok(early.includes('kernel/x86/microcode/AuthenticAMD.bin'));
      assert.ok(listing.entries.some((e) => e.path === 'init' && e.type === 'file' && e.segment === 2));

      const builtin = `lib/modules/${FAKE_KERNEL_VERSION}/modules.builtin`;
      const files = await readInitramfsFiles(image, [
        'etc/modprobe.d/vfio.conf',
        './conf/modules',
        'kernel/x86/microcode/AuthenticAMD.bin',
        `usr/${builtin}`,
        'etc/modprobe.d/absent.conf',
      ]);
      assert.equal(files.get('etc/modprobe.d/vfio.conf')?.toString(), SANDBOX_FILES.modprobeConf);
      assert.match(files.get('conf/modules')?.toString() ?? '', /^vfio-pci\b/m);
      assert.equal(
        files.get('kernel/x86/microcode/AuthenticAMD.bin')?.toString(),
        SANDBOX_FILES.earlyMicrocode.AuthenticAMD,
      );
      assert.equal(files.get(`usr/${builtin}`)?.toString(), SANDBOX_FILES.modulesBuiltin);
      assert.equal(files.has('etc/modprobe.d/absent.conf'), false);

      // The image is usr-merged: lib/modules/... exists only through the lib -> usr/lib symlink.
      assert.equal(findInitramfsEntry(listing, builtin)?.path, `usr/${builtin}`);
      // Each read is a full decompression; the symlink-following read is checked where that is cheap.
      if (compress === 'gzip' || compress === 'zstd') {
        assert.equal((await readInitramfsFile(image, builtin))?.toString(), SANDBOX_FILES.modulesBuiltin);
        assert.equal(await readInitramfsFile(image, 'etc/modprobe.d/absent.conf'), null);
      }
    },
    namespaceCheck,
  );
}

toolTest(
  'mkinitramfs COMPRESS=zstd without early microcode: one compressed segment, listing equals lsinitramfs',
  [...BUILD_TOOLS, 'zstd'],
  async () => {
    const dir = path.join(work, 'zstd-plain');
    const image = path.join(work, 'initrd.img-zstd-plain');
    await buildWithMkinitramfs({ workDir: dir, output: image, compress: 'zstd', earlyArchives: false });
    const listing = await listInitramfs(image);
    assert.deepEqual(listing.segments, [{ offset: 0, compression: 'zstd', entries: listing.entries.length }]);
    assert.deepEqual(sorted(listing.entries.map((e) => e.path)), sorted(await lsinitramfs(image)));
    const modprobe = listing.entries.find((e) => e.path === 'usr/sbin/modprobe' || e.path === 'usr/bin/modprobe');
    assert.ok(modprobe, 'modprobe is copied into every initramfs-tools image');
    assert.ok(findInitramfsEntry(listing, 'sbin/modprobe'), 'sbin/modprobe resolves through the usr-merge links');
  },
  namespaceCheck,
);
