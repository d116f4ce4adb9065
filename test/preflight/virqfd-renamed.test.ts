// The vfio_virqfd preflight check through the rule tester: the module is only wrong on a 6.2+ kernel,
// and only where a boot-time module list names it.
import { after } from 'node:test';
import fs from 'node:fs';
import { virqfdRenamed } from '../../src/preflight/checks/virqfd-renamed.js';
import { preflightCheck, ruleTester } from '../rules/tester.js';
import { twoKernelHost } from './support/hosts.js';

const VFIO = ['vfio', 'vfio_iommu_type1', 'vfio_pci'];
const roots: string[] = [];
const host = async (next: string, initramfsModules: string[]) => {
  const root = await twoKernelHost({ next: { release: next }, spec: { initramfsModules } });
  roots.push(root);
  return { root, kernel: next };
};
after(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

ruleTester(preflightCheck(virqfdRenamed), {
  valid: [
    { name: '6.12 without vfio_virqfd anywhere', input: await host('6.12.9-amd64', VFIO) },
    { name: '6.1 still has vfio_virqfd: naming it is right', input: await host('6.1.0-13-amd64', [...VFIO, 'vfio_virqfd']) },
  ],
  invalid: [
    {
      name: '6.12 with vfio_virqfd in the initramfs module list',
      input: await host('6.12.9-amd64', [...VFIO, 'vfio_virqfd']),
      findings: [{ id: 'preflight.virqfd-renamed', cause: 'module-renamed', severity: 'fail', text: /6\.12\.9-amd64 has no such module/ }],
    },
  ],
});
