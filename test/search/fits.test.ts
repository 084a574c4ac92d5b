/**
 * The search's fits: the seed's weighted χ² (Σw, Σw²) against closed forms, the Crystal Ball's
 * normalisation, and the pulls of the H1 fit over weighted and unit-weight toys (mean 0, width 1).
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../lib/util/rng.js';
import { crystalBallModel, expectedCounts, fitBumpHunt, fitHistogram, gaussianModel, histogramFromCounts, polynomialModel } from '../../lib/stats/fit/index.js';
import { fitSignalModel, testSignalHypothesis } from '../../lib/search/hypothesisTest.js';

const edges = Float64Array.from({ length: 41 }, (_, i) => 800 + 10 * i); // 800–1200, 10 wide
const centres = Array.from({ length: 40 }, (_, i) => 805 + 10 * i);

/** A weighted histogram: per bin Σw and Σw² of Poisson(μ/w̄) entries with weights U(0.5, 1.5)·w̄. */
function weightedToy(mu: ArrayLike<number>, wbar: number, rng: ReturnType<typeof createRng>) {
  const values = new Float64Array(mu.length), variances = new Float64Array(mu.length);
  for (let i = 0; i < mu.length; i++) {
    const n = rng.poisson(mu[i] / wbar);
    for (let k = 0; k < n; k++) { const w = wbar * (0.5 + rng.uniform()); values[i] += w; variances[i] += w * w; }
  }
  return histogramFromCounts(edges, values, variances);
}

const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
const std = (a: number[]) => { const m = mean(a); return Math.sqrt(a.reduce((x, y) => x + (y - m) ** 2, 0) / (a.length - 1)); };

describe('weighted χ² (seed 004: Σw observed, Σw² variance)', () => {
  const rng = createRng(11);
  const h = weightedToy(new Float64Array(40).fill(400), 0.7, rng);

  it('a constant fit is the 1/σ² weighted mean and χ²_min its closed form', () => {
    const f = fitHistogram(h, polynomialModel(0, [800, 1200]), { method: 'chi2' });
    let sw = 0, swn = 0;
    for (let i = 0; i < 40; i++) { sw += 1 / h.variances[i]; swn += h.values[i] / h.variances[i]; }
    const nuHat = swn / sw; // per bin; density = ν/10
    expect(f.params[0] * 10).toBeCloseTo(nuHat, 8);
    let chi2 = 0;
    for (let i = 0; i < 40; i++) chi2 += (h.values[i] - nuHat) ** 2 / h.variances[i];
    expect(f.chi2).toBeCloseTo(chi2, 6);
    expect(f.ndf).toBe(39);
    expect(f.errors[0] * 10).toBeCloseTo(1 / Math.sqrt(sw), 8);
  });

  it('H0/H1 with a fixed signal template: q0 from the 2×2 normal equations, Z = √q0', () => {
    // constant background + fixed Gaussian (mean 1000, σ 30): both models are linear, so
    // χ²_1 = χ²(b̂, ŝ) of weighted linear least squares with templates (1, g_i).
    const g = expectedCounts(gaussianModel(), [1, 1000, 30], edges);
    const inject = Float64Array.from(g, (gi) => 400 + 150 * gi);
    const d = weightedToy(inject, 0.7, createRng(5));
    const shape = { model: gaussianModel(), shape: [1000, 30], fit: fitHistogram(d, gaussianModel(), { method: 'chi2' }) };
    const t = testSignalHypothesis(d, polynomialModel(0, [800, 1200]), shape, { range: [800, 1200], method: 'chi2' });
    let a11 = 0, a12 = 0, a22 = 0, b1 = 0, b2 = 0, s00 = 0, s0 = 0, yy = 0;
    for (let i = 0; i < 40; i++) {
      const w = 1 / d.variances[i], y = d.values[i];
      a11 += w; a12 += w * g[i]; a22 += w * g[i] * g[i]; b1 += w * y; b2 += w * g[i] * y; yy += w * y * y; s00 += w; s0 += w * y;
    }
    const det = a11 * a22 - a12 * a12;
    const bHat = (a22 * b1 - a12 * b2) / det, sHat = (a11 * b2 - a12 * b1) / det;
    const chi2H1 = yy - bHat * b1 - sHat * b2;
    const chi2H0 = yy - (s0 * s0) / s00;
    expect(t.signalYield).toBeCloseTo(sHat, 5);
    expect(t.signalYieldError).toBeCloseTo(Math.sqrt(a11 / det), 5);
    expect(t.q0).toBeCloseTo(chi2H0 - chi2H1, 5);
    expect(t.Z).toBeCloseTo(Math.sqrt(chi2H0 - chi2H1), 5);
    expect(t.Z).toBeGreaterThan(2);
  });

  it('agrees with fitBumpHunt (Gaussian of fixed mean and width) on the same spectrum', () => {
    const inject = Float64Array.from(centres, (c) => 2000 * Math.exp(-(c - 800) / 150) + 60 * Math.exp(-0.5 * ((c - 1000) / 25) ** 2));
    const d = weightedToy(inject, 0.5, createRng(9));
    const bkg = polynomialModel(3, [800, 1200]);
    const t = testSignalHypothesis(d, bkg, { model: gaussianModel(), shape: [1000, 25], fit: fitHistogram(d, gaussianModel(), { method: 'chi2' }) }, { range: [800, 1200] });
    const b = fitBumpHunt(d, [{ id: 1, low: 950, high: 1050, mean: 1000, width: 25 }], { background: bkg });
    expect(t.Z).toBeCloseTo(b.windows[0].Z, 6);
    expect(t.signalYield).toBeCloseTo(b.windows[0].signalYield, 6);
  });
});

