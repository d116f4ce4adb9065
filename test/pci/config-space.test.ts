// Decoder behaviour on real device layouts and on broken input, checked against known register values.
// The same images are compared with real lspci in config-lspci.test.ts.
import test from 'node:test';
import assert from 'node:assert/strict';
import { decodeConfigSpace, tryDecodeConfigSpace } from '../../src/pci/config/index.js';
import { ImageBuilder, amdRenoirGpu, brokenChain, chainBeyondReadable, connectx5Pf, connectx5Vf, garbage, intelEhci,
  intelRootPort, loopedChain, loopedExtendedChain, nvidiaGpu, plxDownstreamPort, tiCardbus } from './config-images.js';

const offsets = (caps: { offset: number }[] | null) => caps?.map((c) => c.offset) ?? null;

test('GPU endpoint: PM, MSI, Express legacy endpoint with FLR, extended list with AER and Resizable BAR', () => {
  const c = decodeConfigSpace(nvidiaGpu());
  assert.equal(c.length, 4096);
  assert.equal(c.truncated, false);
  assert.equal(c.vendorId, '10de');
  assert.equal(c.deviceId, '1e87');
  assert.equal(c.headerType, 0);
  assert.equal(c.multifunction, true);
  assert.deepEqual(c.problems, []);
  assert.deepEqual(c.capabilities, [
    { id: 0x01, offset: 0x60, name: 'Power Management' },
    { id: 0x05, offset: 0x68, name: 'MSI' },
    { id: 0x10, offset: 0x78, name: 'Express' },
  ]);
  assert.deepEqual(offsets(c.extendedCapabilities), [0x100, 0x250, 0x258, 0x128, 0x420, 0x600, 0x900, 0xbb0]);
  assert.deepEqual(c.extendedCapabilities?.find((x) => x.offset === 0x420), {
    id: 0x01, offset: 0x420, name: 'Advanced Error Reporting', version: 2,
  });
  assert.deepEqual(c.express, { version: 2, portType: 'legacy-endpoint', portTypeCode: 1, flr: true, ariForwarding: null });
  assert.deepEqual(c.pm, { noSoftReset: true, powerState: 'D0' });
  assert.equal(c.msi, true);
  assert.equal(c.msix, false);
  assert.equal(c.aer, true);
  assert.equal(c.resizableBar, true);
  assert.equal(c.acs, null);
  assert.equal(c.sriov, null);
  assert.equal(c.af, null);
});

test('root port: ACS cap and control decoded bit by bit, ARI forwarding enabled', () => {
  const c = decodeConfigSpace(intelRootPort());
  assert.equal(c.headerType, 1);
  assert.equal(c.multifunction, true);
  assert.deepEqual(offsets(c.capabilities), [0x40, 0x80, 0x90, 0xa0]);
  assert.equal(c.capabilities?.[2]?.name, 'Subsystem');
  assert.deepEqual(c.express, { version: 2, portType: 'root-port', portTypeCode: 4, flr: false, ariForwarding: true });
  assert.deepEqual(c.acs, {
    capRaw: 0x001f,
    ctrlRaw: 0x001d,
    cap: {
      sourceValidation: true, translationBlocking: true, requestRedirect: true, completionRedirect: true,
      upstreamForwarding: true, egressControl: false, directTranslated: false,
    },
    ctrl: {
      sourceValidation: true, translationBlocking: false, requestRedirect: true, completionRedirect: true,
      upstreamForwarding: true, egressControl: false, directTranslated: false,
    },
  });
  assert.deepEqual(c.pm, { noSoftReset: false, powerState: 'D0' });
});

test('switch downstream port: every ACS bit capable, none enabled; ARI forwarding off', () => {
  const c = decodeConfigSpace(plxDownstreamPort());
  assert.equal(c.express?.portType, 'downstream-port');
  assert.equal(c.express?.ariForwarding, false);
  assert.equal(c.acs?.capRaw, 0x7f);
  assert.equal(c.acs?.ctrlRaw, 0);
  assert.ok(Object.values(c.acs!.cap).every(Boolean));
  assert.ok(Object.values(c.acs!.ctrl).every((v) => !v));
  assert.deepEqual(offsets(c.extendedCapabilities), [0x100, 0xfb4, 0x138, 0x148, 0xe00, 0xb00, 0xf24]);
});

