import fs from 'node:fs';
import path from 'node:path';
import { parseSnapshotFileName } from '../store/naming.js';

// What `fleet PATH...` reads: a directory is a snapshot store (files named as `snapshot --save` names
// them), searched down through subdirectories because a fleet's stores are usually one directory per
// host; a file is a loose snapshot whatever its name (gathered by scp, rsync, Ansible fetch).

export class FleetInputError extends Error {}

function walk(dir: string, out: string[]): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new FleetInputError(`${dir}: ${e.code === 'EACCES' ? 'permission denied' : e.message}`);
  }
  // Sorted so the same tree always gives the same order (and the same report).
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile() && parseSnapshotFileName(e.name) !== null) out.push(p);
  }
}

/** The snapshot files the paths stand for, each once. */
export function snapshotFiles(paths: string[], cwd: string): string[] {
  const out: string[] = [];
  for (const given of paths) {
    const p = path.resolve(cwd, given);
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new FleetInputError(`${given}: ${e.code === 'ENOENT' ? 'no such file or directory' : e.code === 'EACCES' ? 'permission denied' : e.message}`);
    }
    if (st.isDirectory()) {
      const before = out.length;
      walk(p, out);
      if (out.length === before) throw new FleetInputError(`${given}: no stored snapshots in this directory or below (names like 20261124T101500Z_6.8.12-4-pve_3f2a1c9e.json, as "snapshot --save" writes them; give loose files by name)`);
    } else out.push(p);
  }
  return [...new Set(out)];
}
