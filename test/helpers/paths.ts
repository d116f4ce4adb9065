import { fileURLToPath } from 'node:url';
import path from 'node:path';

// Tests run compiled from build/test/...; the repository root is two levels above build/.
const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..', '..');
export const sharedDir = path.resolve(repoRoot, '..', 'shared');
