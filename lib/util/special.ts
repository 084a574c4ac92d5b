/**
 * Special functions for the statistics layer: log-gamma, regularized incomplete gamma, the normal
 * distribution (cdf, survival, quantile) and the Poisson and χ² tails built on them.
 *
 * Algorithms: Lanczos log-gamma (g = 7, n = 9; ~1e-15 relative); incomplete gamma by its power series
 * for x < a + 1 and by the Legendre continued fraction (modified Lentz) otherwise (Numerical Recipes
 * §6.2); erfc(x) = Q(1/2, x²); the normal quantile by Newton iteration on ln Φ̄, which keeps full
 * relative precision deep in the tails (p down to 1e-300).
 */

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];
const LN_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** ln Γ(x) for x > 0 (reflection formula below 0.5). */
export function lnGamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (z + i);
  return LN_SQRT_2PI + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

const EPS = 1e-16;
const TINY = 1e-300;
const MAX_ITER = 10_000;

/** Series for P(a, x), valid and fast for x < a + 1. */
function gammaPSeries(a: number, x: number, lnPrefactor: number): number {
  let ap = a;
  let del = 1 / a;
  let sum = del;
  for (let n = 0; n < MAX_ITER; n++) {
    ap += 1;
    del *= x / ap;
    sum += del;
    if (Math.abs(del) < Math.abs(sum) * EPS) break;
  }
  return sum * Math.exp(lnPrefactor);
}

/** Continued fraction for Q(a, x), valid for x ≥ a + 1. */
function gammaQContinuedFraction(a: number, x: number, lnPrefactor: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITER; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return Math.exp(lnPrefactor) * h;
}

function checkGammaArgs(fn: string, a: number, x: number): void {
  if (!(a > 0)) throw new RangeError(`${fn}: shape a must be > 0, got ${a}`);
  if (!(x >= 0)) throw new RangeError(`${fn}: x must be >= 0, got ${x}`);
}

/** Regularized lower incomplete gamma P(a, x) = γ(a, x)/Γ(a). */
export function gammaP(a: number, x: number): number {
  checkGammaArgs('gammaP', a, x);
  if (x === 0) return 0;
  if (x === Infinity) return 1;
  const lnPre = a * Math.log(x) - x - lnGamma(a);
  return x < a + 1 ? gammaPSeries(a, x, lnPre) : 1 - gammaQContinuedFraction(a, x, lnPre);
}

/** Regularized upper incomplete gamma Q(a, x) = 1 − P(a, x), accurate in the upper tail. */
export function gammaQ(a: number, x: number): number {
  checkGammaArgs('gammaQ', a, x);
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  const lnPre = a * Math.log(x) - x - lnGamma(a);
  return x < a + 1 ? 1 - gammaPSeries(a, x, lnPre) : gammaQContinuedFraction(a, x, lnPre);
}

/** Complementary error function. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  return gammaQ(0.5, x * x);
}

/** Error function. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return -erf(-x);
  return gammaP(0.5, x * x);
}

/** Standard normal density φ(z). */
export const normalPdf = (z: number): number => Math.exp(-0.5 * z * z - LN_SQRT_2PI);

/** log φ(z), finite where φ(z) underflows. */
export const normalLogPdf = (z: number): number => -0.5 * z * z - LN_SQRT_2PI;

/** Standard normal cdf Φ(z). */
export function normalCdf(z: number): number {
  return z < 0 ? 0.5 * erfc(-z / Math.SQRT2) : 1 - 0.5 * erfc(z / Math.SQRT2);
}

/** Standard normal survival function Φ̄(z) = 1 − Φ(z), accurate for large z (one-sided p-value of Z). */
export function normalSf(z: number): number {
  return z > 0 ? 0.5 * erfc(z / Math.SQRT2) : 1 - 0.5 * erfc(-z / Math.SQRT2);
}

/**
 * Inverse survival function: the z with Φ̄(z) = p (the significance Z of a one-sided p-value).
 * Newton on ln Φ̄ keeps relative precision for tiny p; p = 0 → +∞, p = 1 → −∞.
 */
export function normalIsf(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`normalIsf: p must be in [0, 1], got ${p}`);
  if (p === 0) return Infinity;
  if (p === 1) return -Infinity;
  if (p > 0.5) return -normalIsf(1 - p);
  if (p === 0.5) return 0;
  // Start from the leading tail asymptotics, then Newton on f(z) = ln Φ̄(z) − ln p, f' = −φ/Φ̄.
  const t = Math.sqrt(-2 * Math.log(p));
  let z = t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t ** 3);
  const lnp = Math.log(p);
  for (let i = 0; i < 50; i++) {
    const sf = normalSf(z);
    const step = (Math.log(sf) - lnp) * (sf / normalPdf(z));
    z += step;
    if (Math.abs(step) < 1e-15 * Math.max(1, Math.abs(z))) break;
  }
  return z;
}

/** Standard normal quantile Φ⁻¹(p). */
export const normalQuantile = (p: number): number => -normalIsf(p);

/** One-sided p-value → significance Z = Φ̄⁻¹(p). */
export const significanceFromPValue = (p: number): number => normalIsf(p);

/**
 * Significance of an excess in the one-sided convention: Φ̄⁻¹(p) floored at 0 — a p ≥ 0.5 (no excess,
 * e.g. every window a deficit) gives 0 rather than a negative or −∞ Z; p = 0 gives +∞.
 */
export const oneSidedSignificance = (p: number): number => {
  const z = normalIsf(p);
  return z > 0 ? z : 0;
};

/** Significance Z → one-sided p-value Φ̄(Z). */
export const pValueFromSignificance = (z: number): number => normalSf(z);

/**
 * Poisson upper tail P(N ≥ n | μ) = P(n, μ) (regularized lower gamma) for n ≥ 1; 1 for n ≤ 0.
 * The exact excess p-value used by BumpHunter-style scans.
 */
export function poissonUpperTail(n: number, mu: number): number {
  if (!(mu >= 0)) throw new RangeError(`poissonUpperTail: mean must be >= 0, got ${mu}`);
  if (n <= 0) return 1;
  if (mu === 0) return 0;
  return gammaP(n, mu);
}

/** Poisson lower tail P(N ≤ n | μ) = Q(n + 1, μ); 0 for n < 0. */
export function poissonLowerTail(n: number, mu: number): number {
  if (!(mu >= 0)) throw new RangeError(`poissonLowerTail: mean must be >= 0, got ${mu}`);
  if (n < 0) return 0;
  if (mu === 0) return 1;
  return gammaQ(n + 1, mu);
}

/** χ² survival function P(χ²_k ≥ x) = Q(k/2, x/2). */
export function chi2Sf(x: number, k: number): number {
  if (!(k > 0)) throw new RangeError(`chi2Sf: degrees of freedom must be > 0, got ${k}`);
  if (x <= 0) return 1;
  return gammaQ(k / 2, x / 2);
}
