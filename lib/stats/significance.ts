/**
 * Cut-and-count significances of an observed count n against an expected background b with a
 * *relative* background uncertainty σ (σ_b = b·σ), as in docs/physics.md#significance and the anchor analysis
 * (Das et al., arXiv:2411.00085, eqs. for "simple" and "Cowan" significance).
 *
 * Signed values are positive for excesses and negative for deficits; the `…OneSided` variants clip
 * deficits to 0 (the discovery convention). No function returns NaN for valid input: the limits
 * σ → 0, n = 0, b → 0 and n → b are handled by exact rearrangements and series (see {@link zCowan}).
 */
import { ConfigError } from '../util/errors.js';

function checkCounts(fn: string, nObs: number, nExp: number, sigmaRel: number): void {
  if (!(nObs >= 0) || !Number.isFinite(nObs)) throw new ConfigError(`${fn}: nObs must be a finite count >= 0, got ${nObs}`);
  if (!(nExp >= 0) || !Number.isFinite(nExp)) throw new ConfigError(`${fn}: nExp must be a finite expectation >= 0, got ${nExp}`);
  if (!(sigmaRel >= 0)) throw new ConfigError(`${fn}: relative background uncertainty sigmaRel must be >= 0, got ${sigmaRel}`);
}

/**
 * "Simple" significance with a relative background uncertainty σ:
 *   Z = (n − b) / sqrt(b²(1/b + σ²)) = (n − b) / sqrt(b + b²σ²).
 * Source: docs/physics.md#significance; arXiv:2411.00085 (simple significance with σ_exp).
 * Limits: b = 0 gives +∞ for n > 0 and 0 for n = 0; σ = ∞ gives 0.
 * @param nObs observed count n ≥ 0 (may be a weighted sum).
 * @param nExp expected background b ≥ 0.
 * @param sigmaRel relative uncertainty of b (σ_exp), ≥ 0.
 */
export function zSimple(nObs: number, nExp: number, sigmaRel = 0): number {
  checkCounts('zSimple', nObs, nExp, sigmaRel);
  const excess = nObs - nExp;
  if (nExp === 0) return excess > 0 ? Infinity : 0;
  if (sigmaRel === Infinity) return 0;
  return excess / Math.sqrt(nExp + nExp * nExp * sigmaRel * sigmaRel);
}

/** ln(1 + x)/x with its limit 1 at x = 0. */
function log1pOverX(x: number): number {
  return Math.abs(x) < 1e-8 ? 1 - x / 2 + (x * x) / 3 : Math.log1p(x) / x;
}

/**
 * g(u, c) = φ(u) − φ(cu)/c  (c ∈ [0, 1), ε = 1 − c passed separately to keep its precision).
 * Three exact forms, each free of cancellation in its domain:
 *  - |u| < 0.25: Σ_{k≥2} (−u)^k (1 − c^{k−1})/(k(k−1)), with 1 − c^{k−1} = ε Σ_{j<k−1} c^j;
 *  - u = −1 (n = 0): −(ε/c) ln ε (→ 1 as c → 0);
 *  - otherwise: (1 + u) ln(1 + εu/(1 + cu)) − ε u ln(1 + cu)/(cu), whose terms are both O(ε),
 *    so the result keeps full relative precision also when bσ² ≫ 1 (c → 1).
 */
function gCowan(u: number, c: number, eps: number): number {
  if (Math.abs(u) < 0.25) {
    let uk = u * u; // u^k
    let geo = 1; // Σ_{j<k−1} c^j
    let cPow = 1; // c^{k−2}
    let sum = 0;
    for (let k = 2; k < 80; k++) {
      const add = (uk * eps * geo) / (k * (k - 1));
      sum += k % 2 === 0 ? add : -add;
      if (Math.abs(add) <= 1e-17 * Math.abs(sum)) break;
      uk *= u;
      cPow *= c;
      geo += cPow;
    }
    return sum;
  }
  if (u === -1) return c === 0 ? 1 : (-eps / c) * Math.log(eps);
  return (1 + u) * Math.log1p((eps * u) / (1 + c * u)) - eps * u * log1pOverX(c * u);
}

