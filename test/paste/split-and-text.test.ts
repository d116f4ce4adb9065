// Cleaning pasted bytes and cutting them into chunks: line ends, colour codes, binary input, prompts in
// their many shapes, echoed commands, fences and file headers, forum quoting.
import test from 'node:test';
import assert from 'node:assert/strict';
import { inputLines, PasteInputError } from '../../src/paste/text.js';
import { bareCommand, promptCommand } from '../../src/paste/prompt.js';
import { splitChunks, unquote } from '../../src/paste/split.js';

test('text: CRLF, colour codes, a byte-order mark and progress carriage returns are removed', () => {
  const lines = inputLines(Buffer.from('\ufeff\x1b[1;31mDMAR\x1b[0m: IOMMU enabled\r\nBuilding 10%\rBuilding 100%\r\n\x1b]0;title\x07last\n'), 'p');
  assert.deepEqual(lines.map((l) => l.text), ['DMAR: IOMMU enabled', 'Building 100%', 'last']);
  assert.deepEqual(lines.map((l) => l.n), [1, 2, 3]);
});

test('text: Latin-1 text is read; empty and binary input are refused with one sentence', () => {
  assert.equal(inputLines(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]), 'p')[0]!.text, 'café');
  assert.throws(() => inputLines(Buffer.alloc(0), 'empty.txt'), (e: unknown) => e instanceof PasteInputError && /empty\.txt: empty input/.test(e.message));
  assert.throws(() => inputLines(Buffer.from('  \n\n'), 'blank.txt'), PasteInputError);
  const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(64)]);
  assert.throws(() => inputLines(elf, 'a.out'), (e: unknown) => e instanceof PasteInputError && /a\.out: binary data/.test(e.message));
});

const PROMPTS: [string, string | null][] = [
  ['user@host:~$ lspci -nnk', 'lspci -nnk'],
  ['root@pve:~# cat /proc/cmdline', 'cat /proc/cmdline'],
  ['[root@fedora ~]# dmesg | grep -i vfio', 'dmesg | grep -i vfio'],
  ['(venv) me@box:/tmp$ uname -r', 'uname -r'],
  ['localhost:~ # lsmod', 'lsmod'],
  ['$ sudo lspci -vv -s 01:00.0', 'lspci -vv -s 01:00.0'],
  ['# ls -l /dev/vfio', 'ls -l /dev/vfio'],
  ['% mokutil --sb-state', 'mokutil --sb-state'],
  ['user@host:~$ ', ''],
  ['# This file blacklists nouveau', null],
  ['# CONFIG_IRQ_REMAP is not set', null],
  ['$', null],
];

test('prompts: user@host, root #, [user@host dir], bare $ / # / %, sudo removed; comments are not prompts', () => {
  for (const [line, want] of PROMPTS) assert.equal(promptCommand(line), want, line);
});

test('echoed commands without a prompt are commands; output lines that start with a command word are not', () => {
  assert.equal(bareCommand('sudo dracut -f --kver `uname -r`'), 'dracut -f --kver `uname -r`');
  assert.equal(bareCommand('dmesg | grep DMAR'), 'dmesg | grep DMAR');
  assert.equal(bareCommand('ls /dev/vfio/vfio -al'), 'ls /dev/vfio/vfio -al');
  assert.equal(bareCommand('dpdk-devbind.py --status'), 'dpdk-devbind.py --status');
  assert.equal(bareCommand('kvm 1335296 1 kvm_intel'), null);
  assert.equal(bareCommand('kvm: -device vfio-pci,host=01:00.0: error'), null);
  assert.equal(bareCommand('modprobe: FATAL: Module vfio_virqfd not found'), null);
});

test('chunks: prompts, fences and head/tail headers start chunks and say what follows', () => {
  const lines = inputLines(
    Buffer.from(['$ cat /proc/cmdline', 'BOOT_IMAGE=/vmlinuz root=/dev/sda1', '```', 'x', '```', '==> /etc/modprobe.d/vfio.conf <==', 'options vfio-pci ids=10de:1e87'].join('\n')),
    'p',
  );
  const { chunks, markers } = splitChunks(lines);
  assert.deepEqual(chunks.map((c) => [c.command, c.shows, c.lines.map((l) => l.text)]), [
    ['cat /proc/cmdline', '/proc/cmdline', ['BOOT_IMAGE=/vmlinuz root=/dev/sda1']],
    [null, null, ['x']],
    [null, '/etc/modprobe.d/vfio.conf', ['options vfio-pci ids=10de:1e87']],
  ]);
  assert.equal(markers.length, 4);
});

test('forum quoting: "> " markers and a shared indentation go, relative indentation stays', () => {
  const l = (text: string, n: number) => ({ file: 'p', n, text });
  assert.deepEqual(unquote([l('> 01:00.0 VGA compatible controller', 1), l('> \tKernel driver in use: nvidia', 2)]).map((x) => x.text), ['01:00.0 VGA compatible controller', '\tKernel driver in use: nvidia']);
  assert.deepEqual(unquote([l('    2800000000-2fffffffff : 0000:c3:00.0', 1), l('      2800000000-2801fa3fff : BOOTFB', 2)]).map((x) => x.text), ['2800000000-2fffffffff : 0000:c3:00.0', '  2800000000-2801fa3fff : BOOTFB']);
});
