import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { buildHost, type HostSpec } from '../fixtures/host-builder.js';
import { HOSTS } from '../fixtures/hosts.js';
import { collectSnapshot } from '../../src/collect/collect.js';
import type { AcsBits, PciePortType } from '../../src/snapshot/types.js';
import { requireTool, run } from '../helpers/tools.js';
import { flag } from '../pci/lspci-reference.js';

// pciutils is the reference: lspci reads the same fixture tree through its sysfs access method, and
// the snapshot must agree with it device by device.

interface LspciBlock {
  address: string;
  ids: string;
  driver: string | null;
  group: number | null;
  portType: PciePortType | null;
  flr: boolean | null;
  acsCap: string | null;
  acsCtl: string | null;
  ari: boolean;
  msix: boolean;
  accessDenied: boolean;
}

const PORT_TYPES: [RegExp, PciePortType][] = [
  [/Express \(v\d\) Legacy Endpoint/, 'legacy-endpoint'],
  [/Express \(v\d\) Root Complex Integrated Endpoint/, 'rc-integrated-endpoint'],
  [/Express \(v\d\) Root Complex Event Collector/, 'rc-event-collector'],
  [/Express \(v\d\) Endpoint/, 'endpoint'],
  [/Express \(v\d\) Root Port/, 'root-port'],
  [/Express \(v\d\) Upstream Port/, 'upstream-port'],
  [/Express \(v\d\) Downstream Port/, 'downstream-port'],
  [/Express \(v\d\) PCI-Express to PCI\/PCI-X Bridge/, 'pcie-to-pci-bridge'],
  [/Express \(v\d\) PCI\/PCI-X to PCI-Express Bridge/, 'pci-to-pcie-bridge'],
];

function parseBlocks(out: string): LspciBlock[] {
  return out
    .split(/\n(?=[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7] )/)
    .filter((b) => b.trim() !== '')
    .map((b) => {
      const lines = b.split('\n');
      const title = lines[0]!;
      const line = (re: RegExp) => lines.find((l) => re.test(l)) ?? null;
      const express = line(/Capabilities: \[[0-9a-f]+\] Express/);
      const devcap = line(/^\t\tDevCap:/);
      return {
        address: title.split(' ')[0]!,
        ids: [...title.matchAll(/\[([0-9a-f]{4}:[0-9a-f]{4})\]/g)].at(-1)?.[1] ?? '',
        driver: line(/Kernel driver in use:/)?.split(': ')[1]?.trim() ?? null,
        group: (() => {
          const g = line(/IOMMU group:/);
          return g ? Number(g.split(':')[1]) : null;
        })(),
        portType: express ? (PORT_TYPES.find(([re]) => re.test(express))?.[1] ?? 'unknown') : null,
        flr: devcap ? flag(devcap, 'FLReset') : null,
        acsCap: line(/ACSCap:/)?.trim() ?? null,
        acsCtl: line(/ACSCtl:/)?.trim() ?? null,
        ari: line(/Alternative Routing-ID Interpretation \(ARI\)/) !== null,
        msix: line(/Capabilities: \[[0-9a-f]+\] MSI-X:/) !== null,
        accessDenied: line(/Capabilities: <access denied>/) !== null,
      };
    });
}

const ACS_NAMES: [keyof AcsBits, string][] = [
  ['sourceValidation', 'SrcValid'],
  ['translationBlocking', 'TransBlk'],
  ['requestRedirect', 'ReqRedir'],
  ['completionRedirect', 'CmpltRedir'],
  ['upstreamForwarding', 'UpstreamFwd'],
  ['egressControl', 'EgressCtrl'],
  ['directTranslated', 'DirectTrans'],
];

/** The SR-IOV server with its VFs' id registers reading 0xffff, as real VFs do (sysfs still has the ids). */
const sriovHardwareIds: HostSpec = {
  ...HOSTS.sriovServer,
  pci: HOSTS.sriovServer.pci!.map((r) => ({
    ...r,
    devices: r.devices.map((rp) => ({ ...rp, children: rp.children?.map((pf) => (pf.sriov ? { ...pf, sriov: { ...pf.sriov, vfConfigIds: 'hardware' as const } } : pf)) })),
  })),
};

for (const [name, spec] of [...Object.entries(HOSTS), ['sriovServer with VF ids as hardware reads them', sriovHardwareIds] as const]) {
  test(`snapshot agrees with lspci on host "${name}"`, async (t) => {
    const lspci = requireTool('lspci', 'pciutils');
    if (typeof lspci !== 'string') return t.skip(lspci.skip);
    const root = await buildHost(spec);
    t.after(() => fs.rmSync(root, { recursive: true, force: true }));
    const snap = await collectSnapshot({ root });
    const r = await run(lspci, ['-D', '-nnk', '-vv', '-A', 'linux-sysfs', '-O', `sysfs.path=${root}/sys/bus/pci`, '-O', 'hwdb.disable=1']);
    assert.equal(r.code, 0, r.stderr);
    const blocks = parseBlocks(r.stdout);
    assert.deepEqual(snap.pci.map((d) => d.address).sort(), blocks.map((b) => b.address).sort(), 'same set of functions');
    for (const b of blocks) {
      const d = snap.pci.find((x) => x.address === b.address)!;
      const where = `${name} ${b.address}`;
      assert.equal(`${d.vendorId}:${d.deviceId}`, b.ids, `${where} ids`);
      assert.equal(d.driver, b.driver, `${where} driver`);
      assert.equal(d.iommuGroup, b.group, `${where} IOMMU group`);
      if (b.accessDenied) {
        assert.equal(d.configStatus.status, 'denied', `${where}: lspci was denied the capabilities, so was the snapshot`);
        assert.equal(d.config?.capabilities ?? null, null, `${where} capabilities not claimed`);
        continue;
      }
      assert.equal(d.config?.express?.portType ?? null, b.portType, `${where} port type`);
      if (b.flr !== null) assert.equal(d.config?.express?.flr, b.flr, `${where} FLR`);
      assert.equal(d.config?.ari ?? false, b.ari, `${where} ARI`);
      assert.equal(d.config?.msix ?? false, b.msix, `${where} MSI-X`);
      assert.ok(!d.config?.problems.some((p) => /does not respond|0xffff/.test(p)), `${where}: ${d.config?.problems.join('; ')}`);
      assert.equal(d.config?.acs !== null && d.config?.acs !== undefined, b.acsCap !== null, `${where} ACS capability present`);
      if (b.acsCap && b.acsCtl && d.config?.acs) {
        for (const [field, lspciName] of ACS_NAMES) {
          assert.equal(d.config.acs.cap[field], flag(b.acsCap, lspciName), `${where} ACSCap ${lspciName}`);
          assert.equal(d.config.acs.ctrl[field], flag(b.acsCtl, lspciName), `${where} ACSCtl ${lspciName}`);
        }
      }
    }
  });
}
