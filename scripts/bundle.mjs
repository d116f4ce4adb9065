// Bundles the CLI into one JS file (dist/vfio-doctor.mjs) that runs with nothing but Node.js >= 18.19:
// what gets copied to a hypervisor that has no toolchain. 18.19 is what Debian 12 and Proxmox VE 8 ship,
// the hosts that need this tool most (test/package/oldest-node.test.ts runs the bundle on it).
import { build } from 'esbuild';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { asciiOnly, builtinsByRequire, lazyModules } from './lazy-modules.mjs';

const out = 'dist/vfio-doctor.mjs';
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
  format: 'esm',
  outfile: out,
  // The stand-ins for Node's built-ins and the lazily compiled modules (scripts/lazy-modules.mjs) call require:
  // a real one, in an ES module.
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __vfioDoctorRequire } from 'node:module';\nconst require = __vfioDoctorRequire(import.meta.url);\n" + versionGuard },
  define: { __VFIO_DOCTOR_SINGLE_EXECUTABLE__: 'false' },
  // The validator, yaml and the archive readers are held as text until a command needs them, and Node's
  // built-in modules are required, some on first use (scripts/lazy-modules.mjs says why).
  plugins: [lazyModules({ target: 'node18.19' }), builtinsByRequire()],
  legalComments: 'none',
  logLevel: 'warning',
  write: false,
});
// ASCII only: see asciiOnly.
mkdirSync('dist', { recursive: true });
writeFileSync(out, asciiOnly(result.outputFiles[0].text));
chmodSync(out, 0o755);
