// Every inference drawn from an Intel DMAR line has its AMD-Vi / IVRS counterpart (issue 14 item 6):
// one row per inference, with the Intel line and the AMD line that carry it (wording from
// drivers/iommu/intel/*.c and drivers/iommu/amd/init.c, iommu.c), and what both must decode to. The
// inferences that have no AMD counterpart are listed below with the reason, so a new Intel row cannot
// go unpaired silently.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeLine, RULES, type LogEvent } from '../../src/log/events/index.js';
import type { Signal } from '../../src/log/events/types.js';
import { readPaste } from '../../src/paste/read-paste.js';
import { analyze } from '../../src/analyze/analyze.js';
import { noIommuTable } from '../../src/analyze/rules/firmware/no-iommu-table.js';
import { irqRemapping } from '../../src/analyze/rules/kernel/irq-remapping.js';
import type { Snapshot } from '../../src/snapshot/types.js';

interface Expect {
  signal?: Signal;
  cause?: string;
  layer?: string;
  device?: string;
}

interface Pair {
  inference: string;
  intel: string;
  amd: string[];
  expect: Expect;
  /** Where the two sides differ on purpose. */
  amdExpect?: Expect;
}

const PAIRS: Pair[] = [
  {
    inference: 'the firmware publishes the IOMMU table',
    intel: 'ACPI: DMAR 0x000000006D3F6000 000128 (v01 ALASKA A M I    00000001 INTL 20091013)',
    amd: ['ACPI: IVRS 0x00000000B9C39000 0001A4 (v02 AMD    AmdTable 00000001 AMD  00000001)'],
    expect: { signal: 'iommu-table-present', layer: 'firmware' },
  },
  {
    inference: 'the IOMMU hardware was found (table read, units set up)',
    intel: 'DMAR: dmar0: reg_base_addr fed90000 ver 1:0 cap 1c0000c40660462 ecap f050da',
    amd: ['pci 0000:00:00.2: AMD-Vi: Found IOMMU cap 0x40', 'AMD-Vi: Extended features (0x58f77ef22294a5a, 0x0): PPR X2APIC NX GT IA GA PC GA_vAPIC', 'pci 0000:00:00.2: AMD-Vi: IOMMU performance counters supported'],
    expect: { signal: 'iommu-hardware-present', layer: 'firmware' },
    amdExpect: { signal: 'iommu-hardware-present' },
  },
  {
    inference: 'the IOMMU is switched off on the command line',
    intel: 'DMAR: IOMMU disabled',
    amd: ['AMD-Vi: AMD IOMMU disabled on kernel command-line'],
    expect: { signal: 'dma-remapping-disabled', layer: 'kernel' },
  },
  {
    inference: 'an IOMMU option the kernel does not know',
    intel: "DMAR: Unknown option - 'onn'",
    amd: ["AMD-Vi: Unknown option - 'on'", 'AMD-Vi: Invalid command line: ivrs_ioapic=4@00:14'],
    expect: { cause: 'iommu-args-invalid', layer: 'kernel' },
  },
  {
    inference: 'a deprecated IOMMU option',
    intel: 'DMAR: intel_iommu=strict deprecated; use iommu.strict=1 instead',
    amd: ['AMD-Vi: amd_iommu=fullflush deprecated; use iommu.strict=1 instead'],
    expect: { layer: 'kernel' },
  },
  {
    inference: 'interrupt remapping is on',
    intel: 'DMAR-IR: Enabled IRQ remapping in x2apic mode',
    amd: ['AMD-Vi: Interrupt remapping enabled', 'AMD-Vi: X2APIC enabled'],
    expect: { signal: 'irq-remapping-active', layer: 'kernel' },
  },
  {
    inference: 'interrupt remapping was turned off',
    intel: 'DMAR-IR: Not enabling interrupt remapping',
    amd: ['AMD-Vi: Disabling interrupt remapping'],
    expect: { signal: 'irq-remapping-unavailable', cause: 'irq-remap-missing', layer: 'kernel' },
  },
  {
    inference: 'the firmware table describing interrupts is wrong (remapping off because of it)',
    intel: 'DMAR-IR: This system BIOS has enabled interrupt remapping on a chipset that contains an erratum making that feature unstable. To maintain system stability interrupt remapping is being disabled. Please contact your BIOS vendor for an update',
    amd: ['AMD-Vi: [Firmware Bug]: : IOAPIC[32] not in IVRS table', 'AMD-Vi: [Firmware Bug]: : No southbridge IOAPIC found'],
    expect: { signal: 'firmware-bug', layer: 'firmware' },
    amdExpect: { signal: 'firmware-bug', layer: 'firmware' },
  },
  {
    inference: 'a firmware bug in the IOMMU table',
    intel: 'DMAR: [Firmware Bug]: Your BIOS is broken; bad RMRR [0x00000000000e8000-0x00000000000e8fff]',
    amd: ['AMD-Vi: [Firmware Bug]: IVRS invalid checksum', 'AMD-Vi: Can not reserve memory region feb80000-feb84000 for mmio', 'AMD-Vi: [Firmware Bug]: Found inconsistent EFR/EFR2 0x206d73ef22254ade,0x0 (global 0x206d73ef22254ade,0x0) on iommu1 (0000:40:00.2).'],
    expect: { signal: 'firmware-bug', layer: 'firmware' },
  },
  {
    inference: 'a DMA fault from a device, with its address',
    intel: 'DMAR: [DMA Write] Request device [0b:00.0] fault addr 3ffff000 [fault reason 05] PTE Write access is not set',
    amd: ['AMD-Vi: Event logged [IO_PAGE_FAULT device=0b:00.0 domain=0x000f address=0x000000003ffff000 flags=0x0020]', 'vfio-pci 0000:0b:00.0: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x000f address=0x3ffff000 flags=0x0020]'],
    expect: { signal: 'dma-fault', cause: 'dma-fault', layer: 'device' },
  },
  {
    inference: 'more faults than the log shows (rate limiting, lost records)',
    intel: 'dmar_fault: 12 callbacks suppressed',
    amd: ['amd_iommu_report_page_fault: 12950 callbacks suppressed', 'AMD-Vi: IOMMU event log overflow', 'AMD-Vi: IOMMU Event log restarting'],
    expect: { signal: 'dma-fault', cause: 'dma-fault', layer: 'device' },
  },
  {
    inference: 'the kernel declines the IOMMU for part or all of the platform',
    intel: 'pci 0000:00:02.0: DMAR: Disabling IOMMU for graphics on this chipset',
    amd: ['AMD-Vi: Disable IOMMU on Stoney Ridge', 'AMD-Vi: IOMMU not currently supported when SME is active'],
    // Intel's quirk takes only the integrated GPU out of isolation; AMD's takes the whole IOMMU away.
    expect: { layer: 'isolation' },
    amdExpect: { signal: 'dma-remapping-disabled', cause: 'iommu-inactive', layer: 'kernel' },
  },
  {
    inference: 'the IOMMU driver failed to start',
    intel: 'DMAR-IR: Failed to setup irq remapping for dmar0',
    amd: ['AMD-Vi: IOMMU0: Failed to initialize IOMMU Hardware (error=-19)!'],
    expect: { layer: 'kernel' },
    amdExpect: { signal: 'dma-remapping-disabled', layer: 'kernel' },
  },
];

