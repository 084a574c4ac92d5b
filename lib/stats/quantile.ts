/**
 * Empirical quantiles of sorted samples, reproducing NumPy's `np.quantile` methods to the last bit
 * (numpy ≥ 1.22, checked against numpy 1.24 fixtures in test/stats-quantile.test.ts).
 *
 * Both methods use the virtual index h = (n − 1)·q, computed in double precision exactly as numpy does.
 */
import { ConfigError, InputError } from '../util/errors.js';

/**
 * Round half to even (IEEE `rint`), as `np.around` does: 0.5 → 0, 1.5 → 2, 2.5 → 2.
 * `x − floor(x)` is exact in binary floating point, so the tie test is exact.
 */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

function checkQ(fn: string, q: number): void {
  if (!(q >= 0 && q <= 1)) throw new ConfigError(`${fn}: quantile q must be in [0, 1], got ${q}`);
}

function checkSorted(fn: string, sorted: ArrayLike<number>, name: string): void {
  if (sorted.length === 0) throw new InputError(`${fn}: ${name} is empty; a quantile needs at least one value`);
}

/**
 * Index into an ascending array of length n of NumPy's `method="nearest"` quantile:
 * round-half-to-even of the virtual index (n − 1)·q (numpy: `np.around((n - 1) * q)`).
 * Note numpy's "nearest" is not "round half up": for n = 4, q = 0.5 the index is round(1.5) = 2.
 */
export function nearestRankIndex(n: number, q: number): number {
  checkQ('nearestRankIndex', q);
  if (!(Number.isInteger(n) && n > 0)) throw new ConfigError(`nearestRankIndex: n must be a positive integer, got ${n}`);
  return roundHalfEven((n - 1) * q);
}

/**
 * q-quantile of an ascending sample by NumPy's `method="nearest"`: an actual sample value.
 * @param sorted ascending, NaN-free (not checked here: sort with {@link sortedFinite}).
 */
export function quantileNearest(sorted: ArrayLike<number>, q: number, name = 'sorted'): number {
  checkSorted('quantileNearest', sorted, name);
  return sorted[nearestRankIndex(sorted.length, q)];
}

/**
 * q-quantile of an ascending sample by NumPy's default `method="linear"` (Hyndman & Fan type 7):
 * h = (n − 1)q, lerp between x[⌊h⌋] and x[⌊h⌋+1] with numpy's two-sided `_lerp`
 * (b − (b − a)(1 − t) when t ≥ 0.5), so results agree with numpy bit for bit.
 */
