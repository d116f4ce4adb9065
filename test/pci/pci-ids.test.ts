// The pci.ids name database: a small hand-written file for the format rules, the system file for real
// names, and lspci (reading the same system file) as the reference for lookups.
import test from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadPciIds } from '../../src/pci/ids.js';
import { ImageBuilder, toLspciDump } from './config-images.js';
import { LSPCI_SKIP, lspciAvailable } from './lspci-reference.js';

const SMALL = [
  '#',
  '#\tList of PCI ID\'s',
  '#',
  '# Version: 2024.01.15',
  '#',
  '',
  '0001  SafeNet (wrong ID)',
  '10de  NVIDIA Corporation',
  '\t1e87  TU104 [GeForce RTX 2080 Rev. A]',
  '\t\t1043 8709  ROG Strix GeForce RTX 2080 O8G',
  '# a comment inside a vendor block',
  '\t\t10de 12ab  GeForce RTX 2080 Founders Edition',
  '\t10f8  TU104 High Definition Audio Controller',
  '15b3  Mellanox Technologies',
  '\t1017  MT27800 Family [ConnectX-5]',
  '\t\t15b3 0020  ConnectX-5 EN network interface card, 10/25GbE dual-port SFP28',
  '\t1018  MT27800 Family [ConnectX-5 Virtual Function]',
  '1af4  Red Hat, Inc.',
  'ffff  Illegal Vendor ID',
  '',
  'S 1043',
  '\t8694  ASUS generic board',
  '',
  'X 12  A block nobody knows',
  '\t34  skipped',
  '',
  '# List of known device classes, subclasses and programming interfaces',
  'C 00  Unclassified device',
  '\t00  Non-VGA unclassified device',
  'C 03  Display controller',
  '\t00  VGA compatible controller',
  '\t\t00  VGA controller',
  '\t02  3D controller',
  'C 0c  Serial bus controller',
  '\t03  USB controller',
  '\t\t20  EHCI',
  'C ff  Unassigned class',
  '',
].join('\n');

test('small file: vendor, device, subsystem and class names', () => {
  const db = loadPciIds(SMALL);
  assert.equal(db.version, '2024.01.15');
  assert.equal(db.vendorCount, 5);
  assert.deepEqual(db.lookup('10de', '1e87', '1043', '8709', '030000'), {
    vendor: 'NVIDIA Corporation',
    device: 'TU104 [GeForce RTX 2080 Rev. A]',
    subsystem: 'ROG Strix GeForce RTX 2080 O8G',
    class: 'VGA compatible controller',
  });
  // Entries after a comment line still belong to the device.
  assert.equal(db.lookup('10de', '1e87', '10de', '12ab', '030000').subsystem, 'GeForce RTX 2080 Founders Edition');
  assert.equal(db.lookup('15b3', '1018', null, null, '020000').device, 'MT27800 Family [ConnectX-5 Virtual Function]');
});

test('small file: fallbacks and misses', () => {
  const db = loadPciIds(SMALL);
  // Subsystem ids equal to the device ids: named after the device.
  assert.equal(db.lookup('10de', '10f8', '10de', '10f8', '040300').subsystem, 'TU104 High Definition Audio Controller');
  // Generic subsystem block.
  assert.equal(db.lookup('8086', 'a340', '1043', '8694', '060400').subsystem, 'ASUS generic board');
  // Unknown subsystem, no subsystem.
  assert.equal(db.lookup('10de', '1e87', '1043', 'ffff', '030000').subsystem, null);
  assert.equal(db.lookup('10de', '1e87', null, null, '030000').subsystem, null);
  // A device id of another vendor is not found in this vendor's block.
  assert.equal(db.lookup('1af4', '1e87', null, null, '030000').device, null);
  assert.equal(db.lookup('1af4', '1e87', null, null, '030000').vendor, 'Red Hat, Inc.');
  // Class lines after the last vendor are not devices of that vendor.
  assert.equal(db.lookup('ffff', '0000', null, null, '000000').device, null);
  // Unknown vendor, unknown class, subclass missing (falls back to the class), unknown subclass of no class.
  assert.deepEqual(db.lookup('abcd', '0001', null, null, '123456'), { vendor: null, device: null, subsystem: null, class: null });
  assert.equal(db.lookup('10de', '1e87', null, null, '0c8000').class, 'Serial bus controller');
  assert.equal(db.lookup('10de', '1e87', null, null, '0c0320').class, 'USB controller');
  assert.equal(db.lookup('10de', '1e87', null, null, '0300').class, 'VGA compatible controller');
  assert.equal(db.lookup('10de', '1e87', null, null, 'zz').class, null);
  // The unknown lettered block is skipped, not read as a class.
  assert.equal(db.lookup('10de', '1e87', null, null, '123400').class, null);
});

