// Regenerates docs/findings.md from the compiled rules, preflight checks and diff classes, and
// docs/messages.md from the message catalogue (run after npm run build).
import { writeFileSync } from 'node:fs';
import { findingsDoc } from '../build/src/analyze/findings-doc.js';
import { ruleCatalogue } from '../build/src/rules/catalogue.js';
import { messagesDoc } from '../build/src/catalogue/doc.js';
import { builtinCatalogue } from '../build/src/catalogue/builtin.js';

writeFileSync(new URL('../docs/findings.md', import.meta.url), findingsDoc(ruleCatalogue()));
writeFileSync(new URL('../docs/messages.md', import.meta.url), messagesDoc(builtinCatalogue()));
