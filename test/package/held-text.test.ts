// The bundle holds worker code and lazily compiled modules as text (scripts/lazy-modules.mjs); large ones
// packed with brotli as base64. The lines heldText() writes are run here as the bundle runs them, with
// Node's own require: every text must come back exactly, whatever its size and characters.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../helpers/paths.js';

interface LazyModulesScript {
  heldText(code: string): string[];
  PACK_MIN_BYTES: number;
}

async function script(): Promise<LazyModulesScript> {
  return (await import(pathToFileURL(path.join(repoRoot, 'scripts/lazy-modules.mjs')).href)) as LazyModulesScript;
}

/** The text the declared `text()` returns, called twice as a stand-in may be. */
function unpack(lines: string[]): [string, string] {
  const run = new Function('require', `${lines.join('\n')}\nreturn [text(), text()];`) as (r: NodeRequire) => [string, string];
  return run(createRequire(import.meta.url));
}

test('held texts come back exactly, plain below the packing size and packed from it', async () => {
  const { heldText, PACK_MIN_BYTES } = await script();
  const line = 'const s = "quote \\" backslash \\\\ tab \\t", u = "\u2026 \u00e9 \ud83d\ude00";\n';
  const cases: Array<[string, string]> = [
    ['empty', ''],
    ['one line', line],
    ['just below the packing size', line.repeat(Math.ceil(PACK_MIN_BYTES / line.length)).slice(0, PACK_MIN_BYTES - 1)],
    ['at the packing size', 'x'.repeat(PACK_MIN_BYTES)],
    ['a large module', line.repeat(20_000)],
  ];
  for (const [name, code] of cases) {
    const lines = heldText(code);
    const packed = lines.join('\n').includes('brotliDecompressSync');
    assert.equal(packed, code.length >= PACK_MIN_BYTES, `${name}: packed only from PACK_MIN_BYTES`);
    const [first, again] = unpack(lines);
    assert.equal(first, code, name);
    assert.equal(again, code, name);
  }
});

test('a packed text is much smaller than the code it holds', async () => {
  const { heldText } = await script();
  const code = Array.from({ length: 4000 }, (_, i) => `function f${i}(a) { return a.map((x) => x * ${i}).filter(Boolean); }\n`).join('');
  const held = heldText(code).join('\n').length;
  assert.ok(held < code.length / 4, `held ${held} bytes for ${code.length}`);
});
