// Builds dist/vfio-doctor: one executable file for hosts without Node.js (linux-x64), made the way
// Node's single executable applications are: the CLI bundled as one CommonJS script, turned into a
// preparation blob by this Node, and injected with postject into a copy of this Node's own binary.
// The binary is as new as the Node that builds it; run this with the Node you want to ship.
//
//   node scripts/build-sea.mjs [OUTPUT]      (default dist/vfio-doctor)
import { build } from 'esbuild';
import { inject } from 'postject';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { asciiOnly, builtinsByRequire, lazyModules } from './lazy-modules.mjs';

// The fuse every Node binary carries for this; see Node's single-executable-applications documentation.
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
const out = process.argv[2] ?? 'dist/vfio-doctor';

if (process.platform !== 'linux' || process.arch !== 'x64') {
  process.stderr.write(`build:sea makes a linux-x64 executable from the running Node; this is ${process.platform}-${process.arch}\n`);
  process.exit(2);
}
fs.mkdirSync(path.dirname(out), { recursive: true });
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vfio-doctor-sea-'));
try {
  const script = path.join(work, 'vfio-doctor.cjs');
  // Single executables run CommonJS scripts only (Node 20), and have no module directory to require from.
  const bundled = await build({
    entryPoints: ['src/cli/bin.ts'],
    bundle: true,
    platform: 'node',
    target: `node${process.versions.node.split('.')[0]}`,
    format: 'cjs',
    outfile: script,
    define: { __VFIO_DOCTOR_SINGLE_EXECUTABLE__: 'true' },
    // As in the npm bundle: the validator, yaml and the archive readers are compiled on first use, and
    // some built-in modules are required on first use.
    plugins: [lazyModules({ target: `node${process.versions.node.split('.')[0]}` }), builtinsByRequire()],
    legalComments: 'none',
    logLevel: 'warning',
    write: false,
  });
  fs.writeFileSync(script, asciiOnly(bundled.outputFiles[0].text));
  const blob = path.join(work, 'sea-prep.blob');
  const config = path.join(work, 'sea-config.json');
  fs.writeFileSync(config, JSON.stringify({ main: script, output: blob, disableExperimentalSEAWarning: true }));
  execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: 'inherit' });

  // Written beside the target and renamed over it: a half-written binary never carries the final name.
  const partial = `${out}.partial`;
  fs.copyFileSync(process.execPath, partial);
  fs.chmodSync(partial, 0o755);
  await inject(partial, 'NODE_SEA_BLOB', fs.readFileSync(blob), { sentinelFuse: FUSE });
  fs.renameSync(partial, out);
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}
process.stdout.write(`${out} (Node ${process.versions.node}, ${(fs.statSync(out).size / 1e6).toFixed(0)} MB)\n`);
