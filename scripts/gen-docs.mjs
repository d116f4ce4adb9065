// Regenerates docs/findings.md from the compiled rules (run after npm run build).
import { writeFileSync } from 'node:fs';
import { findingsDoc } from '../build/src/analyze/findings-doc.js';
import { RULES } from '../build/src/analyze/rules/index.js';

writeFileSync(new URL('../docs/findings.md', import.meta.url), findingsDoc(RULES));
