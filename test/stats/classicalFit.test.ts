import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../lib/util/rng.js';
import {
  backgroundPlusSignal, binCentres, dijetModel, expectedCounts, fillHistogram, fitBumpHunt, fitHistogram,
  fitSignalShape, gaussianModel, histogramFromCounts, levenbergMarquardt, migrad, toySignificance,
} from '../../lib/stats/fit/index.js';
import { CWOLA_EDGES_TEV, CWOLA_SIGNAL, mean, sharedData, std } from '../helpers/classical.js';

const edges = Float64Array.from({ length: 31 }, (_, i) => 1.5 + i * 0.1); // 1.5–4.5 TeV
const truth4 = Float64Array.of(0, 10, 5, 0.1);

describe('minimisers', () => {
  it('Levenberg–Marquardt: straight line matches the closed-form weighted least squares', () => {
    const x = [0, 1, 2, 3, 4, 5], y = [1.1, 2.9, 5.2, 6.8, 9.1, 11.2], s = [0.1, 0.2, 0.1, 0.3, 0.2, 0.1];
    const lm = levenbergMarquardt((p) => Float64Array.from(x, (xi, i) => (y[i] - p[0] - p[1] * xi) / s[i]), [0, 0]);
    let S = 0, Sx = 0, Sy = 0, Sxx = 0, Sxy = 0;
    x.forEach((xi, i) => { const w = 1 / s[i] ** 2; S += w; Sx += w * xi; Sy += w * y[i]; Sxx += w * xi * xi; Sxy += w * xi * y[i]; });
    const D = S * Sxx - Sx * Sx;
    expect(lm.params[0]).toBeCloseTo((Sxx * Sy - Sx * Sxy) / D, 8);
    expect(lm.params[1]).toBeCloseTo((S * Sxy - Sx * Sy) / D, 8);
    expect(lm.covariance![0]).toBeCloseTo(Sxx / D, 8);
    expect(lm.covariance![3]).toBeCloseTo(S / D, 8);
    expect(lm.covariance![1]).toBeCloseTo(-Sx / D, 8);
  });

  it('Migrad: Rosenbrock minimum, and covariance 2·up·H⁻¹ of a correlated quadratic', () => {
    const r = migrad((p) => (1 - p[0]) ** 2 + 100 * (p[1] - p[0] ** 2) ** 2, [-1.2, 1], { tolerance: 1e-8 });
    expect(r.converged).toBe(true);
    expect(r.params[0]).toBeCloseTo(1, 4);
    expect(r.params[1]).toBeCloseTo(1, 4);
    // H at (1, 1) = [[802, −400], [−400, 200]] → 2 H⁻¹ = [[1, 2], [2, 4.01]]
    expect(r.covariance![0]).toBeCloseTo(1, 3);
    expect(r.covariance![1]).toBeCloseTo(2, 3);
    expect(r.covariance![3]).toBeCloseTo(4.01, 3);
    // −ln L of a bivariate normal with σ = (2, 0.5), ρ = 0.9: covariance must come back (up = 0.5)
    const s1 = 2, s2 = 0.5, rho = 0.9;
    const nll = (p: Float64Array): number => {
      const a = (p[0] - 3) / s1, b = (p[1] + 1) / s2;
      return (a * a - 2 * rho * a * b + b * b) / (2 * (1 - rho * rho));
    };
    const q = migrad(nll, [0, 0], { up: 0.5 });
    expect(q.params[0]).toBeCloseTo(3, 3);
    expect(q.params[1]).toBeCloseTo(-1, 3);
    expect(Math.sqrt(q.covariance![0])).toBeCloseTo(s1, 4);
    expect(Math.sqrt(q.covariance![3])).toBeCloseTo(s2, 4);
    expect(q.covariance![1] / (s1 * s2)).toBeCloseTo(rho, 4);
  });
});