test('SR-IOV NIC PF: VF counts at +0x0C/+0x0E/+0x10, ARI, ATS, ACS, MSI-X', () => {
  const c = decodeConfigSpace(connectx5Pf());
  assert.deepEqual(offsets(c.capabilities), [0x60, 0x48, 0x9c, 0xc0, 0x40]);
  assert.deepEqual(c.sriov, { initialVFs: 8, totalVFs: 8, numVFs: 4, firstVfOffset: 2, vfStride: 1, vfDeviceId: '1018' });
  assert.equal(c.ari, true);
  assert.equal(c.ats, true);
  assert.equal(c.pri, false);
  assert.equal(c.pasid, false);
  assert.equal(c.msix, true);
  assert.equal(c.msi, false);
  assert.equal(c.express?.portType, 'endpoint');
  assert.equal(c.express?.flr, true);
  assert.equal(c.acs?.ctrlRaw, 0x0c);
});

test('integrated GPU without FLR or NoSoftRst, with ATS, PRI and PASID', () => {
  const c = decodeConfigSpace(amdRenoirGpu());
  assert.equal(c.express?.flr, false);
  assert.deepEqual(c.pm, { noSoftReset: false, powerState: 'D0' });
  assert.equal(c.ats, true);
  assert.equal(c.pri, true);
  assert.equal(c.pasid, true);
  assert.equal(c.aer, false);
});

test('conventional PCI device: 256 bytes is all of it; Advanced Features FLR', () => {
  const c = decodeConfigSpace(intelEhci());
  assert.equal(c.truncated, false);
  assert.equal(c.express, null);
  assert.equal(c.extendedCapabilities, null);
  assert.deepEqual(c.af, { transactionsPending: true, flr: true });
  assert.deepEqual(c.capabilities?.map((x) => x.name), ['Power Management', 'Debug port', 'PCI Advanced Features']);
});

test('non-root read: 64 bytes give the header, no capability list', () => {
  const c = decodeConfigSpace(nvidiaGpu().slice(0, 64));
  assert.equal(c.length, 64);
  assert.equal(c.truncated, true);
  assert.equal(c.vendorId, '10de');
  assert.equal(c.multifunction, true);
  assert.equal(c.capabilities, null);
  assert.equal(c.extendedCapabilities, null);
  assert.equal(c.express, null);
  assert.match(c.problems.join('\n'), /capability pointer at 0x34 points to 0x60, beyond the 64 readable bytes/);
});

test('PCIe device read as 256 bytes: standard list complete, extended space unknown, truncated', () => {
  const c = decodeConfigSpace(nvidiaGpu().slice(0, 256));
  assert.equal(c.truncated, true);
  assert.deepEqual(offsets(c.capabilities), [0x60, 0x68, 0x78]);
  assert.equal(c.express?.portType, 'legacy-endpoint');
  assert.equal(c.extendedCapabilities, null);
  assert.equal(c.aer, false);
  assert.deepEqual(c.problems, []);
});

test('CardBus bridge: capability pointer at 0x14; a 128-byte read cannot reach the list', () => {
  const full = decodeConfigSpace(tiCardbus());
  assert.equal(full.headerType, 2);
  assert.deepEqual(offsets(full.capabilities), [0xa0]);
  assert.equal(full.truncated, false);
  const partial = decodeConfigSpace(tiCardbus(128));
  assert.equal(partial.truncated, true);
  assert.equal(partial.capabilities, null);
});

test('looped standard list: the entries before the loop, and a problem', () => {
  const c = decodeConfigSpace(loopedChain());
  assert.deepEqual(offsets(c.capabilities), [0x40, 0x50]);
  assert.match(c.problems.join('\n'), /loops: capability at 0x50 points back to 0x40/);
});

test('looped extended list: the entries before the loop, and a problem', () => {
  const c = decodeConfigSpace(loopedExtendedChain());
  assert.deepEqual(offsets(c.extendedCapabilities), [0x100, 0x140]);
  assert.match(c.problems.join('\n'), /extended capability list loops/);
});

test('ID 0xff ends the list with a problem', () => {
  const c = decodeConfigSpace(brokenChain());
  assert.deepEqual(offsets(c.capabilities), [0x40]);
  assert.match(c.problems.join('\n'), /broken at 0x50/);
});

test('a link beyond the readable bytes makes the whole list unknown, not partial', () => {
  const c = decodeConfigSpace(chainBeyondReadable());
  assert.equal(c.capabilities, null);
  assert.match(c.problems.join('\n'), /capability at 0x40 points to 0x90, beyond the 128 readable bytes/);
});

test('pointer into the header ends the list (as the kernel does)', () => {
  const b = new ImageBuilder(256).header({ vendor: 0x1af4, device: 0x1000, classCode: 0x020000, headerType: 0, capPointer: 0x40 });
  b.cap(0x40, 0x01, 0x20);
  const c = decodeConfigSpace(b.build());
  assert.deepEqual(offsets(c.capabilities), [0x40]);
  assert.match(c.problems.join('\n'), /points into the header \(0x20\)/);
});

