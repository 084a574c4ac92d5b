/**
 * One mini-batch gradient of the MLP's weighted binary cross-entropy, shared by the training loop
 * (./train.ts) and the data-parallel workers (./parallel.ts, ./parallelWorkerMain.ts) — in its own
 * module so that neither imports the other.
 */
import type { MlpNetwork } from './network.js';
import { bceWithLogitsInto } from './loss.js';

/** A standardised training or validation set (Float32 rows, labels, weights). */
export interface PreparedSet {
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly w: Float32Array | null;
  readonly rows: number;
  readonly cols: number;
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