test('small file: id spellings (case, 0x, short) are normalised; malformed ids miss', () => {
  const db = loadPciIds(SMALL);
  const names = db.lookup('0x10DE', '1E87', '0x1043', '8709', '0x030000');
  assert.equal(names.device, 'TU104 [GeForce RTX 2080 Rev. A]');
  assert.equal(names.subsystem, 'ROG Strix GeForce RTX 2080 O8G');
  assert.equal(db.lookup('1', '0', null, null, '').vendor, 'SafeNet (wrong ID)');
  assert.equal(db.lookup('10de0', '1e87', null, null, '').vendor, null);
  assert.equal(db.lookup('', '', '', '', '').vendor, null);
});

test('small file: CRLF line ends, Buffer input, no trailing newline', () => {
  const crlf = Buffer.from(SMALL.replace(/\n/g, '\r\n').trimEnd(), 'utf8');
  const db = loadPciIds(crlf);
  assert.deepEqual(db.lookup('10de', '1e87', '1043', '8709', '0c0320'), {
    vendor: 'NVIDIA Corporation',
    device: 'TU104 [GeForce RTX 2080 Rev. A]',
    subsystem: 'ROG Strix GeForce RTX 2080 O8G',
    class: 'USB controller',
  });
  assert.equal(db.lookup('10de', '1e87', null, null, 'ff0000').class, 'Unassigned class');
});

test('empty and garbage text load without throwing and find nothing', () => {
  for (const text of ['', '\n\n', '\t\t\t', 'C', 'S zzzz\n\tnot hex', '\u0000\u0001garbage\n\t1234\n', 'C 0g  x\n\t00  y']) {
    const db = loadPciIds(text);
    assert.deepEqual(db.lookup('1234', '5678', '1234', '5678', '000000'), {
      vendor: null, device: null, subsystem: null, class: null,
    });
  }
});

const SYSTEM_IDS = ['/usr/share/misc/pci.ids', '/usr/share/hwdata/pci.ids'].find((p) => existsSync(p));

test('system pci.ids: known names', (t) => {
  if (!SYSTEM_IDS) return t.skip('no system pci.ids file');
  const db = loadPciIds(readFileSync(SYSTEM_IDS));
  assert.ok(db.vendorCount > 1000);
  const gpu = db.lookup('10de', '1e87', null, null, '030000');
  assert.equal(gpu.vendor, 'NVIDIA Corporation');
  assert.match(gpu.device ?? '', /TU104/);
  assert.equal(gpu.class, 'VGA compatible controller');
  assert.equal(db.lookup('8086', '8c26', '17aa', '220e', '0c0320').subsystem, 'ThinkPad T440p');
  assert.equal(db.lookup('1af4', '1000', null, null, '0200').class, 'Ethernet controller');
  // Names are UTF-8 in the file; the byte path decodes them as such.
  assert.equal(db.lookup('1002', '6798', '1787', '201c', '030000').subsystem, 'HD 7970 IceQ X²');
  assert.equal(loadPciIds(readFileSync(SYSTEM_IDS, 'utf8')).lookup('1002', '6798', '1787', '201c', '030000').subsystem, 'HD 7970 IceQ X²');
});

test('small file: UTF-8 names from bytes and from text', () => {
  const text = SMALL.replace('ROG Strix GeForce RTX 2080 O8G', 'Strix X² — Ünïcode');
  for (const source of [text, new TextEncoder().encode(text)]) {
    assert.equal(loadPciIds(source).lookup('10de', '1e87', '1043', '8709', '030000').subsystem, 'Strix X² — Ünïcode');
  }
});

test('system pci.ids: 1,000 lookups spread over the whole file all resolve (time in the diagnostic)', (t) => {
  if (!SYSTEM_IDS) return t.skip('no system pci.ids file');
  const raw = readFileSync(SYSTEM_IDS);
  const tuples = sampleTuples(raw.toString('utf8'), 1000);
  const start = performance.now();
  const db = loadPciIds(raw);
  const loaded = performance.now();
  let named = 0;
  for (const [v, d, sv, sd, cls] of tuples) if (db.lookup(v, d, sv, sd, cls).device !== null) named++;
  const done = performance.now();
  assert.equal(named, tuples.length);
  const vendors = new Set(tuples.map((x) => x[0])).size;
  // Spread over the whole file, these lookups touch far more vendors than a real host has.
  t.diagnostic(
    `pci.ids load ${(loaded - start).toFixed(1)} ms + ${tuples.length} lookups over ${vendors} vendors ` +
      `${(done - loaded).toFixed(1)} ms = ${(done - start).toFixed(1)} ms`,
  );
  // Speed is not asserted here (a loaded CI machine would make it flaky): the bench measures it.
});