test('status without the capability-list bit: empty list, even when a pointer is set', () => {
  const b = new ImageBuilder(256).header({
    vendor: 0x1af4, device: 0x1000, classCode: 0x020000, headerType: 0, status: 0x0000, capPointer: 0x40,
  });
  b.cap(0x40, 0x01, 0x00);
  const c = decodeConfigSpace(b.build());
  assert.deepEqual(c.capabilities, []);
  assert.equal(c.pm, null);
  assert.deepEqual(c.problems, []);
});

test('pointer low bits are ignored', () => {
  const b = new ImageBuilder(256).header({ vendor: 0x1af4, device: 0x1000, classCode: 0x020000, headerType: 0, capPointer: 0x43 });
  b.cap(0x40, 0x05, 0x53).cap(0x50, 0x11, 0x00);
  assert.deepEqual(offsets(decodeConfigSpace(b.build()).capabilities), [0x40, 0x50]);
});

test('SR-IOV VF: id registers read 0xffff by design; the rest of the header answers, so its capabilities are decoded', () => {
  const c = decodeConfigSpace(connectx5Vf());
  assert.equal(c.vendorId, 'ffff');
  assert.equal(c.deviceId, 'ffff');
  assert.ok(!c.problems.some((p) => /does not respond|not a valid vendor/.test(p)), c.problems.join('; '));
  assert.match(c.problems.join('; '), /SR-IOV virtual function reads so by design/);
  assert.deepEqual(offsets(c.capabilities), [0x60, 0x9c]);
  assert.equal(c.express?.portType, 'endpoint');
  assert.equal(c.express?.flr, true);
  assert.equal(c.msix, true);
  assert.equal(c.ari, true);
});

test('ids 0xffff and one more all-ones dword in the header is still a live VF; only an all-ones header is dead', () => {
  const vf = new ImageBuilder(256, 0xff).u32(0x08, 0x02000000).build();
  assert.ok(!decodeConfigSpace(vf).problems.some((p) => /does not respond/.test(p)));
  assert.match(decodeConfigSpace(new Uint8Array(256).fill(0xff)).problems[0]!, /does not respond/);
});

test('all 0xff (D3cold or gone): a record with a problem and no capabilities', () => {
  const c = decodeConfigSpace(new Uint8Array(4096).fill(0xff));
  assert.equal(c.vendorId, 'ffff');
  assert.equal(c.deviceId, 'ffff');
  assert.equal(c.multifunction, false);
  assert.equal(c.capabilities, null);
  assert.equal(c.extendedCapabilities, null);
  assert.equal(c.express, null);
  assert.match(c.problems[0]!, /all 0xff/);
});

test('empty and short images give a record with a problem; tryDecodeConfigSpace gives an error', () => {
  for (const size of [0, 1, 2, 10, 15, 63]) {
    const bytes = nvidiaGpu().slice(0, size);
    const c = decodeConfigSpace(bytes);
    assert.equal(c.length, size);
    assert.equal(c.truncated, true);
    assert.equal(c.capabilities, null);
    assert.equal(c.problems.length, 1, `size ${size}`);
    assert.equal(c.vendorId, size >= 2 ? '10de' : '');
    assert.equal(c.deviceId, size >= 4 ? '1e87' : '');
    assert.equal(c.headerType, size >= 15 ? 0 : -1);
    const r = tryDecodeConfigSpace(bytes);
    assert.ok('error' in r);
  }
  const ok = tryDecodeConfigSpace(nvidiaGpu());
  assert.ok('config' in ok && ok.config.vendorId === '10de');
});

test('unknown header type: no list read, a problem', () => {
  const b = new ImageBuilder(256).header({ vendor: 0x1af4, device: 0x1000, classCode: 0x020000, headerType: 0x05, capPointer: 0x40 });
  const c = decodeConfigSpace(b.build());
  assert.equal(c.capabilities, null);
  assert.match(c.problems.join('\n'), /header type 5 is unknown/);
});

test('Express capability cut off at the end of a 256-byte read', () => {
  const b = new ImageBuilder(256).header({ vendor: 0x1af4, device: 0x1000, classCode: 0x020000, headerType: 1, capPointer: 0xfc });
  b.cap(0xfc, 0x10, 0x00).u16(0xfe, 0x0042);
  const c = decodeConfigSpace(b.build());
  assert.equal(c.express?.portType, 'root-port');
  assert.equal(c.express?.flr, false);
  assert.equal(c.express?.ariForwarding, null);
  assert.match(c.problems.join('\n'), /cut off before Device Capabilities/);
});

