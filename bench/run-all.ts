// `npm run bench`: every row of issue 16's performance table in one run, printed and written to
// docs/performance.md. Each contributing module exports `rows(opts)` (see bench/row.ts); a module that
// is absent or has no `rows` yet is reported as a missing row instead of stopping the others.
//
//   npm run bench [-- --quick] [-- --no-write]

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchOptions, BenchRow } from './row.js';

type RowsFn = (opts: BenchOptions) => Promise<BenchRow[]>;

/** In table order: the module (relative to this file) and what its rows cover, for a missing row. */
const MODULES: { file: string; covers: string }[] = [
  { file: './check-host.js', covers: '`check --root` vs `lspci -nnk -vv`' },
  { file: './logscan.js', covers: '`decode` / log scan vs `grep -cE`; peak RSS with a 300 MB log' },
  { file: './analyze-paste.js', covers: '`analyze`, 5 → 50 MB paste' },
  { file: './initramfs.js', covers: '`preflight` listing vs `lsinitramfs`' },
  { file: './diff.js', covers: '`diff`, 256-device pair' },
];

function missing(file: string, covers: string, why: string): BenchRow {
  return { work: covers, reference: '—', ours: `missing (${file}: ${why})`, theirs: '—', ratio: null, target: '—', pass: false };
}

async function load(file: string): Promise<RowsFn | string> {
  try {
    const mod = (await import(file)) as { rows?: unknown };
    return typeof mod.rows === 'function' ? (mod.rows as RowsFn) : 'no rows() export';
  } catch (e) {
    const code = (e as { code?: string }).code;
    return code === 'ERR_MODULE_NOT_FOUND' ? 'not built' : `failed to load: ${e instanceof Error ? e.message : String(e)}`;
  }
}

function firstLine(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
  if (r.error) return `${cmd}: not installed`;
  return `${r.stdout}${r.stderr}`.split('\n').find((l) => l.trim() !== '')?.trim() ?? `${cmd}: no version`;
}

function machine(): string[] {
  const cpus = os.cpus();
  const pkg = (name: string): string => {
    const r = spawnSync('dpkg-query', ['-W', '-f', '${Version}', name], { encoding: 'utf8', timeout: 10_000 });
    return r.status === 0 && r.stdout ? `${name} ${r.stdout}` : `${name}: not installed`;
  };
  // lsinitramfs comes with initramfs-tools-core; initramfs-tools alone is the older packaging.
  const lsinitramfsPackage = (): string => {
    const core = pkg('initramfs-tools-core');
    return core.endsWith('not installed') ? pkg('initramfs-tools') : core;
  };
  return [
    `CPU: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown'}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at the start`,
    `memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; ${os.type()} ${os.release()}`,
    `Node.js ${process.version}`,
    `reference tools: ${firstLine('lspci', ['--version'])}; ${firstLine('grep', ['--version'])}; ${lsinitramfsPackage()} (lsinitramfs); ${firstLine('zstd', ['--version'])}`,
  ];
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|');
}

function ratioText(r: number | null): string {
  return r === null ? '—' : `${r.toFixed(2)}×`;
}

function floorText(r: BenchRow): string {
  return r.floor ? `${ratioText(r.floor.ratio)} (${r.floor.parts})` : '—';
}

function markdownTable(rows: BenchRow[]): string {
  const head = '| work | reference | ours | reference figure | ratio | target | pass | floor of this design |\n|---|---|---|---|---|---|---|---|\n';
  return head + rows.map((r) => `| ${[r.work, r.reference, r.ours, r.theirs, ratioText(r.ratio), r.target, r.pass ? 'yes' : '**no**', floorText(r)].map(cell).join(' | ')} |`).join('\n') + '\n';
}

