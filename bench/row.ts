// One row of the performance table that `npm run bench` prints and writes to docs/performance.md.
// Every bench module that contributes rows exports
//   export async function rows(opts: { quick: boolean }): Promise<BenchRow[]>
// and bench/run-all.ts collects them in order.

export interface BenchRow {
  /** What was measured, e.g. "`check --root`, 1,024 functions, 1 MB log". */
  work: string;
  /** The reference it is compared with ("`lspci -nnk -vv`", "itself", "—"). */
  reference: string;
  /** Our figure as printed (e.g. "0.41 s", "1.3 ms", "96 MB peak"). */
  ours: string;
  /** The reference's figure as printed, or "—" when there is none. */
  theirs: string;
  /** ours / theirs for time rows; null when the row has no ratio. */
  ratio: number | null;
  /** The target as written in issue 16 (e.g. "≤ 2.0×"). */
  target: string;
  pass: boolean;
  /**
   * For a row with a reference time: the least its work can cost in this design (bench/floor.ts), as a
   * ratio to the reference figure, and what it is made of. A target below it cannot be met by faster code.
   */
  floor?: { ratio: number; parts: string };
}

export interface BenchOptions {
  quick: boolean;
}

/** A row as one line, for a bench module run alone. */
export function rowLine(r: BenchRow): string {
  const floor = r.floor ? `${r.floor.ratio.toFixed(2)}×: ${r.floor.parts}` : 'not measured';
  return `${r.work}: ${r.ours} vs ${r.reference} ${r.theirs} = ${r.ratio?.toFixed(2)}× (target ${r.target}: ${r.pass ? 'met' : 'NOT met'}; floor of this design ${floor})`;
}
