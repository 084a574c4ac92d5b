import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../../lib/util/rng.js';
import { normalSf } from '../../lib/util/special.js';
import {
  abcdClosure, abcdEstimate, fakeFactorEstimate, fakeFactorFromRate, gpInterpolate, matrixMethod, matrixMethodEventWeight,
  matrixMethodMatrix, matrixMethodSingle, measureFakeFactors,
} from '../../lib/stats/background/index.js';
import { invert } from '../../lib/stats/fit/linalg.js';
import { mean, std } from '../helpers/classical.js';

describe('ABCD', () => {
  it('N_A = N_B N_C / N_D with first-order errors', () => {
    const e = abcdEstimate({ nB: 400, nC: 900, nD: 3600 });
    expect(e.nA).toBeCloseTo(100, 12);
    expect(e.sigma).toBeCloseTo(100 * Math.sqrt(1 / 400 + 1 / 900 + 1 / 3600), 12);
    expect(() => abcdEstimate({ nB: 1, nC: 1, nD: 0 })).toThrow(/nD must be > 0/);
  });

  const sample = (rng: Rng, n: number, rho: number) => {
    const x1 = new Float64Array(n), x2 = new Float64Array(n);
    for (let i = 0; i < n; i++) { const a = rng.normal(), b = rng.normal(); x1[i] = a; x2[i] = rho * a + Math.sqrt(1 - rho * rho) * b; }
    return { x1, x2 };
  };
  it('closes on independent variables and reports ρ ≈ 0', () => {
    const { x1, x2 } = sample(createRng(1), 100000, 0);
    const c = abcdClosure(x1, x2, { cut1: 1, cut2: 1 });
    expect(Math.abs(c.pull)).toBeLessThan(3);
    expect(Math.abs(c.correlation)).toBeLessThan(3 / Math.sqrt(100000));
    expect(c.counts.A + c.counts.B + c.counts.C + c.counts.D).toBe(100000);
  });
  it('is visibly biased on correlated variables, and says why (ρ)', () => {
    const { x1, x2 } = sample(createRng(2), 100000, 0.5);
    const c = abcdClosure(x1, x2, { cut1: 1, cut2: 1 });
    expect(c.pull).toBeGreaterThan(5);
    expect(c.ratio).toBeGreaterThan(1.5);
    expect(Math.abs(c.correlation - 0.5)).toBeLessThan(0.02);
    expect(c.indicatorCorrelation).toBeGreaterThan(0.1);
  });
});

// Seed 000's toy: objects with a Gaussian identification variable X, 50 % fakes;
// real X ~ N(2, 1), fake X ~ N(0, 1), tight ⇔ X > 1, loose = all.
const R = normalSf(-1), F = normalSf(1); // r = P(X > 1 | real), f = P(X > 1 | fake)

