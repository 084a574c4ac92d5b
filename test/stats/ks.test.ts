import { describe, expect, it } from 'vitest';
import { ksStatistic, ksCritical } from '../helpers/ks.js';
import { createRng } from '../../lib/util/rng.js';

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
