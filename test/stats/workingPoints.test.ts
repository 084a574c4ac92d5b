import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { nearestRankIndex, quantileLinear, quantileNearest, roundHalfEven, selectRanks, sortedFinite } from '../../lib/stats/quantile.js';
import { foldWorkingPoints, logSpacedEpsilonB, workingPoints } from '../../lib/stats/workingPoints.js';
import { cutAndCount } from '../../lib/stats/cutAndCount.js';
import { effectiveCount, expectedBackground } from '../../lib/stats/expectedBackground.js';
import { zCowan, zSimple } from '../../lib/stats/significance.js';
import { normalSf } from '../../lib/util/special.js';
import { createRng } from '../../lib/util/rng.js';

const ref = JSON.parse(readFileSync(new URL('../fixtures/stats-reference.json', import.meta.url), 'utf8')) as {
  quantile: { x: number[]; q: number[]; nearest: number[]; linear: number[] }[];
  quantileTies: { n: number; q: number; nearest: number }[];
  logspace: number[];
};

/** Brute force: count of values ≥ t (with weights). */
const passSum = (s: ArrayLike<number>, t: number, w?: ArrayLike<number>): number => {
  let a = 0;
  for (let i = 0; i < s.length; i++) if (s[i] >= t) a += w ? w[i] : 1;
  return a;
};

describe('numpy quantiles', () => {
  it('nearest and linear agree bit for bit with numpy 1.24 fixtures', () => {
    for (const c of ref.quantile)
      c.q.forEach((q, j) => {
        expect(quantileNearest(c.x, q)).toBe(c.nearest[j]);
        expect(quantileLinear(c.x, q)).toBe(c.linear[j]);
      });
  });
  it('nearest rounds half to even on (n − 1)q, as np.around', () => {
    for (const t of ref.quantileTies) expect(nearestRankIndex(t.n, t.q)).toBe(t.nearest);
    expect([0.5, 1.5, 2.5, 3.5, -0.5, -1.5, 2.5000000000000004].map(roundHalfEven)).toEqual([0, 2, 2, 4, 0, -2, 3]);
  });
  it('NaN is an error naming the argument, or dropped on request', () => {
    expect(() => sortedFinite([1, NaN, 2], 'templateScores')).toThrow(/templateScores\[1\] is NaN/);
    expect(Array.from(sortedFinite([3, NaN, 1], 'x', { skipNaN: true }).sorted)).toEqual([1, 3]);
    expect(() => quantileNearest([], 0.5, 'templateScores')).toThrow(/templateScores is empty/);
    expect(() => quantileNearest([1], 1.5)).toThrow(/\[0, 1\]/);
  });
});

