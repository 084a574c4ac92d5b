import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../../lib/util/rng.js';
import {
  KernelArena, allocateViews, referenceKernels as ref, wasmKernels as simd, wasmKernelsAvailable,
  setKernelBackend, kernelBackend, gemmNNInto,
} from '../../lib/ml/kernels/index.js';

const fill = (a: Float32Array, rng: Rng): Float32Array => {
  for (let i = 0; i < a.length; i++) a[i] = rng.normal();
  return a;
};

/** max |a − b| relative to the scale of the reference. */
function expectClose(got: Float32Array, want: Float32Array, tol: number): void {
  expect(got.length).toBe(want.length);
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
  expect(worst).toBeLessThanOrEqual(tol);
}

// Shapes chosen to hit every tail: rows not divisible by 4 (or 2), columns not divisible by 8 or 4, K=1.
const SHAPES: [number, number, number][] = [
  [1, 1, 1], [3, 5, 7], [4, 8, 8], [5, 3, 9], [7, 13, 6], [128, 5, 64], [128, 64, 64], [128, 64, 1],
  [33, 17, 11], [2, 64, 65], [9, 1, 12], [64, 128, 3],
];

describe.skipIf(!wasmKernelsAvailable)('WASM SIMD kernels against the TypeScript reference', () => {
  const rng = createRng(20261123);
  for (const inArena of [true, false]) {
    const where = inArena ? 'in an arena' : 'plain arrays (staged)';
    const make = (n: number): Float32Array => (inArena ? new KernelArena(KernelArena.floatsFor([n])).alloc(n) : new Float32Array(n));

    for (const kind of ['gemmNNInto', 'gemmNTInto', 'gemmTNInto'] as const) {
      it(`${kind}, ${where}, random shapes, with and without accumulate`, () => {
        for (const [M, K, N] of SHAPES) {
          for (const acc of [false, true]) {
            const arena = new KernelArena(KernelArena.floatsFor([M * K, K * N, M * N]));
            const A = fill(inArena ? arena.alloc(M * K) : new Float32Array(M * K), rng);
            const B = fill(inArena ? arena.alloc(K * N) : new Float32Array(K * N), rng);
            const C = fill(inArena ? arena.alloc(M * N) : new Float32Array(M * N), rng);
            const want = C.slice();
            ref[kind](want, A, B, M, K, N, acc);
            simd[kind](C, A, B, M, K, N, acc);
            expectClose(C, want, 1e-5 * Math.sqrt(K + 1));
          }
        }
      });
    }

    it(`biasActivationInto (ReLU and identity), ${where}`, () => {
      for (const [M, , N] of SHAPES) {
        for (const relu of [true, false]) {
          const X = fill(make(M * N), rng), b = fill(make(N), rng);
          const want = X.slice();
          ref.biasActivationInto(want, b, M, N, relu);
          simd.biasActivationInto(X, b, M, N, relu);
          expectClose(X, want, 1e-6);
        }
      }
    });

    it(`reluBackwardBiasGradInto and biasGradInto, ${where}`, () => {
      for (const [M, , N] of SHAPES) {
        const G = fill(make(M * N), rng), Y = fill(make(M * N), rng), bg = make(N);
        const wantG = G.slice(), wantBg = new Float32Array(N);
        ref.reluBackwardBiasGradInto(wantBg, wantG, Y, M, N);
        simd.reluBackwardBiasGradInto(bg, G, Y, M, N);
        expectClose(G, wantG, 0);
        expectClose(bg, wantBg, 1e-5 * Math.sqrt(M));
        const bg2 = make(N), want2 = new Float32Array(N);
        ref.biasGradInto(want2, G, M, N);
        simd.biasGradInto(bg2, G, M, N);
        expectClose(bg2, want2, 1e-5 * Math.sqrt(M));
      }
    });

    it(`adamStepInto over several steps with weight decay, ${where}`, () => {
      for (const n of [1, 3, 4, 17, 4164]) {
        const w = fill(make(n), rng), m = make(n), v = make(n), g = make(n);
        const w2 = w.slice(), m2 = m.slice(), v2 = v.slice();
        for (let step = 1; step <= 5; step++) {
          fill(g, rng);
          ref.adamStepInto(w2, g, m2, v2, step, 1e-2, 0.9, 0.999, 1e-8, 1e-2);
          simd.adamStepInto(w, g, m, v, step, 1e-2, 0.9, 0.999, 1e-8, 1e-2);
        }
        expectClose(w, w2, 1e-5);
        expectClose(m, m2, 1e-6);
        expectClose(v, v2, 1e-6);
      }
    });
  }

  it('mixing arena views and plain arrays gives the same product (staged path)', () => {
    const [M, K, N] = [13, 9, 10];
    const v = allocateViews({ A: M * K, C: M * N });
    fill(v.A, rng);
    const B = fill(new Float32Array(K * N), rng);
    const want = new Float32Array(M * N);
    ref.gemmNNInto(want, v.A, B, M, K, N);
    simd.gemmNNInto(v.C, v.A, B, M, K, N);
    expectClose(v.C, want, 1e-5 * Math.sqrt(K));
  });

  it('rejects operands too short for the stated shape', () => {
    expect(() => simd.gemmNNInto(new Float32Array(5), new Float32Array(6), new Float32Array(6), 2, 3, 3)).toThrow(/C has 5 entries, needs ≥ 6/);
  });
});