/** Intel-only inferences, with why AMD has no line for them. Every Intel-family row kind is in a pair or here. */
const UNPAIRED: Record<string, string> = {
  'intel-iommu-cmdline-on': 'intel_iommu=on is needed on Intel; the AMD IOMMU is on by default and amd_iommu=on is no option (it prints "Unknown option", paired above)',
  'intel-iommu-option': 'scalable mode, GFX mapping and super-page switches are VT-d features; the deprecated spellings are paired above',
  'dmar-active': 'VT-d prints a banner when remapping starts; AMD-Vi prints none, and the vendor-neutral "Adding to iommu group" lines prove it for both',
  'dmar-platform-optin': 'the DMA-protection opt-in flag is in the DMAR table only',
  'dmar-table': 'DMAR\'s "Host address width" line; IVRS has no such line (the ACPI table line and the AMD-Vi hardware lines are paired above)',
  'dmar-drhd': 'DRHD entries are printed; IVHD entries only with amd_iommu_dump',
  'dmar-rmrr': 'RMRR entries are printed; IVMD entries only with amd_iommu_dump',
  'rmrr-blocked': 'the RMRR refusal of vfio has no AMD counterpart: IVMD unity maps do not block assignment',
  'dmar-fault-reason': 'VT-d prints the fault reason on its own line in old kernels; AMD-Vi puts everything in the event line',
  'dmar-fault-status': 'the VT-d fault status register line; AMD-Vi events carry their flags',
  'dmar-pte-dump': 'VT-d page-table dumps; AMD-Vi dumps the device table entry (amd-vi-dump)',
  'dmar-feature-inconsistent': 'paired through the firmware-bug row (AMD-Vi: [Firmware Bug]: Found inconsistent EFR/EFR2)',
  'acpi-dmar-table': 'paired in the first row',
  'dmar-unit': 'paired in the second row',
  'dmar-dma-fault': 'paired (DMA fault) above',
  'dmar-faults-suppressed': 'paired (rate limiting) above',
  'rmrr-firmware-bug': 'paired (firmware bug) above',
  'dmar-gfx-disabled': 'paired (kernel declines) above',
  'intel-iommu-cmdline-off': 'paired (switched off on the command line) above',
};

function decoded(line: string): LogEvent {
  const e = decodeLine(line, 1);
  assert.ok(e, `not decoded: ${line}`);
  return e;
}