describe('working points', () => {
  const rng = createRng(11);
  const template = Float64Array.from({ length: 5003 }, () => rng.normal());
  const data = Float64Array.from({ length: 2001 }, () => rng.normal() + 0.1);
  const weights = Float64Array.from({ length: template.length }, () => 0.5 + rng.uniform());
  const eps = [1e-1, 1e-2, 3e-3, 1e-3, 2e-4];

  it('thresholds are numpy-nearest (1 − ε_B) quantiles; counts match brute force; many ε_B in one pass', () => {
    const wp = foldWorkingPoints({ templateScores: template, dataScores: data }, eps);
    const sorted = Float64Array.from(template).sort();
    eps.forEach((e, j) => {
      expect(wp.thresholds[j]).toBe(sorted[Math.round((template.length - 1) * (1 - e))]); // no ties here: Math.round ok
      expect(wp.nTemplatePass[j]).toBe(passSum(template, wp.thresholds[j]));
      expect(wp.nObs[j]).toBe(passSum(data, wp.thresholds[j]));
    });
    expect(wp.nTemplate).toBe(5003);
    expect(wp.nSR).toBe(2001);
    // ε_eff close to ε_B: nearest rank of n = 5003 lands within one event
    eps.forEach((e, j) => expect(Math.abs(wp.nTemplatePass[j] - e * 5003)).toBeLessThanOrEqual(1));
    // order of epsilonB does not matter
    const rev = foldWorkingPoints({ templateScores: template, dataScores: data }, [...eps].reverse());
    expect(Array.from(rev.nObs).reverse()).toEqual(Array.from(wp.nObs));
  });

  it('ties: score ≥ threshold passes, so ε_eff ≥ ε_B on discrete scores', () => {
    const t = Float64Array.from({ length: 1000 }, (_, i) => Math.floor(i / 100)); // ten values, 100 each
    const wp = foldWorkingPoints({ templateScores: t, dataScores: [9, 8.5, 9, 0] }, [0.05]);
    expect(wp.thresholds[0]).toBe(9);
    expect(wp.nTemplatePass[0]).toBe(100);
    expect(wp.nObs[0]).toBe(2);
  });

  it('weighted templates: weighted pass sums and Kish effective count', () => {
    const wp = workingPoints({ templateScores: template, templateWeights: weights, dataScores: data }, eps);
    eps.forEach((e, j) => {
      const t = wp.perFold[0].thresholds[j];
      const mask = Array.from(template, (s) => s >= t);
      expect(wp.nTemplatePass[j]).toBeCloseTo(passSum(template, t, weights), 9);
      expect(wp.nTemplatePassEff[j]).toBeCloseTo(effectiveCount(weights, mask), 9);
      expect(wp.epsilonEff[j]).toBeCloseTo(passSum(template, t, weights) / weights.reduce((a, b) => a + b, 0), 12);
    });
    // unit weights reproduce the unweighted counts exactly
    const ones = new Float64Array(template.length).fill(1);
    const a = workingPoints({ templateScores: template, templateWeights: ones, dataScores: data }, eps);
    const b = workingPoints({ templateScores: template, dataScores: data }, eps);
    expect(Array.from(a.nTemplatePassEff)).toEqual(Array.from(b.nTemplatePass));
  });

  it('folds: per-fold thresholds from each fold’s template, counts summed', () => {
    const tf = Int32Array.from(template, (_, i) => i % 5);
    const df = Int32Array.from(data, (_, i) => (i * 7) % 5);
    const wp = workingPoints({ templateScores: template, dataScores: data }, eps, { folds: { template: tf, data: df } });
    expect(wp.foldIds).toEqual([0, 1, 2, 3, 4]);
    eps.forEach((e, j) => {
      let pass = 0;
      let obs = 0;
      for (let k = 0; k < 5; k++) {
        const tk = template.filter((_, i) => tf[i] === k);
        const dk = data.filter((_, i) => df[i] === k);
        const thr = quantileNearest(Float64Array.from(tk).sort(), 1 - e);
        expect(wp.perFold[k].thresholds[j]).toBe(thr);
        pass += passSum(tk, thr);
        obs += passSum(dk, thr);
      }
      expect(wp.nTemplatePass[j]).toBe(pass);
      expect(wp.nObs[j]).toBe(obs);
      expect(wp.epsilonEff[j]).toBe(pass / template.length);
    });
    expect(wp.nSR).toBe(data.length);
  });

  it('validates inputs with messages naming the argument', () => {
    const ok = { templateScores: template, dataScores: data };
    expect(() => workingPoints(ok, [0])).toThrow(/epsilonB\[0\] must be in \(0, 1\)/);
    expect(() => workingPoints(ok, [0.1, 1])).toThrow(/epsilonB\[1\]/);
    expect(() => workingPoints(ok, [NaN])).toThrow(/epsilonB\[0\]/);
    expect(() => workingPoints(ok, [])).toThrow(/epsilonB/);
    expect(() => workingPoints({ templateScores: [], dataScores: data }, [0.1])).toThrow(/templateScores is empty/);
    expect(() => workingPoints({ templateScores: [1, NaN], dataScores: data }, [0.1])).toThrow(/templateScores\[1\] is NaN/);
    expect(() => workingPoints({ templateScores: template, dataScores: [0, NaN] }, [0.1])).toThrow(/dataScores\[1\] is NaN/);
    expect(() => workingPoints({ templateScores: [1, 2], templateWeights: [1], dataScores: data }, [0.1])).toThrow(/templateWeights has 1 entries, templateScores has 2/);
    expect(() => workingPoints({ templateScores: [1, 2], templateWeights: [1, -1], dataScores: data }, [0.1])).toThrow(/templateWeights\[1\]/);
    expect(() => workingPoints(ok, [0.1], { folds: { template: new Int32Array(template.length), data: new Int32Array(data.length).fill(3) } })).toThrow(/folds.data\[0\] = 3/);
    expect(() => workingPoints(ok, [0.1], { folds: { template: [0], data: [] } })).toThrow(/folds.template has 1 entries/);
    // skipNaN drops NaN scores from both samples
    const wp = workingPoints({ templateScores: [1, NaN, 2, 3], dataScores: [NaN, 3, 0] }, [0.4], { skipNaN: true });
    expect(wp.nTemplate).toBe(3);
    expect(wp.nSR).toBe(2);
    expect(wp.nObs[0]).toBe(1);
  });

  it('log-spaced ε_B grid equals np.logspace(-4, -1, 20) within 2 ulp', () => {
    const g = logSpacedEpsilonB();
    expect(g).toHaveLength(20);
    g.forEach((v, i) => expect(Math.abs(v - ref.logspace[i])).toBeLessThanOrEqual(4.5e-16 * ref.logspace[i]));
  });
});

