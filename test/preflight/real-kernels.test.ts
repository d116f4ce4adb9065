// Preflight against real Debian kernels (6.1 still ships vfio_virqfd.ko; 6.12 does not) with images
// built by the real mkinitramfs. Slow (downloads ~180 MB once, then unpacks, runs depmod and builds four
// images): it runs under CI=true or VFIO_DOCTOR_REAL_KERNELS=1 and is skipped otherwise.

import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { buildHost } from '../fixtures/host-builder.js';
import { intelDesktop } from '../fixtures/hosts.js';
import { canonicalInitramfsPath, listInitramfs } from '../../src/initramfs/index.js';
import type { PreflightReport } from '../../src/preflight/types.js';
import { findTool, lsinitramfs, mountNamespaceProblem } from '../initramfs/support/tools.js';
import { buildDracutImage, fetchDracut, lsinitrd, type Dracut } from './support/dracut.js';
import { DEFAULT_KERNEL_CACHE, buildRealImage, fetchKernel, installKernel, type RealKernel } from './support/real-kernels.js';
import { parseValidated } from '../helpers/json-output.js';

const GPU = '0000:01:00.0';
const VFIO_CONF = 'options vfio-pci ids=10de:1b80,10de:10f0\nsoftdep nouveau pre: vfio-pci\n';

function skipReason(): string | null {
  if (process.env['CI'] !== 'true' && process.env['VFIO_DOCTOR_REAL_KERNELS'] !== '1') {
    return 'real-kernel preflight test: set VFIO_DOCTOR_REAL_KERNELS=1 (or CI=true) to download Debian kernels and build images';
  }
  const missing = ['apt-get', 'apt-cache', 'dpkg-deb', 'depmod', 'mkinitramfs', 'lsinitramfs', 'unshare', 'zstd', 'xz'].filter((t) => !findTool(t));
  const problem = missing.length > 0 ? `missing tools: ${missing.join(', ')}` : mountNamespaceProblem();
  if (problem && process.env['CI'] === 'true') throw new Error(`real-kernel preflight test cannot run in CI: ${problem}`);
  return problem;
}

const skip = skipReason();

interface Built {
  kernel: RealKernel;
  root: string;
  images: Record<'virqfd' | 'ministory' | 'fixed', string>;
}

async function prepareKernel(series: '6.1' | '6.12', work: string): Promise<Built> {
  const cache = process.env['VFIO_DOCTOR_KERNEL_CACHE'] ?? DEFAULT_KERNEL_CACHE;
  const kernel = await fetchKernel(series, cache);
  const root = path.join(work, `host-${series}`);
  // The running kernel is the fixture's own; the real one is installed beside it, not yet booted.
  await buildHost({ ...intelDesktop, initramfsModules: ['vfio', 'vfio_iommu_type1', 'vfio_pci'] }, root);
  await installKernel(kernel, root);
  const image = async (name: string, modules: string[], modprobe: string | null): Promise<string> => {
    const output = path.join(work, `${series}-${name}.img`);
    await buildRealImage({ hostRoot: root, version: kernel.version, workDir: path.join(work, `${series}-${name}`), output, modules, modprobe });
    return output;
  };
  return {
    kernel,
    root,
    images: {
      // A module list written for kernels before 6.2.
      virqfd: await image('virqfd', ['vfio', 'vfio_iommu_type1', 'vfio_pci', 'vfio_virqfd'], VFIO_CONF),
      // Mini-story 1: the image pipeline dropped the VFIO modules; the host GPU driver is still packed.
      ministory: await image('ministory', ['nouveau'], null),
      fixed: await image('fixed', ['vfio', 'vfio_iommu_type1', 'vfio_pci', 'nouveau'], VFIO_CONF),
    },
  };
}

async function preflight(b: Built, image: string): Promise<{ code: number; report: PreflightReport }> {
  const r = await runCli(['preflight', '--root', b.root, '--kernel', b.kernel.version, '--initramfs', image, '--json']);
  assert.equal(r.stderr, '');
  return { code: r.code, report: parseValidated('preflight', r.stdout) as PreflightReport };
}

const failing = (r: PreflightReport) => r.findings.filter((f) => f.severity === 'fail').map((f) => f.cause);

