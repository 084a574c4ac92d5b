/**
 * Data-parallel training steps over worker_threads. Each mini-batch is split into P contiguous
 * parts; this thread computes part 0, workers the others. Batch-norm statistics are all-reduced
 * over the parts (fixed summation order, so every part sees identical values and the result does
 * not depend on scheduling), gradients are summed in part order. The optimiser runs here only.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { MafEngine } from './engine.js';
import type { BatchSplit, MafShape } from './maf.js';

/** Training/validation data in the flow's space, in shared memory. */
export interface SharedFlowData {
  trainY: Float32Array; trainC: Float32Array; valY: Float32Array; valC: Float32Array;
}

/** Runs the gradient computation of a step and the validation pass. */
export interface StepRunner {
  /** Gradient of the mean loss over rows order[a..b) into engine.grad; returns Σ(−log p). */
  trainStep(order: Uint32Array, a: number, b: number): number;
  /** log p of every validation row (running statistics) into out. */
  evaluate(out: Float64Array): void;
  close(): Promise<void>;
}

// Control words.
export const CMD = 0, ARG_A = 1, ARG_B = 2;
const COUNT = 3, GEN = 4, ABORT = 5, CTL_WORDS = 8;
/** Commands from the training thread to the workers. */
export const Command = Object.freeze({ Train: 1, Evaluate: 2, Exit: 3 } as const);
export type Command = (typeof Command)[keyof typeof Command];
const SPINS = 20000;

/** Generation barrier over P threads on a shared Int32Array; throws if a thread aborted. */
export function barrier(ctl: Int32Array, P: number): void {
  const gen = Atomics.load(ctl, GEN);
  if (Atomics.add(ctl, COUNT, 1) === P - 1) {
    Atomics.store(ctl, COUNT, 0);
    Atomics.add(ctl, GEN, 1);
    Atomics.notify(ctl, GEN);
    return;
  }
  let spins = 0;
  while (Atomics.load(ctl, GEN) === gen) {
    if (Atomics.load(ctl, ABORT) !== 0) throw new Error('flow training: a worker thread failed');
    if (++spins > SPINS) Atomics.wait(ctl, GEN, gen, 50);
  }
}

/** Signal every thread to stop waiting (a worker failed). */
export function abort(ctl: Int32Array): void {
  Atomics.store(ctl, ABORT, 1);
  Atomics.add(ctl, GEN, 1);
  Atomics.notify(ctl, GEN);
}

/** The all-reduce of part `part` of P: double-buffered slots so consecutive calls cannot race. */
export function makeSplit(ctl: Int32Array, slots: Float64Array, P: number, part: number, width: number): (total: number) => BatchSplit {
  let call = 0;
  const allReduce = (v: Float64Array): void => {
    const set = (call++ & 1) * P * width;
    const n = v.length;
    slots.set(v, set + part * width);
    barrier(ctl, P);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < P; p++) s += slots[set + p * width + j];
      v[j] = s;
    }
  };
  return (total) => ({ part, totalRows: total, allReduce });
}

/** Rows of part p of P in [a, b). */
export const partRange = (a: number, b: number, p: number, P: number): [number, number] =>
  [a + Math.floor(((b - a) * p) / P), a + Math.floor(((b - a) * (p + 1)) / P)];

/** Everything a worker needs (all buffers shared). */
export interface WorkerInit {
  shape: MafShape;
  mode: 'syncBatchNorm' | 'replicas';
  bn: { eps: number; momentum: number };
  capacity: number;
  P: number;
  part: number;
  ctl: Int32Array;
  slots: Float64Array;
  params: Float32Array;
  bnStats: Float32Array;
  grads: Float32Array;
  order: Uint32Array;
  valOut: Float64Array;
  /** Σ(−log p) of each worker's part of the last step. */
  losses: Float64Array;
  data: SharedFlowData;
}

class LocalRunner implements StepRunner {
  constructor(private readonly engine: MafEngine, private readonly data: SharedFlowData) {}
  trainStep(order: Uint32Array, a: number, b: number): number {
    const n = this.engine.gather(this.data.trainY, this.data.trainC, order, a, b);
    return this.engine.trainRows(n, { part: 0, totalRows: n, allReduce() {} });
  }
  evaluate(out: Float64Array): void {
    this.engine.evalContiguous(this.data.valY, this.data.valC, 0, out.length, out);
  }
  async close(): Promise<void> {}
}

/** URL of tsx's ESM register API, so a worker can load the TypeScript sources (development only). */
function tsxEsmApi(): string {
  const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
  // The package's "import" condition points at the .mjs sibling of the CommonJS entry.
  return pathToFileURL(cjs.replace(/index\.cjs$/, 'index.mjs')).href;
}

const sab = (bytes: number): SharedArrayBuffer => new SharedArrayBuffer(Math.max(bytes, 8));

class WorkerRunner implements StepRunner {
  private lastOrder: Uint32Array | null = null;
  private closed = false;
  private readonly split: (total: number) => BatchSplit;
  private failure: Error | null = null;

  private constructor(
    private readonly engine: MafEngine, private readonly data: SharedFlowData, private readonly P: number,
    private readonly init: Omit<WorkerInit, 'part'>, private readonly workers: Worker[],
  ) {
    const width = 2 * engine.layout.D;
    this.split = init.mode === 'replicas' ? (total) => ({ part: 0, totalRows: total, allReduce() {} }) : makeSplit(init.ctl, init.slots, P, 0, width);
  }

