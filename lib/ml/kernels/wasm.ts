/**
 * WebAssembly SIMD dense kernels (compiled from ./assembly/dense.ts into ./build/dense.wasm by
 * `npm run build:kernels`, which `npm ci` runs through `prepare`).
 *
 * Memory design: a WASM kernel can only read its own linear memory, and copying operands in and
 * out per call costs as much as a small product. So hot buffers (weights, activations, gradients,
 * Adam moments) live in a {@link KernelArena}: a fixed-size region of one WASM instance's memory
 * handed out as ordinary Float32Array views. When every operand of a call is a view into the same
 * arena the kernel runs in place; otherwise the operands are staged through a scratch instance
 * (correct for any Float32Array, just slower). Each arena owns its instance, sized once at
 * creation, so its views are never detached by a later `memory.grow`.
 */
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ShapeError } from '../../util/errors.js';

// tsconfig has no DOM lib, so the few WebAssembly JS-API members used here are typed locally.
interface WasmMemory { readonly buffer: ArrayBuffer; grow(pages: number): number }
interface WasmModule { readonly __brand: 'WasmModule' }
interface WasmApi {
  Module: (new (bytes: Uint8Array) => WasmModule) & { exports(module: WasmModule): { name: string; kind: string }[] };
  Instance: new (module: WasmModule, imports: object) => { exports: unknown };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface WasmExports {
  memory: WasmMemory;
  gemmNN(c: number, a: number, b: number, M: number, K: number, N: number, acc: number): void;
  gemmNT(c: number, a: number, b: number, M: number, K: number, N: number, acc: number): void;
  gemmTN(c: number, a: number, b: number, M: number, K: number, N: number, acc: number): void;
  gemmNNMasked(c: number, a: number, b: number, M: number, K: number, N: number, acc: number, kEnd: number): void;
  gemmNTMasked(c: number, a: number, b: number, M: number, K: number, N: number, acc: number, kStart: number): void;
  gemmTNMasked(c: number, a: number, b: number, M: number, K: number, N: number, acc: number, jStart: number): void;
  biasActivation(x: number, bias: number, M: number, N: number, relu: number): void;
  reluBackwardBiasGrad(bg: number, g: number, y: number, M: number, N: number): void;
  biasGrad(bg: number, g: number, M: number, N: number): void;
  adamStep(w: number, g: number, m: number, v: number, n: number,
    lr: number, beta1: number, beta2: number, eps: number, wd: number, bc1: number, bc2: number): void;
}

/** Where the compiled kernels are expected. */
export const WASM_KERNELS_PATH = fileURLToPath(new URL('./build/dense.wasm', import.meta.url));

/** Every function the TypeScript side calls (checked when the module loads). */
const REQUIRED_EXPORTS: readonly (keyof WasmExports)[] = [
  'memory', 'gemmNN', 'gemmNT', 'gemmTN', 'gemmNNMasked', 'gemmNTMasked', 'gemmTNMasked',
  'biasActivation', 'reluBackwardBiasGrad', 'biasGrad', 'adamStep',
];

function compile(): { module: WasmModule | null; error: string | null } {
  if (!existsSync(WASM_KERNELS_PATH)) return { module: null, error: `${WASM_KERNELS_PATH} not found (run "npm run build:kernels")` };
  try {
    // Synchronous compile of a small module is allowed in Node (no main-thread size limit there).
    const module = new WA.Module(readFileSync(WASM_KERNELS_PATH));
    // A module built before a kernel was added (an old checkout's build/) lacks it: use the TypeScript
    // kernels rather than fail inside training.
    const have = new Set(WA.Module.exports(module).map((e) => e.name));
    const missing = REQUIRED_EXPORTS.filter((n) => !have.has(n));
    if (missing.length) return { module: null, error: `${WASM_KERNELS_PATH} is stale (no ${missing.join(', ')}); run "npm run build:kernels"` };
    return { module, error: null };
  } catch (e) {
    return { module: null, error: `${WASM_KERNELS_PATH}: ${(e as Error).message}` };
  }
}

const compiled = compile();

/** True when the compiled SIMD kernels loaded (false: only the TypeScript reference is available). */
export const wasmKernelsAvailable: boolean = compiled.module !== null;
/** Why the WASM kernels are unavailable, or null. */
export const wasmKernelsError: string | null = compiled.error;

const PAGE = 65536;
const ALIGN = 16;

function instantiate(bytes: number): WasmExports {
  if (!compiled.module) throw new Error(`WASM kernels unavailable: ${compiled.error}`);
  const ex = new WA.Instance(compiled.module, {}).exports as unknown as WasmExports;
  const pages = Math.ceil(bytes / PAGE) - ex.memory.buffer.byteLength / PAGE;
  if (pages > 0) ex.memory.grow(pages);
  return ex;
}

/** Which instance owns an ArrayBuffer (the memory of an arena). */
const owners = new WeakMap<ArrayBufferLike, WasmExports>();

/**
 * A fixed-capacity bump allocator of Float32Array views. With `backend: 'wasm'` the views live in
 * a private WebAssembly memory (kernels run in place); with `'js'` in a plain ArrayBuffer (same
 * API, for the reference kernels and for machines without the compiled module).
 */
export class KernelArena {
  readonly backend: 'wasm' | 'js';
  readonly capacity: number;
  private readonly buffer: ArrayBufferLike;
  private used = 0;

