import { describe, expect, it } from 'vitest';
import { ksStatistic, ksCritical } from '../helpers/ks.js';
import { createRng } from '../../lib/util/rng.js';
import { kolmogorovQ, ksTwoSample } from '../../lib/stats/ks.js';

describe('KS helper', () => {
  it('hand-computed cases', () => {
    expect(ksStatistic([1, 2, 3], [1, 2, 3])).toBe(0);
    expect(ksStatistic([1, 2], [3, 4])).toBe(1);
    // F_a steps at 1,2,3,4 by 1/4; F_b at 2.5 by 1: sup |F_a − F_b| = 1/2 at x ∈ [2, 2.5).
    expect(ksStatistic([1, 2, 3, 4], [2.5])).toBeCloseTo(0.5, 15);
    // Ties step together: {1,1,2} vs {1,2,2}: after 1: 2/3 vs 1/3.
    expect(ksStatistic([1, 1, 2], [1, 2, 2])).toBeCloseTo(1 / 3, 15);
  });

  it('two samples of one distribution stay below the 1 % critical value; shifted samples exceed it', () => {
    const r = createRng(12);
    const a = Array.from({ length: 20_000 }, () => r.normal());
    const b = Array.from({ length: 20_000 }, () => r.normal());
    const c = Array.from({ length: 20_000 }, () => r.normal() + 0.1);
    expect(ksStatistic(a, b)).toBeLessThan(ksCritical(2e4, 2e4, 0.01));
    // Shift 0.1σ: D → Φ(0.05) − Φ(−0.05) ≈ 0.0399.
    expect(Math.abs(ksStatistic(a, c) - 0.0399)).toBeLessThan(ksCritical(2e4, 2e4, 0.01));
  });
});

describe('lib/stats/ks: the Kolmogorov distribution and the two-sample test', () => {
  it('Q_KS at the textbook critical values: λ = 1.358 → 5 %, 1.628 → 1 %, 1.949 → 0.1 %', () => {
    expect(kolmogorovQ(1.3581)).toBeCloseTo(0.05, 4);
    expect(kolmogorovQ(1.6276)).toBeCloseTo(0.01, 4);
    expect(kolmogorovQ(1.9495)).toBeCloseTo(0.001, 5);
    expect(kolmogorovQ(0.1)).toBe(1);
  });

  it('D agrees with the independent helper; p at the helper\'s 1 % critical distance is 1 %', () => {
    const r = createRng(5);
    const a = Array.from({ length: 3000 }, () => r.normal()), b = Array.from({ length: 7000 }, () => r.normal() + 0.05);
    expect(ksTwoSample(a, b).d).toBe(ksStatistic(a, b));
    // Stephens' correction moves λ by (0.12 + 0.11/√n)/√n ≈ 0.6 % here.
    const atCritical = kolmogorovQ(Math.sqrt(2100) * ksCritical(3000, 7000, 0.01));
    expect(atCritical).toBeCloseTo(0.01, 6);
  });

  it('under H0 the p-values are uniform: 400 pairs of samples of one distribution', () => {
    const r = createRng(8);
    const p: number[] = [];
    for (let t = 0; t < 400; t++) {
      const a = Array.from({ length: 500 }, () => r.normal()), b = Array.from({ length: 800 }, () => r.normal());
      p.push(ksTwoSample(a, b).pValue);
    }
    const below = (x: number) => p.filter((v) => v < x).length / p.length;
    // Binomial errors on 400 toys: √(0.05·0.95/400) = 0.011, √(0.5·0.5/400) = 0.025; 3σ bands.
    expect(Math.abs(below(0.05) - 0.05)).toBeLessThan(0.033);
    expect(Math.abs(below(0.5) - 0.5)).toBeLessThan(0.075);
  });
});
