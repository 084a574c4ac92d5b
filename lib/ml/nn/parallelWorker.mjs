// Worker entry of the data-parallel MLP gradient (./parallel.ts). Plain JS so it starts without a
// TypeScript loader in the parent; it loads the compiled implementation (dist/) or, from the sources,
// the TypeScript one, registering tsx when the worker did not inherit a loader (e.g. under vitest).
import { workerData } from 'node:worker_threads';
import { existsSync } from 'node:fs';

const ctrl = new Int32Array(workerData.ctrl);
const FAILED = 6, READY = 5;
try {
  let mod;
  const compiled = new URL('./parallelWorkerMain.js', import.meta.url);
  if (existsSync(compiled)) {
    mod = await import(compiled.href); // the compiled package (dist/)
  } else {
    try {
      mod = await import('./parallelWorkerMain.ts');
    } catch (e) {
      if (e?.code !== 'ERR_UNKNOWN_FILE_EXTENSION' && e?.code !== 'ERR_MODULE_NOT_FOUND') throw e;
      const { register } = await import('tsx/esm/api');
      register();
      // A failed import stays cached under its URL: load again under a distinct one.
      mod = await import('./parallelWorkerMain.ts?loader=tsx');
    }
  }
  if (workerData.mode === 'predict') mod.runPredictWorker(workerData);
  else mod.runWorker(workerData);
} catch (e) {
  workerData.port.postMessage({ error: String(e?.stack ?? e) });
  Atomics.store(ctrl, FAILED, 1);
  Atomics.notify(ctrl, READY);
  Atomics.notify(ctrl, 1);
}