describe('histograms and models', () => {
  it('weighted fill keeps Σw and Σw²', () => {
    const h = fillHistogram([0.5, 1.5, 1.7, 2.5, 9], [0, 1, 2, 3], { weights: [2, 0.5, 1.5, 1, 1] });
    expect(Array.from(h.values)).toEqual([2, 2, 1]);
    expect(Array.from(h.variances)).toEqual([4, 2.5, 1]);
  });
  it('bin integrals of the Gaussian are exact (normal cdf differences)', () => {
    const nu = expectedCounts(gaussianModel(), [100, 0, 1], Float64Array.of(-1, 0, 1, 2));
    expect(nu[0] + nu[1]).toBeCloseTo(100 * 0.6826894921370859, 10);
    expect(nu[2]).toBeCloseTo(100 * (0.9772498680518208 - 0.8413447460685429), 10);
  });
  it('the dijet function evaluates its closed form', () => {
    const m = dijetModel(5);
    const x = 3 / 13, L = Math.log(x);
    expect(m.density(3, [2, 10, 5, 0.3, 0.02])).toBeCloseTo(2 * (1 - x) ** 10 / x ** (5 + 0.3 * L + 0.02 * L * L), 8);
  });
  it('errors name the input', () => {
    expect(() => histogramFromCounts([0, 1, 2], [1])).toThrow(/1 bin values for 3 edges/);
    expect(() => histogramFromCounts([0, 2, 1], [1, 1])).toThrow(/edges must increase/);
    expect(() => dijetModel(6 as 5)).toThrow(/3, 4 or 5/);
    expect(() => fitHistogram(histogramFromCounts([0, 1, 2], [1, 1]), dijetModel(4))).toThrow(/usable bins/);
  });
});

/** Toys from a dijet spectrum normalised to `total` events. */
function dijetTruth(total: number): Float64Array {
  const m = dijetModel(4);
  const nu = expectedCounts(m, Float64Array.of(1, ...truth4.slice(1)), edges);
  const s = nu.reduce((a, b) => a + b, 0);
  return nu.map((v) => (v * total) / s);
}

describe('fits recover generated parameters (pulls over 200 toys)', () => {
  it('Poisson likelihood, 3-parameter dijet function', () => {
    const m3 = dijetModel(3);
    const nu = expectedCounts(m3, [1, 10, 5], edges);
    const norm = 20000 / nu.reduce((a, b) => a + b, 0);
    const truth = [norm, 10, 5];
    const nuT = nu.map((v) => v * norm);
    const pulls: number[][] = [[], [], []];
    const rng = createRng(11);
    let nConverged = 0;
    for (let t = 0; t < 200; t++) {
      const r = rng.fork(`toy${t}`);
      const h = histogramFromCounts(edges, nuT.map((v) => r.poisson(v)));
      const f = fitHistogram(h, m3);
      expect(f.method).toBe('poisson');
      if (f.converged) nConverged++;
      for (let k = 1; k < 3; k++) pulls[k].push((f.params[k] - truth[k]) / f.errors[k]);
      // the Poisson MLE conserves the total: Σν̂ = Σn exactly, whose spread is √N
      pulls[0].push((f.expected.reduce((a, b) => a + b, 0) - 20000) / Math.sqrt(20000));
    }
    expect(nConverged).toBeGreaterThanOrEqual(195);
    // shape parameters p1, p2 and the total yield: mean within 3/√200 ≈ 0.21, width within 4σ of
    // its sampling error 1/√400 = 0.05. (p0 alone is not tested: it is a near-log-normal
    // normalisation whose pulls are not Gaussian at these statistics.)
    for (let k = 0; k < 3; k++) {
      expect(Math.abs(mean(pulls[k]))).toBeLessThan(0.21);
      expect(Math.abs(std(pulls[k]) - 1)).toBeLessThan(0.2);
    }
  });

  it('Poisson likelihood, 4-parameter dijet function (correlations ≈ 0.999)', () => {
    const m4 = dijetModel(4);
    const truth = [1, 10, 5, 0.1];
    const nu = expectedCounts(m4, truth, edges);
    const norm = 50000 / nu.reduce((a, b) => a + b, 0);
    const pulls: number[][] = [[], [], []];
    const rng = createRng(12);
    for (let t = 0; t < 200; t++) {
      const r = rng.fork(`toy4:${t}`);
      const f = fitHistogram(histogramFromCounts(edges, nu.map((v) => r.poisson(v * norm))), m4);
      expect(f.converged).toBe(true);
      for (let k = 1; k < 4; k++) pulls[k - 1].push((f.params[k] - truth[k]) / f.errors[k]);
    }
    for (let k = 0; k < 3; k++) {
      expect(Math.abs(mean(pulls[k]))).toBeLessThan(0.21);
      expect(Math.abs(std(pulls[k]) - 1)).toBeLessThan(0.2);
    }
  });

  it('weighted χ² (Σw, Σw²), Gaussian peak on weighted events', () => {
    const truth = [3000, 3.0, 0.25];
    const pulls: number[][] = [[], [], []];
    const rng = createRng(5);
    const ed = Float64Array.from({ length: 25 }, (_, i) => 2 + i * 0.0833333333);
    for (let t = 0; t < 200; t++) {
      const r = rng.fork(`w${t}`);
      // weights uniform in [0.5, 1.5] (mean 1); number of entries Poisson(3000)
      const n = r.poisson(truth[0]);
      const x = new Float64Array(n), w = new Float64Array(n);
      for (let i = 0; i < n; i++) { x[i] = truth[1] + truth[2] * r.normal(); w[i] = 0.5 + r.uniform(); }
      const h = fillHistogram(x, ed, { weights: w });
      // fit within ±2σ of the peak, where every bin holds ≳ 50 entries: the seed-004 χ² uses the
      // observed Σw² as variance, which biases fits of sparsely filled bins (known Neyman bias)
      const f = fitHistogram(h, gaussianModel(), { method: 'chi2', range: [2.5, 3.5] });
      for (let k = 0; k < 3; k++) pulls[k].push((f.params[k] - truth[k]) / f.errors[k]);
    }
    // mean within 3/√200 ≈ 0.21 (+0.1 for the residual Neyman bias of order √N/n_bin on yield
    // and width), pull width within 4σ of 0.05
    for (let k = 0; k < 3; k++) {
      expect(Math.abs(mean(pulls[k]))).toBeLessThan(k === 1 ? 0.21 : 0.31);
      expect(Math.abs(std(pulls[k]) - 1)).toBeLessThan(0.2);
    }
  });
});

