// Shared by the tests that run the analysis worker from a text, as the bundle holds it: the worker,
// given that text, must print and end exactly as the main thread does on a real case.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { caseOutputsDir } from './paths.js';
import { analyzeInWorker } from '../../src/commands/analyze-in-worker.js';
import { analyzeLimits } from '../../src/commands/analyze.js';
import { runAnalyze, type AnalyzeRequest } from '../../src/commands/analyze-run.js';
import type { Io } from '../../src/cli/command.js';

export async function assertWorkerTextPrintsAsMain(text: string, formats: readonly boolean[] = [false, true]): Promise<void> {
  const name = fs.readdirSync(caseOutputsDir).filter((n) => n.endsWith('.txt'))[0]!;
  for (const json of formats) {
    const request: AnalyzeRequest = { files: [name], devices: [], ids: [], json, colour: 'never', redact: false };
    let here = '';
    const io: Io = { stdout: (t) => void (here += t), stderr: (t) => void (here += t), readStdin: async () => Buffer.alloc(0), env: {}, isTty: false, cwd: caseOutputsDir };
    const status = await runAnalyze(request, io);
    const r = await analyzeInWorker({ request, env: {}, isTty: false, cwd: caseOutputsDir }, analyzeLimits(0), { script: text, eval: true });
    assert.ok(r.ran && 'status' in r, JSON.stringify(r));
    assert.equal(r.status, status, `${name}${json ? ' --json' : ''}`);
    assert.equal(r.printed.map((p) => p.text).join(''), here, `${name}${json ? ' --json' : ''}`);
  }
}
