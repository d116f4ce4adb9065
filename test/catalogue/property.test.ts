// Property: whatever catalogue lines a paste holds, behind whatever prefixes, wrapped or not, mixed with
// noise and in any order, the verdict is the most upstream failing layer among the lines fed.
import test from 'node:test';
import assert from 'node:assert/strict';
import { builtinCatalogue } from '../../src/catalogue/builtin.js';
import { matchMessage } from '../../src/catalogue/match.js';
import { reading } from '../../src/analyze/rules/messages/catalogue-messages.js';
import { layerIndex } from '../../src/analyze/layers.js';
import { readPaste } from '../../src/paste/read-paste.js';
import { analyzeCaptured } from '../../src/paste/targets.js';

// A small seeded generator (mulberry32): the same runs every time, no dependence on timing.
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Lines that fail on their own: their example's reading is a failure.
const failing = builtinCatalogue().filter((e) => {
  const h = matchMessage(e.example);
  return h !== null && reading(h)?.severity === 'fail';
});

const PREFIXES: ((m: string, kernel: boolean) => string)[] = [
  (m) => m,
  (m, k) => (k ? `[   42.123456] ${m}` : `2024-03-03T11:02:17.123456Z ${m}`),
  (m, k) => `Mar  3 11:02:17 host ${k ? 'kernel' : 'pvedaemon[2211]'}: ${m}`,
  (m, k) => `Mar 03 11:02:17.123456 host ${k ? 'kernel' : 'libvirtd[812]'}: ${m}`,
  (m) => `> ${m}`,
  (m) => JSON.stringify({ level: 'error', msg: m }),
];

const NOISE = [
  'systemd[1]: Started Session 3 of user root.',
  '[    2.345678] usb 1-4: new high-speed USB device number 3 using xhci_hcd',
  'Mar  3 11:02:18 host sshd[901]: Accepted publickey for root from 10.0.0.2 port 51234',
  'Thanks in advance for any help!',
  '[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009ffff] usable',
];

test('the verdict is the most upstream failing layer among catalogue lines, whatever their prefixes, wrapping, noise and order', async () => {
  assert.ok(failing.length > 40, `${failing.length} failing families`);
  const rnd = random(20261206);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const wrong: string[] = [];
  for (let run = 0; run < 150; run++) {
    const chosen = [...new Set(Array.from({ length: 1 + Math.floor(rnd() * 3) }, () => pick(failing)))];
    const blocks: string[][] = chosen.map((e) => {
      const line = pick(PREFIXES)(e.example, e.origin === 'kernel');
      // A JSON record cut in two is no record any more; wrapping is tried on text lines.
      if (rnd() < 0.3 && !line.startsWith('{')) {
        // Soft-wrap inside the words the family needs.
        const h = matchMessage(e.example)!;
        const at = line.indexOf(h.message) + Math.floor(h.message.length / 2);
        const space = line.lastIndexOf(' ', at);
        return space > line.indexOf(h.message) ? [line.slice(0, space), line.slice(space + 1)] : [line];
      }
      return [line];
    });
    for (let n = Math.floor(rnd() * 4); n > 0; n--) blocks.push([pick(NOISE)]);
    for (let i = blocks.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [blocks[i], blocks[j]] = [blocks[j]!, blocks[i]!];
    }
    const text = blocks.flat().join('\n') + '\n';
    const expected = Math.min(...chosen.map((e) => layerIndex(reading(matchMessage(e.example)!)!.layer)));
    const { snapshot } = await readPaste([{ name: 'paste.txt', bytes: Buffer.from(text) }]);
    const v = analyzeCaptured(snapshot).verdict;
    if (v.status !== 'broken' || v.layer === null || layerIndex(v.layer) !== expected) {
      wrong.push(`${chosen.map((e) => e.id).join(' + ')} → ${v.status} ${v.layer}/${v.cause}\n${text}`);
    }
  }
  assert.deepEqual(wrong.slice(0, 5), [], `${wrong.length} of 150 runs disagree`);
});
