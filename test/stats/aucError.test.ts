import { describe, expect, it } from 'vitest';
import { areaUnderRoc, aucStandardError } from '../../lib/stats/index.js';
import { createRng } from '../../lib/util/rng.js';

describe('aucStandardError (Hanley–McNeil)', () => {
  it('at AUC = ½ equals the Mann–Whitney null spread √((n⁺ + n⁻ + 1)/(12 n⁺ n⁻))', () => {
    for (const [p, n] of [[100, 100], [300, 1200], [5, 7]]) expect(aucStandardError(0.5, p, n)).toBeCloseTo(Math.sqrt((p + n + 1) / (12 * p * n)), 12);
  });

  it('matches the spread of the AUC over toys, for identical and for shifted Gaussian scores', () => {
    const rng = createRng(1);
    for (const shift of [0, 1]) {
      const aucs: number[] = [];
      for (let t = 0; t < 400; t++) {
        const pos = Array.from({ length: 150 }, () => rng.normal() + shift), neg = Array.from({ length: 300 }, () => rng.normal());
        aucs.push(areaUnderRoc(pos, neg));
      }
      const mean = aucs.reduce((a, b) => a + b, 0) / aucs.length;
      const sd = Math.sqrt(aucs.reduce((a, b) => a + (b - mean) ** 2, 0) / (aucs.length - 1));
      // The toys' sd is known to ≈ 3.5 % (400 toys); Hanley–McNeil's approximation is within a few % for Gaussians.
      expect(aucStandardError(mean, 150, 300) / sd).toBeGreaterThan(0.88);
      expect(aucStandardError(mean, 150, 300) / sd).toBeLessThan(1.12);
    }
  });
});
