// Writes the man page and the bash / zsh / fish completions into dist/, from the option tables of the
// compiled CLI (build/src): the npm package and the .deb ship these files.
import fs from 'node:fs';
import path from 'node:path';
import { COMMANDS } from '../build/src/cli/registry.js';
import { manPage } from '../build/src/cli/manpage.js';
import { bashCompletion, fishCompletion, zshCompletion } from '../build/src/cli/completions.js';
import { VERSION } from '../build/src/version.js';

// A reproducible date when the packager sets SOURCE_DATE_EPOCH, as Debian tooling does.
const epoch = process.env.SOURCE_DATE_EPOCH;
const when = epoch ? new Date(Number(epoch) * 1000) : new Date();
const date = when.toLocaleDateString('en-GB', { month: 'long', year: 'numeric', timeZone: 'UTC' });

const files = {
  'dist/vfio-doctor.1': manPage(COMMANDS, { version: VERSION, date }),
  'dist/completions/vfio-doctor.bash': bashCompletion(COMMANDS),
  'dist/completions/_vfio-doctor': zshCompletion(COMMANDS),
  'dist/completions/vfio-doctor.fish': fishCompletion(COMMANDS),
};
for (const [file, text] of Object.entries(files)) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}
