// The snapshot JSON Schema (schema/snapshot.schema.json) against the data model (src/snapshot/types.ts):
// it compiles under Ajv strict mode, accepts real and hand-built snapshots, rejects broken ones, and does
// not drift from types.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import { repoRoot } from '../helpers/paths.js';
import { SCHEMA_VERSION, type Snapshot } from '../../src/snapshot/types.js';
import { decodeConfigSpace } from '../../src/pci/config/index.js';

interface JsonSchema {
  [k: string]: unknown;
  $ref?: string;
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  description?: string;
  $defs?: Record<string, JsonSchema>;
}

const schemaPath = path.join(repoRoot, 'schema', 'snapshot.schema.json');
const typesPath = path.join(repoRoot, 'src', 'snapshot', 'types.ts');
const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8')) as JsonSchema;
const defs: Record<string, JsonSchema> = schema.$defs ?? {};

// ISO 8601 date-time as RFC 3339 spells it; Ajv knows no formats without ajv-formats, so it is given here.
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function makeAjv(): Ajv2020 {
  // strict: unknown keywords, ignored keywords, missing types, required without properties all throw.
  // Union types (["string", "null"]) are how the schema spells nullable, so they are allowed.
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  ajv.addFormat('date-time', { type: 'string', validate: (s: string) => DATE_TIME.test(s) && !Number.isNaN(Date.parse(s)) });
  return ajv;
}

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  compiled ??= makeAjv().compile(schema);
  return compiled;
}

function describeErrors(errors: ErrorObject[] | null | undefined, limit = 15): string {
  const list = errors ?? [];
  const lines = list.slice(0, limit).map((e) => `  ${e.instancePath || '/'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`);
  if (list.length > limit) lines.push(`  ... and ${list.length - limit} more`);
  return lines.join('\n');
}

function assertValid(doc: unknown, what: string): void {
  const validate = validator();
  const ok = validate(doc);
  assert.ok(ok, `${what} does not validate against the schema:\n${describeErrors(validate.errors)}`);
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

// ------------------------------------------------------------------------------------------------ (a)

test('the schema compiles in Ajv strict mode (draft 2020-12)', () => {
  assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema');
  assert.equal(typeof schema.$id, 'string');
  assert.doesNotThrow(() => makeAjv().compile(schema));
});

test('schemaVersion in the schema is the one types.ts declares', () => {
  const sv = schema.properties?.['schemaVersion'];
  assert.equal(sv?.const, SCHEMA_VERSION);
  assert.match(String(schema.$id), new RegExp(`snapshot-${SCHEMA_VERSION}\\.json$`));
});

// ------------------------------------------------------------------------------------------------ (b)

type CollectModule = typeof import('../../src/collect/collect.js');

/**
 * The collector, or why it cannot load yet. Only a module whose source is not written yet (no
 * src/<path>.ts for the missing build/src/<path>.js) counts as "not yet": anything else is a failure.
 */
async function loadCollector(): Promise<CollectModule | string> {
  try {
    return await import('../../src/collect/collect.js');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const missing = e?.code === 'ERR_MODULE_NOT_FOUND' ? /Cannot find module '([^']+)'/.exec(e.message)?.[1] : undefined;
    const rel = missing ? path.relative(path.join(repoRoot, 'build'), missing) : undefined;
    if (rel && rel.startsWith('src' + path.sep) && !fs.existsSync(path.join(repoRoot, rel.replace(/\.js$/, '.ts')))) {
      return `${rel.replace(/\.js$/, '.ts')} is not written yet`;
    }
    throw err;
  }
}

test('a snapshot of this machine, collected live, validates', async (t) => {
  const collector = await loadCollector();
  if (typeof collector === 'string') {
    t.skip(`collector cannot load yet: ${collector}`);
    return;
  }
  const snapshot = await collector.collectSnapshot({ commandTimeoutMs: 20_000 });
  // Validate what a file holds: the JSON text, not the in-memory object (undefined fields vanish).
  assertValid(clone(snapshot), 'the live snapshot of this machine');
});

