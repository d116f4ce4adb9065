import test from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { tryDecodeConfigSpace } from '../../src/pci/config/index.js';
import { parsePrefix, parseJsonLine } from '../../src/log/prefix.js';
import { decodeLine } from '../../src/log/events/index.js';
import { parseXml, XmlError } from '../../src/hypervisor/xml.js';
import { parseDomainXml } from '../../src/hypervisor/libvirt.js';
import { parsePveVmConfig, parsePveMappings } from '../../src/hypervisor/proxmox.js';
import { cmdlineArgs, parseQemuCommand } from '../../src/hypervisor/qemu-argv.js';
import { shellWords } from '../../src/parse/shell-words.js';
import { CpioFormatError, CpioStreamParser } from '../../src/initramfs/cpio-newc.js';
import { validateSnapshot, SnapshotLoadError } from '../../src/snapshot/load.js';
import { parseCmdline } from '../../src/parse/cmdline.js';
import { parseModprobeConf } from '../../src/parse/modprobe-conf.js';
import { readPaste } from '../../src/paste/read-paste.js';
import { PasteInputError } from '../../src/paste/text.js';
import { analyzeCaptured } from '../../src/paste/targets.js';

// Property tests over every parser and recogniser: whatever the input, a parser returns or throws its own
// error (one line for the user), never a TypeError from deep inside; and inputs that mean the same (CRLF
// line ends, indentation, quoting) give the same result. Fixed seeds and bounded runs keep this
// deterministic and within a minute or two.

const SEED = 20261206;
const runs = (n: number) => ({ seed: SEED, numRuns: n });

/** Fragments of the real formats, so that random inputs reach deep into each parser. */
const FRAGMENTS = [
  '01:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU106 [10de:1e89] (rev a1)',
  '0000:01:00.1 Audio device [0403]: NVIDIA Corporation Device [10de:10f8] (rev a1)',
  '\tKernel driver in use: vfio-pci',
  '\tKernel modules: nouveau',
  '\tSubsystem: Micro-Star International Co., Ltd. [MSI] Device [1462:3771]',
  '[    0.000000] Linux version 6.8.12-4-pve (build@proxmox) #1 SMP',
  '[    0.000000] Command line: BOOT_IMAGE=/boot/vmlinuz root=/dev/sda1 intel_iommu=on iommu=pt',
  '[    0.123456] DMAR: IOMMU enabled',
  '[    1.234567] pci 0000:01:00.0: Adding to iommu group 14',
  '[    2.000000] vfio-pci 0000:01:00.0: BAR 0: can\'t reserve [mem 0xf6000000-0xf6ffffff]',
  '[ 1234.5] DMAR: [DMA Read NO_PASID] Request device [01:00.0] fault addr 0xfffff000 [fault reason 0x06] PTE Read access is not set',
  'AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x000e address=0xfffff000 flags=0x0020]',
  'Jan 31 09:20:00 pve kernel: pcieport 0000:00:01.0: AER: Corrected error received: 0000:01:00.0',
  'kvm: -device vfio-pci,host=0000:01:00.0,id=hostpci0: vfio 0000:01:00.0: group 14 is not viable',
  'options vfio-pci ids=10de:1e89,10de:10f8',
  'softdep nouveau pre: vfio-pci',
  'blacklist nouveau',
  'hostpci0: 0000:01:00,pcie=1,x-vga=1',
  "/usr/bin/kvm -id 100 -name 'win11,debug-threads=on' -m 16384 -device 'vfio-pci,host=0000:01:00.0,multifunction=on' \\",
  '  -device {"driver":"vfio-pci","host":"0000:0b:00.0","bus":"pci.6","addr":"0x0"} -cpu host,kvm=off,hv_vendor_id=x',
  'root        4242 12.3  4.0 9123456 812345 ?      Sl   10:00   5:01 qemu-system-x86_64 -m size=8G,slots=2 -mem-path /dev/hugepages',
  '/sys/kernel/iommu_groups/14/devices/0000:01:00.0',
  'IOMMU Group 14 01:00.0 VGA compatible controller [0300]',
  '{"MESSAGE":"DMAR: IOMMU enabled","__MONOTONIC_TIMESTAMP":"1234"}',
  '<hostdev mode=\'subsystem\' type=\'pci\' managed=\'yes\'><source><address domain=\'0x0000\' bus=\'0x01\' slot=\'0x00\' function=\'0x0\'/></source></hostdev>',
  'GRUB_CMDLINE_LINUX_DEFAULT="quiet intel_iommu=on"',
  'max locked memory       (kbytes, -l) 65536',
  'crw------- 1 root root 243,   0 Jan  1 00:00 14',
  'SecureBoot enabled',
  '',
];

