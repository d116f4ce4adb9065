// Bundles the CLI into one JS file, dist/vfio-doctor.cjs, that runs with nothing but Node.js >= 18.19:
// what gets copied to a hypervisor that has no toolchain. 18.19 is what Debian 12 and Proxmox VE 8 ship,
// the hosts that need this tool most (test/package/oldest-node.test.ts runs the bundle on it). Beside
// it: dist/vfio-doctor.mjs, the command users run, which starts vfio-doctor.cjs with the code V8
// compiled for it (scripts/launcher.mjs), and that code, dist/vfio-doctor.code-cache (scripts/code-cache.mjs).
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { asciiOnly, builtinsByRequire, lazyModules } from './lazy-modules.mjs';
import { makeCodeCache } from './code-cache.mjs';

const out = 'dist/vfio-doctor.cjs';
const launcher = 'dist/vfio-doctor.mjs';
const cache = 'dist/vfio-doctor.code-cache';
// An older Node.js would fail somewhere deep with a stack trace; one line saying what to use serves better.
const versionGuard = [
  "{ const [major, minor] = process.versions.node.split('.').map(Number);",
  "  if (major < 18 || (major === 18 && minor < 19)) {",
  "    process.stderr.write(`vfio-doctor: needs Node.js >= 18.19, this is ${process.versions.node}; on this host use the .deb or the single executable dist/vfio-doctor (see the README)\\n`);",
  "    process.exit(2);",
  "  } }",
].join('\n');
const result = await build({
  entryPoints: ['src/cli/bin.ts'],
  bundle: true,
  platform: 'node',
  target: 'node18.19',
  // CommonJS: Node's loader for it reads and compiles a large file sooner than its ES module loader
  // (which decodes the whole file through TextDecoder first), and launcher.mjs can compile it as a
  // script with V8's code cache. The sources are ES modules; strict mode is kept.
  format: 'cjs',
  outfile: out,
  banner: { js: '#!/usr/bin/env node\n"use strict";\n' + versionGuard },
  define: { __VFIO_DOCTOR_SINGLE_EXECUTABLE__: 'false' },
  // The validator, yaml and the archive readers are held as text until a command needs them, and Node's
  // built-in modules are required, some on first use (scripts/lazy-modules.mjs says why).
  plugins: [lazyModules({ target: 'node18.19' }), builtinsByRequire()],
  legalComments: 'none',
  logLevel: 'warning',
  write: false,
});
// ASCII only: see asciiOnly. The last line names this build, for the code cache (launcher.mjs).
const code = asciiOnly(result.outputFiles[0].text);
const stamp = `// vfio-doctor build ${createHash('sha256').update(code).digest('hex')}\n`;
mkdirSync('dist', { recursive: true });
rmSync(cache, { force: true });
writeFileSync(out, code.endsWith('\n') ? code + stamp : `${code}\n${stamp}`);
chmodSync(out, 0o755);
copyFileSync('scripts/launcher.mjs', launcher);
chmodSync(launcher, 0o755);
await makeCodeCache(launcher, cache);
