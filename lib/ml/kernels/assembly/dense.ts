// Dense kernels in AssemblyScript, compiled to WebAssembly with 128-bit SIMD (f32x4).
// Same semantics as ../dense.ts (the plain-TypeScript reference), but every matrix is addressed
// by its byte offset in this module's linear memory. Row-major Float32; no allocation.
// Register blocking: 4 rows × 8 columns (8 accumulators) in the gemms that vectorise over columns.

// @ts-nocheck — AssemblyScript, not TypeScript (excluded from tsc).

@inline function off(base: usize, idx: i32): usize {
  return base + ((<usize>idx) << 2);
}

/** C = A·B (+ C if acc ≠ 0). A: M×K, B: K×N, C: M×N. */
export function gemmNN(c: usize, a: usize, b: usize, M: i32, K: i32, N: i32, acc: i32): void {
  gemmRowsCols(c, a, b, M, K, N, acc, K, 1, 0, 0);
}

/** C = Aᵀ·B (+ C). A: K×M, B: K×N, C: M×N. */
export function gemmTN(c: usize, a: usize, b: usize, M: i32, K: i32, N: i32, acc: i32): void {
  gemmRowsCols(c, a, b, M, K, N, acc, 1, M, 0, 0);
}

/**
 * gemmNN for a B whose column j is zero below row kEnd[j] (MADE masks): the same C, bit for bit,
 * without the work on those zeros. kEnd: N float32 integers.
 */
export function gemmNNMasked(c: usize, a: usize, b: usize, M: i32, K: i32, N: i32, acc: i32, kEnd: usize): void {
  gemmRowsCols(c, a, b, M, K, N, acc, K, 1, kEnd, 0);
}

/**
 * gemmTN computing only C[i, j] for j ≥ jStart[i] (the rest, masked weights' gradients, is set to
 * 0, or left as is with acc; a few just below jStart may be computed). jStart: M float32 integers.
 */
export function gemmTNMasked(c: usize, a: usize, b: usize, M: i32, K: i32, N: i32, acc: i32, jStart: usize): void {
  gemmRowsCols(c, a, b, M, K, N, acc, 1, M, 0, jStart);
}

@inline function limitAt(p: usize, idx: i32): i32 {
  return <i32>load<f32>(off(p, idx));
}

// Largest kEnd over columns [j, j + w), capped at K (K when there is no kEnd).
@inline function kLimit(kEnd: usize, j: i32, w: i32, K: i32): i32 {
  if (kEnd == 0) return K;
  let m = 0;
  for (let t = 0; t < w; t++) { const v = limitAt(kEnd, j + t); if (v > m) m = v; }
  return m < K ? m : K;
}

// First column to compute for rows [i, i + h): the smallest jStart, capped at N, rounded down to `align`.
@inline function jFirst(jStart: usize, i: i32, h: i32, align: i32, N: i32): i32 {
  if (jStart == 0) return 0;
  let m = N;
  for (let t = 0; t < h; t++) { const v = limitAt(jStart, i + t); if (v < m) m = v; }
  return m & ~(align - 1);
}

