/**
 * One thread's compute state for a conditional MAF: parameters, gradients, Adam moments, the
 * batch workspace and batch input buffers — all views from one kernel arena.
 */
import {
  MafLayout, MafWorkspace, allocatorFor, mafForward, mafBackward, mafInverseInPlace, trainingSetBatchNormStatsInto,
  type BatchNormSettings, type BatchSplit, type Float32Allocator,
} from './maf.js';

export class MafEngine {
  readonly layout: MafLayout;
  readonly bn: BatchNormSettings;
  readonly capacity: number;
  readonly params: Float32Array;
  readonly grad: Float32Array;
  /** Adam moments (only used by the thread that owns the optimiser). */
  readonly adamM: Float32Array;
  readonly adamV: Float32Array;
  readonly bnStats: Float32Array;
  readonly ws: MafWorkspace;
  /** Batch inputs: flow-space features (capacity × D) and condition (capacity × C). */
  readonly x: Float32Array;
  readonly c: Float32Array;
  readonly logProb: Float64Array;

  constructor(layout: MafLayout, bn: BatchNormSettings, capacity: number, opts: { optimiser: boolean }) {
    this.layout = layout;
    this.bn = bn;
    this.capacity = capacity;
    const P = layout.numParams, D = layout.D, C = layout.C, K = layout.K;
    const nAdam = opts.optimiser ? P : 0;
    const lengths = [P, P, nAdam, nAdam, K * 2 * D, capacity * D, capacity * C, ...MafWorkspace.lengths(layout, capacity)];
    const a: Float32Allocator = allocatorFor(lengths);
    this.params = a.alloc(P);
    this.grad = a.alloc(P);
    this.adamM = a.alloc(nAdam);
    this.adamV = a.alloc(nAdam);
    this.bnStats = a.alloc(K * 2 * D);
    this.x = a.alloc(capacity * D);
    this.c = a.alloc(capacity * C);
    this.ws = new MafWorkspace(layout, capacity, a);
    this.logProb = new Float64Array(capacity);
  }

  /** Copy rows idx[a..b) of (y, cond) into the batch buffers. */
  gather(y: Float32Array, cond: Float32Array, idx: ArrayLike<number>, a: number, b: number): number {
    const { D, C } = this.layout;
    const n = b - a;
    for (let r = 0; r < n; r++) {
      const i = idx[a + r];
      for (let j = 0; j < D; j++) this.x[r * D + j] = y[i * D + j];
      for (let j = 0; j < C; j++) this.c[r * C + j] = cond[i * C + j];
    }
    return n;
  }

  /** Forward + backward on the gathered rows (training mode); returns Σ(−log p) of these rows. */
  trainRows(n: number, split: BatchSplit): number {
    const loss = mafForward(this.layout, this.params, this.bnStats, this.bn, this.ws, this.x, this.c, n, true, undefined, split);
    mafBackward(this.layout, this.params, this.ws, n, this.grad, split);
    return loss;
  }

  /** log p (flow space, stored batch-norm statistics) of contiguous rows [a, b) of (y, cond) into out[a..b). */
  evalContiguous(y: Float32Array, cond: Float32Array, a: number, b: number, out: Float64Array): void {
    const { D, C } = this.layout;
    for (let s = a; s < b; s += this.capacity) {
      const n = Math.min(this.capacity, b - s);
      this.x.set(y.subarray(s * D, (s + n) * D));
      this.c.set(cond.subarray(s * C, (s + n) * C));
      mafForward(this.layout, this.params, this.bnStats, this.bn, this.ws, this.x, this.c, n, false, this.logProb);
      out.set(this.logProb.subarray(0, n), s);
    }
  }

  /** Inverse of n rows: z holds base-space values in, flow-space values out (float64); condition from the gathered c. */
  inverseRows(z: Float64Array, n: number): void {
    mafInverseInPlace(this.layout, this.params, this.bnStats, this.bn, this.ws, z, this.c, n);
  }

  /** Set the batch-norm statistics to those of the whole training set (y, cond: n rows in flow space). */
  setTrainingSetBatchNormStats(y: Float32Array, cond: Float32Array, n: number): number {
    return trainingSetBatchNormStatsInto(this.layout, this.params, this.bnStats, this.bn, this.ws, y, cond, n);
  }
}
