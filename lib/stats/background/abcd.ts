/**
 * ABCD method (seed 000): with two variables independent for the background, the signal region A
 * (both selections passed) is predicted from the three control regions:
 *   N_A = N_B · N_C / N_D,   (σ_A/N_A)² = σ_B²/N_B² + σ_C²/N_C² + σ_D²/N_D²
 * (first-order propagation; Poisson σ² = N for unweighted counts).
 * Regions (x1 passes ⇔ x1 > cut1, likewise x2):  A = pass/pass, B = pass/fail, C = fail/pass, D = fail/fail.
 */
import { ConfigError, ShapeError } from '../../util/errors.js';

export interface AbcdCounts {
  nB: number; nC: number; nD: number;
  /** Variances (Σw²); default Poisson (= counts). */
  varB?: number; varC?: number; varD?: number;
}

export interface AbcdEstimate {
  nA: number;
  sigma: number;
}

/** N_A = N_B N_C / N_D with first-order uncertainty. */
export function abcdEstimate(c: AbcdCounts): AbcdEstimate {
  for (const k of ['nB', 'nC', 'nD'] as const)
    if (!(c[k] >= 0) || !Number.isFinite(c[k])) throw new ConfigError(`abcd: ${k} must be a finite count ≥ 0, got ${c[k]}`);
  if (!(c.nD > 0)) throw new ConfigError('abcd: nD must be > 0 (the prediction divides by it)');
  const vB = c.varB ?? c.nB, vC = c.varC ?? c.nC, vD = c.varD ?? c.nD;
  const nA = (c.nB * c.nC) / c.nD;
  const rel2 = (c.nB > 0 ? vB / (c.nB * c.nB) : 0) + (c.nC > 0 ? vC / (c.nC * c.nC) : 0) + vD / (c.nD * c.nD);
  // with N_B or N_C = 0, use the absolute propagation of that term: ∂N_A/∂N_B = N_C/N_D
  let extra = 0;
  if (c.nB === 0) extra += ((c.nC / c.nD) ** 2) * vB;
  if (c.nC === 0) extra += ((c.nB / c.nD) ** 2) * vC;
  return { nA, sigma: Math.sqrt(nA * nA * rel2 + extra) };
}

export interface AbcdClosure {
  counts: { A: number; B: number; C: number; D: number };
  predicted: AbcdEstimate;
  observedA: number;
  /** (observed − predicted)/sqrt(σ_pred² + var_A). */
  pull: number;
  /** observed / predicted. */
  ratio: number;
  /** Pearson correlation of x1 and x2 (weighted) over all events. */
  correlation: number;
  /** Pearson correlation of the pass/fail indicators of the two selections. */
  indicatorCorrelation: number;
}

/**
 * Closure check on a sample where region A is observed too (a control sample or simulation): predict
 * A from B, C, D and compare; reports the x1–x2 correlation, whose non-zero value is what biases ABCD.
 */
export function abcdClosure(x1: ArrayLike<number>, x2: ArrayLike<number>, cuts: { cut1: number; cut2: number }, opts: { weights?: ArrayLike<number> } = {}): AbcdClosure {
  const n = x1.length;
  if (x2.length !== n) throw new ShapeError(`abcdClosure: x1 has ${n} entries, x2 has ${x2.length}`);
  const w = opts.weights;
  if (w && w.length !== n) throw new ShapeError(`abcdClosure: weights has ${w.length} entries for ${n} events`);
  const s = { A: 0, B: 0, C: 0, D: 0 }, v = { A: 0, B: 0, C: 0, D: 0 };
  let sw = 0, s1 = 0, s2 = 0, s11 = 0, s22 = 0, s12 = 0, i1 = 0, i2 = 0, i12 = 0;
  for (let i = 0; i < n; i++) {
    const wi = w ? w[i] : 1;
    const p1 = x1[i] > cuts.cut1, p2 = x2[i] > cuts.cut2;
    const r = p1 ? (p2 ? 'A' : 'B') : p2 ? 'C' : 'D';
    s[r] += wi; v[r] += wi * wi;
    sw += wi; s1 += wi * x1[i]; s2 += wi * x2[i]; s11 += wi * x1[i] * x1[i]; s22 += wi * x2[i] * x2[i]; s12 += wi * x1[i] * x2[i];
    const a = p1 ? 1 : 0, b = p2 ? 1 : 0;
    i1 += wi * a; i2 += wi * b; i12 += wi * a * b;
  }
  const corr = (sxy: number, sx: number, sy: number, sxx: number, syy: number): number => {
    const cxy = sxy / sw - (sx / sw) * (sy / sw);
    const vx = sxx / sw - (sx / sw) ** 2, vy = syy / sw - (sy / sw) ** 2;
    return vx > 0 && vy > 0 ? cxy / Math.sqrt(vx * vy) : NaN;
  };
  const predicted = abcdEstimate({ nB: s.B, nC: s.C, nD: s.D, varB: v.B, varC: v.C, varD: v.D });
  return {
    counts: s,
    predicted,
    observedA: s.A,
    pull: (s.A - predicted.nA) / Math.sqrt(predicted.sigma ** 2 + v.A),
    ratio: s.A / predicted.nA,
    correlation: corr(s12, s1, s2, s11, s22),
    indicatorCorrelation: corr(i12, i1, i2, i1, i2),
  };
}
