import { describe, expect, it } from 'vitest';
import {
  binomialUpperLimit, cutAndCountLocalZ, globalSignificance, poissonBootstrapWeights, sidakGlobalPValue,
  bivariateNormalUpperTail, correlatedMaxGlobalPValue, windowCorrelations, ksUniformTest, pseudoExperimentGlobalPValue,
} from '../../lib/stats/lookElsewhere.js';
import { cutAndCount } from '../../lib/stats/cutAndCount.js';
import { normalSf } from '../../lib/util/special.js';
import { createRng, type Rng } from '../../lib/util/rng.js';

const gaussianWeights = (rng: Rng, out: Float64Array): void => {
  for (let i = 0; i < out.length; i++) out[i] = rng.normal();
};

/** Windows of `width` events starting every `stride` events; Z_n = Σ_window w/√width is exactly N(0,1) for N(0,1) weights. */
const sumWindows = (nWindows: number, width: number, stride: number) => (w: Float64Array): Float64Array =>
  Float64Array.from({ length: nWindows }, (_, n) => {
    let s = 0;
    for (let i = n * stride; i < n * stride + width; i++) s += w[i];
    return s / Math.sqrt(width);
  });

describe('Šidák bound', () => {
  it('closed form, N = 1 identity, tiny p stays ≈ N·p', () => {
    expect(sidakGlobalPValue(0.01, 9)).toBeCloseTo(1 - 0.99 ** 9, 15);
    expect(sidakGlobalPValue(0.3, 1)).toBeCloseTo(0.3, 15);
    const p = 1e-15;
    expect(sidakGlobalPValue(p, 9) / (9 * p)).toBeCloseTo(1, 12); // 1 − (1 − p)^9 in naive form loses it
    expect(sidakGlobalPValue(1, 9)).toBe(1);
    expect(sidakGlobalPValue(0, 9)).toBe(0);
    expect(() => sidakGlobalPValue(1.5, 9)).toThrow(/pLocal/);
    expect(() => sidakGlobalPValue(0.1, 0)).toThrow(/nTrials/);
  });
  it('Clopper–Pearson upper limit: closed form at k = 0 and P(X ≤ k | p_up) = 0.05 otherwise', () => {
    expect(binomialUpperLimit(0, 1000)).toBeCloseTo(1 - 0.05 ** (1 / 1000), 15);
    // k = 1: (1 − p)^n + n p (1 − p)^(n−1) = 0.05 at the limit
    const u = binomialUpperLimit(1, 200);
    expect((1 - u) ** 200 + 200 * u * (1 - u) ** 199).toBeCloseTo(0.05, 10);
  });
});

describe('global significance from event-resampling pseudo-experiments', () => {
  it('independent (disjoint) windows: the toy global p equals the Šidák value within binomial error', () => {
    const nToys = 4000;
    const g = globalSignificance({
      observedLocalZ: [0.3, 1.1, 2.2, 0.5, -0.4, 1.9, 0.0, 0.7, 1.2],
      nEvents: 9 * 25,
      localZ: sumWindows(9, 25, 25),
      nToys,
      rng: createRng(1),
      sampleWeights: gaussianWeights,
    });
    expect(g.observedMaxZ).toBe(2.2);
    expect(g.windowOfMax).toBe(2);
    expect(g.pLocal).toBeCloseTo(normalSf(2.2), 15);
    const exact = sidakGlobalPValue(normalSf(2.2), 9); // exact here: independent N(0,1) windows
    expect(g.sidakPGlobal).toBe(exact);
    expect(Math.abs(g.pGlobal - exact)).toBeLessThan(4 * Math.sqrt((exact * (1 - exact)) / nToys));
    expect(g.zGlobal).toBeLessThan(2.2);
  });

  it('windows overlapping like the nine m_JJ windows (width 4 strides): p_local < p_global < Šidák', () => {
    const nToys = 4000;
    const g = globalSignificance({
      observedLocalZ: [0, 0, 0, 0, 2.2, 0, 0, 0, 0],
      nEvents: 8 * 20 + 80,
      localZ: sumWindows(9, 80, 20), // 0.4 TeV wide, 0.1 TeV apart: 75 / 50 / 25 % shared with neighbours
      nToys,
      rng: createRng(2),
      sampleWeights: gaussianWeights,
    });
    const sd = Math.sqrt((g.sidakPGlobal * (1 - g.sidakPGlobal)) / nToys);
    expect(g.pGlobal).toBeLessThan(g.sidakPGlobal - 4 * sd); // correlation makes Šidák conservative
    expect(g.pGlobal).toBeGreaterThan(g.pLocal + 4 * Math.sqrt((g.pLocal * (1 - g.pLocal)) / nToys));
    expect(g.pGlobalUpper95).toBeGreaterThan(g.pGlobal);
  });

  it('is seeded and order-independent: same seed same toys, different seed different toys', () => {
    const opts = { observedLocalZ: [1, 2], nEvents: 40, localZ: sumWindows(2, 20, 20), nToys: 50 };
    const a = globalSignificance({ ...opts, rng: createRng(5) });
    const b = globalSignificance({ ...opts, rng: createRng(5) });
    const c = globalSignificance({ ...opts, rng: createRng(6) });
    expect(Array.from(a.toyMaxZ)).toEqual(Array.from(b.toyMaxZ));
    expect(Array.from(a.toyMaxZ)).not.toEqual(Array.from(c.toyMaxZ));
  });

  it('Poisson bootstrap weights are Poisson(1): mean 1, variance 1, P(0) = 1/e', () => {
    const w = new Float64Array(200000);
    poissonBootstrapWeights(createRng(4), w);
    let s = 0;
    let s2 = 0;
    let zeros = 0;
    for (const x of w) {
      s += x;
      s2 += x * x;
      if (x === 0) zeros++;
    }
    const m = s / w.length;
    expect(Math.abs(m - 1)).toBeLessThan(4 / Math.sqrt(w.length));
    expect(Math.abs(s2 / w.length - m * m - 1)).toBeLessThan(4 * Math.sqrt(3 / w.length)); // Var of x² term ≈ μ4 − σ⁴ = 3
    expect(Math.abs(zeros / w.length - Math.exp(-1))).toBeLessThan(4 * Math.sqrt(0.25 / w.length));
  });

  it('validates', () => {
    const base = { nEvents: 10, localZ: () => [0, 0], nToys: 3, rng: createRng(1) };
    expect(() => globalSignificance({ ...base, observedLocalZ: [] })).toThrow(/observedLocalZ is empty/);
    expect(() => globalSignificance({ ...base, observedLocalZ: [1, NaN] })).toThrow(/observedLocalZ\[1\] is NaN/);
    expect(() => globalSignificance({ ...base, observedLocalZ: [1, 2, 3] })).toThrow(/localZ returned 2 values/);
    expect(() => globalSignificance({ ...base, observedLocalZ: [1, 2], nToys: 0 })).toThrow(/nToys/);
  });
});