test('a snapshot of an empty --root tree (every source absent) validates', async (t) => {
  const collector = await loadCollector();
  if (typeof collector === 'string') {
    t.skip(`collector cannot load yet: ${collector}`);
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vfio-doctor-schema-'));
  try {
    const snapshot = await collector.collectSnapshot({ root: dir, now: new Date('2025-01-31T12:00:00Z') });
    assertValid(clone(snapshot), 'the snapshot of an empty tree');
    assert.deepEqual(snapshot.origin, { kind: 'root', root: dir });
    assert.equal(snapshot.privileged, null);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// ------------------------------------------------------------------------------------------------ (c)

const READ = { status: 'read' } as const;
const noBits = {
  sourceValidation: false,
  translationBlocking: false,
  requestRedirect: false,
  completionRedirect: false,
  upstreamForwarding: false,
  egressControl: false,
  directTranslated: false,
};

/** Small but complete: every field of every shape is present at least once. */
const sampleSnapshot: Snapshot = {
  schemaVersion: SCHEMA_VERSION,
  tool: { name: 'vfio-doctor', version: '0.1.0' },
  collectedAt: '2025-01-31T12:00:00.000Z',
  origin: { kind: 'live' },
  privileged: true,
  sources: {
    'proc/cmdline': { status: 'read', path: '/proc/cmdline' },
    'kernel-log': { status: 'read', command: ['dmesg'] },
    'pci:0000:01:00.1:config': { status: 'denied', path: '/sys/devices/pci0000:00/0000:00:01.0/0000:01:00.1/config', message: 'only the first 64 bytes are readable without root' },
    'proc/iomem': { status: 'absent', path: '/proc/iomem', message: 'not present' },
    'modules.alias': { status: 'error', path: '/lib/modules/6.8.12-4-pve/modules.alias', message: 'EIO' },
  },
  host: {
    hostname: 'pve1',
    kernelRelease: '6.8.12-4-pve',
    kernelVersion: 'Linux version 6.8.12-4-pve (build@proxmox) #1 SMP PREEMPT_DYNAMIC PMX 6.8.12-4',
    architecture: 'x86_64',
    bootId: '0f8b7a1e-6c2d-4a4b-9a57-3f1f0c2b9d11',
    cmdline: {
      raw: 'BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve root=/dev/mapper/pve-root ro quiet intel_iommu=on iommu=pt',
      tokens: [
        { key: 'BOOT_IMAGE', value: '/boot/vmlinuz-6.8.12-4-pve', raw: 'BOOT_IMAGE=/boot/vmlinuz-6.8.12-4-pve' },
        { key: 'quiet', value: null, raw: 'quiet' },
        { key: 'intel_iommu', value: 'on', raw: 'intel_iommu=on' },
        { key: 'iommu', value: 'pt', raw: 'iommu=pt' },
      ],
      iommu: {
        intelIommu: ['on'],
        amdIommu: null,
        iommu: 'pt',
        iommuPassthrough: null,
        iommuStrict: null,
        intremap: null,
        vfioPciIds: ['10de:1e87', '10de:10f8'],
        allowUnsafeInterrupts: null,
        pcieAcsOverride: null,
        pci: [],
        initcallBlacklist: ['sysfb_init'],
        video: ['efifb:off'],
        modprobeBlacklist: ['nouveau'],
        rdDriverPre: [],
        rdDriverBlacklist: [],
        lockdown: null,
        nox2apic: false,
        other: ['kvm.ignore_msrs=1'],
      },
    },
    osRelease: { id: 'debian', idLike: [], versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)', family: 'proxmox' },
    cpu: { vendor: 'intel', vendorId: 'GenuineIntel', modelName: 'Intel(R) Core(TM) i7-9700K CPU @ 3.60GHz', vmx: true, svm: false, hypervisor: false, x2apic: true },
    dmi: { sysVendor: 'ASUS', productName: 'System Product Name', boardVendor: 'ASUSTeK COMPUTER INC.', boardName: 'PRIME Z390-A', biosVendor: 'American Megatrends Inc.', biosVersion: '2808', biosDate: '03/04/2022' },
    installedKernels: [
      { version: '6.8.12-4-pve', modulesDir: true, vmlinuz: '/boot/vmlinuz-6.8.12-4-pve', initramfs: '/boot/initrd.img-6.8.12-4-pve', config: '/boot/config-6.8.12-4-pve' },
      { version: '6.11.0-1-pve', modulesDir: true, vmlinuz: null, initramfs: null, config: null },
    ],
    virtualMachine: false,
  },
  kernelConfig: { path: '/boot/config-6.8.12-4-pve', options: { CONFIG_VFIO: 'm', CONFIG_VFIO_PCI: 'm', CONFIG_IRQ_REMAP: 'y', CONFIG_DRM_SIMPLEDRM: 'n' } },
  firmware: {
    acpiTables: { DMAR: true, IVRS: false, IORT: false },
    efi: true,
    secureBoot: false,
    setupMode: false,
    lockdown: 'none',
  },
  iommu: {
    classPresent: true,
    units: [
      {
        name: 'dmar0',
        kind: 'intel',
        cap: 'd2008c40660462',
        ecap: 'f050da',
        version: '1:0',
        features: null,
        intel: {
          interruptRemapping: true,
          extendedInterruptMode: true,
          queuedInvalidation: true,
          passThrough: true,
          deviceTlb: false,
          scalableMode: false,
          pasid: false,
          postedInterrupts: false,
          cachingMode: false,
        },
        amd: null,
      },
      {
        name: 'ivhd0',
        kind: 'amd',
        cap: '40',
        ecap: null,
        version: null,
        features: '58f77ef22294ade',
        intel: null,
        amd: { features: ['PPR', 'X2APIC', 'NX', 'GT', 'IA', 'GA', 'PC'], x2apic: true, guestVapic: true },
      },
    ],
    groups: [
      { id: 1, devices: ['0000:00:01.0', '0000:01:00.0', '0000:01:00.1'], type: 'DMA-FQ', reservedRegions: [{ start: '0x00000000fee00000', end: '0x00000000feefffff', type: 'msi' }] },
      { id: 2, devices: [], type: null, reservedRegions: null },
    ],
  },
  kernelLog: {
    origin: 'dmesg',
    from: 'dmesg',
    lines: [{ n: 1, text: '[    0.012345] DMAR: IOMMU enabled' }],
    totalLines: 1200,
    totalBytes: 98304,
    relevantLines: 1,
    droppedLines: 0,
    truncatedLines: 0,
    binaryLines: 0,
  },
  pci: [
    {
      address: '0000:01:00.0',
      vendorId: '10de',
      deviceId: '1e87',
      subsystemVendorId: '1043',
      subsystemDeviceId: '86f3',
      classCode: '030000',
      revision: 'a1',
      names: { vendor: 'NVIDIA Corporation', device: 'TU104 [GeForce RTX 2080 Rev. A]', subsystem: null, class: 'VGA compatible controller' },
      driver: 'vfio-pci',
      driverOverride: 'vfio-pci',
      iommuGroup: 1,
      modalias: 'pci:v000010DEd00001E87sv00001043sd000086F3bc03sc00i00',
      bootVga: false,
      resetMethods: ['flr', 'bus'],
      d3coldAllowed: true,
      powerState: 'D0',
      numaNode: -1,
      sysfsPath: '/sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0',
      upstream: ['0000:00:01.0'],
      multifunction: true,
      physfn: null,
      virtfns: [],
      config: {
        length: 4096,
        truncated: false,
        vendorId: '10de',
        deviceId: '1e87',
        headerType: 0,
        multifunction: true,
        capabilities: [
          { id: 0x01, offset: 0x60, name: 'Power Management' },
          { id: 0x10, offset: 0x78, name: 'Express' },
        ],
        extendedCapabilities: [
          { id: 0x0d, offset: 0x250, name: 'Access Control Services', version: 1 },
          { id: 0x10, offset: 0x300, name: 'Single Root I/O Virtualization (SR-IOV)', version: 1 },
        ],
        problems: [],
        express: { version: 2, portType: 'endpoint', portTypeCode: 0, flr: true, ariForwarding: null },
        pm: { noSoftReset: true, powerState: 'D0' },
        af: { transactionsPending: false, flr: false },
        acs: { cap: { ...noBits, sourceValidation: true }, ctrl: noBits, capRaw: 0x0001, ctrlRaw: 0 },
        ari: true,
        ats: false,
        pri: false,
        pasid: false,
        sriov: { totalVFs: 8, numVFs: 0, initialVFs: 8 },
        aer: true,
        resizableBar: false,
        msi: true,
        msix: false,
      },
      configStatus: { status: 'read', path: '/sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/config' },
    },
    {
      address: '0000:01:00.1',
      vendorId: '10de',
      deviceId: '10f8',
      subsystemVendorId: null,
      subsystemDeviceId: null,
      classCode: '040300',
      revision: null,
      names: null,
      driver: null,
      driverOverride: null,
      iommuGroup: null,
      modalias: null,
      bootVga: null,
      resetMethods: null,
      d3coldAllowed: null,
      powerState: null,
      numaNode: null,
      sysfsPath: null,
      upstream: [],
      multifunction: null,
      physfn: '0000:01:00.0',
      virtfns: ['0000:01:00.2'],
      config: null,
      configStatus: { status: 'denied', path: '/sys/devices/pci0000:00/0000:00:01.0/0000:01:00.1/config', message: 'permission denied' },
    },
  ],
  modules: {
    loaded: [{ name: 'vfio_pci', size: 16384, refcount: 0, usedBy: [], state: 'Live' }],
    builtin: ['vfio', 'vfio_iommu_type1'],
    vfioOnDisk: [{ name: 'vfio_pci', path: '/lib/modules/6.8.12-4-pve/kernel/drivers/vfio/pci/vfio-pci.ko' }],
    aliasMatches: { 'pci:v000010DEd00001E87sv00001043sd000086F3bc03sc00i00': ['nouveau', 'nvidiafb'] },
    parameters: { vfio_pci: { disable_vga: 'N', ids: '10de:1e87' } },
    modprobe: [{ kind: 'options', module: 'vfio-pci', value: 'ids=10de:1e87,10de:10f8', file: '/etc/modprobe.d/vfio.conf', line: 1 }],
    loadAtBoot: [{ module: 'vfio_pci', file: '/etc/modules', line: 3, stage: 'boot' }],
  },
  devnodes: {
    vfio: [{ path: '/dev/vfio/vfio', type: 'char', mode: '0666', uid: 0, gid: 0, owner: 'root', group: 'root' }],
    vfioDevices: null,
    kvm: { path: '/dev/kvm', type: 'char', mode: '0660', uid: 0, gid: 104, owner: 'root', group: null },
    iommu: null,
  },
  iomem: [
    { start: 'e0000000', end: 'efffffff', name: '0000:01:00.0', depth: 2, device: '0000:01:00.0' },
    { start: 'e0000000', end: 'e02fffff', name: 'BOOTFB', depth: 3, device: '0000:01:00.0' },
  ],
  interrupts: { chips: ['IR-IO-APIC', 'IR-PCI-MSI'], remapped: true },
  boot: {
    loader: 'proxmox-boot-tool',
    grubDefault: { file: '/etc/default/grub', cmdlineLinux: '', cmdlineLinuxDefault: 'quiet' },
    kernelCmdline: 'root=ZFS=rpool/ROOT/pve-1 boot=zfs intel_iommu=on',
    blsEntries: [{ file: '/efi/loader/entries/proxmox-6.8.12-4-pve.conf', title: 'Proxmox Virtual Environment', version: '6.8.12-4-pve', linux: '/EFI/proxmox/6.8.12-4-pve/vmlinuz-6.8.12-4-pve', options: null }],
    proxmoxBootTool: true,
    tools: { updateGrub: true, grub2Mkconfig: false, grubby: false, kernelstub: false, updateInitramfs: true, dracut: false, mkinitcpio: false },
  },
  hostCritical: {
    rootFilesystem: { source: '/dev/mapper/pve-root', fsType: 'ext4', devices: ['0000:02:00.0'] },
    defaultRoute: null,
  },
  initramfs: {
    kernel: '6.8.12-4-pve',
    image: '/boot/initrd.img-6.8.12-4-pve',
    modules: ['vfio', 'vfio_iommu_type1', 'vfio_pci', 'nouveau'],
    modprobe: [{ kind: 'softdep', module: 'nouveau', value: 'pre: vfio-pci', file: 'etc/modprobe.d/vfio.conf', line: 1 }],
    loadAtBoot: [{ module: 'vfio_pci', file: 'conf/modules', line: 3, stage: 'initramfs' }],
    entries: 1234,
  },
  toolMessages: [{ tool: 'qemu', source: '/var/log/libvirt/qemu/win10.log', line: 12, text: 'vfio: error, group 1 is not viable' }],
  label: 'before-upgrade',
  pasted: {
    memlock: { limitKiB: 8192, from: 'ulimit.txt:2' },
    kernelConfigChanges: [{ option: 'CONFIG_VFIO_PCI', before: 'm', after: 'y', where: 'diff.txt:1' }],
    inferences: [],
    namedDevices: [{ address: '0000:01:00.0', by: 'Proxmox VM 100 hostpci0', where: 'qm.txt:4' }],
  },
};

test('a hand-built complete snapshot validates', () => {
  assertValid(clone(sampleSnapshot), 'the sample snapshot');
});

test('valid variants: every origin kind, no optional sections, bare source records', () => {
  const origins: Snapshot['origin'][] = [
    { kind: 'live' },
    { kind: 'root', root: '/tmp/capture' },
    { kind: 'sos', path: '/tmp/sosreport-pve1.tar.xz' },
    { kind: 'paste', files: ['dmesg.txt', 'lspci.txt'] },
  ];
  for (const origin of origins) assertValid({ ...clone(sampleSnapshot), origin }, `origin ${origin.kind}`);
  const { label: _label, pasted: _pasted, ...bare } = clone(sampleSnapshot);
  assertValid(bare, 'a snapshot without label and pasted');
  assertValid({ ...clone(sampleSnapshot), sources: { x: READ } }, 'a source record with status only');
  assertValid({ ...clone(sampleSnapshot), kernelConfig: null, kernelLog: null, iomem: null, interrupts: null, privileged: null }, 'nullable sections as null');
});

test('decoded config space of any image fits $defs/PciConfig', () => {
  const ajv = makeAjv();
  ajv.addSchema(schema);
  const validate = ajv.getSchema(`${String(schema.$id)}#/$defs/PciConfig`);
  assert.ok(validate, 'no validator for $defs/PciConfig');
  // A small deterministic generator, so a failure is reproducible.
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const images: Uint8Array[] = [new Uint8Array(0), new Uint8Array(10), new Uint8Array(64), new Uint8Array(256).fill(0xff), new Uint8Array(4096)];
  for (let i = 0; i < 300; i++) {
    const len = [64, 128, 256, 4096, rand(4096)][rand(5)]!;
    const b = new Uint8Array(len).map(() => rand(256));
    if (len >= 0x40) {
      b[6] = 0x10; // status: capability list
      b[0x0e] = rand(3) | (rand(2) << 7);
      b[0x34] = 0x40 + rand(0xc0);
    }
    images.push(b);
  }
  for (const [i, img] of images.entries()) {
    const config = decodeConfigSpace(img);
    assert.ok(validate(clone(config)), `image ${i} (${img.length} bytes) decodes to a record the schema rejects:\n${describeErrors(validate.errors)}`);
  }
});

type Doc = Record<string, any>;

interface Mutation {
  name: string;
  mutate: (d: Doc) => void;
  /** The failing keyword and where, as Ajv reports it. */
  keyword: string;
  at: string;
}

const mutations: Mutation[] = [
  { name: 'unknown top-level property', mutate: (d) => (d['bogus'] = 1), keyword: 'additionalProperties', at: '' },
  { name: 'bad PCI address (function 8)', mutate: (d) => (d['pci'][0].address = '0000:01:00.8'), keyword: 'pattern', at: '/pci/0/address' },
  { name: 'bad PCI address (no domain)', mutate: (d) => (d['pci'][0].address = '01:00.0'), keyword: 'pattern', at: '/pci/0/address' },
  { name: 'bad PCI address (uppercase)', mutate: (d) => (d['pci'][0].address = '0000:0A:00.0'), keyword: 'pattern', at: '/pci/0/address' },
  { name: 'bad upstream address', mutate: (d) => (d['pci'][0].upstream = ['pci0000:00']), keyword: 'pattern', at: '/pci/0/upstream/0' },
  { name: 'schemaVersion 3', mutate: (d) => (d['schemaVersion'] = 3), keyword: 'const', at: '/schemaVersion' },
  { name: 'schemaVersion 1 (read only through the upgrade)', mutate: (d) => (d['schemaVersion'] = 1), keyword: 'const', at: '/schemaVersion' },
  { name: 'schemaVersion as a string', mutate: (d) => (d['schemaVersion'] = '2'), keyword: 'type', at: '/schemaVersion' },
  { name: 'the version 1 extra bag', mutate: (d) => (d['extra'] = { label: 'x' }), keyword: 'additionalProperties', at: '' },
  { name: 'label not a string', mutate: (d) => (d['label'] = 7), keyword: 'type', at: '/label' },
  { name: 'pasted memlock limit as text', mutate: (d) => (d['pasted'].memlock.limitKiB = '8M'), keyword: 'type', at: '/pasted/memlock/limitKiB' },
  { name: 'pasted named device address not normalised', mutate: (d) => (d['pasted'].namedDevices[0].address = '01:00.0'), keyword: 'pattern', at: '/pasted/namedDevices/0/address' },
  { name: 'a pasted list missing', mutate: (d) => delete d['pasted'].inferences, keyword: 'required', at: '/pasted' },
  { name: 'IOMMU group of a device as text', mutate: (d) => (d['pci'][0].iommuGroup = 'abc'), keyword: 'type', at: '/pci/0/iommuGroup' },
  { name: 'wrong source status', mutate: (d) => (d['sources']['proc/cmdline'].status = 'ok'), keyword: 'enum', at: '/sources/proc~1cmdline/status' },
  { name: 'wrong configStatus status', mutate: (d) => (d['pci'][0].configStatus.status = 'missing'), keyword: 'enum', at: '/pci/0/configStatus/status' },
  { name: 'unknown field in a source record', mutate: (d) => (d['sources']['proc/cmdline'].code = 'ENOENT'), keyword: 'additionalProperties', at: '/sources/proc~1cmdline' },
  { name: 'vendor id in uppercase', mutate: (d) => (d['pci'][0].vendorId = '10DE'), keyword: 'pattern', at: '/pci/0/vendorId' },
  { name: 'vendor id with 0x', mutate: (d) => (d['pci'][0].config.vendorId = '0x10de'), keyword: 'pattern', at: '/pci/0/config/vendorId' },
  { name: 'class code of 4 digits', mutate: (d) => (d['pci'][0].classCode = '0300'), keyword: 'pattern', at: '/pci/0/classCode' },
  { name: 'missing required field', mutate: (d) => delete d['host'].hostname, keyword: 'required', at: '/host' },
  { name: 'null for a non-nullable field', mutate: (d) => (d['pci'] = null), keyword: 'type', at: '/pci' },
  { name: 'unknown field in a nested inline object', mutate: (d) => (d['pci'][0].config.express.slot = 1), keyword: 'additionalProperties', at: '/pci/0/config/express' },
  { name: 'unknown distro family', mutate: (d) => (d['host'].osRelease.family = 'ubuntu'), keyword: 'enum', at: '/host/osRelease/family' },
  { name: 'root origin without its root', mutate: (d) => (d['origin'] = { kind: 'root' }), keyword: 'oneOf', at: '/origin' },
  { name: 'negative IOMMU group id', mutate: (d) => (d['iommu'].groups[0].id = -1), keyword: 'minimum', at: '/iommu/groups/0/id' },
  { name: 'fractional line number', mutate: (d) => (d['kernelLog'].lines[0].n = 1.5), keyword: 'type', at: '/kernelLog/lines/0/n' },
  { name: 'collectedAt not a date-time', mutate: (d) => (d['collectedAt'] = 'yesterday'), keyword: 'format', at: '/collectedAt' },
  { name: 'wrong tool name', mutate: (d) => (d['tool'].name = 'lspci'), keyword: 'const', at: '/tool/name' },
  { name: 'kernel config key not CONFIG_*', mutate: (d) => (d['kernelConfig'].options['VFIO'] = 'y'), keyword: 'pattern', at: '/kernelConfig/options' },
];

for (const m of mutations) {
  test(`rejected: ${m.name}`, () => {
    const doc = clone(sampleSnapshot) as Doc;
    m.mutate(doc);
    const validate = validator();
    assert.equal(validate(doc), false, `a snapshot with ${m.name} validated`);
    const hit = (validate.errors ?? []).some((e) => e.keyword === m.keyword && e.instancePath === m.at);
    assert.ok(hit, `expected a "${m.keyword}" error at "${m.at}", got:\n${describeErrors(validate.errors)}`);
  });
}

// ------------------------------------------------------------------------------------------------ (d)
// Drift guard. types.ts is parsed crudely (comments stripped, braces counted): enough for the plain
// interfaces and type aliases it holds. A construct the guard cannot read fails loudly rather than being
// skipped, so the guard is extended rather than silently bypassed.

interface TsMember {
  name: string;
  optional: boolean;
  type: string;
}

const OPEN = '{([<';
const CLOSE = '})]>';

function stripComments(src: string): string {
  return src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
}

/** Splits at a separator character that is outside brackets and string literals. */
function splitTop(text: string, sep: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '=' && text[i + 1] === '>') {
      cur += '=>';
      i++;
      continue;
    } else if (OPEN.includes(c)) depth++;
    else if (CLOSE.includes(c)) depth--;
    else if (c === sep && depth === 0) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out.map((s) => s.trim()).filter((s) => s !== '');
}

/** The text between the brace at `open` and its match. */
function braceBody(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(open + 1, i);
  }
  throw new Error(`unbalanced braces from offset ${open}`);
}

function parseMembers(body: string, where: string): TsMember[] {
  return splitTop(body, ';').map((chunk) => {
    const m = /^([A-Za-z_$][\w$]*)(\?)?\s*:\s*([\s\S]+)$/.exec(chunk);
    if (!m) throw new Error(`drift guard cannot read member "${chunk}" in ${where}; extend the parser in ${path.basename(import.meta.url)}`);
    return { name: m[1]!, optional: m[2] === '?', type: m[3]!.trim() };
  });
}

interface TypesModel {
  interfaces: Map<string, TsMember[]>;
  aliases: Map<string, string>;
}

function parseTypes(src: string): TypesModel {
  const text = stripComments(src);
  const interfaces = new Map<string, TsMember[]>();
  const aliases = new Map<string, string>();
  for (const m of text.matchAll(/export\s+interface\s+(\w+)\s*\{/g)) {
    const open = m.index! + m[0].length - 1;
    interfaces.set(m[1]!, parseMembers(braceBody(text, open), m[1]!));
  }
  for (const m of text.matchAll(/export\s+type\s+(\w+)\s*=/g)) {
    const rest = text.slice(m.index! + m[0].length);
    const [first] = splitTop(rest, ';');
    aliases.set(m[1]!, first!);
  }
  return { interfaces, aliases };
}

/** Every name that appears as `name:` or `name?:` inside interface and type-alias object bodies. */
function allMemberNames(src: string): Set<string> {
  const names = new Set<string>();
  const text = stripComments(src).replace(/'[^']*'/g, "''");
  const blocks = [...text.matchAll(/export\s+(?:interface\s+\w+\s*\{|type\s+\w+\s*=)/g)];
  for (const b of blocks) {
    const start = b.index! + b[0].length;
    const body = b[0].endsWith('{') ? braceBody(text, start - 1) : splitTop(text.slice(start), ';')[0]!;
    for (const m of body.matchAll(/([A-Za-z_$][\w$]*)\??\s*:/g)) names.add(m[1]!);
  }
  return names;
}

function schemaPropertyNames(s: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(s)) for (const x of s) schemaPropertyNames(x, into);
  else if (s && typeof s === 'object') {
    for (const [k, v] of Object.entries(s)) {
      if (k === 'properties' && v && typeof v === 'object') for (const name of Object.keys(v)) into.add(name);
      schemaPropertyNames(v, into);
    }
  }
  return into;
}

// The hypervisor section's shapes live beside the hypervisor collector; the schema describes them too.
const typesSrc = fs.readFileSync(typesPath, 'utf8') + '\n' + fs.readFileSync(path.join(repoRoot, 'src', 'hypervisor', 'types.ts'), 'utf8');
const model = parseTypes(typesSrc);

function defName(ref: string): string {
  const m = /^#\/\$defs\/(\w+)$/.exec(ref);
  if (!m) throw new Error(`unexpected $ref ${ref}`);
  return m[1]!;
}

interface Resolved {
  nullable: boolean;
  /** The $defs name when the value schema is a $ref. */
  refName: string | null;
  /** The non-null schema, with $ref followed. */
  schema: JsonSchema;
}

function resolve(s: JsonSchema): Resolved {
  if (s.anyOf) {
    const isNull = (b: JsonSchema) => b.type === 'null';
    const rest = s.anyOf.filter((b) => !isNull(b));
    if (rest.length !== 1) throw new Error(`anyOf with ${rest.length} non-null branches`);
    const r = resolve(rest[0]!);
    return { ...r, nullable: r.nullable || s.anyOf.some(isNull) };
  }
  if (s.$ref) {
    const name = defName(s.$ref);
    const def = defs[name];
    if (!def) throw new Error(`$ref to missing $defs/${name}`);
    return { ...resolve(def), refName: name };
  }
  if (Array.isArray(s.type)) {
    const types = s.type.filter((t) => t !== 'null');
    return { nullable: s.type.includes('null'), refName: null, schema: { ...s, type: types.length === 1 ? types[0]! : types } };
  }
  return { nullable: s.const === null, refName: null, schema: s };
}

function literal(part: string): string | null {
  const m = /^'([^']*)'$/.exec(part);
  return m ? m[1]! : null;
}

function literalsOf(s: JsonSchema): string[] | null {
  if (Array.isArray(s.enum)) return s.enum.map(String);
  if (s.const !== undefined) return [String(s.const)];
  return null;
}

const sameSet = (a: Iterable<string>, b: Iterable<string>) => {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
};

const PRIMITIVE: Record<string, string[]> = { string: ['string'], number: ['integer', 'number'], boolean: ['boolean'] };

/** Compares a TypeScript type text with a property schema; returns the differences found. */
function checkType(tsType: string, propSchema: JsonSchema, where: string, m: TypesModel = model): string[] {
  const errors: string[] = [];
  const parts = splitTop(tsType, '|');
  const tsNullable = parts.includes('null');
  const nonNull = parts.filter((p) => p !== 'null');
  let r: Resolved;
  try {
    r = resolve(propSchema);
  } catch (err) {
    return [`${where}: ${(err as Error).message}`];
  }
  if (r.nullable !== tsNullable) errors.push(`${where}: types.ts says ${tsNullable ? '' : 'not '}nullable, the schema ${r.nullable ? 'accepts' : 'rejects'} null`);
  const s = r.schema;

  const lits = nonNull.map(literal);
  if (lits.every((l) => l !== null)) {
    const have = literalsOf(s);
    if (!have || !sameSet(have, lits as string[])) errors.push(`${where}: values ${JSON.stringify(lits)} in types.ts, ${JSON.stringify(have)} in the schema`);
    return errors;
  }
  if (nonNull.length !== 1) {
    // A union of object shapes (Origin): each shape must match one oneOf branch.
    if (nonNull.every((p) => p.startsWith('{')) && s.oneOf) {
      for (const p of nonNull) {
        const ok = s.oneOf.some((b) => checkObject(parseMembers(braceBody(p, 0), where), b, where, m).length === 0);
        if (!ok) errors.push(`${where}: no oneOf branch of the schema matches ${p}`);
      }
      if (s.oneOf.length !== nonNull.length) errors.push(`${where}: ${nonNull.length} shapes in types.ts, ${s.oneOf.length} oneOf branches in the schema`);
      return errors;
    }
    return [...errors, `${where}: drift guard cannot interpret type "${tsType}"; extend checkType()`];
  }
  const t = nonNull[0]!;
  const jsonTypes = ([] as string[]).concat(s.type ?? []);
  if (t.startsWith('{') && t.endsWith('}')) {
    errors.push(...checkObject(parseMembers(braceBody(t, 0), where), s, where, m));
  } else if (t.endsWith('[]')) {
    if (!jsonTypes.includes('array') || !s.items) errors.push(`${where}: an array in types.ts, not in the schema`);
    else errors.push(...checkType(t.slice(0, -2).replace(/^\((.*)\)$/, '$1'), s.items, `${where}[]`, m));
  } else if (/^Record<\s*string\s*,/.test(t)) {
    const value = t.replace(/^Record<\s*string\s*,\s*/, '').replace(/>$/, '');
    if (!jsonTypes.includes('object')) errors.push(`${where}: a record map in types.ts, not an object in the schema`);
    else if (s.additionalProperties === false || (s.properties && value !== 'unknown')) errors.push(`${where}: a record map must have open additionalProperties and no fixed properties`);
    else if (value !== 'unknown') {
      if (typeof s.additionalProperties !== 'object') errors.push(`${where}: record values of type ${value} have no schema`);
      else errors.push(...checkType(value, s.additionalProperties, `${where}{}`, m));
    }
  } else if (t === 'unknown') {
    // anything goes
  } else if (PRIMITIVE[t]) {
    const ok = PRIMITIVE[t]!.some((x) => jsonTypes.includes(x)) || (t !== 'boolean' && s.const !== undefined && typeof s.const === (t === 'number' ? 'number' : 'string'));
    if (!ok) errors.push(`${where}: ${t} in types.ts, ${JSON.stringify(s.type ?? s.const)} in the schema`);
  } else if (m.interfaces.has(t) || m.aliases.has(t)) {
    if (r.refName !== t) errors.push(`${where}: ${t} in types.ts, ${r.refName ? `$defs/${r.refName}` : 'an inline schema'} in the schema`);
  } else {
    errors.push(`${where}: drift guard cannot interpret type "${t}"; extend checkType()`);
  }
  return errors;
}

/** A closed object schema with exactly these members, required exactly when not optional. */
function checkObject(members: TsMember[], s: JsonSchema, where: string, m: TypesModel = model): string[] {
  const errors: string[] = [];
  const props = s.properties ?? {};
  if (s.additionalProperties !== false) errors.push(`${where}: object schema is not closed (additionalProperties: false)`);
  const names = members.map((m) => m.name);
  for (const n of names) if (!(n in props)) errors.push(`${where}.${n}: in types.ts, missing from the schema`);
  for (const n of Object.keys(props)) if (!names.includes(n)) errors.push(`${where}.${n}: in the schema, not in types.ts`);
  const required = new Set(s.required ?? []);
  for (const mem of members) {
    if (!(mem.name in props)) continue;
    if (mem.optional === required.has(mem.name)) errors.push(`${where}.${mem.name}: ${mem.optional ? 'optional' : 'required'} in types.ts, ${required.has(mem.name) ? 'required' : 'optional'} in the schema`);
    errors.push(...checkType(mem.type, props[mem.name]!, `${where}.${mem.name}`, m));
  }
  return errors;
}

/** Member names of types.ts that appear nowhere in the schema as a property. */
function missingNames(src: string): string[] {
  const inSchema = schemaPropertyNames(schema);
  return [...allMemberNames(src)].filter((n) => !inSchema.has(n)).sort();
}

/** Every difference between types.ts (as text) and the schema. */
function driftErrors(src: string): string[] {
  const m = parseTypes(src);
  const errors: string[] = [];
  for (const [name, members] of m.interfaces) {
    const s = name === 'Snapshot' ? schema : defs[name];
    if (!s) {
      errors.push(`interface ${name} has no $defs/${name} in the schema`);
      continue;
    }
    errors.push(...checkObject(members, s, name, m));
  }
  for (const [name, text] of m.aliases) {
    if (!defs[name]) {
      errors.push(`type ${name} has no $defs/${name} in the schema`);
      continue;
    }
    errors.push(...checkType(text, { $ref: `#/$defs/${name}` }, name, m));
  }
  // $defs that name no type in types.ts are stale, except the string formats the schema adds.
  const helpers = new Set(['PciAddress', 'HexId4']);
  for (const name of Object.keys(defs)) {
    if (!helpers.has(name) && !m.interfaces.has(name) && !m.aliases.has(name)) errors.push(`$defs/${name} matches no type in types.ts`);
  }
  return errors;
}

test('drift guard: every member name in types.ts appears in the schema', () => {
  const names = allMemberNames(typesSrc);
  assert.ok(names.size > 100, `only ${names.size} member names found in types.ts: the parser is broken`);
  const missing = missingNames(typesSrc);
  assert.deepEqual(missing, [], `members of src/snapshot/types.ts with no property in schema/snapshot.schema.json: ${missing.join(', ')}`);
});

test('drift guard: each interface and type alias matches its schema (names, required, null, enums, refs)', () => {
  assert.ok(model.interfaces.has('Snapshot') && model.interfaces.size > 30, 'types.ts parsed to too few interfaces');
  assert.deepEqual(driftErrors(typesSrc), []);
});

// Edits someone might make to types.ts without touching the schema; each must be caught.
const drifts: { name: string; from: string | RegExp; to: string; expect: string; byName?: boolean }[] = [
  { name: 'a field added to an interface', from: 'export interface PciDevice {', to: 'export interface PciDevice {\n  slotName: string | null;', expect: 'PciDevice.slotName: in types.ts, missing', byName: true },
  { name: 'a section added to Snapshot', from: '  devnodes: DevNodesInfo;', to: '  devnodes: DevNodesInfo;\n  guestList: unknown[];', expect: 'Snapshot.guestList: in types.ts, missing', byName: true },
  { name: 'a field added to a nested inline object', from: '    ariForwarding: boolean | null;', to: '    ariForwarding: boolean | null;\n    slotImplemented: boolean;', expect: 'PciConfig.express.slotImplemented', byName: true },
  { name: 'a field added to an object in a union', from: "{ kind: 'sos'; path: string }", to: "{ kind: 'sos'; path: string; sosVersion: string }", expect: 'Origin: no oneOf branch', byName: true },
  { name: 'a nullable field made non-null', from: '  driverOverride: string | null;', to: '  driverOverride: string;', expect: 'PciDevice.driverOverride: types.ts says not nullable' },
  { name: 'a field made nullable', from: '  classCode: string;', to: '  classCode: string | null;', expect: 'PciDevice.classCode: types.ts says nullable' },
  { name: 'a required field made optional', from: '  collectedAt: string;', to: '  collectedAt?: string;', expect: 'Snapshot.collectedAt: optional in types.ts' },
  { name: 'a value added to a string union', from: "'read' | 'absent'", to: "'read' | 'partial' | 'absent'", expect: 'SourceStatus: values' },
  { name: 'a value added to an inline union', from: "stage: 'boot' | 'initramfs';", to: "stage: 'boot' | 'initramfs' | 'late';", expect: 'ModuleLoadEntry.stage: values' },
  { name: 'a field type changed', from: '  numaNode: number | null;', to: '  numaNode: string | null;', expect: 'PciDevice.numaNode: string in types.ts' },
  { name: 'a field changed to another interface', from: '  configStatus: SourceRecord;', to: '  configStatus: PciNames;', expect: 'PciDevice.configStatus: PciNames in types.ts' },
  { name: 'a new interface', from: 'export interface DevNode {', to: 'export interface VmConfig {\n  name: string;\n}\n\nexport interface DevNode {', expect: 'interface VmConfig has no $defs/VmConfig' },
  { name: 'a removed field', from: '  revision: string | null;\n', to: '', expect: 'PciDevice.revision: in the schema, not in types.ts' },
];

for (const d of drifts) {
  test(`drift guard catches ${d.name}`, () => {
    const patched = typesSrc.replace(d.from, d.to);
    assert.notEqual(patched, typesSrc, `the patch for "${d.name}" no longer applies to types.ts; update it`);
    const errors = driftErrors(patched);
    assert.ok(errors.some((e) => e.includes(d.expect)), `expected an error containing "${d.expect}", got:\n${errors.join('\n')}`);
    if (d.byName) assert.notDeepEqual(missingNames(patched), [], 'the name check missed it');
  });
}

// ------------------------------------------------------------------------------------------------ (e)

test('every property has a description, every fixed-shape object is closed', () => {
  const problems: string[] = [];
  const walk = (s: unknown, at: string): void => {
    if (Array.isArray(s)) return s.forEach((x, i) => walk(x, `${at}/${i}`));
    if (!s || typeof s !== 'object') return;
    const o = s as JsonSchema;
    if (o.properties) {
      if (o.additionalProperties !== false) problems.push(`${at}: has properties but is not closed`);
      for (const [name, p] of Object.entries(o.properties)) {
        if (typeof p.description !== 'string' || p.description.trim().length < 8) problems.push(`${at}/properties/${name}: no description`);
      }
    }
    for (const [k, v] of Object.entries(o)) if (k !== 'enum' && k !== 'const') walk(v, `${at}/${k}`);
  };
  walk(schema, '#');
  for (const [name, d] of Object.entries(defs)) if (typeof d.description !== 'string') problems.push(`#/$defs/${name}: no description`);
  assert.deepEqual(problems, []);
});
