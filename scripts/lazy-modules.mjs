// Code that only a few commands need, carried inside the one-file bundle as text and compiled on first use.
//
// Node parses every byte of an ES module before running any of it, and parsing dominated start-up: the
// generated snapshot validator (only a snapshot read from a file is validated), the yaml parser (only
// --policy) and the tar and xz readers (only --sos with an archive) were a third of the bundle and a third
// of what `vfio-doctor --version` cost on top of Node itself. Scanning a string literal costs a fraction
// of parsing the same bytes as code, so each of these is bundled on its own as a CommonJS function body,
// stored in the main bundle as a string, and compiled (node:vm compileFunction, with a file name that
// says what it is in stack traces) the first time one of its exports is called.
//
// Each lazy module is imported by the sources as usual (the tests run the sources unbundled, where nothing
// of this applies); the bundle sees a small stand-in module instead that exports the names listed here:
// - a name in `named` becomes a function that loads the module and calls (or constructs, with new) the
//   export of that name; a source importing a name not listed fails the build (esbuild: no such export),
//   and a listed name that is not a function in the module fails it too;
// - `defaultObject` makes the default export an object whose properties are read from the loaded module
//   (for `import tar from 'tar-stream'` and the like: CommonJS modules whose default is module.exports).
// A lazy module may require only Node's built-in modules: anything else is bundled into its text.
import { build } from 'esbuild';
import { createRequire, isBuiltin } from 'node:module';
import { compileFunction } from 'node:vm';
import { brotliCompressSync, constants as zlibConstants } from 'node:zlib';

export const LAZY_MODULES = [
  { name: 'snapshot-validator', filter: /\/generated\/snapshot-validator\.js$/, named: ['snapshotSchemaErrors'] },
  { name: 'yaml', filter: /^yaml$/, named: ['LineCounter', 'isMap', 'isScalar', 'isSeq', 'parseDocument'] },
  { name: 'tar-stream', filter: /^tar-stream$/, defaultObject: true },
  { name: 'xz-decompress', filter: /^xz-decompress$/, defaultObject: true },
];

// Code run on a worker thread: a one-file bundle has no module file beside it to start a Worker from, so the
// module that says where the worker's code is (it names its compiled file, for the tests) is replaced in
// the bundle by one that holds the worker bundled on its own as CommonJS text, for `new Worker(text, {
// eval: true })`, where require reaches Node's built-ins. `importPath` matches the imports of the replaced
// module, `entry` is the worker's code, `exportName` the one function the replaced module exports.
export const WORKER_MODULES = [
  { name: 'preflight-image-worker', importPath: /\/image-worker-source\.js$/, entry: 'src/preflight/image-worker.ts', exportName: 'imageWorkerSource' },
  { name: 'log-scan-worker', importPath: /\/scan-worker-source\.js$/, entry: 'src/log/scan-worker.ts', exportName: 'scanWorkerSource' },
  { name: 'analyze-worker', importPath: /\/analyze-worker-source\.js$/, entry: 'src/commands/analyze-worker.ts', exportName: 'analyzeWorkerSource' },
];

const PARAMS = ['module', 'exports', 'require'];

// Texts from this size up are held brotli-compressed, as base64. V8 scans every character of a string
// literal at start-up, whatever command runs: the 1.3 MB of worker and lazy-module text cost 47 M
// instructions of every `vfio-doctor --version` (770 M; 723 M with them empty, callgrind), and held
// compressed they are a quarter of that size. Unpacking costs the command that needs the text a few ms
// (17 ms for the 590 KB analysis worker, which only runs on inputs of 16 MB and more); the small texts
// (the preflight image worker, on preflight's critical path, and xz) stay plain.
export const PACK_MIN_BYTES = 64 * 1024;

/**
 * Source lines declaring `text()`, which returns the code: plain, or unpacked on the first call. The
 * unpacking requires node:zlib then (a stand-in's require is Node's own, see bundle.mjs). The literal is
 * returned by a function of its own rather than assigned at the top level: V8 compiles a function when it
 * is first called, so a start from the code cache (launcher.mjs) neither scans the text nor reads it back
 * from the cache until a command asks for it (the cache 1.46 → 1.02 MB; reading it back 32 → 28 ms).
 */
