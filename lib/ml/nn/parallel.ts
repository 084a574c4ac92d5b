/**
 * Data-parallel gradients over worker_threads: every mini-batch is split into `threads` contiguous
 * shards; the calling thread computes shard 0, workers the others, each on its own network copy
 * (its own WASM arena) with the batch-mean scale 1/B, so the shard gradients add up to the batch
 * gradient. They are summed in shard order — the result is deterministic for a seed and a thread
 * count (a different thread count changes only the float summation order).
 *
 * Everything shared lives in SharedArrayBuffers: the standardised training rows (copied once), the
 * epoch's permutation, the parameters (broadcast before each step) and one gradient slot per worker.
 * Steps are coordinated with Atomics (no message per step). Minimal by design: a generic worker
 * pool (lib/ml/pool/) had not landed when this was written.
 */
import { Worker, MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { MlpNetwork } from './network.js';
import { batchGradient, type PreparedSet } from './gradient.js';

/** Control words in the shared Int32Array. */
export const CTRL = Object.freeze({ GENERATION: 0, DONE: 1, COMMAND: 2, BATCH: 3, START: 4, READY: 5, FAILED: 6, LENGTH: 8 });
export const COMMAND = Object.freeze({ STEP: 1, EXIT: 2 });

export interface ParallelWorkerData {
  shard: number;
  threads: number;
  sizes: number[];
  maxShard: number;
  kernels: 'wasm' | 'js';
  rows: number;
  cols: number;
  ctrl: SharedArrayBuffer;
  x: SharedArrayBuffer;
  y: SharedArrayBuffer;
  w: SharedArrayBuffer | null;
  perm: SharedArrayBuffer;
  params: SharedArrayBuffer;
  grads: SharedArrayBuffer;
  loss: SharedArrayBuffer;
  port: MessagePort;
}

/** First row of shard t of a batch of B rows split T ways. */
export const shardStart = (t: number, B: number, T: number): number => Math.floor((t * B) / T);

const toShared = <T extends Float32Array | Uint32Array>(a: T): SharedArrayBuffer => {
  const sab = new SharedArrayBuffer(Math.max(a.byteLength, 4));
  new Uint8Array(sab).set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return sab;
};

export class ParallelGradient {
  readonly threads: number;
  private readonly ctrl: Int32Array;
  private readonly perm: Uint32Array;
  private readonly params: Float32Array;
  private readonly grads: Float32Array;
  private readonly loss: Float64Array;
  private readonly workers: Worker[] = [];
  private readonly ports: MessagePort[] = [];
  private readonly nParams: number;
  private readonly yb: Float32Array;
  private readonly wb: Float32Array | null;

  constructor(private readonly train: PreparedSet, sizes: readonly number[], batchSize: number, threads: number, kernels: 'wasm' | 'js', nParams: number) {
    this.threads = threads;
    this.nParams = nParams;
    const ctrl = new SharedArrayBuffer(CTRL.LENGTH * 4);
    this.ctrl = new Int32Array(ctrl);
    const permSab = new SharedArrayBuffer(Math.max(train.rows * 4, 4));
    this.perm = new Uint32Array(permSab);
    const paramsSab = new SharedArrayBuffer(nParams * 4);
    this.params = new Float32Array(paramsSab);
    const gradsSab = new SharedArrayBuffer(nParams * 4 * (threads - 1));
    this.grads = new Float32Array(gradsSab);
    const lossSab = new SharedArrayBuffer(8 * (threads - 1));
    this.loss = new Float64Array(lossSab);
    const maxShard = Math.ceil(batchSize / threads) + 1;
    this.yb = new Float32Array(maxShard);
    this.wb = train.w ? new Float32Array(maxShard) : null;
    const x = toShared(train.x), y = toShared(train.y), w = train.w ? toShared(train.w) : null;
    for (let t = 1; t < threads; t++) {
      const { port1, port2 } = new MessageChannel();
      const data: ParallelWorkerData = {
        shard: t, threads, sizes: [...sizes], maxShard, kernels, rows: train.rows, cols: train.cols,
        ctrl, x, y, w, perm: permSab, params: paramsSab, grads: gradsSab, loss: lossSab, port: port2,
      };
      const worker = new Worker(new URL('./parallelWorker.mjs', import.meta.url), { workerData: data, transferList: [port2] });
      worker.unref();
      this.workers.push(worker);
      this.ports.push(port1);
    }
    // Wait (synchronously) until every worker has built its network.
    this.waitFor(CTRL.READY, threads - 1, 120_000, 'start');
  }

  private failure(): string {
    for (const p of this.ports) {
      const m = receiveMessageOnPort(p);
      if (m) return String((m.message as { error?: string }).error ?? m.message);
    }
    return 'unknown error';
  }

  private waitFor(slot: number, target: number, timeoutMs: number, what: string): void {
    const t0 = Date.now();
    for (;;) {
      if (Atomics.load(this.ctrl, CTRL.FAILED)) {
        const msg = this.failure();
        this.close();
        throw new Error(`mlp data-parallel worker failed during ${what}: ${msg}`);
      }
      const v = Atomics.load(this.ctrl, slot);
      if (v >= target) return;
      if (Date.now() - t0 > timeoutMs) { this.close(); throw new Error(`mlp data-parallel workers did not ${what} within ${timeoutMs / 1000} s`); }
      Atomics.wait(this.ctrl, slot, v, 1000);
    }
  }

  /** Publish the epoch's permutation to the workers. */
  setPermutation(perm: Uint32Array): void {
    this.perm.set(perm);
  }

  /**
   * Batch gradient over rows perm[start .. start + B) into net.grads (overwritten): shard 0 here,
   * the others in the workers, summed in shard order. Returns the batch-mean loss.
   */
  step(net: MlpNetwork, start: number, B: number): number {
    const T = this.threads;
    this.params.set(net.params);
    Atomics.store(this.ctrl, CTRL.BATCH, B);
    Atomics.store(this.ctrl, CTRL.START, start);
    Atomics.store(this.ctrl, CTRL.DONE, 0);
    Atomics.store(this.ctrl, CTRL.COMMAND, COMMAND.STEP);
    Atomics.add(this.ctrl, CTRL.GENERATION, 1);
    Atomics.notify(this.ctrl, CTRL.GENERATION);
    const b1 = shardStart(1, B, T);
    let loss = b1 > 0 ? batchGradient(net, this.train, this.perm, start, b1, 1 / B, this.yb, this.wb) : (net.grads.fill(0), 0);
    this.waitFor(CTRL.DONE, T - 1, 600_000, 'finish a step');
    const g = net.grads, P = this.nParams;
    for (let t = 1; t < T; t++) {
      const o = (t - 1) * P;
      for (let i = 0; i < P; i++) g[i] += this.grads[o + i];
      loss += this.loss[t - 1];
    }
    return loss;
  }

  /** Stop the workers. */
  close(): void {
    Atomics.store(this.ctrl, CTRL.COMMAND, COMMAND.EXIT);
    Atomics.add(this.ctrl, CTRL.GENERATION, 1);
    Atomics.notify(this.ctrl, CTRL.GENERATION);
    for (const w of this.workers) void w.terminate();
    for (const p of this.ports) p.close();
    this.workers.length = 0;
  }
}