describe('expected background', () => {
  it('N_exp, σ_exp, σ_b as docs/physics.md#expected-background', () => {
    const r = expectedBackground({ epsilonEff: 0.01, nSR: 12520, nTemplatePassEff: 41, deltaSys: 0 });
    expect(r.nExp).toBeCloseTo(125.2, 12);
    expect(r.sigmaExp).toBe(Math.sqrt(1 / 41));
    expect(r.sigmaB).toBeCloseTo(125.2 / Math.sqrt(41), 12);
    const s = expectedBackground({ epsilonEff: 0.01, nSR: 1000, nTemplatePassEff: 100, deltaSys: 0.14 });
    expect(s.nExp).toBeCloseTo(11.4, 12);
    expect(s.sigmaExp).toBeCloseTo(Math.sqrt(0.01 + 0.14 ** 2), 15);
    const t = expectedBackground({ epsilonEff: 0.01, nSR: 1000, nTemplatePassEff: 100, deltaSys: 0.14, sigmaSys: 0.3 });
    expect(t.sigmaExp).toBeCloseTo(Math.sqrt(0.01 + 0.09), 15);
    expect(expectedBackground({ epsilonEff: 0, nSR: 10, nTemplatePassEff: 0, deltaSys: 0 })).toEqual({ nExp: 0, sigmaExp: Infinity, sigmaB: 0 });
    expect(() => expectedBackground({ epsilonEff: 1.2, nSR: 10, nTemplatePassEff: 3, deltaSys: 0 })).toThrow(/epsilonEff/);
    expect(() => expectedBackground({ epsilonEff: 0.1, nSR: -1, nTemplatePassEff: 3, deltaSys: 0 })).toThrow(/nSR/);
  });
  it('effective count: (Σw)²/Σw²', () => {
    expect(effectiveCount([1, 1, 1, 1])).toBe(4);
    expect(effectiveCount([2, 0, 0])).toBe(1);
    expect(effectiveCount([1, 3], [true, true])).toBeCloseTo(16 / 10, 15);
    expect(effectiveCount([0, 0])).toBe(0);
  });
});

describe('cutAndCount', () => {
  it('returns every number per ε_B, consistent with the step functions', () => {
    const rng = createRng(5);
    const templateScores = Float64Array.from({ length: 20000 }, () => rng.uniform());
    const dataScores = Float64Array.from({ length: 5000 }, () => rng.uniform());
    const rows = cutAndCount({ templateScores, dataScores }, { epsilonB: [0.01, 0.001], deltaSys: [0.1, 0.2] });
    expect(rows).toHaveLength(2);
    for (const r of rows) {
      expect(r.threshold).toBe(r.foldThresholds[0]);
      expect(r.epsilonEff).toBe(r.nTemplatePass / 20000);
      expect(r.nExp).toBeCloseTo(r.epsilonEff * 5000 * (1 + r.deltaSys), 12);
      expect(r.sigmaSys).toBe(r.deltaSys);
      expect(r.sigmaExp).toBeCloseTo(Math.sqrt(1 / r.nTemplatePass + r.deltaSys ** 2), 15);
      expect(r.zCowan).toBe(zCowan(r.nObs, r.nExp, r.sigmaExp));
      expect(r.zSimple).toBe(zSimple(r.nObs, r.nExp, r.sigmaExp));
      expect(r.zCowanOneSided).toBe(Math.max(0, r.zCowan));
    }
    expect(() => cutAndCount({ templateScores, dataScores }, { epsilonB: [0.01, 0.001], deltaSys: [0.1] })).toThrow(/deltaSys has 1 entries, epsilonB has 2/);
    const folded = cutAndCount(
      { templateScores, dataScores, folds: { template: Int8Array.from(templateScores, (_, i) => i % 5), data: Int8Array.from(dataScores, (_, i) => i % 5) } },
      { epsilonB: [0.01], deltaSys: 0 },
    );
    expect(folded[0].threshold).toBeNull();
    expect(folded[0].foldThresholds).toHaveLength(5);
  });

  /**
   * End-to-end null toy in the anchor's setting: template and SR data from the same distribution
   * (4× template, as CATHODE), threshold at ε_B from the template, σ_exp² = 1/N_template,pass.
   * The threshold's own fluctuation is what σ_exp covers, so Z_Cowan should be ≈ N(0,1):
   * P(Z > 1) and P(Z > 2) within 4 binomial sd + 10 % asymptotic allowance (b = 100, N_template,pass ≈ 400 here).
   */
  it('background-only toys: Z_Cowan tail rates match the normal tail', () => {
    const rng = createRng(909);
    const nToys = 1000;
    let k1 = 0;
    let k2 = 0;
    const templateScores = new Float64Array(8000);
    const dataScores = new Float64Array(2000);
    for (let i = 0; i < nToys; i++) {
      for (let j = 0; j < templateScores.length; j++) templateScores[j] = rng.uniform();
      for (let j = 0; j < dataScores.length; j++) dataScores[j] = rng.uniform();
      const [r] = cutAndCount({ templateScores, dataScores }, { epsilonB: [0.05], deltaSys: 0 });
      if (r.zCowan > 1) k1++;
      if (r.zCowan > 2) k2++;
    }
    for (const [k, z] of [[k1, 1], [k2, 2]]) {
      const p = normalSf(z);
      expect(Math.abs(k / nToys - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / nToys) + 0.1 * p);
    }
  });
});