// Shared body of NN and TN: element A(i, k) sits at a + 4·(i·sI + k·sK). kEnd / jStart: optional
// (0 = none) per-column row limits of B and per-row first columns of C, as described above.
@inline function gemmRowsCols(c: usize, a: usize, b: usize, M: i32, K: i32, N: i32, acc: i32, sI: i32, sK: i32, kEnd: usize, jStart: usize): void {
  const zero = f32x4.splat(0);
  const N8 = N & ~7;
  const N4 = N & ~3;
  let i = 0;
  for (; i + 4 <= M; i += 4) {
    const c0 = off(c, i * N);
    const c1 = c0 + (<usize>N << 2);
    const c2 = c1 + (<usize>N << 2);
    const c3 = c2 + (<usize>N << 2);
    const a0 = off(a, i * sI);
    const a1 = off(a, (i + 1) * sI);
    const a2 = off(a, (i + 2) * sI);
    const a3 = off(a, (i + 3) * sI);
    const kStep = <usize>sK << 2;
    let j = jFirst(jStart, i, 4, 8, N);
    if (j > 0 && !acc) {
      memory.fill(c0, 0, <usize>j << 2); memory.fill(c1, 0, <usize>j << 2);
      memory.fill(c2, 0, <usize>j << 2); memory.fill(c3, 0, <usize>j << 2);
    }
    for (; j < N8; j += 8) {
      const jo = <usize>j << 2;
      let x00 = zero, x01 = zero, x10 = zero, x11 = zero, x20 = zero, x21 = zero, x30 = zero, x31 = zero;
      if (acc) {
        x00 = v128.load(c0 + jo); x01 = v128.load(c0 + jo, 16);
        x10 = v128.load(c1 + jo); x11 = v128.load(c1 + jo, 16);
        x20 = v128.load(c2 + jo); x21 = v128.load(c2 + jo, 16);
        x30 = v128.load(c3 + jo); x31 = v128.load(c3 + jo, 16);
      }
      let bp = b + jo;
      const bStep = <usize>N << 2;
      let ak: usize = 0;
      const kL = kLimit(kEnd, j, 8, K);
      for (let k = 0; k < kL; k++) {
        const b0 = v128.load(bp);
        const b1 = v128.load(bp, 16);
        const s0 = f32x4.splat(load<f32>(a0 + ak));
        const s1 = f32x4.splat(load<f32>(a1 + ak));
        const s2 = f32x4.splat(load<f32>(a2 + ak));
        const s3 = f32x4.splat(load<f32>(a3 + ak));
        x00 = f32x4.add(x00, f32x4.mul(s0, b0)); x01 = f32x4.add(x01, f32x4.mul(s0, b1));
        x10 = f32x4.add(x10, f32x4.mul(s1, b0)); x11 = f32x4.add(x11, f32x4.mul(s1, b1));
        x20 = f32x4.add(x20, f32x4.mul(s2, b0)); x21 = f32x4.add(x21, f32x4.mul(s2, b1));
        x30 = f32x4.add(x30, f32x4.mul(s3, b0)); x31 = f32x4.add(x31, f32x4.mul(s3, b1));
        bp += bStep;
        ak += kStep;
      }
      v128.store(c0 + jo, x00); v128.store(c0 + jo, x01, 16);
      v128.store(c1 + jo, x10); v128.store(c1 + jo, x11, 16);
      v128.store(c2 + jo, x20); v128.store(c2 + jo, x21, 16);
      v128.store(c3 + jo, x30); v128.store(c3 + jo, x31, 16);
    }
    for (; j < N4; j += 4) {
      const jo = <usize>j << 2;
      let x0 = zero, x1 = zero, x2 = zero, x3 = zero;
      if (acc) { x0 = v128.load(c0 + jo); x1 = v128.load(c1 + jo); x2 = v128.load(c2 + jo); x3 = v128.load(c3 + jo); }
      let bp = b + jo;
      let ak: usize = 0;
      const kL = kLimit(kEnd, j, 4, K);
      for (let k = 0; k < kL; k++) {
        const b0 = v128.load(bp);
        x0 = f32x4.add(x0, f32x4.mul(f32x4.splat(load<f32>(a0 + ak)), b0));
        x1 = f32x4.add(x1, f32x4.mul(f32x4.splat(load<f32>(a1 + ak)), b0));
        x2 = f32x4.add(x2, f32x4.mul(f32x4.splat(load<f32>(a2 + ak)), b0));
        x3 = f32x4.add(x3, f32x4.mul(f32x4.splat(load<f32>(a3 + ak)), b0));
        bp += <usize>N << 2;
        ak += kStep;
      }
      v128.store(c0 + jo, x0); v128.store(c1 + jo, x1); v128.store(c2 + jo, x2); v128.store(c3 + jo, x3);
    }
    for (; j < N; j++) {
      const jo = <usize>j << 2;
      let y0: f32 = acc ? load<f32>(c0 + jo) : 0;
      let y1: f32 = acc ? load<f32>(c1 + jo) : 0;
      let y2: f32 = acc ? load<f32>(c2 + jo) : 0;
      let y3: f32 = acc ? load<f32>(c3 + jo) : 0;
      let bp = b + jo;
      let ak: usize = 0;
      const kL = kLimit(kEnd, j, 1, K);
      for (let k = 0; k < kL; k++) {
        const bv = load<f32>(bp);
        y0 += load<f32>(a0 + ak) * bv;
        y1 += load<f32>(a1 + ak) * bv;
        y2 += load<f32>(a2 + ak) * bv;
        y3 += load<f32>(a3 + ak) * bv;
        bp += <usize>N << 2;
        ak += kStep;
      }
      store<f32>(c0 + jo, y0); store<f32>(c1 + jo, y1); store<f32>(c2 + jo, y2); store<f32>(c3 + jo, y3);
    }
  }
  // Remaining rows one at a time.
  for (; i < M; i++) {
    const c0 = off(c, i * N);
    const a0 = off(a, i * sI);
    const kStep = <usize>sK << 2;
    let j = jFirst(jStart, i, 1, 4, N);
    if (j > 0 && !acc) memory.fill(c0, 0, <usize>j << 2);
    for (; j < N4; j += 4) {
      const jo = <usize>j << 2;
      let x0 = acc ? v128.load(c0 + jo) : zero;
      let bp = b + jo;
      let ak: usize = 0;
      const kL = kLimit(kEnd, j, 4, K);
      for (let k = 0; k < kL; k++) {
        x0 = f32x4.add(x0, f32x4.mul(f32x4.splat(load<f32>(a0 + ak)), v128.load(bp)));
        bp += <usize>N << 2;
        ak += kStep;
      }
      v128.store(c0 + jo, x0);
    }
    for (; j < N; j++) {
      const jo = <usize>j << 2;
      let y0: f32 = acc ? load<f32>(c0 + jo) : 0;
      let bp = b + jo;
      let ak: usize = 0;
      const kL = kLimit(kEnd, j, 1, K);
      for (let k = 0; k < kL; k++) {
        y0 += load<f32>(a0 + ak) * load<f32>(bp);
        bp += <usize>N << 2;
        ak += kStep;
      }
      store<f32>(c0 + jo, y0);
    }
  }
}

