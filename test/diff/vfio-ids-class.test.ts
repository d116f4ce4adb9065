// The vfio-pci ids change class through the rule tester: valid pairs of snapshots report nothing,
// invalid ones report exactly the changes listed.
import { vfioIds } from '../../src/diff/classes/vfio-ids.js';
import type { Snapshot } from '../../src/snapshot/types.js';
import { diffClass, ruleTester } from '../rules/tester.js';
import { BOOT_B, collectHost, hostSpec } from './support/hosts.js';

const base = await collectHost(hostSpec());
const onlyHba = await collectHost({ ...hostSpec({ bootId: BOOT_B }), modprobe: { 'vfio.conf': 'options vfio-pci ids=1000:0097\n' } });
const withGhost = await collectHost({ ...hostSpec({ bootId: BOOT_B }), modprobe: { 'vfio.conf': 'options vfio-pci ids=1000:0097,10de:1e87,10de:10f8,abcd:0001\n' } });
const pair = (before: Snapshot, after: Snapshot) => ({ before, after });

ruleTester(diffClass(vfioIds), {
  valid: [
    { name: 'the same snapshot twice', input: pair(base, base) },
    { name: 'the same ids on another boot', input: pair(base, { ...structuredClone(base), host: { ...base.host, bootId: BOOT_B } }) },
  ],
  invalid: [
    {
      name: 'the GPU ids are no longer configured while the GPU is there',
      input: pair(base, onlyHba),
      findings: [
        { id: 'vfio-ids-removed', cause: 'vfio-ids-mismatch', kind: 'regression', severity: 'fail', text: /10de:1e87/ },
        { id: 'vfio-ids-removed', cause: 'vfio-ids-mismatch', kind: 'regression', severity: 'fail', text: /10de:10f8/ },
      ],
    },
    {
      name: 'an id is added: neutral',
      input: pair(base, withGhost),
      findings: [{ id: 'vfio-ids-added', cause: null, kind: 'neutral', severity: 'info', subject: null, text: /abcd:0001/ }],
    },
    {
      name: 'ids back: added, neutral (the configuration is judged by check, not by the direction)',
      input: pair(onlyHba, base),
      findings: [
        { id: 'vfio-ids-added', cause: null, kind: 'neutral', text: /10de:1e87/ },
        { id: 'vfio-ids-added', cause: null, kind: 'neutral', text: /10de:10f8/ },
      ],
    },
  ],
});
