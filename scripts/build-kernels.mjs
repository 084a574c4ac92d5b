#!/usr/bin/env node
// Compiles the AssemblyScript dense kernels (lib/ml/kernels/assembly/) to WebAssembly with SIMD.
// Run by `npm run build:kernels` and by `prepare` (so `npm ci` builds them). Without the
// assemblyscript devDependency (e.g. `npm ci --omit=dev`) it warns and exits 0: the library then
// falls back to the plain-TypeScript kernels, which give the same results, only slower.
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = 'lib/ml/kernels/assembly/dense.ts';
const out = 'lib/ml/kernels/build/dense.wasm';

let asc;
try {
  asc = (await import('assemblyscript/asc')).default;
} catch (e) {
  console.warn(`build-kernels: assemblyscript not installed (${e.message}); using the TypeScript kernels`);
  process.exit(0);
}
process.chdir(root);
mkdirSync('lib/ml/kernels/build', { recursive: true });
const { error, stderr } = await asc.main(
  [src, '--outFile', out, '-O3', '--noAssert', '--enable', 'simd', '--runtime', 'stub', '--use', 'abort='],
  { stdout: process.stdout, stderr: process.stderr },
);
if (error) {
  console.error(`build-kernels: ${error.message}\n${stderr.toString()}`);
  process.exit(1);
}
console.log(`build-kernels: wrote ${out}`);