@inline function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** C = A·Bᵀ (+ C). A: M×K, B: N×K, C: M×N. Vectorised along k (dot products), 2 × 4 blocks. */
export function gemmNT(c: usize, a: usize, b: usize, M: i32, K: i32, N: i32, acc: i32): void {
  gemmDots(c, a, b, M, K, N, acc, 0);
}

/**
 * gemmNT for a B whose row j is zero before column kStart[j] (MADE masks): the same C, bit for
 * bit — the skipped range is rounded down to whole SIMD lanes so every lane sums the same terms
 * in the same order. kStart: N float32 integers.
 */
export function gemmNTMasked(c: usize, a: usize, b: usize, M: i32, K: i32, N: i32, acc: i32, kStart: usize): void {
  gemmDots(c, a, b, M, K, N, acc, kStart);
}

// Smallest kStart over rows [j, j + w) of B, capped at K, rounded down to a multiple of 4 (0 when none).
@inline function kFirst(kStart: usize, j: i32, w: i32, K: i32): i32 {
  if (kStart == 0) return 0;
  let m = K;
  for (let t = 0; t < w; t++) { const v = limitAt(kStart, j + t); if (v < m) m = v; }
  return m & ~3;
}

@inline function gemmDots(c: usize, a: usize, b: usize, M: i32, K: i32, N: i32, acc: i32, kStart: usize): void {
  const zero = f32x4.splat(0);
  const K4 = K & ~3;
  const rowA = <usize>K << 2;
  let i = 0;
  for (; i + 2 <= M; i += 2) {
    const a0 = off(a, i * K);
    const a1 = a0 + rowA;
    const c0 = off(c, i * N);
    const c1 = c0 + (<usize>N << 2);
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const b0 = off(b, j * K);
      const b1 = b0 + rowA;
      const b2 = b1 + rowA;
      const b3 = b2 + rowA;
      let x00 = zero, x01 = zero, x02 = zero, x03 = zero, x10 = zero, x11 = zero, x12 = zero, x13 = zero;
      let k = kFirst(kStart, j, 4, K);
      for (; k < K4; k += 4) {
        const ko = <usize>k << 2;
        const u0 = v128.load(a0 + ko);
        const u1 = v128.load(a1 + ko);
        const w0 = v128.load(b0 + ko);
        const w1 = v128.load(b1 + ko);
        const w2 = v128.load(b2 + ko);
        const w3 = v128.load(b3 + ko);
        x00 = f32x4.add(x00, f32x4.mul(u0, w0)); x01 = f32x4.add(x01, f32x4.mul(u0, w1));
        x02 = f32x4.add(x02, f32x4.mul(u0, w2)); x03 = f32x4.add(x03, f32x4.mul(u0, w3));
        x10 = f32x4.add(x10, f32x4.mul(u1, w0)); x11 = f32x4.add(x11, f32x4.mul(u1, w1));
        x12 = f32x4.add(x12, f32x4.mul(u1, w2)); x13 = f32x4.add(x13, f32x4.mul(u1, w3));
      }
      let y00 = hsum(x00), y01 = hsum(x01), y02 = hsum(x02), y03 = hsum(x03);
      let y10 = hsum(x10), y11 = hsum(x11), y12 = hsum(x12), y13 = hsum(x13);
      for (; k < K; k++) {
        const ko = <usize>k << 2;
        const u0 = load<f32>(a0 + ko), u1 = load<f32>(a1 + ko);
        const w0 = load<f32>(b0 + ko), w1 = load<f32>(b1 + ko), w2 = load<f32>(b2 + ko), w3 = load<f32>(b3 + ko);
        y00 += u0 * w0; y01 += u0 * w1; y02 += u0 * w2; y03 += u0 * w3;
        y10 += u1 * w0; y11 += u1 * w1; y12 += u1 * w2; y13 += u1 * w3;
      }
      const jo = <usize>j << 2;
      if (acc) {
        y00 += load<f32>(c0 + jo); y01 += load<f32>(c0 + jo, 4); y02 += load<f32>(c0 + jo, 8); y03 += load<f32>(c0 + jo, 12);
        y10 += load<f32>(c1 + jo); y11 += load<f32>(c1 + jo, 4); y12 += load<f32>(c1 + jo, 8); y13 += load<f32>(c1 + jo, 12);
      }
      store<f32>(c0 + jo, y00); store<f32>(c0 + jo, y01, 4); store<f32>(c0 + jo, y02, 8); store<f32>(c0 + jo, y03, 12);
      store<f32>(c1 + jo, y10); store<f32>(c1 + jo, y11, 4); store<f32>(c1 + jo, y12, 8); store<f32>(c1 + jo, y13, 12);
    }
    for (; j < N; j++) {
      const b0 = off(b, j * K);
      const jo = <usize>j << 2;
      const k0 = kFirst(kStart, j, 1, K);
      store<f32>(c0 + jo, dot(a0, b0, K, k0) + (acc ? load<f32>(c0 + jo) : 0));
      store<f32>(c1 + jo, dot(a1, b0, K, k0) + (acc ? load<f32>(c1 + jo) : 0));
    }
  }
  for (; i < M; i++) {
    const a0 = off(a, i * K);
    const c0 = off(c, i * N);
    for (let j = 0; j < N; j++) {
      const jo = <usize>j << 2;
      store<f32>(c0 + jo, dot(a0, off(b, j * K), K, kFirst(kStart, j, 1, K)) + (acc ? load<f32>(c0 + jo) : 0));
    }
  }
}