describe('selectRanks (multi-target quickselect)', () => {
  it('returns exactly the sorted array’s values at the ranks, with and without heavy ties', () => {
    const rng = createRng(12);
    for (const [n, levels] of [[1, 0], [7, 0], [25, 0], [1000, 0], [100_003, 0], [5000, 3], [50_000, 40], [30, 2]]) {
      const x = Float64Array.from({ length: n }, () => (levels ? Math.floor(rng.uniform() * levels) : rng.normal()));
      const sorted = Float64Array.from(x).sort();
      const ranks = [0, n - 1, Math.floor(n / 2), Math.floor(n * 0.99), Math.floor(n * 0.999), Math.floor(n / 3), n - 1];
      const got = selectRanks(Float64Array.from(x), ranks);
      ranks.forEach((r, i) => expect(got[i]).toBe(sorted[r]));
    }
    // adversarial orders: sorted, reversed, all equal
    for (const x of [Float64Array.from({ length: 20000 }, (_, i) => i), Float64Array.from({ length: 20000 }, (_, i) => -i), new Float64Array(20000).fill(3)]) {
      const sorted = Float64Array.from(x).sort();
      expect(Array.from(selectRanks(Float64Array.from(x), [0, 9999, 19980, 19999]))).toEqual([sorted[0], sorted[9999], sorted[19980], sorted[19999]]);
    }
    expect(() => selectRanks(new Float64Array(3), [3])).toThrow(/ranks\[0\]/);
  });
  it('large inputs with targets in one tail take the sampled prefilter and still agree with a full sort', () => {
    const rng = createRng(13);
    for (const levels of [0, 7, 1000]) {
      const n = 200_000;
      const x = Float64Array.from({ length: n }, () => (levels ? Math.floor(rng.uniform() * levels) : rng.normal()));
      const sorted = Float64Array.from(x).sort();
      for (const ranks of [[180_000, 198_000, 199_980, 199_999], [5, 100, 2000], [100_000]]) {
        const got = selectRanks(Float64Array.from(x), ranks);
        ranks.forEach((r, i) => expect(got[i]).toBe(sorted[r]));
      }
    }
  });
});

describe('anchor sample sizes: N_template,pass is fixed by the nearest rank', () => {
  it('40,000 template scores at ε_B = 1e-3 give 41 passing pooled (N_exp = 125.18 for N_SR = 122,124), 5 × 9 = 45 with five folds', () => {
    const rng = createRng(21);
    const templateScores = Float64Array.from({ length: 40000 }, () => rng.uniform());
    const dataScores = Float64Array.from({ length: 122124 }, () => rng.uniform());
    const [pooled] = cutAndCount({ templateScores, dataScores }, { epsilonB: [1e-3], deltaSys: 0 });
    expect(pooled.nTemplatePass).toBe(41); // index round(39999 · 0.999) = 39959 → 40000 − 39959
    expect(pooled.nExp).toBeCloseTo((41 / 40000) * 122124, 10);
    const folds = { template: Uint8Array.from(templateScores, (_, i) => i % 5), data: Uint8Array.from(dataScores, (_, i) => i % 5) };
    const [folded] = cutAndCount({ templateScores, dataScores, folds }, { epsilonB: [1e-3], deltaSys: 0 });
    expect(folded.nTemplatePass).toBe(45); // per fold: 8000 − round(7999 · 0.999) = 9
  });
});