describe('fit-based bump hunt', () => {
  const nuB = dijetTruth(50000);
  const centres = binCentres(histogramFromCounts(edges, nuB));
  const windows = [2.5, 2.9, 3.3, 3.7].map((c, i) => ({ id: i + 1, low: c - 0.2, high: c + 0.2 }));

  it('finds an injected Gaussian in the right window; nested fits: χ²(H1) ≤ χ²(H0)', () => {
    const r = createRng(3);
    const sig = expectedCounts(gaussianModel(), [400, 3.3, 0.15], edges);
    const h = histogramFromCounts(edges, nuB.map((v, i) => r.poisson(v + sig[i])));
    const res = fitBumpHunt(h, windows, { signalWidth: 0.15 });
    const best = res.windows.reduce((a, b) => (b.Z > a.Z ? b : a));
    expect(best.id).toBe(3);
    expect(best.Z).toBeGreaterThan(3);
    expect(Math.abs(best.signalYield - 400)).toBeLessThan(3 * best.signalYieldError);
    for (const w of res.windows) expect(w.chi2).toBeLessThanOrEqual(res.background.chi2 + 1e-6);
    expect(centres.length).toBe(30);
  });

  it('Wilks significance agrees with the toy-based one', () => {
    const r = createRng(8);
    const sig = expectedCounts(gaussianModel(), [150, 2.9, 0.15], edges);
    const h = histogramFromCounts(edges, nuB.map((v, i) => r.poisson(v + sig[i])));
    const w = windows[1];
    const res = toySignificance(h, w, { signalWidth: 0.15, dijetParams: 3, nToys: 200, rng: createRng(99) });
    expect(res.q0).toBeGreaterThan(1); // a visible, not overwhelming excess, so toys can measure p
    const tol = 3 * Math.sqrt((res.pWilks * (1 - res.pWilks)) / 200) + 0.01;
    expect(Math.abs(res.pToys - res.pWilks)).toBeLessThan(tol);
    // under H0, P(q0 > 1) = Φ̄(1) by Wilks/Chernoff
    const frac = Array.from(res.q0Toys).filter((q) => q > 1).length / 200;
    expect(Math.abs(frac - 0.15865525393145707)).toBeLessThan(3 * Math.sqrt((0.1587 * 0.8413) / 200));
  });

  it('a signal-only fit fixes the Gaussian mean and width', () => {
    const r = createRng(4);
    const x = Float64Array.from({ length: 5000 }, () => 3.5 + 0.2 * r.normal());
    const s = fitSignalShape(fillHistogram(x, edges));
    expect(Math.abs(s.mean - 3.5)).toBeLessThan(3 * s.fit.errors[1]);
    expect(Math.abs(s.width - 0.2)).toBeLessThan(3 * s.fit.errors[2]);
    expect(backgroundPlusSignal(dijetModel(3), s.mean, s.width).paramNames).toEqual(['p0', 'p1', 'p2', 'signalYield']);
  });
});

const cwola = sharedData('cwola-hunting-bincounts');
const readRows = (file: string): number[][] =>
  readFileSync(file, 'utf8').trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));

