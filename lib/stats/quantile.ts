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
  const out = new Float64Array(values.length);
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) {
      if (!skipNaN) throw new InputError(`${name}[${i}] is NaN; scores must be numbers (pass skipNaN: true to drop NaN scores)`);
      continue;
    }
    out[m++] = v;
  }
  const sorted = m === out.length ? out : out.slice(0, m);
  sorted.sort();
  return { sorted, nDropped: values.length - m };
}
