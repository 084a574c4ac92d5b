/**
 * The MLP training loop on the dense kernels: mini-batch Adam(W) on weighted binary cross-entropy,
 * reshuffled every epoch, validation loss after every epoch, and the parameters of the
 * `ensembleEpochs` epochs with the lowest validation loss kept (CATHODE's epoch ensemble, lib/ml/epochEnsemble.ts).
 */
import { adamStepInto } from '../kernels/index.js';
import { MlpNetwork, paramLayout } from './network.js';
import { bceWithLogitsInto } from './loss.js';
import { batchGradient, type PreparedSet } from './gradient.js';
import { ParallelGradient } from './parallel.js';
import { BestEpochs } from '../epochEnsemble.js';
import type { Rng } from '../../util/rng.js';
import type { Reporter } from '../../util/reporter.js';
import { silent } from '../../util/reporter.js';

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
  const kept = new BestEpochs<EpochSnapshot>(st.ensembleEpochs);
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
      kept.offer(vl, () => ({ epoch, valLoss: vl, params: net.params.slice() }));
      reporter.progress('epochs', epoch + 1, st.epochs);
      reporter.log('debug', `mlp epoch ${epoch + 1}/${st.epochs}: train loss ${trainLoss[epoch].toFixed(5)}, validation loss ${vl.toFixed(5)}`);
    }
  } finally {
    parallel?.close();
  }
  return { snapshots: kept.best(), trainLoss, valLoss };
}
