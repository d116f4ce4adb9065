// Real pciutils as the reference: write an image as a dump, run `lspci -F dump -vv -nn`, and pull out
// the lines the decoder has to agree with.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { toLspciDump } from './config-images.js';

let available: boolean | undefined;

/**
 * Whether lspci can run here. With CI=true it is required: the comparison must not silently turn into a
 * skip on a build machine that lost pciutils.
 */
export function lspciAvailable(): boolean {
  if (available === undefined) {
    try {
      execFileSync('lspci', ['--version'], { stdio: 'pipe', timeout: 10_000 });
      available = true;
    } catch {
      available = false;
    }
  }
  if (!available && process.env['CI'] === 'true') {
    throw new Error('CI=true but lspci (pciutils) cannot be run; install pciutils');
  }
  return available;
}

export const LSPCI_SKIP = 'lspci (pciutils) not installed; reference comparison skipped';

export interface LspciCapability {
  offset: number;
  /** Extended capabilities show a version ("[100 v1]"). */
  version: number | null;
  text: string;
}

export interface LspciDevice {
  output: string;
  lines: string[];
  /** [vendor, device] from the -nn title line. */
  ids: [string, string] | null;
  standard: LspciCapability[];
  extended: LspciCapability[];
  /** "Capabilities: <access denied>": lspci could not read the list at all (no offset printed). */
  accessDenied: boolean;
}

export function runLspci(bytes: Uint8Array): LspciDevice {
  const dir = mkdtempSync(path.join(tmpdir(), 'vfio-doctor-lspci-'));
  try {
    const file = path.join(dir, 'config.dump');
    writeFileSync(file, toLspciDump(bytes));
    const output = execFileSync('lspci', ['-F', file, '-vv', '-nn'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 10_000,
    });
    return parseLspci(output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const CAPABILITY_LINE = /^\tCapabilities: \[([0-9a-f]+)(?: v(\d+))?\] (.*)$/;
const ACCESS_DENIED_LINE = '\tCapabilities: <access denied>';

export function parseLspci(output: string): LspciDevice {
  const lines = output.split('\n');
  const standard: LspciCapability[] = [];
  const extended: LspciCapability[] = [];
  for (const line of lines) {
    const m = CAPABILITY_LINE.exec(line);
    if (!m) continue;
    const cap = { offset: parseInt(m[1]!, 16), version: m[2] === undefined ? null : Number(m[2]), text: m[3]! };
    (cap.version === null ? standard : extended).push(cap);
  }
  const title = lines[0] ?? '';
  const ids = [...title.matchAll(/\[([0-9a-f]{4}):([0-9a-f]{4})\]/g)].at(-1);
  const accessDenied = lines.includes(ACCESS_DENIED_LINE);
  return { output, lines, ids: ids ? [ids[1]!, ids[2]!] : null, standard, extended, accessDenied };
}

/** lspci's markers, printed after an offset, for where it stopped walking. */
export const WALK_MARKERS = ['<chain looped>', '<chain broken>'];

export function realCapabilities(caps: LspciCapability[]): LspciCapability[] {
  return caps.filter((c) => !WALK_MARKERS.includes(c.text));
}

/** The line after `prefix` inside the block of the capability at `offset`, or null. */
export function detailLine(dev: LspciDevice, offset: number, prefix: string): string | null {
  const start = dev.lines.findIndex((l) => {
    const m = CAPABILITY_LINE.exec(l);
    return m !== null && parseInt(m[1]!, 16) === offset;
  });
  if (start < 0) return null;
  for (let i = start + 1; i < dev.lines.length; i++) {
    const line = dev.lines[i]!;
    if (CAPABILITY_LINE.test(line) || !line.startsWith('\t\t')) return null;
    if (line.trimStart().startsWith(prefix)) return line.trim();
  }
  return null;
}

/** Lines following `prefix`'s line up to the next line that is not a continuation (three tabs). */
export function detailWithContinuation(dev: LspciDevice, offset: number, prefix: string): string | null {
  const first = detailLine(dev, offset, prefix);
  if (first === null) return null;
  const index = dev.lines.findIndex((l) => l.trim() === first);
  const parts = [first];
  for (let i = index + 1; i < dev.lines.length && dev.lines[i]!.startsWith('\t\t\t'); i++) parts.push(dev.lines[i]!.trim());
  return parts.join(' ');
}

/** "Name+" / "Name-" flag from an lspci line. */
export function flag(line: string, name: string): boolean | null {
  const m = new RegExp(`(?:^|[\\s:])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([+-])`).exec(line);
  return m ? m[1] === '+' : null;
}
