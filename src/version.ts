// Kept equal to package.json's version by a test; the bundle has no package.json to read at run time.
export const VERSION = '0.1.0';
