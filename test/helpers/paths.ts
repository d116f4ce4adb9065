import { fileURLToPath } from 'node:url';
import path from 'node:path';

// Tests run compiled from build/test/...; the repository root is two levels above build/.
const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..', '..');
/** The verbatim output blocks of the real cases, kept in the repository (see its README.md). */
export const caseOutputsDir = path.join(repoRoot, 'test', 'fixtures', 'cases');
/** The project's shared folder beside the clone; only `npm run test:cases` may read it. */
export const sharedDir = path.resolve(repoRoot, '..', 'shared');
