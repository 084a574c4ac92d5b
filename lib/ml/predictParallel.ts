/**
 * Scoring a large event set on the worker pool: the events are shared (SharedArrayBuffer), each
 * task loads the model from its JSON document (a few ms for 200 trees) and scores one contiguous
 * block of rows into a shared output. Same numbers as `model.predictProba(X)`.
 */
import type { Matrix } from './matrix.js';
import { loadModel, modelModules, type FittedClassifier } from './classifier.js';
import { registerTaskHandler } from './pool/registry.js';
import { sharedArray, type WorkerPool } from './pool/pool.js';
import { ConfigError } from '../util/errors.js';

export const PREDICT_TASK = 'ml.predictProba';

interface PredictPayload {
  model: Record<string, unknown>;
  modules: string[];
  X: Float64Array | Float32Array;
  cols: number;
  start: number;
  end: number;
  out: Float64Array;
}

registerTaskHandler(PREDICT_TASK, import.meta.url, async (p: PredictPayload) => {
  for (const m of p.modules) await import(m);
  const model = loadModel(p.model);
  const X: Matrix = { data: p.X.subarray(p.start * p.cols, p.end * p.cols), rows: p.end - p.start, cols: p.cols };
  p.out.set(model.predictProba(X), p.start);
  return p.end - p.start;
});

/**
 * P(label 1) of every row of X, scored in blocks on `pool` (one block per worker by default).
 * X is copied once into shared memory unless it already lives in a SharedArrayBuffer.
 */
export async function predictProbaParallel(model: FittedClassifier, X: Matrix, opts: { pool: WorkerPool; blocks?: number }): Promise<Float64Array> {
  const blocks = opts.blocks ?? Math.max(1, opts.pool.size);
  if (!Number.isInteger(blocks) || blocks < 1) throw new ConfigError(`predictProbaParallel: blocks must be an integer ≥ 1, got ${blocks}`);
  const doc = model.toJSON();
  const modules = modelModules(doc.kind, doc.options);
  let data = X.data;
  if (!(data.buffer instanceof SharedArrayBuffer)) {
    const s = data instanceof Float32Array ? sharedArray(Float32Array, data.length) : sharedArray(Float64Array, data.length);
    s.set(data);
    data = s;
  }
  const out = sharedArray(Float64Array, X.rows);
  const step = Math.ceil(X.rows / blocks);
  const tasks = [];
  for (let a = 0; a < X.rows; a += step)
    tasks.push({ kind: PREDICT_TASK, payload: { model: doc, modules, X: data, cols: X.cols, start: a, end: Math.min(X.rows, a + step), out } satisfies PredictPayload });
  await opts.pool.runAll(tasks);
  return Float64Array.from(out);
}
