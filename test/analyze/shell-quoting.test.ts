import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { spawnSync } from 'node:child_process';
import { sh, quoteWord, literalRegex } from '../../src/analyze/shell.js';
import { kernelArgCommands } from '../../src/analyze/fixes/kernel-args.js';
import { earlyVfioModulesStep, rebuildInitramfsCommand } from '../../src/analyze/fixes/initramfs.js';
import { rebuildImageFor } from '../../src/preflight/fixes.js';
import { readPaste } from '../../src/paste/read-paste.js';
import { analyze, type Report } from '../../src/analyze/analyze.js';
import { collectSnapshot } from '../../src/collect/collect.js';
import { buildHost } from '../fixtures/host-builder.js';
import { HOSTS } from '../fixtures/hosts.js';
import { fn, variant } from '../helpers/scenario.js';
import { tokenizeShellLine } from '../helpers/sh-words.js';
import type { Snapshot } from '../../src/snapshot/types.js';

// Printed commands are pasted into root shells. Every value from a host, a capture or a paste must come
// out as literal text: never as a substitution, an operator, a command name or a redirection target.

const MARK = 'PWNED';
/** Each holds the marker; a shell that runs any of it as code says so on stderr only (nothing is written). */
const HOSTILE = [
  `nouveau'$(echo ${MARK} >&2)'`,
  `a"b$(echo ${MARK} >&2)\`echo ${MARK} >&2\`c`,
  `x;echo ${MARK} >&2;y`,
  `x|echo ${MARK} >&2 & \${${MARK}} $${MARK} *?[ ~ \\ #${MARK}`,
  `it's "quoted" \\$(${MARK})`,
];
const CONTROL = [`nouveau\n$(echo ${MARK})`, `gpu\u001b]0;${MARK}\u0007`, `a\rb${MARK}`, `x\u202e${MARK}`, `nul\u0000${MARK}`];

function shells(): string[] {
  return ['sh', 'bash'].filter((s) => spawnSync(s, ['-c', 'true']).status === 0);
}

test('sh quotes a value for the context it lands in: real shells read back exactly the value', () => {
  const found = shells();
  assert.ok(found.length > 0, 'a POSIX shell');
  for (const v of [...HOSTILE, '', 'plain', '-n', 'two words', "'", '"', '\\', '$', '`']) {
    const cases: [string, string][] = [
      [sh`printf '[%s]\n' ${v}`, `[${v}]\n`],
      [sh`printf '[%s]\n' 'pre ${v} post'`, `[pre ${v} post]\n`],
      [sh`printf '[%s]\n' "pre ${v} post"`, `[pre ${v} post]\n`],
      [sh`printf '[%s]\n' x${v}y`, `[x${v}y]\n`],
      [sh`printf '[%s]\n' ${[v, v]}`, `[${v}]\n[${v}]\n`],
      [sh`printf '[%s]\n' "${[v, v]}"`, `[${v} ${v}]\n`],
    ];
    for (const shell of found) {
      for (const [line, want] of cases) {
        const r = spawnSync(shell, ['-c', line], { encoding: 'utf8', timeout: 10_000 });
        assert.equal(r.stderr, '', `${shell}: ${line}`);
        assert.equal(r.stdout, want, `${shell}: ${line}`);
      }
    }
  }
});

