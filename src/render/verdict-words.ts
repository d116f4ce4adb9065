// How an undetermined verdict is worded, the same in every renderer: it names a layer only when some
// evidence points there (analyze/verdict.ts).
import type { Layer } from '../analyze/layers.js';

export function undeterminedWords(layer: Layer | null): string {
  return layer ? `nothing fails, but the ${layer} layer could not be checked` : 'nothing fails, and nothing in the evidence points at a layer';
}