export function heldText(code) {
  if (code.length < PACK_MIN_BYTES) return [`function held() { return ${JSON.stringify(code)}; }`, 'const text = () => held();'];
  const packed = brotliCompressSync(Buffer.from(code, 'utf8'), {
    params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: code.length },
  });
  return [
    `function packed() { return ${JSON.stringify(packed.toString('base64'))}; }`,
    'let unpacked;',
    "const text = () => (unpacked ??= require('node:zlib').brotliDecompressSync(Buffer.from(packed(), 'base64')).toString('utf8'));",
  ];
}

/** The module's code as one CommonJS function body (module, exports, require), as the bundle will hold it. */
async function moduleText(file, target) {
  const r = await build({
    entryPoints: [file],
    bundle: true,
    platform: 'node',
    target,
    format: 'cjs',
    write: false,
    // Whitespace only: the names stay readable in a stack trace.
    minifyWhitespace: true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  const code = r.outputFiles[0].text;
  // Load it once here: a module that needs more than Node's built-ins, or lacks a listed export, fails the build.
  const module = { exports: {} };
  const requireBuiltin = createRequire(import.meta.url);
  const builtinOnly = (id) => {
    if (!isBuiltin(id)) throw new Error(`lazy module ${file} requires "${id}", which is not a Node.js built-in`);
    return requireBuiltin(id);
  };
  compileFunction(code, PARAMS, { filename: file })(module, module.exports, builtinOnly);
  return { code, exports: module.exports };
}

/** esbuild plugin: the modules of LAZY_MODULES become stand-ins holding their code as text. */
export function lazyModules({ target }) {
  return {
    name: 'lazy-modules',
    setup(b) {
      for (const spec of LAZY_MODULES) {
        b.onResolve({ filter: spec.filter }, async (args) => {
          if (args.pluginData?.lazyModules) return undefined;
          const real = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: { lazyModules: true } });
          if (real.errors.length > 0) return { errors: real.errors };
          return { path: real.path, namespace: 'lazy-module', pluginData: spec };
        });
      }
      for (const spec of WORKER_MODULES) {
        b.onResolve({ filter: spec.importPath }, async (args) => {
          if (args.pluginData?.workerModules) return undefined;
          const real = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: { workerModules: true } });
          if (real.errors.length > 0) return { errors: real.errors };
          return { path: real.path, namespace: 'worker-module', pluginData: spec };
        });
      }
      b.onLoad({ filter: /.*/, namespace: 'worker-module' }, async (args) => {
        const spec = args.pluginData;
        const r = await build({ entryPoints: [spec.entry], bundle: true, platform: 'node', target, format: 'cjs', write: false, minifyWhitespace: true, legalComments: 'none', logLevel: 'warning' });
        const lines = [
          `// ${spec.name}: the worker's code, for new Worker(text, { eval: true }) (scripts/lazy-modules.mjs says why).`,
          ...heldText(r.outputFiles[0].text),
          `export function ${spec.exportName}() { return { script: text(), eval: true }; }`,
          '',
        ];
        return { contents: lines.join('\n'), loader: 'js' };
      });
      b.onLoad({ filter: /.*/, namespace: 'lazy-module' }, async (args) => {
        const spec = args.pluginData;
        const { code, exports } = await moduleText(args.path, target);
        for (const n of spec.named ?? []) {
          if (typeof exports[n] !== 'function') throw new Error(`lazy module ${spec.name}: export "${n}" is not a function`);
        }
        const lines = [
          `// ${spec.name}: compiled on first use from the text below (scripts/lazy-modules.mjs says why).`,
          "import { compileFunction } from 'node:vm';",
          ...heldText(code),
          'let loaded;',
          'function load() {',
          '  if (loaded === undefined) {',
          '    const module = { exports: {} };',
          `    compileFunction(text(), ${JSON.stringify(PARAMS)}, { filename: ${JSON.stringify(`vfio-doctor:lazy/${spec.name}.cjs`)} })(module, module.exports, require);`,
          '    loaded = module.exports;',
          '  }',
          '  return loaded;',
          '}',
          'function forward(name) {',
          '  return function (...args) {',
          '    const f = load()[name];',
          '    return new.target ? Reflect.construct(f, args) : f.apply(this, args);',
          '  };',
          '}',
          ...(spec.named ?? []).map((n) => `export const ${n} = forward(${JSON.stringify(n)});`),
          ...(spec.defaultObject ? ['export default new Proxy({}, { get: (_, key) => load()[key], has: (_, key) => key in load() });'] : []),
          '',
        ];
        return { contents: lines.join('\n'), loader: 'js', resolveDir: process.cwd() };
      });
    },
  };
}

