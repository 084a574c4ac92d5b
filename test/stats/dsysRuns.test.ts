import { describe, expect, it } from 'vitest';
import { combineDeltaSys, deltaOfWindow, deltaSysByEpsilonB, type ControlCount } from '../../lib/stats/dsys.js';
import { summarizeRuns } from '../../lib/stats/runs.js';
import { cutAndCount } from '../../lib/stats/cutAndCount.js';
import { createRng } from '../../lib/util/rng.js';

describe('summarizeRuns', () => {
  it('mean, std (ddof = 1), 16/50/84 % quantiles as numpy', () => {
    // numpy 1.24: mean 6.7, std(ddof=1) 0.9718253158075504, quantile([.16,.5,.84]) = 5.888, 6.75, 7.592
    const s = summarizeRuns([6.2, 7.9, 7.0, 5.1, 6.6, 8.3, 6.0, 7.2, 5.8, 6.9]);
    expect(s.n).toBe(10);
    expect(s.mean).toBeCloseTo(6.7, 14);
    expect(s.std).toBeCloseTo(0.9718253158075504, 14);
    expect(s.stdErr).toBeCloseTo(0.9718253158075504 / Math.sqrt(10), 14);
    expect(s.q16).toBeCloseTo(5.888, 13);
    expect(s.median).toBeCloseTo(6.75, 14);
    expect(s.q84).toBeCloseTo(7.592, 13);
    expect([s.min, s.max]).toEqual([5.1, 8.3]);
  });
  it('is accurate when the mean is large against the spread; one run has std 0', () => {
    // numpy: (1e9 + [.1,.2,.3,.4]).std(ddof=1) = 0.1290994140939514 (the inputs are rounded at 1e9)
    expect(summarizeRuns([1e9 + 0.1, 1e9 + 0.2, 1e9 + 0.3, 1e9 + 0.4]).std).toBeCloseTo(0.1290994140939514, 9);
    expect(summarizeRuns([3]).std).toBe(0);
  });
  it('toy: mean ± std of N(μ, σ) draws recover μ, σ within their standard errors', () => {
    const rng = createRng(3);
    const x = Float64Array.from({ length: 20000 }, () => 2 + 0.5 * rng.normal());
    const s = summarizeRuns(x);
    expect(Math.abs(s.mean - 2)).toBeLessThan(4 * (0.5 / Math.sqrt(20000)));
    expect(Math.abs(s.std - 0.5)).toBeLessThan(4 * (0.5 / Math.sqrt(2 * 20000)));
    // 16/84 % quantiles of a normal are μ ∓ σ (0.994 σ exactly: Φ⁻¹(0.84) = 0.9945)
    expect(Math.abs(s.q84 - (2 + 0.5 * 0.994457883209753))).toBeLessThan(0.02);
    expect(Math.abs(s.q16 - (2 - 0.5 * 0.994457883209753))).toBeLessThan(0.02);
  });
  it('rejects empty and non-finite input, naming it', () => {
    expect(() => summarizeRuns([], 'zCowan')).toThrow(/zCowan is empty/);
    expect(() => summarizeRuns([1, Infinity], 'zCowan')).toThrow(/zCowan\[1\] must be finite/);
  });
});

describe('δsys', () => {
  it('δ_n = (N_obs − ε_eff N_SR)/(ε_eff N_SR)', () => {
    expect(deltaOfWindow(114, 0.01, 10000)).toBeCloseTo(0.14, 14);
    expect(deltaOfWindow(86, 0.01, 10000)).toBeCloseTo(-0.14, 14);
    expect(() => deltaOfWindow(3, 0, 100)).toThrow(/epsilonEff/);
    expect(() => deltaOfWindow(-3, 0.1, 100)).toThrow(/nObs/);
    expect(() => deltaOfWindow(3, 0.1, 0)).toThrow(/nSR/);
  });

  it('per ε_B: mean and std over windows × runs', () => {
    const counts: ControlCount[] = [];
    const d1 = [0.1, 0.2, 0.15, 0.05];
    const d2 = [0.3, -0.1];
    d1.forEach((d, w) => counts.push({ epsilonB: 1e-2, nObs: 1000 * 0.01 * (1 + d), epsilonEff: 0.01, nSR: 1000, window: w, run: 0 }));
    d2.forEach((d, w) => counts.push({ epsilonB: 1e-3, nObs: 2e4 * 0.001 * (1 + d), epsilonEff: 0.001, nSR: 2e4, window: w, run: 1 }));
    const r = deltaSysByEpsilonB(counts);
    expect(r.map((e) => e.epsilonB)).toEqual([1e-2, 1e-3]);
    expect(r[0].deltaSys).toBeCloseTo(0.125, 14);
    expect(r[0].std).toBeCloseTo(Math.sqrt((0.025 ** 2 + 0.075 ** 2 + 0.025 ** 2 + 0.075 ** 2) / 3), 14);
    expect(r[0].n).toBe(4);
    expect(r[1].deltaSys).toBeCloseTo(0.1, 14);
    expect(() => deltaSysByEpsilonB([{ epsilonB: 0.01, nObs: 3, epsilonEff: 0, nSR: 5, window: '3.5 TeV', run: 2 }])).toThrow(/counts\[0\] \(window 3.5 TeV, run 2\).*epsilonEff/);
  });

  it('toy: a template with a known efficiency bias gives δsys = that bias within its standard error', () => {
    // Template scores ~ U(0,1); signal-free data scores ~ U(0,1)^(1/(1+κ))… simpler: data = template
    // distribution but 5 % of data events get their score pushed above every threshold-range value
    // with probability chosen so the true δ at ε_B = 0.01 is +0.2: P_data(pass) = 0.012 vs 0.01.
    const rng = createRng(17);
    const counts: ControlCount[] = [];
    for (let run = 0; run < 5; run++)
      for (let w = 0; w < 9; w++) {
        const templateScores = Float64Array.from({ length: 40000 }, () => rng.uniform());
        // data: pass probability 0.012 above the 0.99 quantile → δ = 0.2
        const dataScores = Float64Array.from({ length: 20000 }, () => (rng.uniform() < 0.012 ? 0.99 + 0.01 * rng.uniform() : 0.99 * rng.uniform()));
        const [row] = cutAndCount({ templateScores, dataScores }, { epsilonB: [0.01], deltaSys: 0 });
        counts.push({ ...row, window: w, run });
      }
    const [est] = deltaSysByEpsilonB(counts);
    expect(est.n).toBe(45);
    // each δ_n has sd ≈ sqrt(1/(N_SR·0.01·1.2)·1.2² + 1.2²/400)… use the measured spread: |mean − 0.2| < 4 stdErr
    expect(Math.abs(est.deltaSys - 0.2)).toBeLessThan(4 * est.stdErr);
    expect(est.stdErr).toBeLessThan(0.03);
  });

  it('combines sources in quadrature or by max', () => {
    expect(combineDeltaSys([0.07, 0.7])).toBeCloseTo(Math.sqrt(0.0049 + 0.49), 15);
    expect(combineDeltaSys([0.3, -0.4])).toBeCloseTo(0.5, 15);
    expect(combineDeltaSys([0.3, -0.4], { mode: 'max' })).toBe(0.4);
    expect(() => combineDeltaSys([])).toThrow(/sources is empty/);
    expect(() => combineDeltaSys([NaN])).toThrow(/sources\[0\]/);
    expect(() => combineDeltaSys([0.1], { mode: 'sum' as 'max' })).toThrow(/mode/);
  });
});
