/**
 * Seeded, forkable pseudo-random numbers. Seeds are passed, never global: one root generator per
 * run, sub-streams derived by label so results do not depend on worker scheduling order.
 *
 * Generator: xoshiro128** (Blackman & Vigna), 32-bit state words; seeding and label hashing with
 * splitmix32 / FNV-1a so that `fork('a')` and `fork('b')` give decorrelated streams.
 */

/** FNV-1a 32-bit hash of a string (stable across platforms). */
export function hashLabel(label: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** A seeded random stream. Not thread-shared: each worker forks its own by label. */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  /** The seed words this stream was created from (for `fork`). */
  private readonly seedWord: number;
  private spareNormal: number | null = null;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) throw new RangeError(`Rng: seed must be a finite number, got ${seed}`);
    // Fold the full double into 32 bits so seeds like 2**40 + 1 and 1 differ.
    const lo = seed >>> 0;
    const hi = Math.floor(seed / 4294967296) >>> 0;
    this.seedWord = (lo ^ Math.imul(hi, 0x9e3779b1)) >>> 0;
    const st = { s: this.seedWord };
    this.s0 = splitmix32(st);
    this.s1 = splitmix32(st);
    this.s2 = splitmix32(st);
    this.s3 = splitmix32(st);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** An independent stream derived from this stream's seed and a label (not from its position). */
  fork(label: string): Rng {
    return new Rng((Math.imul(this.seedWord ^ 0x5bd1e995, 0x27d4eb2d) ^ hashLabel(label)) >>> 0);
  }

  /** Uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal deviate (polar Box–Muller, caches the second value). */
  normal(): number {
    if (this.spareNormal !== null) {
      const v = this.spareNormal;
      this.spareNormal = null;
      return v;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * f;
    return u * f;
  }

  /** Exponential deviate with rate `lambda`. */
  exponential(lambda = 1): number {
    return -Math.log(1 - this.uniform()) / lambda;
  }

  /** Poisson deviate with mean `mu` (inversion for small mu, normal-rejection-free PTRS for large). */
  poisson(mu: number): number {
    if (!(mu >= 0)) throw new RangeError(`Rng.poisson: mean must be >= 0, got ${mu}`);
    if (mu === 0) return 0;
    if (mu < 30) {
      const l = Math.exp(-mu);
      let k = 0;
      let p = this.uniform();
      while (p > l) {
        k++;
        p *= this.uniform();
      }
      return k;
    }
    // Hörmann (1993) PTRS transformed rejection.
    const slam = Math.sqrt(mu);
    const loglam = Math.log(mu);
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const invalpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.uniform() - 0.5;
      const v = this.uniform();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + mu + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -mu + k * loglam - logFactorial(k)) return k;
    }
  }

  /** In-place Fisher–Yates shuffle. */
  shuffleInPlace<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** A random permutation of 0..n-1. */
  permutation(n: number): Uint32Array {
    const idx = new Uint32Array(n);
    for (let i = 0; i < n; i++) idx[i] = i;
    return this.shuffleInPlace(idx);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

const LOG_FACT_CACHE: number[] = [0];
/** ln(k!) — exact sum for small k, Stirling series beyond. */
export function logFactorial(k: number): number {
  if (k < 256) {
    for (let i = LOG_FACT_CACHE.length; i <= k; i++) LOG_FACT_CACHE[i] = LOG_FACT_CACHE[i - 1] + Math.log(i);
    return LOG_FACT_CACHE[k];
  }
  const x = k + 1;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x ** 3);
}

/** Create the root generator of a run. */
export const createRng = (seed: number): Rng => new Rng(seed);