  /** @param floats capacity in Float32 elements (each allocation is rounded up to 16 bytes). */
  constructor(floats: number, opts: { backend?: 'wasm' | 'js' } = {}) {
    if (!Number.isInteger(floats) || floats < 0) throw new RangeError(`KernelArena: capacity must be a non-negative integer, got ${floats}`);
    this.backend = opts.backend ?? (wasmKernelsAvailable ? 'wasm' : 'js');
    this.capacity = floats * 4;
    if (this.backend === 'wasm') {
      const ex = instantiate(Math.max(this.capacity, 1));
      this.buffer = ex.memory.buffer;
      owners.set(this.buffer, ex);
    } else {
      this.buffer = new ArrayBuffer(this.capacity);
    }
  }

  /** Bytes needed for views of these lengths (with alignment padding). */
  static floatsFor(lengths: readonly number[]): number {
    return lengths.reduce((s, n) => s + Math.ceil((n * 4) / ALIGN) * (ALIGN / 4), 0);
  }

  /** A zero-filled view of n floats; throws when the arena is full. */
  alloc(n: number): Float32Array {
    const bytes = Math.ceil((n * 4) / ALIGN) * ALIGN;
    if (this.used + bytes > this.capacity)
      throw new RangeError(`KernelArena.alloc: ${n} floats requested, ${(this.capacity - this.used) / 4} left of ${this.capacity / 4}`);
    const view = new Float32Array(this.buffer, this.used, n);
    this.used += bytes;
    return view;
  }

