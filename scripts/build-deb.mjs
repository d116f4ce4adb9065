// Builds the Debian package with dpkg-deb: the single executable as /usr/bin/vfio-doctor, the boot
// snapshot unit (shipped, not enabled), the kernel postinst hook (a conffile), the man page, the
// bash / zsh / fish completions and the JSON Schemas (/usr/share/vfio-doctor/schema). The unit and the hook are the ones `vfio-doctor install` writes,
// rendered by the same compiled code for the packaged path.
//
//   node scripts/build-deb.mjs [--binary FILE] [--out DIR] [--compression xz|gzip]
//     (defaults: dist/vfio-doctor, built by npm run build:sea; dist/; xz, the smallest download, while
//     gzip is several times faster to build, which the tests use)
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { renderUnit, DEFAULT_KEEP, UNIT_NAME } from '../build/src/install/unit.js';
import { kernelHookScript, KERNEL_HOOK_PATH } from '../build/src/preflight/kernel-hook.js';
import { VERSION } from '../build/src/version.js';

const { values } = parseArgs({
  options: { binary: { type: 'string', default: 'dist/vfio-doctor' }, out: { type: 'string', default: 'dist' }, compression: { type: 'string', default: 'xz' } },
});
if (!['xz', 'gzip'].includes(values.compression)) {
  process.stderr.write(`build-deb: --compression ${values.compression}: xz or gzip\n`);
  process.exit(2);
}
const BIN = '/usr/bin/vfio-doctor';
if (!fs.existsSync(values.binary)) {
  process.stderr.write(`build-deb: ${values.binary} does not exist (npm run build:sea makes it)\n`);
  process.exit(2);
}

const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'vfio-doctor-deb-'));
try {
  // The staging root becomes the package's "./": it must look like /, not like a private temp dir.
  fs.chmodSync(stage, 0o755);
  const put = (rel, data, mode = 0o644) => {
    const p = path.join(stage, rel);
    fs.mkdirSync(path.dirname(p), { recursive: true, mode: 0o755 });
    fs.writeFileSync(p, data, { mode });
    fs.chmodSync(p, mode);
  };
  put(BIN.slice(1), fs.readFileSync(values.binary), 0o755);
  put('usr/share/man/man1/vfio-doctor.1.gz', gzipSync(fs.readFileSync('dist/vfio-doctor.1'), { level: 9 }));
  put('usr/share/bash-completion/completions/vfio-doctor', fs.readFileSync('dist/completions/vfio-doctor.bash'));
  put('usr/share/zsh/vendor-completions/_vfio-doctor', fs.readFileSync('dist/completions/_vfio-doctor'));
  put('usr/share/fish/vendor_completions.d/vfio-doctor.fish', fs.readFileSync('dist/completions/vfio-doctor.fish'));
  put(`lib/systemd/system/${UNIT_NAME}`, renderUnit({ node: BIN, cli: null, dir: null, keep: DEFAULT_KEEP }));
  put(KERNEL_HOOK_PATH.slice(1), kernelHookScript(BIN), 0o755);
  // The JSON Schemas of every --json output and the snapshot, for scripts that validate what it prints.
  for (const f of fs.readdirSync('schema').filter((n) => n.endsWith('.schema.json'))) put(`usr/share/vfio-doctor/schema/${f}`, fs.readFileSync(path.join('schema', f)));
  put('usr/share/doc/vfio-doctor/copyright', `Upstream-Name: vfio-doctor\nLicense: MIT\n\n${fs.readFileSync('LICENSE', 'utf8')}`);

  const installedKiB = Math.ceil(
    fs
      .readdirSync(stage, { recursive: true })
      .map((f) => fs.statSync(path.join(stage, f)))
      .filter((s) => s.isFile())
      .reduce((sum, s) => sum + s.size, 0) / 1024,
  );
  put(
    'DEBIAN/control',
    [
      'Package: vfio-doctor',
      `Version: ${VERSION}`,
      'Architecture: amd64',
      'Section: admin',
      'Priority: optional',
      'Maintainer: vfio-doctor maintainers <maintainers@vfio-doctor.invalid>',
      `Installed-Size: ${installedKiB}`,
      'Depends: libc6, libstdc++6, libgcc-s1',
      'Recommends: pciutils, kmod',
      'Description: diagnose PCI passthrough (IOMMU / VFIO) breakage, layer by layer',
      ' vfio-doctor walks the chain PCI passthrough depends on (firmware, kernel, modules,',
      ' binding, isolation, device, hypervisor), stops at the first broken layer, shows',
      ' the evidence and gives the fix for the host\'s distribution. It only reads the host.',
      ' One executable with its own Node.js runtime: no Node.js needed on the host.',
      '',
    ].join('\n'),
  );
  put('DEBIAN/conffiles', `${KERNEL_HOOK_PATH}\n`);
  // systemd learns of the unit (and forgets it) without it being enabled: that is the admin's choice.
  const reload = 'if [ -d /run/systemd/system ]; then systemctl daemon-reload >/dev/null 2>&1 || true; fi';
  put('DEBIAN/postinst', `#!/bin/sh\nset -e\n${reload}\nexit 0\n`, 0o755);
  put('DEBIAN/prerm', `#!/bin/sh\nset -e\nif [ -d /run/systemd/system ]; then systemctl disable --now ${UNIT_NAME} >/dev/null 2>&1 || true; fi\nexit 0\n`, 0o755);
  put(
    'DEBIAN/postrm',
    `#!/bin/sh\nset -e\n${reload}\n# Purging removes the snapshots the unit saved too.\nif [ "$1" = purge ]; then rm -rf /var/lib/vfio-doctor; fi\nexit 0\n`,
    0o755,
  );
  fs.mkdirSync(values.out, { recursive: true });
  const deb = path.join(values.out, `vfio-doctor_${VERSION}_amd64.deb`);
  execFileSync('dpkg-deb', ['--root-owner-group', `-Z${values.compression}`, '--build', stage, deb], { stdio: ['ignore', 'ignore', 'inherit'] });
  process.stdout.write(`${deb}\n`);
} finally {
  fs.rmSync(stage, { recursive: true, force: true });
}
