#!/usr/bin/env node
// Runs the compiled test files under a directory with Node's test runner, in a temp directory of their
// own, and fails the run when a test left anything behind in it: tests must clean up after themselves,
// and this is where a leak shows instead of piling up in /tmp.
//
//   node scripts/run-tests.mjs DIR [--exclude DIR]... [-- node-test-options...]
//
// Node 20's test runner takes no glob, so the files are listed here: every *.test.js under DIR, except
// under an excluded directory (the acceptance run over ../shared/cases has its own script).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

function usage(message) {
  process.stderr.write(`run-tests: ${message}\nusage: node scripts/run-tests.mjs DIR [--exclude DIR]... [-- node-test-options...]\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
const dash = args.indexOf('--');
const own = dash < 0 ? args : args.slice(0, dash);
const nodeOptions = dash < 0 ? [] : args.slice(dash + 1);
const excluded = [];
let root = null;
for (let i = 0; i < own.length; i++) {
  if (own[i] === '--exclude') {
    if (own[i + 1] === undefined) usage('--exclude needs a directory');
    excluded.push(path.resolve(own[++i]));
  } else if (root === null) root = path.resolve(own[i]);
  else usage(`unexpected argument ${own[i]}`);
}
if (root === null) usage('no test directory given');
if (!fs.existsSync(root)) usage(`${root} does not exist (run npm run build first)`);

function testFiles(dir) {
  if (excluded.includes(dir)) return [];
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...testFiles(p));
    else if (e.name.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const files = testFiles(root);
if (files.length === 0) usage(`no *.test.js files under ${root}`);

// Most test files spend their time waiting on real tools (lspci, mkinitramfs, cpio) rather than on the
// CPU, so running two more files than there are cores keeps the machine busy without thrashing it.
const concurrency = nodeOptions.some((o) => o.startsWith('--test-concurrency')) ? [] : [`--test-concurrency=${os.availableParallelism() + 2}`];

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'vfio-doctor-test-run-'));
// Open like /tmp itself: some tests read their trees as an unprivileged user.
fs.chmodSync(scratch, 0o1777);
const child = spawn(process.execPath, ['--test', ...concurrency, ...nodeOptions, ...files], {
  stdio: 'inherit',
  env: { ...process.env, TMPDIR: scratch },
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => {
  const left = fs.readdirSync(scratch);
  fs.rmSync(scratch, { recursive: true, force: true });
  if (left.length > 0) {
    process.stderr.write(`run-tests: the tests left ${left.length} entries in their temp directory: ${left.sort().join(', ')}\n`);
  }
  process.exit(signal || code !== 0 ? (code || 1) : left.length > 0 ? 1 : 0);
});
