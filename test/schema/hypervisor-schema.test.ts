import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { repoRoot } from '../helpers/paths.js';
import { buildHost } from '../fixtures/host-builder.js';
import { HOSTS } from '../fixtures/hosts.js';
import { variant } from '../helpers/scenario.js';
import { domainXml } from '../hypervisor/fixtures.js';
import { collectSnapshot } from '../../src/collect/collect.js';

// The hypervisor section is part of the documented JSON: real collections of a Proxmox host and a libvirt
// host must fit its schema exactly (every object is closed).

const schema = JSON.parse(fs.readFileSync(path.join(repoRoot, 'schema', 'snapshot.schema.json'), 'utf8'));
const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
ajv.addFormat('date-time', (v: string) => !Number.isNaN(Date.parse(v)));
const validate = ajv.compile(schema);

test('the hypervisor section of a Proxmox host and of a libvirt host validates', async (t) => {
  const libvirtHost = variant(HOSTS.intelDesktop, (h) => {
    h.files = { ...h.files, '/etc/libvirt/qemu/win10.xml': domainXml({ name: 'win10', hostdevs: [[1, 0, 0], [1, 0, 1]], romFile: '/var/lib/libvirt/vbios/gtx1080.rom', hardLimitGiB: 20 }) };
  });
  for (const spec of [HOSTS.amdWorkstation, libvirtHost]) {
    const root = await buildHost(spec);
    t.after(() => fs.rmSync(root, { recursive: true, force: true }));
    const snap = JSON.parse(JSON.stringify(await collectSnapshot({ root })));
    assert.ok((snap.hypervisor?.vms ?? []).length > 0, 'the host defines VMs');
    const ok = validate(snap);
    assert.ok(ok, JSON.stringify(validate.errors?.slice(0, 5), null, 1));
  }
});
