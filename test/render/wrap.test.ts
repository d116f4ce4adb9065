// Fitting text to the terminal: breaks at spaces only, hangs continuations, never splits what a user
// copies, and counts the columns the terminal shows (not the characters in the string).
import test from 'node:test';
import assert from 'node:assert/strict';
import { fitLine, fitText, fitTextChunks, HANG, MIN_WIDTH, outputWidth, unbroken, visibleWidth } from '../../src/render/wrap.js';
import { makeStyle } from '../../src/render/style.js';
import { terminalSafe } from '../../src/render/terminal-safe.js';

const colour = makeStyle(true);
const ANSI = /\x1b\[\d+m/g;

test('a short line is left as it is, and the layout marks are removed', () => {
  assert.deepEqual(fitLine('  hello world', 80), ['  hello world']);
  assert.deepEqual(fitLine(`  - ${HANG}hello ${unbroken('a b')}`, 80), ['  - hello a b']);
  assert.equal(fitText('', 80), '');
  assert.equal(fitText('a\n\nb', 80), 'a\n\nb');
});

test('breaks at spaces into lines no wider than the width, continuation hanging at the mark', () => {
  const line = `  - ${HANG}one two three four five six seven eight nine ten eleven twelve`;
  const lines = fitLine(line, 40);
  assert.deepEqual(lines, ['  - one two three four five six seven', '    eight nine ten eleven twelve']);
  for (const l of lines) assert.ok(l.length <= 40);
  // The words, in order, are all still there.
  assert.equal(lines.map((l) => l.trim()).join(' '), line.replace(HANG, '').trim());
});

test('without a mark, continuation lines hang two columns in from the line\'s own indent', () => {
  assert.deepEqual(fitLine('    alpha beta gamma delta epsilon zeta eta theta iota kappa', 40), ['    alpha beta gamma delta epsilon zeta', '      eta theta iota kappa']);
});

test('a hang deeper than half the width falls back to the indent, so text never runs down a narrow column', () => {
  const lines = fitLine(`${'x'.repeat(30)} ${HANG}aa bb cc dd ee ff gg hh ii jj kk ll`, 40);
  assert.equal(lines[1], '  dd ee ff gg hh ii jj kk ll');
});

test('a PCI address, a path or a long word is never split: it overflows a line of its own', () => {
  const path = '/sys/devices/pci0000:00/0000:00:01.0/0000:01:00.0/driver_override';
  const lines = fitLine(`  │ ${HANG}${path}: vfio-pci 0000:01:00.0`, 40);
  assert.deepEqual(lines, ['  │', `    ${path}:`, '    vfio-pci 0000:01:00.0']);
});

test('an unbroken span (a command) moves whole to the next line and keeps its spaces', () => {
  const cmd = "echo 'options vfio-pci ids=10de:1b80' >> /etc/modprobe.d/vfio.conf";
  const lines = fitLine(`       to fix it run ${unbroken(`$ ${cmd}`)}`, 50);
  assert.deepEqual(lines, ['       to fix it run', `         $ ${cmd}`]);
  assert.deepEqual(fitLine(`  ${unbroken('$ a b c d e f g h i j k l m n o p q r s t u v w x y z')}`, 40), ['  $ a b c d e f g h i j k l m n o p q r s t u v w x y z']);
});

test('runs of spaces inside a line (aligned columns) are kept where the line is not broken', () => {
  assert.deepEqual(fitLine('  ok   firmware   does it?', 80), ['  ok   firmware   does it?']);
  assert.deepEqual(fitLine(`  ok   firmware   ${HANG}does the platform expose an IOMMU at all?`, 42), ['  ok   firmware   does the platform expose', '                  an IOMMU at all?']);
});

test('width counts visible columns: colour is free, wide characters take two, unprintables their escape', () => {
  assert.equal(visibleWidth(colour.red(colour.bold('FAIL'))), 4);
  assert.equal(visibleWidth('显卡直通'), 8);
  assert.equal(visibleWidth('e\u0301'), 1);
  assert.equal(visibleWidth('a\x1bb'), 8);
  const words = Array.from({ length: 12 }, () => '显卡直通').join(' ');
  for (const l of fitLine(words, 40)) assert.ok(visibleWidth(l) <= 40, l);
});

test('a colour that spans a break is closed at the end of the line and opened again after the indent', () => {
  const line = `  ${HANG}${colour.dim('alpha beta gamma delta epsilon zeta eta theta iota')}`;
  const printed = terminalSafe(fitText(line, 40)).split('\n');
  assert.equal(printed.length, 2);
  for (const l of printed) {
    assert.ok(l.replace(ANSI, '').length <= 40, l);
    // Each printed line opens and closes its own colour: pasted alone it stays correct.
    assert.match(l, /^ *\x1b\[2m.*\x1b\[22m$/);
  }
  assert.equal(printed.map((l) => l.replace(ANSI, '').trim()).join(' '), 'alpha beta gamma delta epsilon zeta eta theta iota');
});

test('output width: COLUMNS first, then the terminal, then 80; never narrower than the minimum', () => {
  assert.equal(outputWidth(false, undefined, {}), 80);
  assert.equal(outputWidth(false, 132, {}), 80);
  assert.equal(outputWidth(true, 132, {}), 132);
  assert.equal(outputWidth(true, 132, { COLUMNS: '100' }), 100);
  assert.equal(outputWidth(false, undefined, { COLUMNS: '120' }), 120);
  assert.equal(outputWidth(true, 132, { COLUMNS: 'wide' }), 132);
  assert.equal(outputWidth(true, 132, { COLUMNS: '0' }), 132);
  assert.equal(outputWidth(false, undefined, { COLUMNS: '10' }), MIN_WIDTH);
  assert.equal(outputWidth(true, 20, {}), MIN_WIDTH);
});

test('fitTextChunks: the pieces joined are fitText, whatever the piece size', () => {
  const text = [
    `  ${HANG}FAIL a finding whose title runs on for long enough to be broken at least once or twice`,
    '',
    `       ${unbroken('$ echo options vfio-pci ids=10de:1e87 > /etc/modprobe.d/vfio.conf')} and more words after it`,
    '  \ue00031\ue001red\ue00039\ue001 😀 漢字 wide and emoji, a\u0301 combining mark, a tab\there',
    'last line without a newline',
  ].join('\n');
  for (const width of [40, 80]) {
    const whole = fitText(text, width);
    for (const size of [1, 10, 1 << 20]) assert.equal([...fitTextChunks(text, width, size)].join(''), whole, `width ${width}, pieces of ${size}`);
    assert.ok([...fitTextChunks(text, width, 1)].length > 1, 'small pieces give several');
  }
  assert.deepEqual([...fitTextChunks('', 80)].join(''), fitText('', 80));
  assert.equal([...fitTextChunks('a\n', 80)].join(''), fitText('a\n', 80));
});