  static async create(engine: MafEngine, data: SharedFlowData, P: number, mode: WorkerInit['mode']): Promise<WorkerRunner> {
    const L = engine.layout;
    const width = 2 * L.D;
    const nTrain = data.trainY.length / L.D;
    const nVal = data.valY.length / L.D;
    const init: Omit<WorkerInit, 'part'> = {
      shape: L.shape,
      mode,
      bn: { eps: engine.bn.eps, momentum: engine.bn.momentum },
      capacity: engine.capacity, P,
      ctl: new Int32Array(sab(CTL_WORDS * 4)),
      slots: new Float64Array(sab(2 * P * width * 8)),
      params: new Float32Array(sab(L.numParams * 4)),
      bnStats: new Float32Array(sab(L.K * width * 4)),
      grads: new Float32Array(sab((P - 1) * L.numParams * 4)),
      order: new Uint32Array(sab(nTrain * 4)),
      valOut: new Float64Array(sab(nVal * 8)),
      losses: new Float64Array(sab(P * 8)),
      data,
    };
    const here = new URL(import.meta.url);
    const isTs = here.pathname.endsWith('.ts');
    const moduleUrl = new URL(`./flowWorker.${isTs ? 'ts' : 'js'}`, here).href;
    const tsxApi = isTs ? tsxEsmApi() : null;
    const boot = `
      const { workerData, parentPort } = require('node:worker_threads');
      (async () => {
        if (workerData.tsxApi) (await import(workerData.tsxApi)).register();
        await import(workerData.moduleUrl);
      })().catch((e) => { parentPort.postMessage({ error: String(e && e.stack || e) }); });`;
    const workers: Worker[] = [];
    const ready: Promise<void>[] = [];
    for (let part = 1; part < P; part++) {
      const w = new Worker(boot, { eval: true, workerData: { init: { ...init, part }, moduleUrl, tsxApi } });
      workers.push(w);
      ready.push(new Promise((resolve, reject) => {
        w.once('message', (msg: { ready?: boolean; error?: string }) => (msg.ready ? resolve() : reject(new Error(`flow worker ${part}: ${msg.error}`))));
        w.once('error', reject);
      }));
    }
    const runner = new WorkerRunner(engine, data, P, init, workers);
    try {
      await Promise.all(ready);
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    for (const w of workers) {
      w.on('message', (msg: { error?: string }) => { if (msg.error) runner.failure = new Error(msg.error); });
      w.on('error', (e) => { runner.failure = e; abort(init.ctl); });
    }
    return runner;
  }

  private publish(cmd: Command, a: number, b: number): void {
    const { ctl } = this.init;
    this.init.params.set(this.engine.params);
    this.init.bnStats.set(this.engine.bnStats);
    Atomics.store(ctl, CMD, cmd);
    Atomics.store(ctl, ARG_A, a);
    Atomics.store(ctl, ARG_B, b);
    this.sync(); // start
  }

  private sync(): void {
    try {
      barrier(this.init.ctl, this.P);
    } catch (e) {
      throw this.failure ?? e;
    }
  }

  trainStep(order: Uint32Array, a: number, b: number): number {
    if (order !== this.lastOrder) { this.init.order.set(order); this.lastOrder = order; }
    this.publish(Command.Train, a, b);
    const [s, e] = partRange(a, b, 0, this.P);
    const n = this.engine.gather(this.data.trainY, this.data.trainC, this.init.order, s, e);
    const replicas = this.init.mode === 'replicas';
    let loss: number;
    try {
      loss = this.engine.trainRows(n, this.split(replicas ? n : b - a));
    } catch (err) {
      throw this.failure ?? err;
    }
    this.sync(); // end: worker gradients and losses written
    const g = this.engine.grad, G = this.init.grads, np = g.length;
    // syncBatchNorm: parts hold their shares of one mean-loss gradient (sum them). Replicas: each
    // part holds the gradient of its own batch mean; average them weighted by rows.
    const w0 = replicas ? n / (b - a) : 1;
    if (w0 !== 1) for (let i = 0; i < np; i++) g[i] *= w0;
    for (let p = 1; p < this.P; p++) {
      const off = (p - 1) * np;
      const [ps, pe] = partRange(a, b, p, this.P);
      const w = replicas ? (pe - ps) / (b - a) : 1;
      for (let i = 0; i < np; i++) g[i] += w * G[off + i];
      loss += this.init.losses[p];
    }
    return loss;
  }

  evaluate(out: Float64Array): void {
    const nVal = out.length;
    this.publish(Command.Evaluate, 0, nVal);
    const [s, e] = partRange(0, nVal, 0, this.P);
    this.engine.evalContiguous(this.data.valY, this.data.valC, s, e, this.init.valOut);
    this.sync();
    out.set(this.init.valOut.subarray(0, nVal));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const exits = this.workers.map((w) => new Promise<void>((resolve) => w.once('exit', () => resolve())));
    if (Atomics.load(this.init.ctl, ABORT) === 0) {
      Atomics.store(this.init.ctl, CMD, Command.Exit);
      try { barrier(this.init.ctl, this.P); } catch { /* a worker already failed */ }
    } else {
      await Promise.all(this.workers.map((w) => w.terminate()));
    }
    await Promise.all(exits);
  }
}

/** A runner on `threads` threads (this one included). */
export async function createStepRunner(
  engine: MafEngine, data: SharedFlowData, threads: number, mode: WorkerInit['mode'] = 'syncBatchNorm',
): Promise<StepRunner> {
  if (threads <= 1) return new LocalRunner(engine, data);
  return WorkerRunner.create(engine, data, threads, mode);
}