describe('Matrix Method', () => {
  it('the 2-object Kronecker inverse equals the explicit 4 × 4 formula of seed 000', () => {
    const r = 0.9, f = 0.2;
    const inv = invert(matrixMethodMatrix([r, r], [f, f]), 4)!;
    const k = 1 / (r - f) ** 2;
    const expected = [
      [(1 - f) ** 2, (f - 1) * f, f * (f - 1), f * f],
      [(f - 1) * (1 - r), (1 - f) * r, f * (1 - r), -r * f],
      [(r - 1) * (1 - f), (1 - r) * f, r * (1 - f), -r * f],
      [(1 - r) ** 2, (r - 1) * r, r * (r - 1), r * r],
    ];
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) expect(inv[i * 4 + j]).toBeCloseTo(k * expected[i][j], 12);
  });

  it('single object: closure on the 50 %-fakes Gaussian toy over 100 toys', () => {
    const res: number[] = [];
    for (let t = 0; t < 100; t++) {
      const rng = createRng(7).fork(`mm1:${t}`);
      // Poisson-distributed sample size: the Matrix Method's Poisson error on (N^t, N^l) then
      // describes its spread around the expected number of tight fakes, ν·½·f
      const nObj = rng.poisson(4000);
      let nT = 0, nL = 0;
      for (let i = 0; i < nObj; i++) {
        const fake = rng.uniform() < 0.5;
        const tight = (fake ? 0 : 2) + rng.normal() > 1;
        if (tight) nT++; else nL++;
      }
      const e = matrixMethodSingle({ nTight: nT, nLoose: nL, r: R, f: F });
      res.push((e.nFakeTight - 4000 * 0.5 * F) / e.sigma);
    }
    // unbiased (mean pull within 3/√100) and the stated error covers the spread
    expect(Math.abs(mean(res))).toBeLessThan(0.3);
    // pull width 1 within 4σ of its sampling error 1/√200
    expect(Math.abs(std(res) - 1)).toBeLessThan(0.28);
  });

  it('two objects: inversion = per-event weights, and closure on the toy', () => {
    const rng = createRng(8);
    const counts = new Float64Array(4);
    let truth = 0, sumW = 0;
    const nEv = rng.poisson(40000);
    for (let i = 0; i < nEv; i++) {
      const fk = [rng.uniform() < 0.5, rng.uniform() < 0.5];
      const tight = fk.map((f) => (f ? 0 : 2) + rng.normal() > 1);
      counts[(tight[0] ? 0 : 2) + (tight[1] ? 0 : 1)]++;
      if (tight[0] && tight[1] && (fk[0] || fk[1])) truth++;
      sumW += matrixMethodEventWeight(tight, [R, R], [F, F]);
    }
    const e = matrixMethod(counts, [R, R], [F, F]);
    expect(e.nFakeTight).toBeCloseTo(sumW, 6);
    // against the expected number of all-tight events with ≥ 1 fake: ν (½ r f + ¼ f²)
    expect(Math.abs(e.nFakeTight - 40000 * (0.5 * R * F + 0.25 * F * F))).toBeLessThan(3 * e.sigma);
    expect(truth).toBeGreaterThan(0);
    // composition: 25 % each of RR, RF, FR, FF within errors
    for (let k = 0; k < 4; k++) expect(Math.abs(e.composition[k] - 10000)).toBeLessThan(600);
    expect(() => matrixMethod([1, 2, 3], [R, R], [F, F])).toThrow(/expected 2\^2 = 4/);
    expect(() => matrixMethodSingle({ nTight: 1, nLoose: 1, r: 0.5, f: 0.5 })).toThrow(/r = f/);
  });
});

describe('Fake Factor', () => {
  it('F = f/(1 − f)', () => {
    expect(fakeFactorFromRate(0.2)).toBeCloseTo(0.25, 15);
    expect(() => fakeFactorFromRate(1)).toThrow(/\[0, 1\)/);
  });

  it('two objects with pT-dependent F(pT, η): closure on the toy, prompt MC subtracted', () => {
    // fakes: tight ⇔ X > 1 − 0.4 pT (f rises with pT); reals: X ~ N(2, 1) (r = 0.84, flat)
    const fakeTight = (rng: Rng, pt: number) => rng.normal() > 1 - 0.4 * pt;
    const realTight = (rng: Rng) => 2 + rng.normal() > 1;
    const ptEdges = Array.from({ length: 11 }, (_, i) => i * 0.2), etaEdges = [-2.5, 0, 2.5];
    // fake-enriched control region: pure fakes
    const cr = createRng(31);
    const n = 200000;
    const pt = new Float64Array(n), eta = new Float64Array(n), tight = new Uint8Array(n);
    for (let i = 0; i < n; i++) { pt[i] = 2 * cr.uniform(); eta[i] = 5 * cr.uniform() - 2.5; tight[i] = fakeTight(cr, pt[i]) ? 1 : 0; }
    const map = measureFakeFactors({ pt, eta, tight }, ptEdges, etaEdges);
    // F(pT) at a bin centre ≈ f/(1 − f) of that pT
    const f1 = normalSf(1 - 0.4 * 1.1);
    expect(map.values[5 * 2]).toBeCloseTo(f1 / (1 - f1), 1);

    let fBar = 0;
    for (let k = 0; k < 2000; k++) fBar += normalSf(1 - 0.4 * ((k + 0.5) / 1000)) / 2000;
    const res: number[] = [];
    for (let t = 0; t < 40; t++) {
      const rng = createRng(32).fork(`ff:${t}`);
      const N = rng.poisson(20000);
      const objs = [0, 1].map(() => ({ pt: new Float64Array(N), eta: new Float64Array(N), tight: new Uint8Array(N) }));
      let truth = 0, nRR = 0;
      for (let i = 0; i < N; i++) {
        let anyFake = false, allTight = true;
        for (const o of objs) {
          const fake = rng.uniform() < 0.5;
          o.pt[i] = 2 * rng.uniform(); o.eta[i] = 5 * rng.uniform() - 2.5;
          const tt = fake ? fakeTight(rng, o.pt[i]) : realTight(rng);
          o.tight[i] = tt ? 1 : 0;
          anyFake ||= fake; allTight &&= tt;
        }
        if (allTight && anyFake) truth++;
        if (!anyFake) nRR++;
      }
      // prompt MC: real-real events, 4× the data statistics, normalised to the RR yield
      const M = 4 * nRR;
      const mc = [0, 1].map(() => ({ pt: new Float64Array(M), eta: new Float64Array(M), tight: new Uint8Array(M) }));
      for (let i = 0; i < M; i++) for (const o of mc) { o.pt[i] = 2 * rng.uniform(); o.eta[i] = 5 * rng.uniform() - 2.5; o.tight[i] = realTight(rng) ? 1 : 0; }
      const e = fakeFactorEstimate({ objects: objs }, map, { objects: mc, weights: new Float64Array(M).fill(nRR / M) });
      // compare with the expected yield of all-tight events with ≥ 1 fake: ν(½ r f̄ + ¼ f̄²),
      // f̄ = mean of f(pT) over the uniform pT spectrum
      res.push((e.nFakes - 20000 * (0.5 * R * fBar + 0.25 * fBar * fBar)) / e.sigmaStat);
      expect(truth).toBeGreaterThan(0);
    }
    // unbiased within 3/√40 ≈ 0.47 (the binned F's variation within a bin adds a small bias)
    expect(Math.abs(mean(res))).toBeLessThan(0.47);
    expect(Math.abs(std(res) - 1)).toBeLessThan(0.45); // 4σ of the sampling error 1/√80
  });
});