test('Express port types and versions', () => {
  const cases: [number, string][] = [
    [0x0, 'endpoint'], [0x1, 'legacy-endpoint'], [0x4, 'root-port'], [0x5, 'upstream-port'],
    [0x6, 'downstream-port'], [0x7, 'pcie-to-pci-bridge'], [0x8, 'pci-to-pcie-bridge'],
    [0x9, 'rc-integrated-endpoint'], [0xa, 'rc-event-collector'], [0x3, 'unknown'], [0xf, 'unknown'],
  ];
  for (const [code, name] of cases) {
    const b = new ImageBuilder(4096).header({ vendor: 0x8086, device: 0x1234, classCode: 0x060400, headerType: 1, capPointer: 0x40 });
    b.cap(0x40, 0x10, 0x00).u16(0x42, (code << 4) | 1);
    const c = decodeConfigSpace(b.build());
    assert.equal(c.express?.portType, name);
    assert.equal(c.express?.portTypeCode, code);
    assert.equal(c.express?.version, 1);
    // Version 1 ports have no DevCtl2: ARI forwarding cannot be on.
    assert.equal(c.express?.ariForwarding, code === 4 || code === 6 ? false : null);
  }
});

test('PCIe device with an empty extended space: []', () => {
  const b = new ImageBuilder(4096).header({ vendor: 0x8086, device: 0x1234, classCode: 0x020000, headerType: 0, capPointer: 0x40 });
  b.cap(0x40, 0x10, 0x00).u16(0x42, 0x0002);
  const c = decodeConfigSpace(b.build());
  assert.deepEqual(c.extendedCapabilities, []);
  assert.deepEqual(c.problems, []);
});

test('extended space reading all ones at 0x100: unknown, with a problem', () => {
  const b = new ImageBuilder(4096).header({ vendor: 0x8086, device: 0x1234, classCode: 0x020000, headerType: 0, capPointer: 0x40 });
  b.cap(0x40, 0x10, 0x00).u16(0x42, 0x0002).u32(0x100, 0xffffffff);
  const c = decodeConfigSpace(b.build());
  assert.equal(c.extendedCapabilities, null);
  assert.match(c.problems.join('\n'), /extended config space reads all 0xff/);
});

test('extended next pointer below 0x100 ends the list with a problem', () => {
  const b = new ImageBuilder(4096).header({ vendor: 0x8086, device: 0x1234, classCode: 0x020000, headerType: 0, capPointer: 0x40 });
  b.cap(0x40, 0x10, 0x00).u16(0x42, 0x0002).ext(0x100, 0x01, 1, 0x040);
  const c = decodeConfigSpace(b.build());
  assert.deepEqual(offsets(c.extendedCapabilities), [0x100]);
  assert.match(c.problems.join('\n'), /points below 0x100/);
});

test('a non-PCIe image of 4096 bytes has no extended list', () => {
  const bytes = new Uint8Array(4096);
  bytes.set(intelEhci());
  const c = decodeConfigSpace(bytes);
  assert.equal(c.extendedCapabilities, null);
  assert.equal(c.truncated, false);
});

test('longer than 4096 bytes: decoded as 4096 with a problem', () => {
  const bytes = new Uint8Array(8192);
  bytes.set(nvidiaGpu());
  const c = decodeConfigSpace(bytes);
  assert.equal(c.length, 8192);
  assert.equal(c.extendedCapabilities?.length, 8);
  assert.match(c.problems.join('\n'), /only the first 4096/);
});

test('a Buffer works as input', () => {
  const c = decodeConfigSpace(Buffer.from(intelEhci()));
  assert.equal(c.deviceId, '8c26');
});

test('garbage never throws and every capability offset lies inside the image', () => {
  const sizes = [0, 1, 17, 63, 64, 65, 100, 128, 255, 256, 257, 1000, 4095, 4096];
  let decoded = 0;
  for (let seed = 1; seed <= 3000; seed++) {
    const size = sizes[seed % sizes.length]!;
    const bytes = garbage(size, seed);
    // Force the interesting paths often: capability bit set, a PCIe capability first.
    if (size >= 64 && seed % 3 === 0) {
      bytes[0x06]! |= 0x10;
      bytes[0x0e] = seed % 2;
      bytes[0x34] = 0x40;
      bytes[0x40] = 0x10;
    }
    const c = decodeConfigSpace(bytes);
    decoded++;
    assert.equal(c.length, size);
    for (const cap of c.capabilities ?? []) assert.ok(cap.offset >= 0x40 && cap.offset + 2 <= Math.min(size, 4096));
    for (const cap of c.extendedCapabilities ?? []) assert.ok(cap.offset >= 0x100 && cap.offset + 4 <= 4096);
    assert.ok((c.capabilities?.length ?? 0) <= 48);
    assert.ok(c.problems.every((p) => typeof p === 'string' && p.length > 0 && !p.includes('\n')));
    JSON.stringify(c);
  }
  assert.equal(decoded, 3000);
});