// Node's built-in modules, through require instead of import. An ES module's `import fs from 'node:fs'`
// makes Node build a module facade that reads every export of the built-in, which loads what the getters
// stand for (fs.ReadStream loads the streams): about 10 M instructions of start-up for the bundle's
// dozen built-ins, against nothing for the ones Node has loaded already, as require returns them. Those
// in LAZY_BUILTINS are not needed by most runs (crypto writes files, child_process runs commands, zlib
// reads .gz files, worker threads take only large inputs and preflight's image, fs/promises (which loads
// readline) only the log reader of a named file), so they are required on first use: their default
// export reads its properties from the module then, and the named exports listed are functions that
// forward their calls and constructions; importing another name from them fails the build (add it here).
// worker_threads and fs/promises were ~5 ms of every start (`node -e` requiring them after node:stream).
export const LAZY_BUILTINS = {
  'node:crypto': [],
  'node:child_process': ['spawn'],
  'node:zlib': ['createGunzip'],
  'node:stream/promises': ['pipeline'],
  'node:net': ['Socket'],
  'node:worker_threads': ['Worker'],
  'node:fs/promises': ['open'],
};

const identifier = /^[A-Za-z_$][\w$]*$/;

/** esbuild plugin: `node:` imports become require, on first use for LAZY_BUILTINS. */
export function builtinsByRequire() {
  const requireBuiltin = createRequire(import.meta.url);
  return {
    name: 'builtins-by-require',
    setup(b) {
      // Import statements only: the require calls of the stand-ins themselves stay what they are.
      b.onResolve({ filter: /^node:/ }, (args) => (args.kind === 'import-statement' ? { path: args.path, namespace: 'builtin' } : undefined));
      b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => {
        const id = args.path;
        const real = requireBuiltin(id);
        const lazy = LAZY_BUILTINS[id];
        let lines;
        if (lazy) {
          for (const n of lazy) if (typeof real[n] !== 'function') throw new Error(`builtinsByRequire: ${id} has no function "${n}"`);
          lines = [
            'let loaded;',
            `const load = () => (loaded ??= require(${JSON.stringify(id)}));`,
            'export default new Proxy({}, { get: (_, key) => load()[key], has: (_, key) => key in load() });',
            ...lazy.map((n) => `export function ${n}(...args) { return new.target ? Reflect.construct(load().${n}, args) : load().${n}(...args); }`),
          ];
        } else {
          const names = Object.keys(Object.getOwnPropertyDescriptors(real)).filter((n) => identifier.test(n) && n !== 'default');
          // Marked pure, so the bundle keeps only the names imported somewhere: reading the others could
          // run a getter (fs.promises, fs.ReadStream) for nothing.
          lines = [
            `const m = require(${JSON.stringify(id)});`,
            'const get = (name) => m[name];',
            'export default m;',
            ...names.map((n) => `export const ${n} = /* @__PURE__ */ get(${JSON.stringify(n)});`),
          ];
        }
        return { contents: lines.join('\n') + '\n', loader: 'js' };
      });
    },
  };
}

/**
 * The bundle's text with every character outside ASCII written as a \u escape. esbuild escapes them in
 * strings but leaves a few in regular expressions and comments (…, ❯, »); one such character makes V8
 * hold and scan the whole 1.7 MB source as two-byte text: 31 M instructions of `vfio-doctor --version`
 * (762 M -> 731 M, callgrind). An escape means the same character in a string, a template, a regular
 * expression (a pair of escapes for a character beyond U+FFFF: the same code units, and the same code
 * point under the u flag) and, harmlessly, in a comment.
 */
export function asciiOnly(code) {
  return code.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