export function quantileLinear(sorted: ArrayLike<number>, q: number, name = 'sorted'): number {
  checkQ('quantileLinear', q);
  checkSorted('quantileLinear', sorted, name);
  const n = sorted.length;
  const h = (n - 1) * q;
  if (h >= n - 1) return sorted[n - 1];
  const lo = Math.floor(h);
  const t = h - lo;
  const a = sorted[lo];
  const b = sorted[lo + 1];
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/**
 * An ascending Float64Array copy of `values` (the input is not mutated).
 * NaN: an error naming `name`, or dropped when `skipNaN` is set (the count of dropped values is returned).
 * ±∞ are legal scores and sort to the ends.
 */
export function sortedFinite(
  values: ArrayLike<number>,
  name: string,
  { skipNaN = false }: { skipNaN?: boolean } = {},
): { sorted: Float64Array; nDropped: number } {
  const sorted = finiteCopy(values, name, { skipNaN });
  sorted.sort();
  return { sorted, nDropped: values.length - sorted.length };
}

/**
 * Values at the given ranks (0-based positions in ascending order) of `values`, which is reordered
 * in place (pass a copy). Multi-target quickselect with a three-way (<, =, >) partition, so inputs with
 * many tied scores (tree ensembles) stay linear; expected O(n log m) for m ranks, no full sort.
 * Pivots are medians of three positions drawn from a fixed-seed xorshift, so the running time does
 * not depend on the input order; the result never depends on the pivots.
 * @param values NaN-free (NaN breaks the ordering; filter first, e.g. with {@link finiteCopy}).
 */
export function selectRanks(values: Float64Array, ranks: readonly number[]): Float64Array {
  const n = values.length;
  ranks.forEach((r, i) => {
    if (!(Number.isInteger(r) && r >= 0 && r < n)) throw new ConfigError(`selectRanks: ranks[${i}] must be an integer in [0, ${n}), got ${r}`);
  });
  if (ranks.length === 0) return new Float64Array(0);
  let seed = 0x9e3779b9 | 0;
  const rand = (k: number): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % k;
  };
  // Floyd–Rivest-style prefilter for large inputs: bracket all targets between two values picked from
  // a random sample (±4σ of the sample quantile), copy the bracketed values in one streaming pass and
  // select inside that (for working points ε_B ≤ 0.1 it is ~10 % of the data). Falls back to the
  // full array if the bracket misses (probability ~1e-4 per call; only time is lost).
  const rMin = Math.min(...ranks);
  const rMax = Math.max(...ranks);
  if (n > 65536) {
    const s = 4096;
    const sample = new Float64Array(s);
    for (let i = 0; i < s; i++) sample[i] = values[rand(n)];
    sample.sort();
    const margin = (q: number): number => 4 * Math.sqrt(s * q * (1 - q)) + 2;
    const a = Math.floor((rMin / n) * s - margin(rMin / n));
    const b = Math.ceil((rMax / n) * s + margin(rMax / n));
    const pLo = a < 0 ? -Infinity : sample[a];
    const pHi = b >= s ? Infinity : sample[b];
    if (a >= 0 || b < s) {
      let below = 0;
      let m = 0;
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (v < pLo) below++;
        else if (v <= pHi) m++;
      }
      if (below <= rMin && below + m > rMax && m < n) {
        const buf = new Float64Array(m);
        let k = 0;
        for (let i = 0; i < n; i++) {
          const v = values[i];
          if (v >= pLo && v <= pHi) buf[k++] = v;
        }
        return selectRanks(buf, ranks.map((r) => r - below));
      }
    }
  }
  const targets = [...new Set(ranks)].sort((x, y) => x - y);
  // stack of (lo, hi, tLo, tHi): the sub-array [lo, hi) holds targets[tLo..tHi)
  const stack: number[] = [0, n, 0, targets.length];
  while (stack.length) {
    const tHi = stack.pop()!;
    const tLo = stack.pop()!;
    const hi = stack.pop()!;
    const lo = stack.pop()!;
    if (tLo >= tHi || hi - lo <= 1) continue;
    if (hi - lo <= 24) {
      for (let i = lo + 1; i < hi; i++) {
        const v = values[i];
        let j = i - 1;
        while (j >= lo && values[j] > v) values[j + 1] = values[j--];
        values[j + 1] = v;
      }
      continue;
    }
    const a = values[lo + rand(hi - lo)];
    const b = values[lo + rand(hi - lo)];
    const c = values[lo + rand(hi - lo)];
    const p = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    // Dijkstra three-way partition: [lo, lt) < p, [lt, i) = p, (gt, hi) > p
    let lt = lo;
    let i = lo;
    let gt = hi - 1;
    while (i <= gt) {
      const v = values[i];
      if (v < p) {
        values[i++] = values[lt];
        values[lt++] = v;
      } else if (v > p) {
        values[i] = values[gt];
        values[gt--] = v;
      } else i++;
    }
    // targets below lt recurse left, those ≥ gt + 1 recurse right, the rest sit in the = block
    let k = tLo;
    while (k < tHi && targets[k] < lt) k++;
    let k2 = k;
    while (k2 < tHi && targets[k2] <= gt) k2++;
    stack.push(lo, lt, tLo, k, gt + 1, hi, k2, tHi);
  }
  return Float64Array.from(ranks, (r) => values[r]);
}

/** A NaN-free Float64Array copy of `values`: NaN is an error naming `name[i]`, or dropped with skipNaN. */
export function finiteCopy(values: ArrayLike<number>, name: string, { skipNaN = false }: { skipNaN?: boolean } = {}): Float64Array {
  const out = new Float64Array(values.length);
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) {
      if (!skipNaN) throw new InputError(`${name}[${i}] is NaN; scores must be numbers (pass skipNaN: true to drop NaN scores)`);
      continue;
    }
    out[m++] = v;
  }
  return m === out.length ? out : out.slice(0, m);
}
