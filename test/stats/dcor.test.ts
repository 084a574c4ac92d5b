import { describe, expect, it } from 'vitest';
import { createRng } from '../../lib/util/rng.js';
import { distanceCorrelation, distanceCorrelationExact, distanceCorrelationTest } from '../../lib/stats/dcor.js';

const normals = (n: number, seed: number): Float64Array => {
  const rng = createRng(seed), v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = rng.normal();
  return v;
};
const rows = (v: ArrayLike<number>): number[][] => Array.from(v, (t) => [t]);

/** Székely, Rizzo & Bakirov (2007), Theorem 7: dCor² of a bivariate normal with correlation ρ. */
const gaussianDcor2 = (r: number): number =>
  (r * Math.asin(r) + Math.sqrt(1 - r * r) - r * Math.asin(r / 2) - Math.sqrt(4 - r * r) + 1) / (1 + Math.PI / 3 - Math.sqrt(3));

describe('distance correlation', () => {
  it.each([
    ['gaussian pair', 60, 1],
    ['rounded values with many ties', 80, 2],
    ['tiny sample', 5, 3],
  ])('fast O(n log n) equals the O(n²) definition: %s', (_name, n, seed) => {
    const rng = createRng(seed);
    const x = new Float64Array(n), y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = rng.normal();
      y[i] = x[i] ** 2 + 0.5 * rng.normal();
      if (seed === 2) { x[i] = Math.round(x[i]); y[i] = Math.round(y[i]); }
    }
    for (const unbiased of [false, true]) {
      const fast = distanceCorrelation(x, y, { unbiased }), slow = distanceCorrelationExact(rows(x), rows(y), { unbiased });
      expect(fast.dCov2).toBeCloseTo(slow.dCov2, 10);
      expect(fast.dVar2X).toBeCloseTo(slow.dVar2X, 10);
      expect(fast.dCor2).toBeCloseTo(slow.dCor2, 10);
    }
  });

  it('is 1 for a linear relation, either sign, both estimators', () => {
    const x = normals(1000, 4);
    for (const a of [3, -0.2]) {
      const y = x.map((t) => a * t + 7);
      expect(distanceCorrelation(x, y).dCor).toBeCloseTo(1, 10);
      expect(distanceCorrelation(x, y, { unbiased: true }).dCor).toBeCloseTo(1, 10);
    }
  });

  it('vanishes for independent variables within its O(1/n) bias / O(1/n) spread', () => {
    const n = 20000, x = normals(n, 5), y = normals(n, 6);
    // The U-statistic dCor² has mean 0 and standard deviation O(1/n) under independence.
    expect(Math.abs(distanceCorrelation(x, y, { unbiased: true }).dCor2)).toBeLessThan(10 / n);
    expect(distanceCorrelation(x, y).dCor).toBeLessThan(0.05);
  });

  it.each([0.3, 0.7, 0.95])('matches the bivariate-normal closed form at ρ = %s', (rho) => {
    const n = 100000, x = normals(n, 7), z = normals(n, 8);
    const y = x.map((t, i) => rho * t + Math.sqrt(1 - rho * rho) * z[i]);
    const r = distanceCorrelation(x, y, { unbiased: true });
    // Statistical spread of dCor² at n = 1e5 is a few 1e-3.
    expect(r.dCor2).toBeCloseTo(gaussianDcor2(rho), 2);
  });

  it('sees dependence that Pearson correlation misses (y = x² + noise)', () => {
    const n = 2000, x = normals(n, 9), e = normals(n, 10);
    const y = x.map((t, i) => t * t + 0.3 * e[i]);
    const t = distanceCorrelationTest(x, y, 99, createRng(11));
    expect(t.pValue).toBe(1 / 100);
    expect(t.dCor).toBeGreaterThan(0.3);
  });

  it('permutation test: fast statistic equals a recomputation on the permuted y; p-values not small under independence', () => {
    const n = 300, x = normals(n, 12), y = normals(n, 13);
    const perms = 40;
    const t = distanceCorrelationTest(x, y, perms, createRng(14));
    const rng = createRng(14);
    let atLeast = 0;
    for (let p = 0; p < perms; p++) {
      const perm = rng.permutation(n);
      const yp = Float64Array.from(perm, (j) => y[j]);
      if (distanceCorrelation(x, yp).dCov2 >= t.dCov2 * (1 - 1e-12)) atLeast++;
    }
    expect(t.pValue).toBeCloseTo((1 + atLeast) / (1 + perms), 12);
    expect(t.pValue).toBeGreaterThan(0.01);
  });

  it('rejects bad input with the reason', () => {
    expect(() => distanceCorrelation([1, 2, 3], [1, 2])).toThrow(/x has 3 entries, y has 2/);
    expect(() => distanceCorrelation([1, NaN, 3], [1, 2, 3])).toThrow(/x\[1\] is NaN/);
    expect(() => distanceCorrelation([1, 2, 3], [1, 2, 3], { unbiased: true })).toThrow(/at least 4/);
    expect(() => distanceCorrelationTest([1, 2, 3], [1, 2, 3], 0, createRng(1))).toThrow(/positive integer/);
    expect(distanceCorrelation([1, 1, 1], [1, 2, 3]).dCor).toBe(0);
  });
});