describe('Gaussian-process sideband interpolation', () => {
  it('1-D m_JJ: recovers a smooth blinded spectrum within its stated uncertainty', () => {
    const edges = Array.from({ length: 41 }, (_, i) => 2 + i * 0.05);
    const centres = edges.slice(0, -1).map((e) => e + 0.025);
    const truth = centres.map((m) => 3000 * Math.exp(-(m - 2) / 0.45));
    const rng = createRng(41);
    const counts = truth.map((v) => rng.poisson(v));
    const blinded = centres.map((m) => m > 2.9 && m < 3.3);
    const r = gpInterpolate(centres, 1, counts, counts, blinded, { transform: 'log' });
    let inSr = 0;
    for (let i = 0; i < centres.length; i++) {
      if (!blinded[i]) continue;
      inSr++;
      expect(Math.abs(r.prediction[i] - truth[i])).toBeLessThan(3 * r.uncertainty[i]);
      expect(r.uncertainty[i] / r.prediction[i]).toBeLessThan(0.15); // informative, not a blanket error
    }
    expect(inSr).toBe(8);
    // the uncertainty grows into the blinded region
    const relSb = r.uncertainty[5] / r.prediction[5], relSr = r.uncertainty[22] / r.prediction[22];
    expect(relSr).toBeGreaterThan(relSb);
  });

  it('2-D: interpolates a blinded square of a smooth surface, per-dimension length scales', () => {
    const nx = 14, pts: number[] = [], truth: number[] = [], blinded: boolean[] = [];
    for (let i = 0; i < nx; i++) for (let j = 0; j < nx; j++) {
      const x = i / (nx - 1), y = j / (nx - 1);
      pts.push(x, y);
      truth.push(300 * Math.exp(-((x - 0.5) ** 2) / (2 * 0.5 ** 2) - ((y - 0.4) ** 2) / (2 * 0.25 ** 2)) + 40);
      blinded.push(Math.abs(x - 0.5) < 0.12 && Math.abs(y - 0.5) < 0.12);
    }
    const rng = createRng(42);
    const counts = truth.map((v) => rng.poisson(v));
    const r = gpInterpolate(pts, 2, counts, counts, blinded);
    let nB = 0;
    const pulls: number[] = [];
    for (let k = 0; k < truth.length; k++) if (blinded[k]) { nB++; pulls.push((r.prediction[k] - truth[k]) / r.uncertainty[k]); }
    expect(nB).toBeGreaterThanOrEqual(4);
    for (const p of pulls) expect(Math.abs(p)).toBeLessThan(3);
    // the surface is narrower in y than in x: the fitted length scales say so
    expect(r.gp.lengthScales[1]).toBeLessThan(r.gp.lengthScales[0]);
  });
});
