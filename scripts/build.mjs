#!/usr/bin/env node
// Builds the published package into dist/: tsc (tsconfig.build.json: lib/ and the CLI as ESM + .d.ts),
// then copies the files the compiled code loads beside itself: the plain-JS worker bootstraps
// (lib/**/*.mjs) and the WASM kernels (lib/ml/kernels/build/*.wasm, from scripts/build-kernels.mjs).
// Run by `npm run build` and by `prepare` (so `npm ci` and `npm pack` build it). dist/ is wiped first,
// so no file of an older build survives. With --if-stale (`npm start` runs it first) it builds only when a
// source is newer than the last build, so `npm start` after an edit runs the edited code.
import { cpSync, chmodSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
process.chdir(root);

/** Files under `dir` (recursively) whose name passes `keep`. */
function* walk(dir, keep) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* walk(p, keep);
    else if (keep(e.name)) yield p;
  }
}

// One build at a time (tests that need dist/ may ask for it concurrently): a lock directory, created atomically.
const LOCK = '.build-lock';
for (const t0 = Date.now(); ;) {
  try {
    mkdirSync(LOCK);
    break;
  } catch (e) {
    if (e.code !== 'EEXIST') throw e;
    if (Date.now() - t0 > 600_000) {
      console.error(`build: ${LOCK} has existed for 10 minutes; remove it if no build is running`);
      process.exit(1);
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
  }
}
process.on('exit', () => rmSync(LOCK, { recursive: true, force: true }));

const STAMP = 'dist/.build-stamp';
if (process.argv.includes('--if-stale') && existsSync(STAMP)) {
  const built = statSync(STAMP).mtimeMs;
  const inputs = [
    ...walk('lib', (n) => /\.(ts|mjs|wasm)$/.test(n)), ...walk('scripts/commands', (n) => n.endsWith('.ts')),
    'scripts/cli.ts', 'scripts/reporter.ts', 'tsconfig.json', 'tsconfig.build.json', 'package.json',
  ];
  if (inputs.every((f) => statSync(f).mtimeMs <= built)) process.exit(0);
  console.log('build: sources changed since the last build; rebuilding dist/');
}

let tsc;
try {
  tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
} catch (e) {
  console.error(`build: the typescript devDependency is not installed (${e.message}); run \`npm ci\` (without --omit=dev)`);
  process.exit(1);
}
rmSync('dist', { recursive: true, force: true });
const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
if (r.status !== 0) {
  console.error('build: tsc failed');
  process.exit(r.status ?? 1);
}

let copied = 0;
for (const f of walk('lib', (n) => n.endsWith('.mjs') || n.endsWith('.wasm'))) {
  cpSync(f, join('dist', f));
  copied++;
}
if (!existsSync('dist/lib/ml/kernels/build/dense.wasm')) {
  console.warn('build: no WASM kernels (lib/ml/kernels/build/dense.wasm): the compiled package uses the TypeScript kernels');
}
chmodSync('dist/scripts/cli.js', 0o755);
writeFileSync(STAMP, `${new Date().toISOString()}\n`);
console.log(`build: compiled ${relative(root, join(root, 'dist'))}/ (${copied} worker/kernel files copied)`);