describe('Crystal Ball', () => {
  const cb = crystalBallModel();
  const p = [250, 1000, 30, 1.3, 3.5];
  it('integrates to its yield and its bin integrals match quadrature of the density', () => {
    expect(cb.binIntegral!(-1e7, 1e7, p)).toBeCloseTo(250, 3);
    for (const [a, b] of [[700, 900], [900, 961], [961, 1000], [1000, 1100]]) {
      let s = 0;
      const n = 20_000, h = (b - a) / n;
      for (let k = 0; k < n; k++) s += cb.density(a + (k + 0.5) * h, p) * h;
      expect(cb.binIntegral!(a, b, p)).toBeCloseTo(s, 5);
    }
  });
  it('is continuous with a continuous slope at the tail junction t = −α', () => {
    const m0 = 1000 - 1.3 * 30;
    expect(cb.density(m0 - 1e-7, p)).toBeCloseTo(cb.density(m0 + 1e-7, p), 6);
    const slope = (m: number) => (cb.density(m + 1e-4, p) - cb.density(m - 1e-4, p)) / 2e-4;
    expect(slope(m0 - 1e-3) / slope(m0 + 1e-3)).toBeCloseTo(1, 3);
  });
  it('the signal fit recovers the generating shape', () => {
    const nu = expectedCounts(cb, p, edges);
    const fit = fitSignalModel(histogramFromCounts(edges, nu, Float64Array.from(nu, (v) => Math.max(v, 1e-6) * 0.01)), 'crystalball', [800, 1200]);
    fit.shape.forEach((v, i) => expect(v).toBeCloseTo(p[i + 1], 2));
  });
});

describe('pulls of the H1 fit over toys', () => {
  const bkg = polynomialModel(2, [800, 1200]);
  const cbShape = [1000, 30, 1.3, 3.5];
  const bTrue = [30, -8, 2]; // density per GeV
  const sTrue = 300;
  const model = (c: number[]) => expectedCounts(polynomialModel(2, [800, 1200]), c, edges);
  const sig = expectedCounts(crystalBallModel(), [1, ...cbShape], edges);
  const mu = Float64Array.from(model(bTrue), (b, i) => b + sTrue * sig[i]);
  const shape = { model: crystalBallModel(), shape: cbShape, fit: null as never };

  for (const [label, toy] of [
    ['weighted χ² (weights U(0.5, 1.5)·0.8)', (r: ReturnType<typeof createRng>) => weightedToy(mu, 0.8, r)],
    ['Poisson likelihood (unit weights)', (r: ReturnType<typeof createRng>) => histogramFromCounts(edges, Float64Array.from(mu, (m) => r.poisson(m)))],
  ] as const) {
    it(`${label}: signal-yield and bin pulls have mean 0 and width 1`, () => {
      const root = createRng(2026);
      const yieldPulls: number[] = [], binPulls: number[] = [];
      for (let t = 0; t < 300; t++) {
        const h = toy(root.fork(`toy:${t}`));
        const r = testSignalHypothesis(h, bkg, shape, { range: [800, 1200] });
        yieldPulls.push((r.signalYield - sTrue) / r.signalYieldError);
        // bin pulls against the truth (the fitted ones are shrunk by the fit's 4 parameters)
        for (let i = 0; i < 40; i++) binPulls.push((h.values[i] - mu[i]) / Math.sqrt(r.h1.method === 'poisson' ? mu[i] : h.variances[i]));
      }
      expect(Math.abs(mean(yieldPulls))).toBeLessThan(0.2); // 3.5/√300
      expect(std(yieldPulls)).toBeGreaterThan(0.85);
      expect(std(yieldPulls)).toBeLessThan(1.15);
      expect(Math.abs(mean(binPulls))).toBeLessThan(0.05);
      expect(std(binPulls)).toBeGreaterThan(0.95);
      expect(std(binPulls)).toBeLessThan(1.05);
    });
  }
});
