// Snapshots built from pasted output are snapshots like any other: they validate against the published
// schema, whatever the paste held.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { caseOutputsDir, repoRoot } from '../helpers/paths.js';
import { readPaste } from '../../src/paste/read-paste.js';

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function validator() {
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  ajv.addFormat('date-time', { type: 'string', validate: (s: string) => DATE_TIME.test(s) });
  return ajv.compile(JSON.parse(fs.readFileSync(path.join(repoRoot, 'schema', 'snapshot.schema.json'), 'utf8')) as object);
}

const EXTRA = [
  'user@pve:~$ lspci -nnk -vv -s 01:00',
  '01:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU104 [GeForce RTX 2080] [10de:1e87] (rev a1)',
  '\tIOMMU group: 1',
  '\tCapabilities: [60] Power Management version 3',
  '\t\tStatus: D0 NoSoftRst+ PME-Enable- DSel=0 DScale=0 PME-',
  '\tCapabilities: [78] Express (v2) Legacy Endpoint, MSI 00',
  '\t\tDevCap:\tMaxPayload 256 bytes, PhantFunc 0, Latency L0s unlimited, L1 <64us',
  '\t\t\tExtTag+ AttnBtn- AttnInd- PwrInd- RBE+ FLReset- SlotPowerLimit 0W',
  '\tKernel driver in use: vfio-pci',
  '$ ls -l /dev/vfio',
  'crw-rw---- 1 root kvm 243,   0 Feb  4 10:20 1',
  'crw-rw-rw- 1 root root  10, 196 Feb  4 10:20 vfio',
  'user@pve:~$ lsinitramfs /boot/initrd.img-6.8.12-4-pve | grep vfio',
  'usr/lib/modules/6.8.12-4-pve/kernel/drivers/vfio/vfio.ko',
  'usr/lib/modules/6.8.12-4-pve/kernel/drivers/vfio/pci/vfio-pci.ko',
].join('\n');

test('snapshots from every real case\'s output and from a mixed paste validate against the schema', async () => {
  const validate = validator();
  const dir = caseOutputsDir;
  const inputs = fs.readdirSync(dir).filter((f) => /^\d+.*\.txt$/.test(f)).map((f) => [f, fs.readFileSync(path.join(dir, f), 'utf8')] as const);
  assert.ok(inputs.length > 0, `no case outputs in ${dir}`);
  for (const [name, text] of [...inputs, ['mixed', EXTRA] as const]) {
    const { snapshot } = await readPaste([{ name, bytes: Buffer.from(text) }]);
    const ok = validate(JSON.parse(JSON.stringify(snapshot)));
    assert.ok(ok, `${name}: ${JSON.stringify(validate.errors?.slice(0, 5))}`);
  }
});
