// The guest's initramfs: a static busybox, the few modules that mount the host's root over 9p, and an
// init that builds a writable root (the host's / read-only under a tmpfs overlay) with the guest kernel's
// own modules and config bound where a real install has them, then runs the variant's script there.
// The guest therefore runs the host's node and the project's bundle against its own sysfs and dmesg.

import fs from 'node:fs';
import path from 'node:path';
import { run } from '../../initramfs/support/tools.js';
import { moduleClosure, type GuestKernel } from './assets.js';

/** Modules that must be in the image (everything else is loaded from the bound /lib/modules). */
const EARLY_MODULES = ['virtio_pci', '9pnet_virtio', '9p', 'overlay'];

// The variant's script runs as /vmtest/run.sh inside the new root; its output goes to the "out" share.
const INIT = `#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs dev /dev
. /vmtest/env
for m in $(cat /mods/order); do insmod /mods/$m || echo "vmtest: insmod $m failed"; done
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=1048576,cache=loose hostroot /host || echo "vmtest: no host root"
mount -t tmpfs -o size=768m tmpfs /rw
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/host,upperdir=/rw/upper,workdir=/rw/work /newroot || echo "vmtest: no overlay"
N=/newroot
mkdir -p $N/out $N/lib/modules/$VERSION $N/vmtest $N/boot
mount -t 9p -o trans=virtio,version=9p2000.L,msize=1048576 out $N/out || echo "vmtest: no out share"
mount --bind $N$MODULES $N/lib/modules/$VERSION
cp $N$CONFIG $N/boot/config-$VERSION
mount -t proc proc $N/proc
mount -t sysfs sysfs $N/sys
mount -t devtmpfs dev $N/dev
for d in tmp run var/log var/tmp root; do mkdir -p $N/$d; mount -t tmpfs tmpfs $N/$d; done
cp /vmtest/run.sh $N/vmtest/run.sh
echo "vmtest: running"
chroot $N /bin/sh /vmtest/run.sh > $N/out/run.log 2>&1
echo "vmtest: exit $?"
cat /proc/cmdline > $N/out/cmdline.txt
sync
poweroff -f
`;

export interface InitrdSpec {
  kernel: GuestKernel;
  busybox: string;
  /** The variant's script (POSIX sh), run as root inside the guest's root. */
  script: string;
  workDir: string;
}

export async function buildInitrd(spec: InitrdSpec): Promise<string> {
  const dir = path.join(spec.workDir, 'initrd');
  for (const d of ['bin', 'dev', 'proc', 'sys', 'host', 'rw', 'newroot', 'mods', 'vmtest']) fs.mkdirSync(path.join(dir, d), { recursive: true });
  fs.copyFileSync(spec.busybox, path.join(dir, 'bin', 'busybox'));
  fs.chmodSync(path.join(dir, 'bin', 'busybox'), 0o755);
  const order: string[] = [];
  for (const rel of moduleClosure(spec.kernel.modules, EARLY_MODULES)) {
    const src = path.join(spec.kernel.modules, rel);
    const name = path.basename(rel).replace(/\.xz$/, '');
    const dest = path.join(dir, 'mods', name);
    if (src.endsWith('.xz')) {
      // busybox insmod reads plain ELF only; Debian's 6.12 ships its modules xz-compressed.
      fs.writeFileSync(dest, (await run('xz', ['-dc', src], { timeoutMs: 60_000 })).stdout);
    } else {
      fs.copyFileSync(src, dest);
    }
    order.push(name);
  }
  fs.writeFileSync(path.join(dir, 'mods', 'order'), order.join('\n') + '\n');
  // Host paths are the same inside the guest: the host's / is shared as it is.
  fs.writeFileSync(
    path.join(dir, 'vmtest', 'env'),
    `VERSION='${spec.kernel.version}'\nMODULES='${spec.kernel.modules}'\nCONFIG='${spec.kernel.config}'\n`,
  );
  fs.writeFileSync(path.join(dir, 'vmtest', 'run.sh'), spec.script);
  fs.writeFileSync(path.join(dir, 'init'), INIT, { mode: 0o755 });
  const names = listTree(dir);
  const image = path.join(spec.workDir, 'initrd.img');
  const { stdout } = await run('cpio', ['-o', '-H', 'newc', '--quiet', '-R', '0:0'], { cwd: dir, input: Buffer.from(names.join('\n') + '\n'), timeoutMs: 60_000 });
  fs.writeFileSync(image, stdout);
  return image;
}

function listTree(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      out.push(r);
      if (e.isDirectory()) walk(r);
    }
  };
  walk('');
  return out;
}
