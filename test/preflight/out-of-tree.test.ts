import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { buildHost } from '../fixtures/host-builder.js';
import { noIommuHost } from '../fixtures/hosts.js';
import type { PreflightReport } from '../../src/preflight/types.js';
import { parseValidated } from '../helpers/json-output.js';

// The Pop!_OS host has an RX 6600 (Navi 23, 1002:73ff): its reset needs the out-of-tree vendor-reset.
const NEXT = '6.12.10-76061203-generic';
const NAVI = '0000:01:00.0';
const SIGNED = Buffer.concat([Buffer.from('\x7fELF module body'), Buffer.from('~Module signature appended~\n')]);

async function host(secureBoot: boolean, vendorReset: Buffer | null, imageModules?: string[]): Promise<string> {
  const root = await buildHost({
    ...noIommuHost,
    firmware: { ...noIommuHost.firmware, efi: { secureBoot } },
    kernel: { ...noIommuHost.kernel, installed: [{ release: noIommuHost.kernel!.release! }, { release: NEXT, ...(imageModules ? { initramfs: { modules: imageModules } } : {}) }] },
  });
  if (vendorReset) {
    const dir = path.join(root, 'lib/modules', NEXT, 'updates/dkms');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'vendor-reset.ko'), vendorReset);
  }
  return root;
}

async function preflight(root: string): Promise<PreflightReport> {
  const r = await runCli(['preflight', '--root', root, '--device', NAVI, '--json']);
  assert.equal(r.stderr, '');
  return parseValidated('preflight', r.stdout) as PreflightReport;
}

const byCause = (r: PreflightReport, cause: string) => r.findings.filter((f) => f.cause === cause);

test('vendor-reset not built for the new kernel: a warning naming the GPU family', async () => {
  const r = await preflight(await host(false, null));
  const [f] = byCause(r, 'module-missing').filter((x) => x.id === 'preflight.out-of-tree-missing');
  assert.ok(f, JSON.stringify(r.findings));
  assert.equal(f.severity, 'warn');
  assert.match(f.evidence.map((e) => e.text).join('\n'), /Navi 23/);
  assert.ok(f.commands.includes(`dkms autoinstall -k ${NEXT}`));
});

test('an unsigned vendor-reset under Secure Boot fails with module-signature-rejected', async () => {
  const r = await preflight(await host(true, Buffer.from('\x7fELF unsigned')));
  const [f] = byCause(r, 'module-signature-rejected');
  assert.ok(f, JSON.stringify(r.findings));
  assert.equal(f.severity, 'fail');
  assert.equal(f.evidence[0]!.source, `/lib/modules/${NEXT}/updates/dkms/vendor-reset.ko`);
});

test('a signed vendor-reset under Secure Boot, or an unsigned one without it, is fine', async () => {
  assert.deepEqual(byCause(await preflight(await host(true, SIGNED)), 'module-signature-rejected'), []);
  assert.deepEqual(byCause(await preflight(await host(false, Buffer.from('\x7fELF unsigned'))), 'module-signature-rejected'), []);
});

test('mini-story 1 with amdgpu: amdgpu in the new image, no VFIO: fails for the GPU', async () => {
  const r = await preflight(await host(false, SIGNED, ['nvme', 'ahci', 'amdgpu']));
  const [f] = byCause(r, 'initramfs-missing-vfio');
  assert.ok(f, JSON.stringify(r.findings));
  assert.equal(f.subject, NAVI);
  assert.match(f.title, /amdgpu but no vfio-pci/);
  assert.equal(r.targets.find((t) => t.address === NAVI)?.driver, 'amdgpu');
});
