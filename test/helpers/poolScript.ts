/**
 * Run under `node --import tsx`: uses a private pool (closed) and the shared pool (left open: its
 * idle workers must not keep the process alive), then prints a JSON summary (pool test).
 */
import './poolTasks.js';
import { WorkerPool, sharedArray, sharedPool } from '../../lib/ml/pool/pool.js';

const pool = new WorkerPool({ size: 2 });
const out = sharedArray(Float64Array, 1000);
const ids = await pool.runAll<number>(Array.from({ length: 4 }, (_, k) => ({ kind: 'test.squares', payload: { out, start: k * 250, end: (k + 1) * 250 } })));
let ok = true;
for (let i = 0; i < 1000; i++) ok &&= out[i] === i * i;
await pool.close();
out.fill(0);
await sharedPool().run('test.squares', { out, start: 0, end: 1000 });
ok &&= out[999] === 999 * 999;
console.log(JSON.stringify({ ok, threads: [...new Set(ids)].length }));