describe('cut-and-count local Z over nine overlapping m_JJ windows', () => {
  // Background-only events: m_JJ uniform in [2.9, 3.9] TeV, score uniform (no mass correlation).
  const rng = createRng(77);
  const nData = 40000;
  const mJJ = Float64Array.from({ length: nData }, () => 2.7 + 1.4 * rng.uniform());
  const score = Float64Array.from({ length: nData }, () => rng.uniform());
  const centres = Array.from({ length: 9 }, (_, n) => 3.1 + 0.1 * n);
  const epsilonB = 0.01;
  const windows = centres.map((c) => {
    const idx = Uint32Array.from(mJJ.keys()).filter((i) => mJJ[i] > c - 0.2 && mJJ[i] < c + 0.2);
    const dataScores = Float64Array.from(idx, (i) => score[i]);
    const templateScores = Float64Array.from({ length: 4 * idx.length }, () => rng.uniform()); // 4× template
    const [row] = cutAndCount({ templateScores, dataScores }, { epsilonB: [epsilonB], deltaSys: 0 });
    return { idx, row, dataScores };
  });
  const cuts = windows.map(({ idx, row, dataScores }) => ({
    eventIndex: idx,
    pass: Uint8Array.from(dataScores, (s) => (s >= row.threshold! ? 1 : 0)),
    epsilonEff: row.epsilonEff,
    nTemplatePassEff: row.nTemplatePassEff,
  }));

  it('with unit weights it reproduces cutAndCount’s Z in every window', () => {
    const signed = cutAndCountLocalZ(cuts, { oneSided: false })(new Float64Array(nData).fill(1));
    windows.forEach((w, n) => expect(signed[n]).toBeCloseTo(w.row.zCowan, 12));
    const simple = cutAndCountLocalZ(cuts, { statistic: 'simple' })(new Float64Array(nData).fill(1));
    windows.forEach((w, n) => expect(simple[n]).toBeCloseTo(w.row.zSimpleOneSided, 12));
  });

  it('Poisson-bootstrap global p lies between the local p and the Šidák bound', () => {
    const observed = windows.map((w) => w.row.zCowanOneSided);
    const g = globalSignificance({ observedLocalZ: [...observed.slice(0, 8), 2], nEvents: nData, localZ: cutAndCountLocalZ(cuts), nToys: 400, rng: createRng(3) });
    expect(g.observedMaxZ).toBeGreaterThanOrEqual(2);
    const sd = Math.sqrt((g.sidakPGlobal * (1 - g.sidakPGlobal)) / 400);
    expect(g.pGlobal).toBeGreaterThan(g.pLocal);
    expect(g.pGlobal).toBeLessThan(g.sidakPGlobal + 4 * sd);
  });

  it('rejects inconsistent windows', () => {
    expect(() => cutAndCountLocalZ([])).toThrow(/windows is empty/);
    expect(() => cutAndCountLocalZ([{ eventIndex: [1, 2], pass: [1], epsilonEff: 0.1, nTemplatePassEff: 3 }])).toThrow(/windows\[0\].pass has 1 entries/);
  });
});