  /** Allocate one view per named length (size the arena with `KernelArena.floatsFor`). */
  allocAll<K extends string>(lengths: Record<K, number>): Record<K, Float32Array> {
    const out = {} as Record<K, Float32Array>;
    for (const k of Object.keys(lengths) as K[]) out[k] = this.alloc(lengths[k]);
    return out;
  }
}

/** An arena sized exactly for the named views, allocated in one go. */
export function allocateViews<K extends string>(lengths: Record<K, number>, opts: { backend?: 'wasm' | 'js' } = {}): Record<K, Float32Array> {
  const arena = new KernelArena(KernelArena.floatsFor(Object.values(lengths) as number[]), opts);
  return arena.allocAll(lengths);
}

// ---- staging for operands outside an arena ----
let scratch: WasmExports | null = null;
function scratchFor(bytes: number): WasmExports {
  if (!scratch) scratch = instantiate(PAGE);
  const have = scratch.memory.buffer.byteLength;
  if (bytes > have) scratch.memory.grow(Math.ceil((bytes - have) / PAGE));
  return scratch;
}

const roundUp = (b: number): number => Math.ceil(b / ALIGN) * ALIGN;

/** The instance all arrays share, or null. */
function sameArena(...arrays: Float32Array[]): WasmExports | null {
  const ex = owners.get(arrays[0].buffer);
  if (!ex) return null;
  for (let i = 1; i < arrays.length; i++) if (arrays[i].buffer !== arrays[0].buffer) return null;
  return ex;
}

/**
 * Run `call` with every array addressable in one instance. `inOut` arrays are copied back.
 * Returns byte offsets in the order given.
 */
function withOperands(arrays: Float32Array[], lengths: number[], copyBack: boolean[], call: (ex: WasmExports, ptr: number[]) => void): void {
  const direct = sameArena(...arrays);
  if (direct) {
    call(direct, arrays.map((a) => a.byteOffset));
    return;
  }
  let total = 0;
  const ptr: number[] = [];
  for (const n of lengths) { ptr.push(total); total += roundUp(n * 4); }
  const ex = scratchFor(total);
  const heap = new Float32Array(ex.memory.buffer);
  for (let i = 0; i < arrays.length; i++) heap.set(arrays[i].subarray(0, lengths[i]), ptr[i] / 4);
  call(ex, ptr);
  const after = new Float32Array(ex.memory.buffer);
  for (let i = 0; i < arrays.length; i++) if (copyBack[i]) arrays[i].set(after.subarray(ptr[i] / 4, ptr[i] / 4 + lengths[i]));
}

function need(name: string, arr: Float32Array, n: number, what: string): void {
  if (arr.length < n) throw new ShapeError(`${name}: ${what} has ${arr.length} entries, needs ≥ ${n}`);
}

type Gemm = 'gemmNN' | 'gemmNT' | 'gemmTN';
/** Length of a gemm's mask-limit vector: per column of C (NN, NT) or per row of C (TN). */
const limitLength = (kind: Gemm, M: number, N: number): number => (kind === 'gemmTN' ? M : N);
function gemm(kind: Gemm, C: Float32Array, A: Float32Array, B: Float32Array, M: number, K: number, N: number, accumulate: boolean, limits?: Float32Array): void {
  need(kind, C, M * N, 'C'); need(kind, A, M * K, 'A'); need(kind, B, K * N, 'B');
  if (M === 0 || N === 0) return;
  if (!limits) {
    withOperands([C, A, B], [M * N, M * K, K * N], [true, false, false], (ex, [c, a, b]) => ex[kind](c, a, b, M, K, N, accumulate ? 1 : 0));
    return;
  }
  const L = limitLength(kind, M, N);
  need(kind, limits, L, 'mask limits');
  const masked = `${kind}Masked` as const;
  withOperands([C, A, B, limits], [M * N, M * K, K * N, L], [true, false, false, false], (ex, [c, a, b, l]) => ex[masked](c, a, b, M, K, N, accumulate ? 1 : 0, l));
}

/** WASM SIMD implementations with the reference signatures (see ./dense.ts for the semantics). */
export const wasmKernels = {
  gemmNNInto(C: Float32Array, A: Float32Array, B: Float32Array, M: number, K: number, N: number, accumulate = false, kEnd?: Float32Array): void {
    gemm('gemmNN', C, A, B, M, K, N, accumulate, kEnd);
  },
  gemmNTInto(C: Float32Array, A: Float32Array, B: Float32Array, M: number, K: number, N: number, accumulate = false, kStart?: Float32Array): void {
    gemm('gemmNT', C, A, B, M, K, N, accumulate, kStart);
  },
  gemmTNInto(C: Float32Array, A: Float32Array, B: Float32Array, M: number, K: number, N: number, accumulate = false, jStart?: Float32Array): void {
    gemm('gemmTN', C, A, B, M, K, N, accumulate, jStart);
  },
  biasActivationInto(X: Float32Array, bias: Float32Array, M: number, N: number, relu: boolean): void {
    need('biasActivation', X, M * N, 'X'); need('biasActivation', bias, N, 'bias');
    withOperands([X, bias], [M * N, N], [true, false], (ex, [x, b]) => ex.biasActivation(x, b, M, N, relu ? 1 : 0));
  },
  reluBackwardBiasGradInto(biasGrad: Float32Array, G: Float32Array, Y: Float32Array, M: number, N: number): void {
    need('reluBackwardBiasGrad', biasGrad, N, 'biasGrad'); need('reluBackwardBiasGrad', G, M * N, 'G'); need('reluBackwardBiasGrad', Y, M * N, 'Y');
    withOperands([biasGrad, G, Y], [N, M * N, M * N], [true, true, false], (ex, [bg, g, y]) => ex.reluBackwardBiasGrad(bg, g, y, M, N));
  },
  biasGradInto(biasGrad: Float32Array, G: Float32Array, M: number, N: number): void {
    need('biasGrad', biasGrad, N, 'biasGrad'); need('biasGrad', G, M * N, 'G');
    withOperands([biasGrad, G], [N, M * N], [true, false], (ex, [bg, g]) => ex.biasGrad(bg, g, M, N));
  },
  adamStepInto(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array,
    step: number, lr: number, beta1: number, beta2: number, eps: number, weightDecay: number): void {
    const n = w.length;
    need('adamStep', g, n, 'g'); need('adamStep', m, n, 'm'); need('adamStep', v, n, 'v');
    const bc1 = 1 - Math.pow(beta1, step), bc2 = 1 - Math.pow(beta2, step);
    withOperands([w, g, m, v], [n, n, n, n], [true, false, true, true],
      (ex, [pw, pg, pm, pv]) => ex.adamStep(pw, pg, pm, pv, n, lr, beta1, beta2, eps, weightDecay, bc1, bc2));
  },
};
