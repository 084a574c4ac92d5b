/**
 * A fully connected ReLU network with one logit output, laid out for the dense kernels: all
 * parameters in one flat buffer (so one Adam call updates them), gradients in a parallel buffer,
 * activations and their gradients preallocated for a maximum batch, everything in one
 * {@link KernelArena} so the WASM kernels run in place.
 *
 * Layer l maps sizes[l] → sizes[l + 1]; its weight W_l is stored input-major (sizes[l] × sizes[l+1],
 * y = x·W + b), so forward is gemmNN, input gradients gemmNT and weight gradients gemmTN.
 */
import {
  KernelArena, gemmNNInto, gemmNTInto, gemmTNInto, biasActivationInto, reluBackwardBiasGradInto, biasGradInto,
} from '../kernels/index.js';
import type { Rng } from '../../util/rng.js';
import { ConfigError } from '../../util/errors.js';

/** Parameter layout of a network with these layer sizes: offsets of W_l and b_l in the flat buffer. */
export interface ParamLayout {
  readonly sizes: readonly number[];
  readonly nParams: number;
  readonly wOffset: readonly number[];
  readonly bOffset: readonly number[];
}

export function paramLayout(sizes: readonly number[]): ParamLayout {
  if (sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1))
    throw new ConfigError(`network sizes must be ≥ 2 positive integers, got [${sizes.join(', ')}]`);
  const wOffset: number[] = [], bOffset: number[] = [];
  let o = 0;
  for (let l = 0; l + 1 < sizes.length; l++) {
    wOffset.push(o); o += sizes[l] * sizes[l + 1];
    bOffset.push(o); o += sizes[l + 1];
  }
  return { sizes: [...sizes], nParams: o, wOffset, bOffset };
}

export class MlpNetwork {
  readonly layout: ParamLayout;
  readonly nLayers: number;
  readonly maxBatch: number;
  /** All weights and biases (views W[l], b[l] point into it). */
  readonly params: Float32Array;
  /** Gradients of the loss w.r.t. params, same layout. */
  readonly grads: Float32Array;
  /** Input rows (maxBatch × sizes[0]): write a batch here, then call forward. */
  readonly input: Float32Array;
  /** acts[l]: output of layer l after its activation (maxBatch × sizes[l+1]); the last is the logit. */
  readonly acts: Float32Array[];
  /** delta[l]: gradient w.r.t. the output of layer l (maxBatch × sizes[l+1]). */
  readonly delta: Float32Array[];
  readonly W: Float32Array[] = [];
  readonly b: Float32Array[] = [];
  readonly dW: Float32Array[] = [];
  readonly db: Float32Array[] = [];
  /** Extra arena views requested by the owner (e.g. Adam moments), allocated in the same arena. */
  readonly extra: Record<string, Float32Array>;

  constructor(sizes: readonly number[], maxBatch: number, opts: { backend?: 'wasm' | 'js'; extra?: Record<string, number> } = {}) {
    this.layout = paramLayout(sizes);
    this.nLayers = sizes.length - 1;
    this.maxBatch = maxBatch;
    const p = this.layout.nParams;
    const actLens = sizes.slice(1).map((n) => maxBatch * n);
    const extraLens = Object.values(opts.extra ?? {});
    const arena = new KernelArena(KernelArena.floatsFor([p, p, maxBatch * sizes[0], ...actLens, ...actLens, ...extraLens]), { backend: opts.backend });
    this.params = arena.alloc(p);
    this.grads = arena.alloc(p);
    this.input = arena.alloc(maxBatch * sizes[0]);
    this.acts = actLens.map((n) => arena.alloc(n));
    this.delta = actLens.map((n) => arena.alloc(n));
    this.extra = arena.allocAll(opts.extra ?? {});
    for (let l = 0; l < this.nLayers; l++) {
      const { wOffset, bOffset } = this.layout;
      const nw = sizes[l] * sizes[l + 1];
      this.W.push(this.params.subarray(wOffset[l], wOffset[l] + nw));
      this.b.push(this.params.subarray(bOffset[l], bOffset[l] + sizes[l + 1]));
      this.dW.push(this.grads.subarray(wOffset[l], wOffset[l] + nw));
      this.db.push(this.grads.subarray(bOffset[l], bOffset[l] + sizes[l + 1]));
    }
  }

  /** PyTorch's nn.Linear default: W, b ~ U(−1/√fan_in, 1/√fan_in). */
  initialise(rng: Rng): void {
    for (let l = 0; l < this.nLayers; l++) {
      const bound = 1 / Math.sqrt(this.layout.sizes[l]);
      for (const arr of [this.W[l], this.b[l]]) for (let i = 0; i < arr.length; i++) arr[i] = (2 * rng.uniform() - 1) * bound;
    }
  }

  /** Forward pass over the first B rows of `input`; returns the logits (a view of B values). */
  forward(B: number): Float32Array {
    const s = this.layout.sizes;
    let x = this.input;
    for (let l = 0; l < this.nLayers; l++) {
      const y = this.acts[l];
      gemmNNInto(y, x, this.W[l], B, s[l], s[l + 1]);
      biasActivationInto(y, this.b[l], B, s[l + 1], l + 1 < this.nLayers);
      x = y;
    }
    return this.acts[this.nLayers - 1].subarray(0, B);
  }

  /**
   * Backward pass after `forward(B)`: the caller has written dLoss/dlogit into `delta[last]`
   * (B values). Fills `grads` (overwrites). Hidden deltas are overwritten in place.
   */
  backward(B: number): void {
    const s = this.layout.sizes;
    for (let l = this.nLayers - 1; l >= 0; l--) {
      const g = this.delta[l];
      if (l + 1 < this.nLayers) reluBackwardBiasGradInto(this.db[l], g, this.acts[l], B, s[l + 1]);
      else biasGradInto(this.db[l], g, B, s[l + 1]);
      gemmTNInto(this.dW[l], l === 0 ? this.input : this.acts[l - 1], g, s[l], B, s[l + 1]);
      if (l > 0) gemmNTInto(this.delta[l - 1], g, this.W[l], B, s[l + 1], s[l]);
    }
  }
}