test('sh refuses control characters: the line becomes a comment that shows them escaped', () => {
  for (const v of CONTROL) {
    for (const line of [sh`echo ${v}`, sh`echo 'softdep ${v} pre: vfio-pci'`, sh`kernelstub -a "${v}"`, sh`# in ${v}`, sh`printf '%s\n' ${['ok', v]}`]) {
      assert.match(line, /^# command not printed: .*cannot be printed safely$/, JSON.stringify(line));
      assert.doesNotMatch(line, /[\u0000-\u001f\u007f-\u009f\u202e]/u, JSON.stringify(line));
    }
  }
  assert.equal(sh`echo ${'plain'}`, 'echo plain', 'nothing to refuse');
});

test('quoteWord leaves plain words alone and literalRegex escapes every regex character', () => {
  assert.equal(quoteWord('0000:01:00.0'), '0000:01:00.0');
  assert.equal(quoteWord('vfio-pci.ids=10de:1e87,10de:10f8'), 'vfio-pci.ids=10de:1e87,10de:10f8');
  assert.equal(quoteWord("a'b"), `'a'\\''b'`);
  assert.equal(literalRegex('a.b*c/d[e]^$\\&'), 'a\\.b\\*c\\/d\\[e\\]\\^\\$\\\\\\&');
});

/** Asserts that a printed command is valid sh in which no value holding the marker is code. */
function assertSafe(line: string, where: string): void {
  assert.doesNotMatch(line, /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u, `${where}: raw control character in ${JSON.stringify(line)}`);
  if (line.startsWith('#')) return;
  const syntax = spawnSync('sh', ['-n', '-c', line], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(syntax.status, 0, `${where}: not valid sh: ${line}\n${syntax.stderr}`);
  const parsed = tokenizeShellLine(line);
  for (const e of parsed.expansions) assert.ok(!e.includes(MARK), `${where}: the shell would expand ${e} in: ${line}`);
  for (const c of parsed.commands) {
    const name = (c.words[0] ?? '').replace(/^[A-Za-z_][A-Za-z0-9_]*=.*$/s, ''); // an assignment is not a command name
    assert.ok(!name.includes(MARK), `${where}: a value became a command name (${c.words[0]}) in: ${line}`);
    for (const r of c.redirects) assert.ok(!r.includes(MARK), `${where}: a value became a redirection target (${r}) in: ${line}`);
  }
}

function commandsOf(r: Report): { where: string; line: string }[] {
  return [
    ...r.findings.flatMap((f) => f.commands.map((line) => ({ where: `${f.id} (${f.cause})`, line }))),
    ...r.unchecked.filter((u) => u.settle !== null).map((u) => ({ where: `${u.id} (settle)`, line: u.settle! })),
  ];
}

test('the issue 13 paste: a driver name that closes the quote stays one literal word in every printed fix', async () => {
  // A pasted driver name is one word: the hostile ones use ${IFS} instead of spaces, as the report did.
  for (const driver of [`nouveau'$(touch\${IFS}/tmp/${MARK})'`, ...HOSTILE.map((h) => h.replace(/ /g, '${IFS}'))]) {
    const paste = [
      `01:00.0 VGA compatible controller [0300]: NVIDIA Corporation TU106 [GeForce RTX 2060] [10de:1e89] (rev a1)`,
      `\tKernel driver in use: ${driver}`,
      `\tKernel modules: ${driver}`,
      `01:00.1 Audio device [0403]: NVIDIA Corporation TU106 High Definition Audio Controller [10de:10f8] (rev a1)`,
      `\tKernel driver in use: snd_hda_intel`,
      '',
    ].join('\n');
    const { snapshot } = await readPaste([{ name: 'paste.txt', bytes: Buffer.from(paste) }]);
    const r = analyze(snapshot, { devices: ['0000:01:00.0'] });
    const lines = commandsOf(r);
    assert.ok(lines.some((l) => l.line.includes(MARK)), `the driver reaches some command: ${JSON.stringify(lines)}`);
    for (const { where, line } of lines) assertSafe(line, where);
  }
});

test('the fix builders quote every host value, for every boot loader and initramfs tool', () => {
  const tools = { updateGrub: false, grub2Mkconfig: false, grubby: false, kernelstub: false, updateInitramfs: false, dracut: false, mkinitcpio: false };
  const snapOf = (family: string, boot: Partial<Snapshot['boot']>, t: Partial<typeof tools> = {}) =>
    ({ host: { osRelease: { id: family, idLike: [], versionId: '1', prettyName: null, family } }, boot: { loader: 'unknown', grubDefault: null, kernelCmdline: null, blsEntries: [], proxmoxBootTool: false, ...boot, tools: { ...tools, ...t } } }) as unknown as Snapshot;
  for (const h of HOSTILE) {
    const snaps = [
      snapOf('debian', { loader: 'grub', grubDefault: { file: `/etc/default/grub.d/${h}`, cmdlineLinux: `pcie_acs_override=${h}`, cmdlineLinuxDefault: `quiet ${h}` } }, { updateGrub: true }),
      snapOf('proxmox', { loader: 'proxmox-boot-tool', kernelCmdline: `root=${h}`, proxmoxBootTool: true }),
      snapOf('debian', { loader: 'systemd-boot', kernelCmdline: `root=${h}` }),
      snapOf('debian', { loader: 'kernelstub', kernelCmdline: h }, { kernelstub: true }),
      snapOf('fedora', { loader: 'grub' }, { grubby: true }),
      snapOf('arch', { loader: 'systemd-boot', blsEntries: [{ file: `/boot/loader/entries/${h}/x.conf` }] as Snapshot['boot']['blsEntries'] }, { mkinitcpio: true }),
      snapOf('other', {}),
    ];
    for (const s of snaps) {
      const where = `${s.host.osRelease!.family}/${s.boot.loader}`;
      const lines = [
        ...kernelArgCommands(s, { add: [`vfio-pci.ids=${h}`], remove: ['pcie_acs_override'] }),
        ...kernelArgCommands(s, { add: [`vfio-pci.ids=${h}`] }),
        ...kernelArgCommands(s, { remove: [h] }),
        ...earlyVfioModulesStep(s, ['vfio', h]),
        rebuildInitramfsCommand(s),
        rebuildImageFor(s, h),
      ];
      assert.ok(lines.some((l) => l.includes(MARK)), where);
      for (const line of lines) assertSafe(line, where);
    }
  }
});

test('a collected host whose driver, module and file names are hostile: every finding and settle command is safe', async (t) => {
  // The GPU is left on nouveau, so the binding, initramfs and module rules print their fixes.
  const host = variant(HOSTS.intelDesktop, (h) => {
    const gpu = fn(h, '01.0/00.0');
    gpu.driver = 'nouveau';
  });
  const root = await buildHost(host);
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  const clean = await collectSnapshot({ root });
  const baseline = commandsOf(analyze(clean, { devices: ['0000:01:00.0'] }));
  assert.ok(baseline.some((l) => l.line.includes('nouveau')), JSON.stringify(baseline));
  for (const h of [...HOSTILE, ...CONTROL]) {
    // The same name everywhere it occurs, so the rules still connect the device, its module and its config.
    const json = JSON.stringify(clean).split('nouveau').join(JSON.stringify(h).slice(1, -1));
    const r = analyze(JSON.parse(json) as Snapshot, { devices: ['0000:01:00.0'] });
    const lines = commandsOf(r);
    assert.ok(lines.length >= baseline.length, `as many commands with ${JSON.stringify(h)}: ${JSON.stringify(lines)}`);
    for (const { where, line } of lines) assertSafe(line, where);
    const hostile = lines.filter((l) => l.line.includes(MARK) || l.line.startsWith('# command not printed'));
    assert.ok(hostile.length > 0, `the name reaches some command: ${JSON.stringify(lines)}`);
  }
});