function holds(e: LogEvent, x: Expect, line: string): void {
  if (x.signal) assert.ok(e.signals.includes(x.signal), `${line}: signals ${e.signals.join(', ') || '(none)'}, expected ${x.signal}`);
  const layer = RULES.find((r) => r.kind === e.kind)?.layer;
  if (x.layer) assert.equal(layer, x.layer, `${line}: layer`);
  if (x.cause) assert.equal(RULES.find((r) => r.kind === e.kind && r.re.test(line))?.cause ?? RULES.find((r) => r.kind === e.kind)?.cause, x.cause, `${line}: cause`);
}

for (const p of PAIRS) {
  test(`Intel / AMD pair: ${p.inference}`, () => {
    holds(decoded(p.intel), p.expect, p.intel);
    for (const amd of p.amd) holds(decoded(amd), p.amdExpect ?? p.expect, amd);
  });
}

test('every Intel DMAR row kind is paired or listed as Intel-only with a reason', () => {
  const intelKinds = [...new Set(RULES.filter((r) => r.family === 'intel-dmar').map((r) => r.kind))];
  const missing = intelKinds.filter((k) => !(k in UNPAIRED));
  assert.deepEqual(missing, [], 'Intel kinds with no AMD pair and no reason');
});

test('the device of an AMD IO_PAGE_FAULT is the one the Intel fault names', () => {
  const intel = decoded(PAIRS.find((p) => p.inference.startsWith('a DMA fault'))!.intel);
  for (const amd of PAIRS.find((p) => p.inference.startsWith('a DMA fault'))!.amd) assert.match(decoded(amd).device ?? '', new RegExp(`${intel.device}$`));
});

async function pasted(text: string): Promise<Snapshot> {
  return (await readPaste([{ name: 'paste.txt', bytes: Buffer.from(text) }])).snapshot;
}

test('a pasted log says the firmware table is there from the hardware lines alone, on both vendors', async () => {
  assert.equal((await pasted('DMAR: dmar0: reg_base_addr fed90000 ver 1:0 cap 1c0000c40660462 ecap f050da\n')).firmware.acpiTables.DMAR, true);
  for (const line of ['pci 0000:00:00.2: AMD-Vi: Found IOMMU cap 0x40', 'AMD-Vi: Extended features (0x58f77ef22294a5a, 0x0): PPR X2APIC NX GT IA GA PC GA_vAPIC', 'pci 0000:00:00.2: AMD-Vi: IOMMU performance counters supported', 'AMD-Vi: [Firmware Bug]: : IOAPIC[32] not in IVRS table']) {
    assert.equal((await pasted(`${line}\n`)).firmware.acpiTables.IVRS, true, line);
  }
});

test('interrupt remapping turned off reads the same on both vendors (irq-remapping rule)', async () => {
  for (const line of ['[    0.120000] DMAR-IR: Not enabling interrupt remapping', '[    0.120000] AMD-Vi: Disabling interrupt remapping']) {
    const r = analyze(await pasted(`${line}\n`), {}, [irqRemapping]);
    assert.deepEqual(r.findings.map((f) => f.cause), ['irq-remap-missing'], line);
  }
});

/** A collected host (complete log) whose IOMMU is off and whose ACPI table list could not be read. */
function collectedWithoutTables(snap: Snapshot, vendor: 'intel' | 'amd'): Snapshot {
  return {
    ...snap,
    origin: { kind: 'root', root: '/capture' },
    host: { ...snap.host, cpu: { vendor, vendorId: vendor === 'intel' ? 'GenuineIntel' : 'AuthenticAMD', modelName: null, vmx: vendor === 'intel', svm: vendor === 'amd', hypervisor: false, x2apic: true } },
    iommu: { ...snap.iommu, groups: [] },
    firmware: { ...snap.firmware, acpiTables: { DMAR: null, IVRS: null, IORT: null } },
  };
}

test('a complete log without the table\'s lines means no table, on both vendors; with them, a table', async () => {
  const quiet = await pasted('[    0.000000] Linux version 6.8.12-4-pve (build@pve) (gcc 12.2.0) #1 SMP\n[    0.500000] pci 0000:00:01.0: [1022:1482] type 00 class 0x060000\n');
  for (const vendor of ['intel', 'amd'] as const) {
    const r = analyze(collectedWithoutTables(quiet, vendor), {}, [noIommuTable]);
    assert.deepEqual(r.findings.map((f) => f.cause), ['iommu-disabled-firmware'], vendor);
    assert.match(JSON.stringify(r.findings[0]!.evidence), vendor === 'intel' ? /no DMAR table lines/ : /no IVRS table lines/);
  }
  const withIvrs = await pasted('[    0.000000] Linux version 6.8.12-4-pve (build@pve) (gcc 12.2.0) #1 SMP\n[    0.010000] ACPI: IVRS 0x00000000B9C39000 0001A4 (v02 AMD    AmdTable 00000001 AMD  00000001)\n');
  const amd = collectedWithoutTables(withIvrs, 'amd');
  assert.deepEqual(analyze(amd, {}, [noIommuTable]).findings, []);
});