describe.skipIf(!cwola)('real CWoLa Hunting spectra', () => {
  it('ε = 1.0 rows: the 4-parameter dijet function fits every file well', () => {
    for (const kind of ['signal/sig_bin', 'nosignal/0_005_'])
      for (let i = 3; i <= 11; i++) {
        const rows = readRows(`${cwola}${kind}${i}_bincounts.dat`);
        expect(rows[0][0]).toBe(1);
        const f = fitHistogram(histogramFromCounts(CWOLA_EDGES_TEV, rows[0].slice(1)), dijetModel(4));
        expect(f.ndf).toBe(11);
        expect(f.pValue).toBeGreaterThan(0.01);
        expect(f.chi2PerNdf).toBeLessThan(2);
      }
  });

  it('nested dijet fits never get worse: χ²(5) ≤ χ²(4) ≤ χ²(3) on every row of two files', () => {
    for (const file of ['signal/sig_bin7', 'nosignal/0_005_7'])
      for (const row of readRows(`${cwola}${file}_bincounts.dat`)) {
        const h = histogramFromCounts(CWOLA_EDGES_TEV, row.slice(1));
        const c = ([3, 4, 5] as const).map((n) => fitHistogram(h, dijetModel(n)));
        for (const f of c) expect(f.converged).toBe(true);
        expect(c[1].chi2).toBeLessThanOrEqual(c[0].chi2 + 1e-6);
        expect(c[2].chi2).toBeLessThanOrEqual(c[1].chi2 + 1e-6);
      }
  });

  it('weighted χ² dijet fit matches scipy.optimize.least_squares (fixture)', () => {
    // Reference: /usr/bin/python3, scipy least_squares on r_i = (n_i − ∫_bin f)/√n_i with scipy quad
    // bin integrals, xtol = ftol = gtol = 1e-15; errors from (JᵀJ)⁻¹. File signal/sig_bin7, ε = 1.0.
    const ref = { p: [2.76514732e7, 16.7603246, -1.64107904, -0.745677861], err: [6.58490648e7, 2.16994845, 1.80557363, 0.389295677], chi2: 15.05975506668525 };
    const rows = readRows(`${cwola}signal/sig_bin7_bincounts.dat`);
    const f = fitHistogram(histogramFromCounts(CWOLA_EDGES_TEV, rows[0].slice(1)), dijetModel(4), { method: 'chi2' });
    expect(f.converged).toBe(true);
    expect(f.chi2).toBeCloseTo(ref.chi2, 7);
    for (let k = 0; k < 4; k++) {
      expect(Math.abs(f.params[k] - ref.p[k])).toBeLessThan(1e-3 * ref.err[k]);
      expect(f.errors[k] / ref.err[k]).toBeCloseTo(1, 3);
    }
  });

  it('tight cut (ε = 0.002): bump near 3 TeV with signal, nothing significant without', () => {
    const shape = fitSignalShape(histogramFromCounts(CWOLA_EDGES_TEV, CWOLA_SIGNAL));
    const c = binCentres(histogramFromCounts(CWOLA_EDGES_TEV, CWOLA_SIGNAL));
    // the analysis' nine SRs: bins i−1..i+1 (1-based), signal centred on bin i
    const windows = [3, 4, 5, 6, 7, 8, 9, 10, 11].map((i) => ({ id: i, low: CWOLA_EDGES_TEV[i - 2], high: CWOLA_EDGES_TEV[i + 1], mean: c[i - 1], width: shape.width }));
    const rowOf = (rows: number[][]) => rows.find((r) => r[0] === 0.002)!.slice(1);
    // the classifier of the SR that contains the injected peak (bin 7) selects the signal
    const sig = fitBumpHunt(histogramFromCounts(CWOLA_EDGES_TEV, rowOf(readRows(`${cwola}signal/sig_bin7_bincounts.dat`))), windows);
    const best = sig.windows.reduce((a, b) => (b.Z > a.Z ? b : a));
    expect(best.Z).toBeGreaterThan(4);
    expect(best.mean).toBeGreaterThan(2.7);
    expect(best.mean).toBeLessThan(3.1);
    // no-signal scans: no window beyond 3.5σ local (≈ 3σ after the nine-window look-elsewhere)
    for (let i = 3; i <= 11; i++) {
      const r = fitBumpHunt(histogramFromCounts(CWOLA_EDGES_TEV, rowOf(readRows(`${cwola}nosignal/0_005_${i}_bincounts.dat`))), windows);
      expect(Math.max(...r.windows.map((w) => w.Z))).toBeLessThan(3.5);
    }
  });
});