describe('look-elsewhere without retraining: correlated windows in the Gaussian approximation', () => {
  const sliding = (m: number, width: number) => Array.from({ length: m }, (_, i) => Array.from({ length: m }, (_, j) => Math.max(0, (width - Math.abs(i - j)) / width)));

  it('bivariate normal tail: closed forms at ρ = 0, 1 and P(X>0, Y>0) = 1/4 + asin(ρ)/2π', () => {
    expect(bivariateNormalUpperTail(1.3, 0)).toBeCloseTo(normalSf(1.3) ** 2, 9);
    expect(bivariateNormalUpperTail(2, 1)).toBeCloseTo(normalSf(2), 12);
    for (const rho of [-0.5, 0.3, 0.75, 0.95]) expect(bivariateNormalUpperTail(0, rho)).toBeCloseTo(0.25 + Math.asin(rho) / (2 * Math.PI), 6);
  });

  it('independent windows give Šidák, identical windows give the local p, and the far tail uses the Hunter–Worsley bound', () => {
    const id = sliding(5, 1);
    const z = 1.5, p = normalSf(z);
    const indep = correlatedMaxGlobalPValue(z, id, { rng: createRng(1) });
    expect(indep.via).toBe('monte-carlo');
    // 200k draws: binomial error ≈ 1e-3 at p ≈ 0.3.
    expect(Math.abs(indep.globalP - sidakGlobalPValue(p, 5))).toBeLessThan(4e-3);
    const same = Array.from({ length: 5 }, () => new Array<number>(5).fill(1));
    expect(Math.abs(correlatedMaxGlobalPValue(z, same, { rng: createRng(2) }).globalP - p)).toBeLessThan(3e-3);
    const tail = correlatedMaxGlobalPValue(5, id, { rng: createRng(3), draws: 20_000 });
    expect(tail.via).toBe('tail-bound');
    expect(tail.globalP / sidakGlobalPValue(normalSf(5), 5)).toBeCloseTo(1, 5);
  });

  it('windowCorrelations: shared events over sqrt(V_i V_j), V never below the observed count', () => {
    const c = windowCorrelations([{ passRows: [1, 2, 3, 4], variance: 4 }, { passRows: [3, 4, 5, 6], variance: 16 }, { passRows: [9], variance: 1 }]);
    expect(c[0][1]).toBeCloseTo(2 / Math.sqrt(4 * 16), 12);
    expect(c[1][0]).toBe(c[0][1]);
    expect(c[0][2]).toBe(0);
    expect(c.map((r, i) => r[i])).toEqual([1, 1, 1]);
  });

  it('background only: the global p of sliding windows is uniform (KS) and the trials factor at Z = 3 lies between 1 and 9', () => {
    // 12 Poisson bins of mean 200, nine windows of four adjacent bins (75 % overlap, as the LHCO windows);
    // the correlation is estimated per toy from the events the windows share.
    const rng = createRng(11);
    const ps: number[] = [];
    for (let t = 0; t < 400; t++) {
      const n = Array.from({ length: 12 }, () => rng.poisson(200));
      const start = [0];
      for (const k of n) start.push(start[start.length - 1] + k);
      const windows = Array.from({ length: 9 }, (_, i) => ({ passRows: Array.from({ length: start[i + 4] - start[i] }, (_, r) => start[i] + r), variance: 800 }));
      const z = Math.max(...windows.map((w) => (w.passRows.length - 800) / Math.sqrt(800)));
      ps.push(correlatedMaxGlobalPValue(z, windowCorrelations(windows), { rng: createRng(100 + t), draws: 20_000 }).globalP);
    }
    const ks = ksUniformTest(ps);
    expect(ks.pValue).toBeGreaterThan(0.01);
    const tf3 = correlatedMaxGlobalPValue(3, sliding(9, 4), { rng: createRng(5) }).globalP / normalSf(3);
    expect(tf3).toBeGreaterThan(1);
    expect(tf3).toBeLessThan(9);
  });

  it('ksUniformTest: uniform draws pass, squared ones fail; pseudo-experiment p never reaches 0', () => {
    const rng = createRng(4);
    const u = Array.from({ length: 500 }, () => rng.uniform());
    expect(ksUniformTest(u).pValue).toBeGreaterThan(0.01);
    expect(ksUniformTest(u.map((x) => x * x)).pValue).toBeLessThan(1e-6);
    expect(pseudoExperimentGlobalPValue(4, [0.1, 2, 3.9])).toEqual({ globalP: 0.25, nExceeding: 0 });
    expect(pseudoExperimentGlobalPValue(1, [0.1, 2, 3.9])).toEqual({ globalP: 0.75, nExceeding: 2 });
  });
});