const hostile = fc.constantFrom('\u0000', '\u001b[2J', '\r', '\t', '"', "'", '<', '>', '&', '\\', '$(x)', '\u202e', '\ud800', '\uffff', ' '.repeat(40), '0x', ':', '=');
const fragment = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...FRAGMENTS) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...FRAGMENTS), fc.nat(200), hostile).map(([f, at, h]) => f.slice(0, at % (f.length + 1)) + h + f.slice(at % (f.length + 1))) },
  { weight: 1, arbitrary: fc.string({ maxLength: 80, unit: 'binary' }) },
);
const document = fc.array(fragment, { maxLength: 40 }).map((lines) => lines.join('\n'));

/** Runs `f` and lets through only the errors a parser is allowed to throw. */
function only<T>(f: () => T, ...allowed: (new (...a: never[]) => Error)[]): T | undefined {
  try {
    return f();
  } catch (err) {
    if (allowed.some((A) => err instanceof A)) {
      assert.doesNotMatch((err as Error).message, /\n/, 'one line');
      return undefined;
    }
    throw err;
  }
}

test('fuzz: config space decoder takes any bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
      const r = tryDecodeConfigSpace(bytes);
      assert.ok(r !== undefined);
    }),
    runs(400),
  );
});

test('fuzz: log prefix, JSON line and event decoders take any line', () => {
  fc.assert(
    fc.property(fragment, (line) => {
      const p = parsePrefix(line);
      assert.equal(typeof p.message, 'string');
      parseJsonLine(line);
      decodeLine(p.message);
      decodeLine(line);
    }),
    runs(2000),
  );
});

test('fuzz: log lines read the same with CRLF line ends and trailing blanks', () => {
  fc.assert(
    fc.property(fc.constantFrom(...FRAGMENTS.filter((f) => f.startsWith('['))), (line) => {
      assert.deepEqual(parsePrefix(`${line}\r`), parsePrefix(line));
      assert.deepEqual(decodeLine(parsePrefix(`${line}\r`).message), decodeLine(parsePrefix(line).message));
    }),
    runs(100),
  );
});

