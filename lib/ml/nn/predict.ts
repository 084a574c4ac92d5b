/**
 * Epoch-ensemble prediction on the dense kernels, single-threaded or split by rows over worker
 * threads. Every row is computed with the same arithmetic whatever chunk or thread it lands in
 * (the kernels' per-element summation order does not depend on the other rows), so predictions
 * are identical for any thread count.
 */
import { Worker, MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { MlpNetwork } from './network.js';
import { sigmoid } from './loss.js';
import { EVAL_CHUNK } from './train.js';
import type { Standardisation } from './standardise.js';
import type { Matrix } from '../matrix.js';
import { wasmKernelsAvailable } from '../kernels/index.js';
import { CTRL } from './parallel.js';

// One evaluation network per architecture and thread, shared by every fitted model (prediction
// loads a snapshot's parameters into it), so large ensembles do not each hold a WASM arena.
const inferenceNets = new Map<string, MlpNetwork>();
export function inferenceNetwork(sizes: readonly number[]): MlpNetwork {
  const key = sizes.join('-');
  let net = inferenceNets.get(key);
  if (!net) {
    net = new MlpNetwork(sizes, EVAL_CHUNK, { backend: wasmKernelsAvailable ? 'wasm' : 'js' });
    inferenceNets.set(key, net);
  }
  return net;
}

/** Standardise X into Float32 rows (n × d) inside `out` (a plain or shared buffer). */
export function standardiseInto(out: Float32Array, X: Matrix, st: Standardisation): void {
  const d = X.cols;
  for (let i = 0; i < X.rows; i++)
    for (let j = 0; j < d; j++) out[i * d + j] = (X.data[i * d + j] - st.mean[j]) / st.std[j];
}

/**
 * out[r] = mean over the nSnap parameter sets (concatenated in `params`) of σ(logit(xs row r)),
 * for rows [from, to). xs: standardised Float32 rows (n × sizes[0]).
 */
export function predictRowsInto(
  out: Float64Array, sizes: readonly number[], xs: Float32Array, params: Float32Array, nSnap: number, from: number, to: number,
): void {
  const net = inferenceNetwork(sizes);
  const d = sizes[0], P = net.layout.nParams;
  for (let s = from; s < to; s += EVAL_CHUNK) {
    const B = Math.min(EVAL_CHUNK, to - s);
    net.input.set(xs.subarray(s * d, (s + B) * d));
    for (let r = 0; r < B; r++) out[s + r] = 0;
    for (let k = 0; k < nSnap; k++) {
      net.params.set(params.subarray(k * P, (k + 1) * P));
      const z = net.forward(B);
      for (let r = 0; r < B; r++) out[s + r] += sigmoid(z[r]);
    }
    const inv = 1 / nSnap;
    for (let r = 0; r < B; r++) out[s + r] *= inv;
  }
}

export interface PredictWorkerData {
  mode: 'predict';
  ctrl: SharedArrayBuffer;
  port: MessagePort;
}

export interface PredictRequest {
  sizes: number[];
  xs: SharedArrayBuffer;
  params: SharedArrayBuffer;
  out: SharedArrayBuffer;
  nSnap: number;
  from: number;
  to: number;
}

/** Persistent prediction workers (one pool per thread count, shared by all fitted MLPs). */
class PredictPool {
  private readonly ctrl: Int32Array;
  private readonly ports: MessagePort[] = [];
  private readonly workers: Worker[] = [];

  constructor(readonly threads: number) {
    const ctrl = new SharedArrayBuffer(CTRL.LENGTH * 4);
    this.ctrl = new Int32Array(ctrl);
    for (let t = 1; t < threads; t++) {
      const { port1, port2 } = new MessageChannel();
      const data: PredictWorkerData = { mode: 'predict', ctrl, port: port2 };
      const w = new Worker(new URL('./parallelWorker.mjs', import.meta.url), { workerData: data, transferList: [port2] });
      w.unref();
      port1.unref();
      this.workers.push(w);
      this.ports.push(port1);
    }
    this.waitFor(CTRL.READY, threads - 1, 'start');
  }

  private waitFor(slot: number, target: number, what: string): void {
    const t0 = Date.now();
    for (;;) {
      if (Atomics.load(this.ctrl, CTRL.FAILED)) {
        let msg = 'unknown error';
        for (const p of this.ports) { const m = receiveMessageOnPort(p); if (m) msg = String((m.message as { error?: string }).error ?? m.message); }
        throw new Error(`mlp prediction worker failed during ${what}: ${msg}`);
      }
      const v = Atomics.load(this.ctrl, slot);
      if (v >= target) return;
      if (Date.now() - t0 > 600_000) throw new Error(`mlp prediction workers did not ${what} within 600 s`);
      Atomics.wait(this.ctrl, slot, v, 1000);
    }
  }

  predict(sizes: readonly number[], st: Standardisation, params: Float32Array, nSnap: number, X: Matrix): Float64Array {
    const T = this.threads, n = X.rows;
    const xsBuf = new SharedArrayBuffer(Math.max(4, n * X.cols * 4));
    const xs = new Float32Array(xsBuf);
    standardiseInto(xs, X, st);
    const pBuf = new SharedArrayBuffer(params.byteLength);
    new Float32Array(pBuf).set(params);
    const outBuf = new SharedArrayBuffer(Math.max(8, n * 8));
    const out = new Float64Array(outBuf);
    Atomics.store(this.ctrl, CTRL.DONE, 0);
    const bound = (t: number): number => Math.floor((t * n) / T);
    for (let t = 1; t < T; t++) {
      const req: PredictRequest = { sizes: [...sizes], xs: xsBuf, params: pBuf, out: outBuf, nSnap, from: bound(t), to: bound(t + 1) };
      this.ports[t - 1].postMessage(req);
    }
    predictRowsInto(out, sizes, xs, params, nSnap, 0, bound(1));
    this.waitFor(CTRL.DONE, T - 1, 'finish');
    return Float64Array.from(out);
  }
}

const pools = new Map<number, PredictPool>();

/** Mean ensemble probability of each row of X, on `threads` threads (1 = this thread only). */
export function predictEnsemble(sizes: readonly number[], st: Standardisation, params: Float32Array, nSnap: number, X: Matrix, threads: number): Float64Array {
  if (threads > 1 && X.rows >= 8 * EVAL_CHUNK * threads) {
    let pool = pools.get(threads);
    if (!pool) { pool = new PredictPool(threads); pools.set(threads, pool); }
    return pool.predict(sizes, st, params, nSnap, X);
  }
  const xs = new Float32Array(X.rows * X.cols);
  standardiseInto(xs, X, st);
  const out = new Float64Array(X.rows);
  predictRowsInto(out, sizes, xs, params, nSnap, 0, X.rows);
  return out;
}
