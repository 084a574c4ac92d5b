/**
 * Weighted binary cross-entropy on logits, the loss of the "data vs template" classifiers:
 * ℓ(z, y) = w · [softplus(z) − y·z] = −w · [y log σ(z) + (1 − y) log(1 − σ(z))], evaluated in the
 * numerically stable form max(z, 0) − y·z + log(1 + e^{−|z|}). dℓ/dz = w · (σ(z) − y).
 */

/** log(1 + e^z) without overflow. */
export function softplus(z: number): number {
  return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
}

/** σ(z) = 1 / (1 + e^{−z}). */
export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/**
 * Batch loss Σ_i w_i ℓ(z_i, y_i) · scale and its gradient into `gradOut` (gradOut[i] =
 * scale · w_i (σ(z_i) − y_i)). Training uses scale = 1/B (PyTorch's reduction='mean').
 * Returns the scaled loss sum. `w` may be null (all ones).
 */
export function bceWithLogitsInto(
  gradOut: Float32Array | null, z: ArrayLike<number>, y: ArrayLike<number>, w: ArrayLike<number> | null, B: number, scale: number,
): number {
  let loss = 0;
  for (let i = 0; i < B; i++) {
    const zi = z[i], yi = y[i], wi = w ? w[i] : 1;
    loss += wi * (softplus(zi) - yi * zi);
    if (gradOut) gradOut[i] = scale * wi * (sigmoid(zi) - yi);
  }
  return loss * scale;
}
