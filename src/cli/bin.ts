import { main, processIo } from './main.js';

// A reader that goes away (output piped into head) ends the output, not the verdict: writes after EPIPE
// are dropped and the exit code is still the one the command decided, so `check | head -1` under
// pipefail still fails on a broken host.
let stdoutGone = false;
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') {
    stdoutGone = true;
    return;
  }
  throw err;
});

const io = processIo();
const write = io.stdout;
io.stdout = (t) => {
  if (!stdoutGone) write(t);
};

main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`vfio-doctor: internal error: ${(err as Error)?.message ?? String(err)}\n`);
    process.exitCode = 2;
  },
);
