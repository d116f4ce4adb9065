import fs from 'node:fs';
import path from 'node:path';
import { InputError } from './command.js';

/** --root DIR: must be an existing directory; returned absolute. */
export function rootOption(value: string | undefined, cwd: string): string | undefined {
  if (value === undefined) return undefined;
  const abs = path.resolve(cwd, value);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch {
    throw new InputError(`--root ${value}: no such directory`);
  }
  if (!st.isDirectory()) throw new InputError(`--root ${value}: not a directory`);
  return abs;
}