test('system pci.ids: names agree with lspci on the same file', (t) => {
  if (!SYSTEM_IDS) return t.skip('no system pci.ids file');
  if (!lspciAvailable()) return t.skip(LSPCI_SKIP);
  const text = readFileSync(SYSTEM_IDS, 'utf8');
  const db = loadPciIds(text);
  const tuples = sampleTuples(text, 300);
  // Misses on purpose: unknown vendor, unknown device, unknown subsystem, subsystem == device, class
  // with an unknown subclass.
  tuples.push(['fffe', '0001', '0001', '0002', '123400'], ['10de', 'fffe', '10de', 'fffe', '038000'],
    ['10de', '1e87', '10de', '1e87', '030000'], ['8086', '8c26', '1234', '0001', '0c8000']);

  const dump = tuples.map(([v, d, sv, sd, cls], i) => {
    const b = new ImageBuilder(64).header({
      vendor: parseInt(v, 16), device: parseInt(d, 16), classCode: parseInt(cls, 16), headerType: 0, status: 0,
      subsystem: [parseInt(sv ?? '0', 16), parseInt(sd ?? '0', 16)],
    });
    return toLspciDump(b.build(), `${(i >> 5).toString(16).padStart(2, '0')}:${(i & 0x1f).toString(16).padStart(2, '0')}.0`);
  }).join('\n');
  const dir = mkdtempSync(path.join(tmpdir(), 'vfio-doctor-ids-'));
  let output: string;
  try {
    writeFileSync(path.join(dir, 'ids.dump'), dump);
    output = execFileSync('lspci', ['-F', path.join(dir, 'ids.dump'), '-vmm', '-i', SYSTEM_IDS, '-O', 'hwdb.disable=1'], {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const records = new Map<string, Map<string, string>>();
  for (const block of output.trim().split('\n\n')) {
    const fields = new Map(block.split('\n').map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]));
    records.set(fields.get('Slot')!, fields);
  }
  tuples.forEach(([v, d, sv, sd, cls], i) => {
    const slot = `${(i >> 5).toString(16).padStart(2, '0')}:${(i & 0x1f).toString(16).padStart(2, '0')}.0`;
    const ref = records.get(slot)!;
    const ours = db.lookup(v, d, sv, sd, cls);
    const what = `${v}:${d} ${sv}:${sd} class ${cls}`;
    assert.equal(ref.get('Vendor'), ours.vendor ?? `Vendor ${v}`, `vendor of ${what}`);
    assert.equal(ref.get('Device'), ours.device ?? `Device ${d}`, `device of ${what}`);
    if (ref.has('SDevice')) assert.equal(ref.get('SDevice'), ours.subsystem ?? `Device ${sd}`, `subsystem of ${what}`);
    // lspci adds the number when only the base class is known ("Display controller [0380]").
    const refClass = ref.get('Class')!.replace(/ \[[0-9a-f]{4}\]$/, '');
    assert.equal(refClass, ours.class ?? `Class ${cls.slice(0, 4)}`, `class of ${what}`);
  });
});

type Tuple = [string, string, string | null, string | null, string];

/** Every n-th device and subsystem line of a pci.ids text, with class codes taken from its class section. */
function sampleTuples(text: string, count: number): Tuple[] {
  const lines = text.split('\n');
  const classes: string[] = [];
  let currentClass = '';
  for (const line of lines) {
    let m = /^C ([0-9a-f]{2})\s/.exec(line);
    if (m) {
      currentClass = m[1]!;
      classes.push(`${currentClass}0000`);
      continue;
    }
    m = /^\t([0-9a-f]{2})\s/.exec(line);
    if (m && currentClass) classes.push(`${currentClass}${m[1]}00`);
  }
  const candidates: Tuple[] = [];
  let vendor = '';
  let device = '';
  for (const line of lines) {
    if (line.startsWith('C ')) break;
    let m = /^([0-9a-f]{4})\s/.exec(line);
    if (m) {
      vendor = m[1]!;
      continue;
    }
    m = /^\t([0-9a-f]{4})\s/.exec(line);
    if (m) {
      device = m[1]!;
      candidates.push([vendor, device, null, null, '']);
      continue;
    }
    m = /^\t\t([0-9a-f]{4}) ([0-9a-f]{4})\s/.exec(line);
    if (m) candidates.push([vendor, device, m[1]!, m[2]!, '']);
  }
  const step = Math.max(1, Math.floor(candidates.length / count));
  const out: Tuple[] = [];
  for (let i = 0; out.length < count && i < candidates.length; i += step) {
    const [v, d, sv, sd] = candidates[i]!;
    out.push([v, d, sv, sd, classes[out.length % classes.length] ?? '000000']);
  }
  return out;
}
