import { describe, expect, it } from 'vitest';
import {
  chi2Sf, erf, erfc, gammaP, gammaQ, lnGamma, normalCdf, normalIsf, normalQuantile, normalSf,
  poissonLowerTail, poissonUpperTail, oneSidedSignificance, pValueFromSignificance,
} from '../../lib/util/special.js';

// Reference values: closed forms, or scipy.special / scipy.stats (double precision) as stated.
describe('special functions', () => {
  it('lnGamma matches factorials and Γ(1/2) = √π', () => {
    for (let n = 1; n < 30; n++) {
      let f = 1;
      for (let k = 2; k < n; k++) f *= k;
      expect(lnGamma(n)).toBeCloseTo(Math.log(f), 11);
    }
    expect(lnGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 14);
  });

  it('incomplete gamma against closed forms for integer a', () => {
    // P(n, x) = 1 − e^{−x} Σ_{k<n} x^k/k!
    for (const [a, x] of [[1, 0.3], [3, 2], [5, 9], [10, 4], [20, 25]] as const) {
      let s = 0, t = 1;
      for (let k = 0; k < a; k++) { s += t; t *= x / (k + 1); }
      const q = Math.exp(-x) * s;
      expect(gammaQ(a, x)).toBeCloseTo(q, 14);
      expect(gammaP(a, x)).toBeCloseTo(1 - q, 14);
    }
  });

  it('erf/erfc and the normal distribution at known points', () => {
    expect(erf(0.5)).toBeCloseTo(0.5204998778130465, 15);
    expect(erfc(0.5)).toBeCloseTo(0.4795001221869535, 15);
    expect(erfc(-1)).toBeCloseTo(1.8427007929497148, 14);
    expect(normalCdf(1)).toBeCloseTo(0.8413447460685429, 15);
    expect(normalCdf(-1.96)).toBeCloseTo(0.024997895148220435, 15);
    // scipy.stats.norm.sf(5) = 2.866515718791939e-07, sf(10) = 7.619853024160525e-24
    expect(normalSf(5) / 2.866515718791939e-7).toBeCloseTo(1, 12);
    expect(normalSf(10) / 7.619853024160525e-24).toBeCloseTo(1, 11);
  });

  it('normal quantile inverts the cdf, also deep in the tail', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 13);
    expect(normalIsf(0.5)).toBe(0);
    // Upper tail through the survival function, lower tail through the cdf: each keeps relative precision.
    for (const z of [0.7, 3, 5, 8, 20, 35]) expect(normalIsf(normalSf(z))).toBeCloseTo(z, 9);
    for (const z of [-35, -8, -2.5, -0.3]) expect(normalQuantile(normalCdf(z))).toBeCloseTo(z, 9);
    expect(normalIsf(0)).toBe(Infinity);
    expect(() => normalIsf(1.5)).toThrow(/\[0, 1\]/);
  });

  it('Poisson tails sum to one and match direct sums', () => {
    for (const [n, mu] of [[0, 3], [1, 0.2], [5, 3], [12, 10], [130, 100]] as const) {
      let below = 0, t = Math.exp(-mu);
      for (let k = 0; k < n; k++) { below += t; t *= mu / (k + 1); }
      expect(poissonUpperTail(n, mu)).toBeCloseTo(1 - below, 12);
      expect(poissonLowerTail(n - 1, mu) + poissonUpperTail(n, mu)).toBeCloseTo(1, 13);
    }
    expect(poissonUpperTail(3, 0)).toBe(0);
  });

  it('χ² survival: 1 dof at 3.841458820694124 is 5 %; 2 dof is exp(−x/2)', () => {
    expect(chi2Sf(3.841458820694124, 1)).toBeCloseTo(0.05, 14);
    for (const x of [0.5, 3, 17]) expect(chi2Sf(x, 2)).toBeCloseTo(Math.exp(-x / 2), 14);
  });
});

describe('one-sided significance of a p-value', () => {
  it('is Φ̄⁻¹(p) for an excess, 0 for p ≥ 0.5 (no excess, including p = 1) and +∞ for p = 0', () => {
    expect(oneSidedSignificance(pValueFromSignificance(5))).toBeCloseTo(5, 10);
    expect(oneSidedSignificance(0.15865525393145707)).toBeCloseTo(1, 10); // Φ̄(1)
    expect(oneSidedSignificance(0.5)).toBe(0);
    expect(oneSidedSignificance(0.9)).toBe(0);
    expect(oneSidedSignificance(1)).toBe(0);
    expect(oneSidedSignificance(0)).toBe(Infinity);
  });
});