function textTable(rows: BenchRow[]): string {
  const cells = [['work', 'reference', 'ours', 'theirs', 'ratio', 'target', 'pass', 'floor'], ...rows.map((r) => [r.work, r.reference, r.ours, r.theirs, ratioText(r.ratio), r.target, r.pass ? 'yes' : 'NO', floorText(r)])];
  const widths = cells[0]!.map((_, c) => Math.max(...cells.map((row) => row[c]!.length)));
  return cells.map((row) => row.map((v, c) => v.padEnd(widths[c]!)).join('  ').trimEnd()).join('\n') + '\n';
}

async function main(argv: string[]): Promise<number> {
  const unknown = argv.filter((a) => a !== '--quick' && a !== '--no-write');
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown option ${unknown[0]} (usage: npm run bench [-- --quick] [-- --no-write])\n`);
    return 2;
  }
  const opts: BenchOptions = { quick: argv.includes('--quick') };
  const about = machine();
  const started = new Date();
  const rows: BenchRow[] = [];
  for (const { file, covers } of MODULES) {
    const fn = await load(file);
    if (typeof fn === 'string') {
      rows.push(missing(file.replace('./', 'bench/').replace(/\.js$/, '.ts'), covers, fn));
      continue;
    }
    process.stderr.write(`bench: ${covers} ...\n`);
    try {
      rows.push(...(await fn(opts)));
    } catch (e) {
      rows.push(missing(file.replace('./', 'bench/').replace(/\.js$/, '.ts'), covers, `failed: ${e instanceof Error ? e.message : String(e)}`));
    }
  }
  const seconds = (Date.now() - started.getTime()) / 1000;
  process.stdout.write(textTable(rows));
  process.stdout.write(`${rows.filter((r) => r.pass).length} of ${rows.length} rows meet their target (${seconds.toFixed(0)} s${opts.quick ? ', --quick' : ''})\n`);
  if (!argv.includes('--no-write')) {
    const here = path.dirname(fileURLToPath(import.meta.url));
    const page = path.resolve(here, '..', '..', 'docs', 'performance.md');
    const existing = fs.existsSync(page) ? fs.readFileSync(page, 'utf8') : null;
    fs.writeFileSync(page, performancePage(existing, measuredBlock(rows, about, started, seconds, opts)));
    process.stdout.write(`written to ${path.relative(process.cwd(), page)}\n`);
  }
  return rows.every((r) => r.pass) ? 0 : 1;
}

// The page's own prose (what each row measures, what was done, what is left) is kept between runs:
// a run replaces only what lies between these two markers.
const BEGIN = '<!-- npm run bench writes from here to the end marker; edit outside -->';
const END = '<!-- end of what npm run bench writes -->';

function measuredBlock(rows: BenchRow[], about: string[], started: Date, seconds: number, opts: BenchOptions): string {
  return [
    BEGIN,
    `Last run: ${started.toISOString().replace(/\.\d+Z$/, 'Z')}, ${seconds.toFixed(0)} s${opts.quick ? ' (`--quick`: fewer runs and smaller inputs)' : ''}.`,
    '',
    ...about.map((l) => `- ${l}`),
    '',
    markdownTable(rows),
    END,
  ].join('\n');
}

function performancePage(existing: string | null, block: string): string {
  const a = existing?.indexOf(BEGIN) ?? -1;
  const b = existing?.indexOf(END) ?? -1;
  if (existing && a >= 0 && b > a) return existing.slice(0, a) + block + existing.slice(b + END.length);
  return [
    '# Performance',
    '',
    'Written by `npm run bench` (bench/run-all.ts): the figures below are the ones the last run printed. Every',
    'row compares vfio-doctor, run as a user runs it (`node dist/vfio-doctor.mjs ...`), with the reference tool',
    'on the same input in the same run; times are medians of several runs, and every input is built by the',
    'bench itself (a generated host tree in the real sysfs layout, a generated kernel log, a real initramfs',
    'made with mkinitramfs) and removed afterwards. Ratios are what count: the absolute times depend on the',
    'machine and on its load. Targets are those of issue 16.',
    '',
    block,
    '',
  ].join('\n');
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
