// Worker-thread bootstrap of the pool. In the compiled package (dist/) the worker loop is the sibling
// ./workerMain.js and needs no loader. From the TypeScript sources (node --import tsx, vitest) it
// registers tsx's ESM loader first: registering it in the worker is idempotent for our purposes.
import { existsSync } from 'node:fs';

const compiled = new URL('./workerMain.js', import.meta.url);
if (existsSync(compiled)) {
  await import(compiled.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('./workerMain.ts');
}
