// Bundles the CLI into one JS file (dist/vfio-doctor.mjs) that runs with nothing but Node.js >= 20:
// what gets copied to a hypervisor that has no toolchain.
import { build } from 'esbuild';
import { chmodSync } from 'node:fs';

const out = 'dist/vfio-doctor.mjs';
await build({
  entryPoints: ['src/cli/bin.ts'],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  outfile: out,
  // yaml ships CommonJS for Node: its require() of Node built-ins needs a real require in an ES module.
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __vfioDoctorRequire } from 'node:module';\nconst require = __vfioDoctorRequire(import.meta.url);" },
  define: { __VFIO_DOCTOR_SINGLE_EXECUTABLE__: 'false' },
  legalComments: 'none',
  logLevel: 'warning',
});
chmodSync(out, 0o755);
