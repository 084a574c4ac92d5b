/**
 * Dense kernels used by the MLP and the flows. Import kernels from here, never from a backend
 * file: this module chooses the implementation — the WebAssembly SIMD kernels (./wasm.ts) when
 * the compiled module loads, else the plain-TypeScript reference (./dense.ts). Both give the same
 * results within float32 rounding (tested in test/ml/kernels.test.ts).
 *
 * Force one with the environment variable `SIDEWINDER_KERNELS=js|wasm` (read once at load) or
 * {@link setKernelBackend}. For speed allocate hot buffers with {@link KernelArena} /
 * {@link allocateViews}: the WASM kernels then run in place instead of copying operands.
 */
import * as ref from './dense.js';
import { wasmKernels, wasmKernelsAvailable, wasmKernelsError } from './wasm.js';
import { ConfigError } from '../../util/errors.js';

export { KernelArena, allocateViews, wasmKernelsAvailable, wasmKernelsError, WASM_KERNELS_PATH } from './wasm.js';

/** Implementation choice: 'wasm' (SIMD WebAssembly) or 'js' (TypeScript reference). */
export type KernelBackend = 'wasm' | 'js';

type Impl = Pick<typeof ref, 'gemmNNInto' | 'gemmNTInto' | 'gemmTNInto' | 'biasActivationInto' | 'reluBackwardBiasGradInto' | 'biasGradInto' | 'adamStepInto'>;

/** The reference implementation (always available). */
export const referenceKernels: Impl = ref;
export { wasmKernels };

let current: Impl = ref;
let currentName: KernelBackend = 'js';

/** Select the kernel implementation for this thread. 'wasm' throws when the module is missing. */
export function setKernelBackend(name: KernelBackend): void {
  if (name === 'wasm') {
    if (!wasmKernelsAvailable) throw new ConfigError(`setKernelBackend("wasm"): ${wasmKernelsError}`);
    current = wasmKernels;
  } else if (name === 'js') {
    current = ref;
  } else {
    throw new ConfigError(`setKernelBackend: unknown backend "${String(name)}", expected "wasm" or "js"`);
  }
  currentName = name;
}

/** The implementation in use. */
export const kernelBackend = (): KernelBackend => currentName;

{
  const env = process.env.SIDEWINDER_KERNELS;
  if (env === 'js' || env === 'wasm') setKernelBackend(env);
  else if (env !== undefined && env !== '') throw new ConfigError(`SIDEWINDER_KERNELS="${env}": expected "js" or "wasm"`);
  else if (wasmKernelsAvailable) setKernelBackend('wasm');
}

/** C = A·B (+ C if `accumulate`). A: M×K, B: K×N. `kEnd`: B's column j is zero from row kEnd[j] (skipped). */
export function gemmNNInto(C: Float32Array, A: Float32Array, B: Float32Array, M: number, K: number, N: number, accumulate = false, kEnd?: Float32Array): void {
  current.gemmNNInto(C, A, B, M, K, N, accumulate, kEnd);
}
/** C = A·Bᵀ (+ C). A: M×K, B: N×K. `kStart`: B's row j is zero before column kStart[j] (skipped). */
export function gemmNTInto(C: Float32Array, A: Float32Array, B: Float32Array, M: number, K: number, N: number, accumulate = false, kStart?: Float32Array): void {
  current.gemmNTInto(C, A, B, M, K, N, accumulate, kStart);
}
/** C = Aᵀ·B (+ C). A: K×M, B: K×N. `jStart`: only C[i, j ≥ jStart[i]] are needed (see ./dense.ts). */
export function gemmTNInto(C: Float32Array, A: Float32Array, B: Float32Array, M: number, K: number, N: number, accumulate = false, jStart?: Float32Array): void {
  current.gemmTNInto(C, A, B, M, K, N, accumulate, jStart);
}
/** In place: X[i, j] = relu?(X[i, j] + bias[j]). */
export function biasActivationInto(X: Float32Array, bias: Float32Array, M: number, N: number, relu: boolean): void {
  current.biasActivationInto(X, bias, M, N, relu);
}
/** G[i, j] = 0 where Y[i, j] ≤ 0; biasGrad[j] = Σ_i G[i, j]. */
export function reluBackwardBiasGradInto(biasGrad: Float32Array, G: Float32Array, Y: Float32Array, M: number, N: number): void {
  current.reluBackwardBiasGradInto(biasGrad, G, Y, M, N);
}
/** biasGrad[j] = Σ_i G[i, j]. */
export function biasGradInto(biasGrad: Float32Array, G: Float32Array, M: number, N: number): void {
  current.biasGradInto(biasGrad, G, M, N);
}
/** One Adam(W) step (1-based `step`) over the flat parameter buffer w with moments m, v. */
export function adamStepInto(
  w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array,
  step: number, lr: number, beta1: number, beta2: number, eps: number, weightDecay: number,
): void {
  current.adamStepInto(w, g, m, v, step, lr, beta1, beta2, eps, weightDecay);
}