/**
 * Cowan asymptotic significance with a relative background uncertainty σ (docs/physics.md#significance):
 *   Z² = 2( n ln[n(1/b + σ²)/(1 + nσ²)] − (1/σ²) ln[(1 + nσ²)/(1 + bσ²)] ),
 * signed by n − b. Sources: for σ = 0 it is Z = sqrt(2(n ln(n/b) − (n − b))), the Poisson likelihood-ratio
 * significance of Cowan, Cranmer, Gross, Vitells, arXiv:1007.1727 (eq. 97, there written for n = s + b);
 * with σ it is the same form with the background constrained by an auxiliary count m = τb, τ = 1/(bσ²)
 * (Cowan's Z_A with σ_b, "Discovery sensitivity for a counting experiment with background
 * uncertainty", 2012; the profile-likelihood Z of the on/off problem in Cousins, Linnemann, Tucker,
 * physics/0702156). For the anchor's σ_exp² = 1/N_template,pass (δsys = 0) this is exact: the template
 * count *is* the auxiliary measurement, τ = N_template/N_SR. Its σ_b form is {@link zCowanAbsolute}.
 *
 * Numerics: with u = (n − b)/b, c = bσ²/(1 + bσ²) and φ(x) = (1 + x) ln(1 + x) − x, the expression is
 * exactly Z² = 2b[φ(u) − φ(cu)/c], evaluated without cancellation (series for |u| < 0.25, an O(ε)
 * rearrangement otherwise, ε = 1 − c = 1/(1 + bσ²)). Hence Z → (n − b)/sqrt(b + b²σ²) as n → b,
 * Z → sqrt(2(n ln(n/b) − (n − b))) as σ → 0, Z(n = 0) = −sqrt(2 ln(1 + bσ²)/σ²), Z = +∞ for b = 0 < n,
 * Z = 0 for n = b and for σ = ∞. Never NaN.
 * @param nObs observed count n ≥ 0 (a weighted sum is accepted: the formula is continuous in n).
 * @param nExp expected background b ≥ 0.
 * @param sigmaRel relative uncertainty of b (σ_exp), ≥ 0.
 */
export function zCowan(nObs: number, nExp: number, sigmaRel = 0): number {
  checkCounts('zCowan', nObs, nExp, sigmaRel);
  if (nExp === 0) return nObs > 0 ? Infinity : 0;
  if (nObs === nExp || sigmaRel === Infinity) return 0;
  const bt = nExp * sigmaRel * sigmaRel;
  const c = bt / (1 + bt);
  const eps = 1 / (1 + bt);
  const u = (nObs - nExp) / nExp;
  if (u === Infinity) return Infinity; // b so small against n that n/b overflows: Z² ≥ 2n ln(n/b) overflows too
  // u·b = n − b exactly only up to rounding; u = −1 must be exact for the n = 0 branch.
  const g = gCowan(nObs === 0 ? -1 : u, c, eps);
  const z = Math.sqrt(2 * nExp * Math.max(0, g));
  return nObs > nExp ? z : -z;
}

/**
 * Cowan significance with an *absolute* background uncertainty σ_b (Cowan's Z_A with σ_b;
 * Cousins, Linnemann, Tucker physics/0702156):
 *   Z² = 2[ n ln( n(b + σ_b²)/(b² + nσ_b²) ) − (b²/σ_b²) ln( 1 + σ_b²(n − b)/(b(b + σ_b²)) ) ],
 * identical to {@link zCowan}(n, b, σ_b/b); evaluated through it for the same stability.
 */
export function zCowanAbsolute(nObs: number, nExp: number, sigmaB: number): number {
  if (!(sigmaB >= 0)) throw new ConfigError(`zCowanAbsolute: absolute background uncertainty sigmaB must be >= 0, got ${sigmaB}`);
  if (nExp === 0) return zCowan(nObs, 0, 0);
  return zCowan(nObs, nExp, sigmaB / nExp);
}

/** {@link zSimple} with deficits reported as 0 (one-sided discovery convention). */
export const zSimpleOneSided = (nObs: number, nExp: number, sigmaRel = 0): number =>
  Math.max(0, zSimple(nObs, nExp, sigmaRel));

/** {@link zCowan} with deficits reported as 0 (one-sided discovery convention). */
export const zCowanOneSided = (nObs: number, nExp: number, sigmaRel = 0): number =>
  Math.max(0, zCowan(nObs, nExp, sigmaRel));

/** All four significances of one count, as stored in results. */
export interface Significances {
  readonly zSimple: number;
  readonly zSimpleOneSided: number;
  readonly zCowan: number;
  readonly zCowanOneSided: number;
}

/** The simple and Cowan significances, signed and one-sided, of n against b with relative σ. */
export function significances(nObs: number, nExp: number, sigmaRel = 0): Significances {
  const s = zSimple(nObs, nExp, sigmaRel);
  const c = zCowan(nObs, nExp, sigmaRel);
  return { zSimple: s, zSimpleOneSided: Math.max(0, s), zCowan: c, zCowanOneSided: Math.max(0, c) };
}
