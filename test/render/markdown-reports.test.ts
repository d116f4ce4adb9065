// --markdown for check and preflight: the same Markdown finding renderer as diff, under each command's
// own header.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { runCli } from '../helpers/run-cli.js';
import { buildHost } from '../fixtures/host-builder.js';
import { intelDesktop } from '../fixtures/hosts.js';
import { twoKernelHost } from '../preflight/support/hosts.js';
import { parseValidated } from '../helpers/json-output.js';

const roots: string[] = [];
after(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

test('check --markdown: verdict, the chain as a table, each finding as a list item', async () => {
  const root = await buildHost({ ...intelDesktop, cmdlineArgs: ['intel_iommu=off'], iommu: null });
  roots.push(root);
  const md = await runCli(['check', '--root', root, '--markdown']);
  const json = await runCli(['check', '--root', root, '--json']);
  assert.equal(md.code, json.code, md.stderr);
  assert.equal(md.code, 1);
  assert.match(md.stdout, /^### vfio-doctor check\n/);
  assert.match(md.stdout, /- \*\*verdict:\*\* ❌ the kernel layer is broken \(`iommu-disabled-cmdline`\)/);
  assert.match(md.stdout, /\| kernel \| [1-9]\d* \|/);
  const report = parseValidated('report', json.stdout) as { findings: { id: string; cause: string }[] };
  for (const f of report.findings) assert.ok(md.stdout.includes(`(\`${f.id}\`, cause \`${f.cause}\``), `${f.id} is listed`);
  assert.ok(md.stdout.includes('intel_iommu=off'), 'evidence in code spans');
});

test('preflight --markdown: the next boot per target and the findings', async () => {
  const root = await twoKernelHost({ next: { release: '6.12.9-amd64', initramfs: { modules: ['nvme', 'ahci', 'nouveau'] } } });
  roots.push(root);
  const r = await runCli(['preflight', '--root', root, '--markdown']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /^### vfio-doctor preflight: 6\.8\.0-45-generic → 6\.12\.9-amd64\n/);
  assert.match(r.stdout, /\| `0000:01:00\.0` .*\| nouveau \| FAILS \|/);
  assert.match(r.stdout, /- \*\*FAIL\*\*: 0000:01:00\.0 .*\(`preflight\.initramfs-race`, cause `initramfs-missing-vfio`, `0000:01:00\.0`\)/);
  assert.match(r.stdout, /`update-initramfs -u -k 6\.12\.9-amd64`/);
});

test('--json and --markdown exclude each other', async () => {
  for (const cmd of ['check', 'preflight']) {
    const r = await runCli([cmd, '--json', '--markdown']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--json and --markdown exclude each other/);
  }
});
