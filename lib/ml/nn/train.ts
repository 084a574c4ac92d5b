/**
 * The MLP training loop on the dense kernels: mini-batch Adam(W) on weighted binary cross-entropy,
 * reshuffled every epoch, validation loss after every epoch, and the parameters of the
 * `ensembleEpochs` epochs with the lowest validation loss kept (CATHODE's epoch ensemble).
 */
import { adamStepInto } from '../kernels/index.js';
import { MlpNetwork, paramLayout } from './network.js';
import { bceWithLogitsInto } from './loss.js';
import { ParallelGradient } from './parallel.js';
import type { Rng } from '../../util/rng.js';
import type { Reporter } from '../../util/reporter.js';
import { silent } from '../../util/reporter.js';

/** A standardised training or validation set (Float32 rows, labels, weights). */
export interface PreparedSet {
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly w: Float32Array | null;
  readonly rows: number;
  readonly cols: number;
}

export interface TrainSettings {
  sizes: readonly number[];
  learningRate: number;
  batchSize: number;
  epochs: number;
  ensembleEpochs: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  kernels: 'wasm' | 'js';
  /** Data-parallel threads for the gradients (1 = this thread only). */
  threads?: number;
}

/** Parameters of one epoch kept for the ensemble. */
export interface EpochSnapshot {
  readonly epoch: number;
  readonly valLoss: number;
  readonly params: Float32Array;
}

export interface TrainResult {
  /** Kept epochs, best (lowest validation loss) first. */
  snapshots: EpochSnapshot[];
  trainLoss: number[];
  valLoss: number[];
}

/** Rows per forward pass when only evaluating (validation, prediction). */
export const EVAL_CHUNK = 256;

/** Mean weighted BCE Σ w ℓ / Σ w of the network's current parameters on a set. */
export function evaluateLoss(net: MlpNetwork, set: PreparedSet): number {
  const d = set.cols;
  let loss = 0, wsum = 0;
  for (let s = 0; s < set.rows; s += net.maxBatch) {
    const B = Math.min(net.maxBatch, set.rows - s);
    net.input.set(set.x.subarray(s * d, (s + B) * d));
    const z = net.forward(B);
    const w = set.w ? set.w.subarray(s, s + B) : null;
    loss += bceWithLogitsInto(null, z, set.y.subarray(s, s + B), w, B, 1);
    if (w) for (let i = 0; i < B; i++) wsum += w[i];
    else wsum += B;
  }
  return loss / wsum;
}

/** Train from scratch. `rng` drives initialisation and shuffling (forked by label). */
export function trainNetwork(train: PreparedSet, val: PreparedSet | null, st: TrainSettings, rng: Rng, reporter: Reporter = silent): TrainResult {
  // Adam moments live in the same arena as the parameters so the update runs in place.
  const p = paramLayout(st.sizes).nParams;
  const net = new MlpNetwork(st.sizes, Math.max(st.batchSize, EVAL_CHUNK), { backend: st.kernels, extra: { m: p, v: p } });
  net.initialise(rng.fork('init'));
  const { m, v } = net.extra;
  const yb = new Float32Array(st.batchSize), wb = train.w ? new Float32Array(st.batchSize) : null;
  const kept: EpochSnapshot[] = [];
  const trainLoss: number[] = [], valLoss: number[] = [];
  let step = 0;
  const threads = st.threads ?? 1;
  const parallel = threads > 1 ? new ParallelGradient(train, st.sizes, st.batchSize, threads, st.kernels, p) : null;
  try {
    for (let epoch = 0; epoch < st.epochs; epoch++) {
      const perm = rng.fork(`epoch:${epoch}`).permutation(train.rows);
      parallel?.setPermutation(perm);
      let epochLoss = 0;
      for (let s = 0; s < train.rows; s += st.batchSize) {
        const B = Math.min(st.batchSize, train.rows - s);
        epochLoss += B * (parallel ? parallel.step(net, s, B) : batchGradient(net, train, perm, s, B, 1 / B, yb, wb));
        adamStepInto(net.params, net.grads, m, v, ++step, st.learningRate, st.beta1, st.beta2, st.epsilon, st.weightDecay);
      }
      trainLoss.push(epochLoss / train.rows);
      // Without a validation set the training loss ranks the epochs.
      const vl = val ? evaluateLoss(net, val) : trainLoss[epoch];
      if (!Number.isFinite(vl)) reporter.log('warn', `mlp epoch ${epoch + 1}: loss is ${vl} (diverged?); this epoch ranks last`);
      valLoss.push(vl);
      keepBest(kept, { epoch, valLoss: vl, params: net.params.slice() }, st.ensembleEpochs);
      reporter.progress('epochs', epoch + 1, st.epochs);
      reporter.log('debug', `mlp epoch ${epoch + 1}/${st.epochs}: train loss ${trainLoss[epoch].toFixed(5)}, validation loss ${vl.toFixed(5)}`);
    }
  } finally {
    parallel?.close();
  }
  return { snapshots: kept, trainLoss, valLoss };
}

/**
 * Gradient of `scale · Σ_r w_r ℓ(z_r, y_r)` over rows perm[start .. start + B) into `net.grads`
 * (overwritten); returns that scaled loss. `yb`, `wb` are scratch of length ≥ B (wb null when unweighted).
 */
export function batchGradient(
  net: MlpNetwork, set: PreparedSet, perm: ArrayLike<number>, start: number, B: number, scale: number,
  yb: Float32Array, wb: Float32Array | null,
): number {
  const d = set.cols, input = net.input;
  for (let r = 0; r < B; r++) {
    const idx = perm[start + r];
    const src = idx * d, dst = r * d;
    for (let j = 0; j < d; j++) input[dst + j] = set.x[src + j];
    yb[r] = set.y[idx];
    if (wb) wb[r] = set.w![idx];
  }
  const z = net.forward(B);
  const loss = bceWithLogitsInto(net.delta[net.nLayers - 1], z, yb, wb, B, scale);
  net.backward(B);
  return loss;
}

/** Insert into a list sorted by validation loss (ties: earlier epoch first), keeping at most n. */
export function keepBest(kept: EpochSnapshot[], snap: EpochSnapshot, n: number): void {
  const key = (x: number): number => (Number.isNaN(x) ? Infinity : x);
  let i = kept.length;
  while (i > 0 && key(kept[i - 1].valLoss) > key(snap.valLoss)) i--;
  if (i >= n) return;
  kept.splice(i, 0, snap);
  if (kept.length > n) kept.pop();
}
