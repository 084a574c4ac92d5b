/** Task kinds used by the pool tests (registered on import, in the main thread and in workers). */
import { threadId } from 'node:worker_threads';
import { registerTaskHandler } from '../../lib/ml/pool/registry.js';

/** Writes a[i] = i² for i in [start, end) of a shared Float64Array; returns the thread id. */
registerTaskHandler('test.squares', import.meta.url, (p: { out: Float64Array; start: number; end: number }) => {
  for (let i = p.start; i < p.end; i++) p.out[i] = i * i;
  return threadId;
});

registerTaskHandler('test.fail', import.meta.url, (p: { message: string }) => {
  throw new RangeError(p.message);
});

/** Ends its worker thread (process.exit in a worker stops only that thread). */
registerTaskHandler('test.exit', import.meta.url, () => {
  process.exit(3);
});