describe('kernel dispatch', () => {
  it('can be forced to either implementation; both give the same product', () => {
    const before = kernelBackend();
    const rng = createRng(3);
    const A = fill(new Float32Array(6 * 7), rng), B = fill(new Float32Array(7 * 5), rng);
    const cJs = new Float32Array(30), cW = new Float32Array(30);
    setKernelBackend('js');
    expect(kernelBackend()).toBe('js');
    gemmNNInto(cJs, A, B, 6, 7, 5);
    if (wasmKernelsAvailable) {
      setKernelBackend('wasm');
      gemmNNInto(cW, A, B, 6, 7, 5);
      expectClose(cW, cJs, 1e-5);
    } else {
      expect(() => setKernelBackend('wasm')).toThrow(/not found|WASM/);
    }
    setKernelBackend(before);
  });

  it('arena allocations are aligned, disjoint and bounded', () => {
    const arena = new KernelArena(KernelArena.floatsFor([3, 5]));
    const a = arena.alloc(3), b = arena.alloc(5);
    expect(a.byteOffset % 16).toBe(0);
    expect(b.byteOffset % 16).toBe(0);
    expect(b.byteOffset).toBeGreaterThanOrEqual(a.byteOffset + 12);
    expect(() => arena.alloc(1)).toThrow(/left of/);
  });
});

/** Random per-column (or per-row) limits in [0, bound], with the ends always present. */
function limits(n: number, bound: number, rng: Rng): Float32Array {
  const l = Float32Array.from({ length: n }, () => Math.floor(rng.uniform() * (bound + 1)));
  if (n > 1) { l[0] = 0; l[n - 1] = bound; }
  return l;
}

const sameBits = (got: Float32Array, want: Float32Array): void => {
  expect(got.length).toBe(want.length);
  const bad: number[] = [];
  for (let i = 0; i < want.length; i++) if (!(got[i] === want[i])) bad.push(i); // ±0 compare equal
  expect(bad).toEqual([]);
};

describe('masked gemms (MADE zero structure): the dense result without the work on the zeros', () => {
  const rng = createRng(20261201);
  const backends = wasmKernelsAvailable ? ([['js', ref], ['wasm', simd]] as const) : ([['js', ref]] as const);
  for (const [name, impl] of backends) {
    for (const inArena of name === 'wasm' ? [true, false] : [false]) {
      const where = `${name}${name === 'wasm' ? (inArena ? ', in an arena' : ', staged') : ''}`;
      const make = (n: number): Float32Array => (inArena ? new KernelArena(KernelArena.floatsFor([n])).alloc(n) : new Float32Array(n));
      it(`gemmNN with kEnd and gemmNT with kStart equal the dense product bit for bit (${where})`, () => {
        for (const [M, K, N] of SHAPES) {
          for (const acc of [false, true]) {
            // NN: B (K×N) zero from row kEnd[j] in column j.
            const kEnd = limits(N, K, rng);
            const A = fill(make(M * K), rng), B = fill(make(K * N), rng);
            for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) if (k >= kEnd[j]) B[k * N + j] = 0;
            const C = fill(make(M * N), rng), want = C.slice();
            impl.gemmNNInto(want, A, B, M, K, N, acc);
            const lim = make(N); lim.set(kEnd);
            impl.gemmNNInto(C, A, B, M, K, N, acc, lim);
            sameBits(C, want);
            // NT: B (N×K) zero before column kStart[j] in row j.
            const kStart = limits(N, K, rng);
            const Bt = fill(make(N * K), rng);
            for (let j = 0; j < N; j++) for (let k = 0; k < kStart[j]; k++) Bt[j * K + k] = 0;
            const C2 = fill(make(M * N), rng), want2 = C2.slice();
            impl.gemmNTInto(want2, A, Bt, M, K, N, acc);
            const lim2 = make(N); lim2.set(kStart);
            impl.gemmNTInto(C2, A, Bt, M, K, N, acc, lim2);
            sameBits(C2, want2);
          }
        }
      });
      it(`gemmTN with jStart computes every needed entry exactly and zeroes (or keeps) the rest (${where})`, () => {
        for (const [M, K, N] of SHAPES) {
          for (const acc of [false, true]) {
            const jStart = limits(M, N, rng);
            const A = fill(make(K * M), rng), B = fill(make(K * N), rng);
            const C = fill(make(M * N), rng), before = C.slice(), want = C.slice();
            impl.gemmTNInto(want, A, B, M, K, N, acc);
            const lim = make(M); lim.set(jStart);
            impl.gemmTNInto(C, A, B, M, K, N, acc, lim);
            for (let i = 0; i < M; i++) {
              for (let j = 0; j < N; j++) {
                const at = i * N + j;
                if (j >= jStart[i]) expect(C[at]).toBe(want[at]);
                else expect([acc ? before[at] : 0, want[at]]).toContain(C[at]);
              }
            }
          }
        }
      });
    }
  }
});