test('fuzz: XML reader and libvirt domain parser refuse bad XML with XmlError only', () => {
  const xmlish = fc.array(fc.oneof(fc.constantFrom('<domain>', '</domain>', '<name>vm</name>', '<devices>', '</devices>', FRAGMENTS[21]!, '<!-- c -->', '<![CDATA[x]]>', '&amp;', '&#x41;', '&bogus;', '<a b="1" b="2"/>', '<?xml version="1.0"?>'), hostile, fc.string({ maxLength: 20 })), { maxLength: 30 }).map((p) => p.join(''));
  fc.assert(
    fc.property(xmlish, (text) => {
      only(() => parseXml(text), XmlError);
      only(() => parseDomainXml(text, 'vm.xml'), XmlError);
    }),
    runs(1500),
  );
  const domain = `<domain type='kvm'>\n  <name>win11</name>\n  <devices>\n    ${FRAGMENTS[21]}\n  </devices>\n</domain>\n`;
  const lf = parseDomainXml(domain, 'vm.xml');
  assert.deepEqual(parseDomainXml(domain.replace(/\n/g, '\r\n'), 'vm.xml'), lf, 'CRLF');
  assert.deepEqual(parseDomainXml(domain.replace(/\n\s*/g, '\n\t\t'), 'vm.xml'), lf, 'indentation');
  assert.deepEqual(parseDomainXml(domain.replace(/'/g, '"'), 'vm.xml'), lf, 'quoting');
});

test('fuzz: Proxmox VM and mapping configuration take any text; CRLF and blanks change nothing', () => {
  fc.assert(
    fc.property(document, (text) => {
      parsePveVmConfig(text, '100', '/etc/pve/qemu-server/100.conf');
      parsePveMappings(text, '/etc/pve/mapping/pci.cfg');
    }),
    runs(800),
  );
  const conf = 'name: win11\nmemory: 16384\nhostpci0: 0000:01:00,pcie=1,x-vga=1\nhostpci1: mapping=gpu\n';
  const base = parsePveVmConfig(conf, '100', 'f');
  assert.deepEqual(parsePveVmConfig(conf.replace(/\n/g, '\r\n'), '100', 'f'), base, 'CRLF');
  assert.deepEqual(parsePveVmConfig(conf.replace(/: /g, ':   '), '100', 'f'), base, 'blanks after the key');
});

test('fuzz: QEMU command lines (shell words, NUL-separated argv) take any text; extra blanks change nothing', () => {
  fc.assert(
    fc.property(document, (text) => {
      parseQemuCommand(shellWords(text).map((w) => ({ text: w.text, line: 1 })), 'paste');
      parseQemuCommand(cmdlineArgs(text.replace(/ /g, '\0')), '/proc/1/cmdline');
    }),
    runs(800),
  );
  const line = "qemu-system-x86_64 -name 'a,,b' -m 8G -device vfio-pci,host=01:00.0,x-vga=on -bios /usr/share/ovmf/OVMF.fd";
  const base = parseQemuCommand(shellWords(line).map((w) => ({ text: w.text, line: 1 })), 'f');
  assert.deepEqual(parseQemuCommand(shellWords(line.replace(/ /g, ' \t  ')).map((w) => ({ text: w.text, line: 1 })), 'f'), base);
});

test('fuzz: kernel command line and modprobe.d parsers; spacing and CRLF change nothing', () => {
  fc.assert(
    fc.property(document, (text) => {
      parseCmdline(text);
      parseModprobeConf(text, '/etc/modprobe.d/x.conf');
    }),
    runs(800),
  );
  fc.assert(
    fc.property(fc.array(fc.constantFrom('intel_iommu=on', 'iommu=pt', 'vfio-pci.ids=10de:1e89', 'vfio_pci.ids=10de:10f8', 'quiet', 'pcie_acs_override=downstream,multifunction', 'amd_iommu=off', 'root=/dev/sda1'), { maxLength: 8 }), fc.constantFrom(' ', '  ', '\t'), (args, sep) => {
      const one = parseCmdline(args.join(' '));
      assert.deepEqual(parseCmdline(`${sep}${args.join(sep)}${sep}`).iommu, one.iommu);
    }),
    runs(300),
  );
  const conf = 'options vfio-pci ids=10de:1e89,10de:10f8\nsoftdep nouveau pre: vfio-pci\nblacklist nouveau\n';
  const base = parseModprobeConf(conf, 'f').entries.map((e) => ({ ...e }));
  assert.deepEqual(parseModprobeConf(conf.replace(/\n/g, '\r\n'), 'f').entries, base, 'CRLF');
  assert.deepEqual(parseModprobeConf(conf.replace(/^/gm, '  ').replace(/ /g, ' \t'), 'f').entries.map((e) => e.kind + e.module), base.map((e) => e.kind + e.module), 'indentation and tabs');
});

test('fuzz: cpio reader takes any bytes and fails only with CpioFormatError', () => {
  const header = (name: string, size: number) =>
    Buffer.from('070701' + [1, 0o100644, 0, 0, 1, 0, size, 0, 0, 0, 0, name.length + 1, 0].map((v) => v.toString(16).padStart(8, '0')).join('') + name + '\0');
  const cpioish = fc.array(fc.oneof(fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)), fc.tuple(fc.string({ maxLength: 12 }), fc.nat(40)).map(([n, s]) => header(n, s)), fc.constant(header('TRAILER!!!', 0)), fc.constant(Buffer.alloc(4))), { maxLength: 12 }).map((parts) => Buffer.concat(parts));
  fc.assert(
    fc.property(cpioish, fc.boolean(), (bytes, stopAtForeignData) => {
      const parser = new CpioStreamParser({ member: () => true, data: () => {}, memberEnd: () => {} }, { stopAtForeignData, describeOffset: (o) => `offset ${o}` });
      only(() => {
        if (parser.write(bytes) < 0) parser.end();
      }, CpioFormatError);
    }),
    runs(1500),
  );
});

test('fuzz: snapshot validation refuses wrong shapes with SnapshotLoadError only', () => {
  const json = fc.jsonValue({ maxDepth: 4 });
  fc.assert(
    fc.property(json, (v) => {
      only(() => validateSnapshot(v, 'x.json'), SnapshotLoadError);
      only(() => validateSnapshot({ schemaVersion: 1, origin: { kind: 'live' }, host: v, pci: v, sources: v }, 'x.json'), SnapshotLoadError);
    }),
    runs(800),
  );
});

test('fuzz: the paste analyzer takes any text; CRLF gives the same verdict and findings', async () => {
  await fc.assert(
    fc.asyncProperty(document, async (text) => {
      const read = async (t: string) => {
        try {
          const { snapshot, sections } = await readPaste([{ name: 'paste.txt', bytes: Buffer.from(t) }]);
          const r = analyzeCaptured(snapshot, { devices: [], ids: [] });
          return { verdict: r.verdict, findings: r.findings.map((f) => `${f.id} ${f.cause} ${f.severity} ${f.subject}`), sections: sections.map((s) => `${s.kind} ${s.from}-${s.to}`) };
        } catch (err) {
          if (err instanceof PasteInputError) return { refused: true };
          throw err;
        }
      };
      const lf = await read(text);
      const crlf = await read(text.replace(/\n/g, '\r\n'));
      assert.deepEqual(crlf, lf);
    }),
    runs(150),
  );
});

test('fuzz: work grows with the input, not faster: random pastes grown eightfold take at most 24 times as long', async () => {
  const samples = fc.sample(document.filter((d) => d.length > 200), { seed: SEED, numRuns: 3 });
  const time = async (bytes: Buffer) => {
    const start = process.cpuUsage(); // CPU, not wall time: a loaded machine does not count
    try {
      const { snapshot } = await readPaste([{ name: 'paste.txt', bytes }]);
      analyzeCaptured(snapshot, { devices: [], ids: [] });
    } catch (err) {
      if (!(err instanceof PasteInputError)) throw err;
    }
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1e6;
  };
  for (const d of samples) {
    const unit = `${d}\n`;
    const small = Buffer.from(unit.repeat(Math.ceil(100_000 / unit.length)));
    const large = Buffer.from(unit.repeat(8 * Math.ceil(100_000 / unit.length)));
    await time(small); // warm-up, not counted
    const tSmall = Math.min(await time(small), await time(small));
    const tLarge = await time(large);
    assert.ok(tLarge < 24 * tSmall + 0.05, `${large.length} bytes took ${tLarge.toFixed(3)} s, ${(tLarge / tSmall).toFixed(1)}× the ${small.length} bytes (${tSmall.toFixed(3)} s)`);
  }
});
