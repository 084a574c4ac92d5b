import { describe, expect, it } from 'vitest';
import { areaUnderRoc, maxSic, rocCurve, sicCurve, SIC_MIN_BACKGROUND_DEFAULT } from '../../lib/stats/roc.js';
import { normalCdf, normalSf } from '../../lib/util/special.js';
import { createRng } from '../../lib/util/rng.js';

/** Mann–Whitney by brute force: P(s > b) + ½ P(s = b), optionally weighted. */
const mannWhitney = (s: number[], b: number[], ws?: number[], wb?: number[]): number => {
  let num = 0;
  let den = 0;
  s.forEach((x, i) =>
    b.forEach((y, j) => {
      const w = (ws ? ws[i] : 1) * (wb ? wb[j] : 1);
      num += w * (x > y ? 1 : x === y ? 0.5 : 0);
      den += w;
    }),
  );
  return num / den;
};

describe('ROC and AUC', () => {
  it('curve points are the pass fractions (score ≥ t) at each distinct score', () => {
    const c = rocCurve([0.9, 0.8, 0.8, 0.1], [0.8, 0.3, 0.2, 0.1, 0.05]);
    expect(Array.from(c.thresholds)).toEqual([Infinity, 0.9, 0.8, 0.3, 0.2, 0.1, 0.05]);
    expect(Array.from(c.tpr)).toEqual([0, 0.25, 0.75, 0.75, 0.75, 1, 1]);
    expect(Array.from(c.fpr)).toEqual([0, 0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(Array.from(c.nBackgroundPass)).toEqual([0, 0, 1, 2, 3, 4, 5]);
  });

  it('AUC equals brute-force Mann–Whitney with ties, weighted or not', () => {
    const rng = createRng(8);
    const s = Array.from({ length: 300 }, () => Math.round(rng.normal() * 4 + 3) / 4);
    const b = Array.from({ length: 400 }, () => Math.round(rng.normal() * 4) / 4);
    const ws = s.map(() => rng.uniform() + 0.2);
    const wb = b.map(() => rng.uniform() + 0.2);
    expect(areaUnderRoc(s, b)).toBeCloseTo(mannWhitney(s, b), 13);
    expect(areaUnderRoc(rocCurve(s, b, { signalWeights: ws, backgroundWeights: wb }))).toBeCloseTo(mannWhitney(s, b, ws, wb), 12);
  });

  it('toy: two unit Gaussians Δμ apart have AUC = Φ(Δμ/√2)', () => {
    const rng = createRng(9);
    const n = 20000;
    const s = Float64Array.from({ length: n }, () => rng.normal() + 1);
    const b = Float64Array.from({ length: n }, () => rng.normal());
    // sd of the Mann–Whitney estimate ≈ sqrt(A(1−A)(1 + …)/n) < 0.005 here
    expect(Math.abs(areaUnderRoc(s, b) - normalCdf(1 / Math.SQRT2))).toBeLessThan(0.01);
  });

  it('validates inputs', () => {
    expect(() => rocCurve([], [1])).toThrow(/signalScores is empty/);
    expect(() => rocCurve([1], [NaN])).toThrow(/backgroundScores\[0\] is NaN/);
    expect(() => rocCurve([1], [1], { signalWeights: [1, 2] })).toThrow(/signalWeights has 2 entries/);
    expect(() => sicCurve(rocCurve([1], [1]), { minBackgroundEvents: 0 })).toThrow(/minBackgroundEvents/);
  });
});

describe('SIC', () => {
  it(`SIC = TPR/√FPR, only where ≥ ${SIC_MIN_BACKGROUND_DEFAULT} background events pass (default)`, () => {
    const rng = createRng(10);
    const s = Float64Array.from({ length: 5000 }, () => rng.normal() + 2);
    const b = Float64Array.from({ length: 100000 }, () => rng.normal());
    const c = rocCurve(s, b);
    const sic = sicCurve(c);
    expect(Math.min(...sic.nBackgroundPass)).toBeGreaterThanOrEqual(10);
    let worst = 0;
    sic.sic.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - sic.tpr[i] / Math.sqrt(sic.fpr[i])))));
    expect(worst).toBeLessThan(1e-13);
    const best = maxSic(c)!;
    // closed form for Gaussians: SIC(t) = Φ̄(t − 2)/sqrt(Φ̄(t)), maximised on a fine grid over the
    // range the floor allows (FPR ≥ 10/1e5; the unrestricted max sits at t ≈ 4, FPR ≈ 3e-5)
    let exact = 0;
    for (let t = -2; t < 6; t += 1e-3) if (normalSf(t) >= 10 / b.length) exact = Math.max(exact, normalSf(t - 2) / Math.sqrt(normalSf(t)));
    // the empirical max sits at the floor, where √FPR has a 16 % stat. error (10 events) and
    // maximising over noisy points biases up: allow 25 %
    expect(Math.abs(best.sic / exact - 1)).toBeLessThan(0.25);
    // a stricter floor can only lower (or keep) the max and raises the background count used
    const strict = maxSic(c, { minBackgroundEvents: 1000 })!;
    expect(strict.sic).toBeLessThanOrEqual(best.sic);
    expect(strict.nBackgroundPass).toBeGreaterThanOrEqual(1000);
    // with the floor at 1 event the max is driven by the last single background events
    expect(maxSic(c, { minBackgroundEvents: 1 })!.sic).toBeGreaterThanOrEqual(best.sic);
    expect(maxSic(rocCurve([1, 2], [0, 0.5]))).toBeNull();
  });
});