// Σ_k x[k]·y[k] from k0 (a multiple of 4: lanes keep their terms).
@inline function dot(x: usize, y: usize, K: i32, k0: i32): f32 {
  const K4 = K & ~3;
  let v = f32x4.splat(0);
  let k = k0;
  for (; k < K4; k += 4) {
    const ko = <usize>k << 2;
    v = f32x4.add(v, f32x4.mul(v128.load(x + ko), v128.load(y + ko)));
  }
  let s = hsum(v);
  for (; k < K; k++) {
    const ko = <usize>k << 2;
    s += load<f32>(x + ko) * load<f32>(y + ko);
  }
  return s;
}

/** In place: X[i, j] = act(X[i, j] + bias[j]); act = ReLU if relu ≠ 0 else identity. X: M×N. */
export function biasActivation(x: usize, bias: usize, M: i32, N: i32, relu: i32): void {
  const zero = f32x4.splat(0);
  const N4 = N & ~3;
  for (let i = 0; i < M; i++) {
    const r = off(x, i * N);
    let j = 0;
    for (; j < N4; j += 4) {
      const jo = <usize>j << 2;
      let v = f32x4.add(v128.load(r + jo), v128.load(bias + jo));
      if (relu) v = f32x4.max(v, zero);
      v128.store(r + jo, v);
    }
    for (; j < N; j++) {
      const jo = <usize>j << 2;
      let s = load<f32>(r + jo) + load<f32>(bias + jo);
      if (relu && s < 0) s = 0;
      store<f32>(r + jo, s);
    }
  }
}

