import { describe, expect, it } from 'vitest';
import { createRng } from '../../../lib/util/rng.js';
import { fitPreprocessing, preprocess, inversePreprocess } from '../../../lib/ml/flows/preprocess.js';
import { normalCdf } from '../../../lib/util/special.js';

describe('featureTransform "probit" in the flow preprocessing', () => {
  // Feature 0 uniform on [2, 5] (density finite at both bounds), feature 1 exponential (finite at its lower bound).
  const n = 40_000, r = createRng(11);
  const x = new Float64Array(n * 2), m = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    m[i] = 3 + r.uniform();
    x[2 * i] = 2 + 3 * r.uniform();
    x[2 * i + 1] = -Math.log(1 - r.uniform());
  }
  const X = { data: x, rows: n, cols: 2 };
  const p = fitPreprocessing(X, m, 'probit');
  const pre = preprocess(p, X, m);

  it('maps a feature uniform between its bounds onto N(0, 1), tails included (the logit gives it exponential tails)', () => {
    // Φ⁻¹ of a uniform is exactly standard normal: mean 0 and width 1 before standardisation.
    expect(Math.abs(p.logitMean[0])).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.abs(p.logitStd[0] - 1)).toBeLessThan(4 / Math.sqrt(2 * n));
    const u = Array.from({ length: pre.kept.length }, (_, i) => pre.y[2 * i] * p.logitStd[0] + p.logitMean[0]);
    for (const z of [-3, -2, -1, 0, 1, 2, 3]) {
      const q = normalCdf(z), below = u.filter((v) => v < z).length / u.length;
      expect(Math.abs(below - q)).toBeLessThan(4 * Math.sqrt((q * (1 - q)) / u.length) + 1e-4);
    }
    const logit = fitPreprocessing(X, m, 'logit');
    // The logistic distribution's width is π/√3: the logit stretches the bounds' neighbourhood.
    expect(Math.abs(logit.logitStd[0] - Math.PI / Math.sqrt(3))).toBeLessThan(0.03);
    expect(p.link).toBe('probit');
    expect(logit.link).toBeUndefined();
  });

  it('inverts exactly and its log-Jacobian is that of the map (central differences)', () => {
    expect(pre.dropped).toBeLessThanOrEqual(4);
    const back = inversePreprocess(p, Float64Array.from(pre.y), pre.kept.length);
    for (let i = 0; i < 500; i++)
      for (let j = 0; j < 2; j++) {
        const v = x[2 * pre.kept[i] + j];
        // y is float32: the round trip holds to its precision.
        expect(Math.abs(back.data[2 * i + j] - v)).toBeLessThan(2e-6 * Math.max(1, Math.abs(v)));
      }
    for (let i = 0; i < 100; i++) {
      const row = pre.kept[i];
      let expected = 0;
      for (let j = 0; j < 2; j++) {
        const v = x[2 * row + j], h = 1e-6 * (p.max[j] - p.min[j]);
        // y of feature j in float64, through an independent Φ⁻¹.
        const at = (t: number): number => {
          const s = (t - p.min[j]) / (p.max[j] - p.min[j]);
          return (-Math.SQRT2 * inverseErfc(2 * s) - p.logitMean[j]) / p.logitStd[j];
        };
        expected += Math.log((at(v + h) - at(v - h)) / (2 * h));
      }
      expect(pre.logJacobian[i]).toBeCloseTo(expected, 5);
    }
  });

  it('keeps a sample deep in a tail at its distance from the bound (no cancellation against the range)', () => {
    const range = p.max[0] - p.min[0];
    for (const s of [1e-12, 1e-9, 1e-6]) {
      for (const v of [p.min[0] + s * range, p.max[0] - s * range]) {
        const one = preprocess(p, { data: Float64Array.from([v, 1]), rows: 1, cols: 2 }, [3.5]);
        expect(one.kept.length).toBe(1);
        const back = inversePreprocess(p, Float64Array.from(one.y), 1).data[0];
        const dist = Math.min(back - p.min[0], p.max[0] - back) / range;
        // float32 y costs ≈ 1e-7 relative in u, i.e. a few × 1e-7 · |u| relative in the distance.
        expect(Math.abs(dist / s - 1)).toBeLessThan(1e-4);
      }
    }
  });

  it('drops the events at or beyond the training range, as the logit does', () => {
    const probe = Float64Array.from([p.min[0], 0.5, 3, 0.5, p.max[0], 0.5, 3, p.min[1], 3, p.max[1], p.min[0] - 1, 0.5]);
    const out = preprocess(p, { data: probe, rows: 6, cols: 2 }, Float64Array.from([3, 3, 3, 3, 3, 3]));
    expect(Array.from(out.kept)).toEqual([1]);
  });
});

/** erfc⁻¹ by bisection (test-only reference, independent of lib/util/special's Newton). */
function inverseErfc(y: number): number {
  // erfc is decreasing: erfc(x) = y.
  let lo = -10, hi = 10;
  for (let k = 0; k < 200; k++) {
    const mid = 0.5 * (lo + hi);
    if (2 * normalCdf(-mid * Math.SQRT2) > y) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}
