/**
 * Scoring a large event set on the worker pool: the events are shared (SharedArrayBuffer), each
 * task loads the model from its JSON document (a few ms for 200 trees) and scores one contiguous
 * block of rows into a shared output. Same numbers as `model.predictProba(X)`.
 */
import { threadId } from 'node:worker_threads';
import type { Matrix } from './matrix.js';
import { loadModel, modelModules, type FittedClassifier } from './classifier.js';
import { registerTaskHandler } from './pool/registry.js';
import { sharedArray, type WorkerPool } from './pool/pool.js';
import { ConfigError } from '../util/errors.js';

export const PREDICT_TASK = 'ml.predictProba';

interface PredictPayload {
  /** Identifies the model object on the calling thread: workers keep loaded models by it. */
  key: string;
  model: Record<string, unknown>;
  modules: string[];
  X: Float64Array | Float32Array;
  cols: number;
  start: number;
  end: number;
  out: Float64Array;
}

// Worker side: the last few loaded models (loading 200 trees and building their scoring tables
// costs more than scoring a small block), by the caller's key.
const loaded = new Map<string, FittedClassifier>();
const LOADED_MAX = 4;

registerTaskHandler(PREDICT_TASK, import.meta.url, async (p: PredictPayload) => {
  let model = loaded.get(p.key);
  if (!model) {
    for (const m of p.modules) await import(m);
    model = loadModel(p.model);
    if (loaded.size >= LOADED_MAX) loaded.delete(loaded.keys().next().value!);
    loaded.set(p.key, model);
  }
  const X: Matrix = { data: p.X.subarray(p.start * p.cols, p.end * p.cols), rows: p.end - p.start, cols: p.cols };
  p.out.set(model.predictProba(X), p.start);
  return p.end - p.start;
});

// Caller side: one JSON document and key per fitted model object (fitted models are immutable).
const docs = new WeakMap<FittedClassifier, { key: string; doc: ReturnType<FittedClassifier['toJSON']>; modules: string[] }>();
let nextKey = 0;
const keyPrefix = `${process.pid}:${threadId}:`;

/**
 * P(label 1) of every row of X, scored in blocks on `pool` (one block per worker by default).
 * X is copied once into shared memory unless it already lives in a SharedArrayBuffer.
 */
export async function predictProbaParallel(model: FittedClassifier, X: Matrix, opts: { pool: WorkerPool; blocks?: number }): Promise<Float64Array> {
  const blocks = opts.blocks ?? Math.max(1, opts.pool.size);
  if (!Number.isInteger(blocks) || blocks < 1) throw new ConfigError(`predictProbaParallel: blocks must be an integer ≥ 1, got ${blocks}`);
  let entry = docs.get(model);
  if (!entry) {
    const d = model.toJSON();
    entry = { key: keyPrefix + nextKey++, doc: d, modules: modelModules(d.kind, d.options) };
    docs.set(model, entry);
  }
  const { key, doc, modules } = entry;
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
    tasks.push({ kind: PREDICT_TASK, payload: { key, model: doc, modules, X: data, cols: X.cols, start: a, end: Math.min(X.rows, a + step), out } satisfies PredictPayload });
  await opts.pool.runAll(tasks);
  return Float64Array.from(out);
}