/** G[i, j] = 0 where Y[i, j] ≤ 0; biasGrad[j] = Σ_i G[i, j]. G, Y: M×N. */
export function reluBackwardBiasGrad(biasGrad: usize, g: usize, y: usize, M: i32, N: i32): void {
  const zero = f32x4.splat(0);
  const N4 = N & ~3;
  const row = <usize>N << 2;
  let j = 0;
  for (; j < N4; j += 4) {
    const jo = <usize>j << 2;
    let s = zero;
    let gp = g + jo, yp = y + jo;
    for (let i = 0; i < M; i++) {
      const gv = v128.and(v128.load(gp), f32x4.gt(v128.load(yp), zero));
      v128.store(gp, gv);
      s = f32x4.add(s, gv);
      gp += row; yp += row;
    }
    v128.store(biasGrad + jo, s);
  }
  for (; j < N; j++) {
    const jo = <usize>j << 2;
    let s: f32 = 0;
    let gp = g + jo, yp = y + jo;
    for (let i = 0; i < M; i++) {
      let gv = load<f32>(gp);
      if (load<f32>(yp) <= 0) { gv = 0; store<f32>(gp, gv); }
      s += gv;
      gp += row; yp += row;
    }
    store<f32>(biasGrad + jo, s);
  }
}

/** biasGrad[j] = Σ_i G[i, j]. */
export function biasGrad(biasGrad: usize, g: usize, M: i32, N: i32): void {
  const N4 = N & ~3;
  const row = <usize>N << 2;
  let j = 0;
  for (; j < N4; j += 4) {
    const jo = <usize>j << 2;
    let s = f32x4.splat(0);
    let gp = g + jo;
    for (let i = 0; i < M; i++) { s = f32x4.add(s, v128.load(gp)); gp += row; }
    v128.store(biasGrad + jo, s);
  }
  for (; j < N; j++) {
    const jo = <usize>j << 2;
    let s: f32 = 0;
    let gp = g + jo;
    for (let i = 0; i < M; i++) { s += load<f32>(gp); gp += row; }
    store<f32>(biasGrad + jo, s);
  }
}

/** One Adam(W) step over n parameters; bc1 = 1 − β1^t, bc2 = 1 − β2^t computed by the caller. */
export function adamStep(w: usize, g: usize, m: usize, v: usize, n: i32,
  lr: f32, beta1: f32, beta2: f32, eps: f32, weightDecay: f32, bc1: f32, bc2: f32): void {
  const vb1 = f32x4.splat(beta1), vb1c = f32x4.splat(1 - beta1);
  const vb2 = f32x4.splat(beta2), vb2c = f32x4.splat(1 - beta2);
  const vbc1 = f32x4.splat(bc1), vbc2 = f32x4.splat(bc2);
  const veps = f32x4.splat(eps), vlr = f32x4.splat(lr), vwd = f32x4.splat(weightDecay);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    const gi = v128.load(g + o);
    const mi = f32x4.add(f32x4.mul(vb1, v128.load(m + o)), f32x4.mul(vb1c, gi));
    const vi = f32x4.add(f32x4.mul(vb2, v128.load(v + o)), f32x4.mul(vb2c, f32x4.mul(gi, gi)));
    v128.store(m + o, mi);
    v128.store(v + o, vi);
    const mh = f32x4.div(mi, vbc1);
    const vh = f32x4.div(vi, vbc2);
    const wi = v128.load(w + o);
    const upd = f32x4.add(f32x4.div(mh, f32x4.add(f32x4.sqrt(vh), veps)), f32x4.mul(vwd, wi));
    v128.store(w + o, f32x4.sub(wi, f32x4.mul(vlr, upd)));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o);
    const mi = beta1 * load<f32>(m + o) + (1 - beta1) * gi;
    const vi = beta2 * load<f32>(v + o) + (1 - beta2) * gi * gi;
    store<f32>(m + o, mi);
    store<f32>(v + o, vi);
    const wi = load<f32>(w + o);
    store<f32>(w + o, wi - lr * ((mi / bc1) / (Mathf.sqrt(vi / bc2) + eps) + weightDecay * wi));
  }
}