test('preflight on real Debian 6.1 and 6.12 kernels and mkinitramfs images', { skip: skip ?? false, timeout: 1_800_000 }, async (t) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'vfio-doctor-real-kernels-'));
  const started = Date.now();
  const k61 = await prepareKernel('6.1', work);
  const k612 = await prepareKernel('6.12', work);
  t.diagnostic(`kernels: ${k61.kernel.package}, ${k612.kernel.package}; prepared in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  await t.test('the kernels are what the test relies on', () => {
    assert.ok(fs.existsSync(path.join(k61.root, 'lib/modules', k61.kernel.version, 'kernel/drivers/vfio/vfio_virqfd.ko')));
    assert.ok(!fs.readdirSync(path.join(k612.root, 'lib/modules', k612.kernel.version, 'kernel/drivers/vfio')).some((f) => f.startsWith('vfio_virqfd')));
  });

  await t.test('every image lists exactly as lsinitramfs lists it', async () => {
    for (const b of [k61, k612]) {
      for (const image of Object.values(b.images)) {
        const ours = (await listInitramfs(image)).entries.map((e) => e.path);
        assert.deepEqual(ours, await lsinitramfs(image), image);
      }
    }
  });

  await t.test('vfio_virqfd in the image configuration: 6.12 fails with module-renamed', async () => {
    const { code, report } = await preflight(k612, k612.images.virqfd);
    assert.equal(code, 1);
    assert.deepEqual(failing(report), ['module-renamed']);
    assert.ok(report.findings[0]!.evidence.some((e) => /conf\/modules/.test(e.source) && e.text === 'vfio_virqfd'), JSON.stringify(report.findings[0]));
  });

  await t.test('vfio_virqfd in the image configuration: 6.1 passes', async () => {
    const { code, report } = await preflight(k61, k61.images.virqfd);
    assert.deepEqual(failing(report), []);
    assert.equal(code, 0);
    assert.equal(report.targets.find((x) => x.address === GPU)?.driver, 'vfio-pci');
  });

  for (const b of [k61, k612]) {
    await t.test(`mini-story 1 on ${b.kernel.version}: nouveau in the image, VFIO not`, async () => {
      const { code, report } = await preflight(b, b.images.ministory);
      assert.equal(code, 1);
      const f = report.findings.find((x) => x.cause === 'initramfs-missing-vfio');
      assert.ok(f, JSON.stringify(report.findings));
      assert.equal(f.subject, GPU);
      assert.match(f.title, /nouveau but no vfio-pci/);
      assert.ok(f.commands.includes(`update-initramfs -u -k ${b.kernel.version}`));
      assert.equal(report.targets.find((x) => x.address === GPU)?.driver, 'nouveau');
    });

    await t.test(`the fixed image on ${b.kernel.version}: vfio-pci wins over nouveau inside the image`, async () => {
      const { code, report } = await preflight(b, b.images.fixed);
      assert.deepEqual(failing(report), []);
      assert.equal(code, 0);
      const gpu = report.targets.find((x) => x.address === GPU)!;
      assert.equal(gpu.driver, 'vfio-pci');
      assert.deepEqual(gpu.hostDrivers.includes('nouveau'), true);
    });
  }
  // dracut-core images of the same kernels: with the vfio modules and the modprobe.d file, and mini-story 1.
  const dracutStarted = Date.now();
  const dracut: Dracut = await fetchDracut(process.env['VFIO_DOCTOR_KERNEL_CACHE'] ?? DEFAULT_KERNEL_CACHE, work);
  const dracutImage = async (b: Built, name: string, drivers: string[], modprobe: string | null): Promise<string> => {
    const series = b.kernel.version.startsWith('6.1.') ? '6.1' : '6.12';
    const output = path.join(work, `${series}-dracut-${name}.img`);
    const kmoddir = path.join(b.root, 'lib/modules', b.kernel.version);
    await buildDracutImage(dracut, { kmoddir, version: b.kernel.version, workDir: path.join(work, `${series}-dracut-${name}`), output, drivers, modprobe });
    return output;
  };
  const dracutImages: { b: Built; fixed: string; ministory: string }[] = [];
  for (const b of [k61, k612]) {
    dracutImages.push({
      b,
      fixed: await dracutImage(b, 'fixed', ['vfio', 'vfio_iommu_type1', 'vfio_pci', 'nouveau'], VFIO_CONF),
      ministory: await dracutImage(b, 'ministory', ['nouveau'], null),
    });
  }
  t.diagnostic(`dracut-core (${path.basename(dracut.deb)}): four images in ${((Date.now() - dracutStarted) / 1000).toFixed(1)} s`);

  await t.test('every dracut image lists the same paths as lsinitrd', async () => {
    for (const { fixed, ministory } of dracutImages) {
      for (const image of [fixed, ministory]) {
        const ours = new Set((await listInitramfs(image)).entries.map((e) => canonicalInitramfsPath(e.path)));
        const theirs = new Set((await lsinitrd(dracut, image)).map((p) => canonicalInitramfsPath(p)));
        assert.ok(theirs.size > 50, `lsinitrd listed only ${theirs.size} paths in ${image}`);
        assert.deepEqual([...ours].sort(), [...theirs].sort(), image);
      }
    }
  });

  for (const { b, fixed, ministory } of dracutImages) {
    await t.test(`dracut image with the vfio modules on ${b.kernel.version}: passes, vfio-pci wins`, async () => {
      const { code, report } = await preflight(b, fixed);
      assert.deepEqual(failing(report), []);
      assert.equal(code, 0);
      const gpu = report.targets.find((x) => x.address === GPU)!;
      assert.equal(gpu.driver, 'vfio-pci');
      assert.ok(gpu.hostDrivers.includes('nouveau'));
    });

    await t.test(`mini-story 1 with a dracut image on ${b.kernel.version}: nouveau in it, VFIO not`, async () => {
      const { code, report } = await preflight(b, ministory);
      assert.equal(code, 1);
      const f = report.findings.find((x) => x.cause === 'initramfs-missing-vfio');
      assert.ok(f, JSON.stringify(report.findings));
      assert.equal(f.subject, GPU);
      assert.match(f.title, /nouveau but no vfio-pci/);
      assert.equal(report.targets.find((x) => x.address === GPU)?.driver, 'nouveau');
    });
  }
  t.diagnostic(`total ${((Date.now() - started) / 1000).toFixed(1)} s`);
  fs.rmSync(work, { recursive: true, force: true });
});
