import fs from 'node:fs';
import path from 'node:path';
import { parsePolicy, PolicyError } from './parse.js';
import type { Policy } from './types.js';

/** Reads and parses a policy file; every failure is a PolicyError naming the file (and line). */
export function loadPolicyFile(file: string, cwd: string, today?: string): Policy {
  let text: string;
  try {
    text = fs.readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new PolicyError(`${file}: ${e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EISDIR' ? 'is a directory' : e.message}`);
  }
  return parsePolicy(text, file, today);
}
