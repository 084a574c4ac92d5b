import { describe, expect, it } from 'vitest';
import { createRng } from '../../../lib/util/rng.js';
import { fitQuantileMap, toNormal, fromNormal } from '../../../lib/ml/flows/quantileMap.js';
import { fitPreprocessing, preprocess, inversePreprocess } from '../../../lib/ml/flows/preprocess.js';
import { normalCdf } from '../../../lib/util/special.js';
import { fitConditionalFlow, loadFlow } from '../../../lib/ml/flows/index.js';
import { exportFlowToOnnx } from '../../../lib/ml/onnx/flow.js';
import { sidebandLike2d } from '../../helpers/flowToys.js';

/** A feature whose density is finite at its lower bound (an exponential): the logit gives it an exponential tail. */
function exponentialSample(n: number, seed: number): Float64Array {
  const r = createRng(seed);
  return Float64Array.from({ length: n }, () => -Math.log(1 - r.uniform()));
}

describe('quantile map to N(0, 1)', () => {
  const n = 50_000;
  const train = exponentialSample(n, 1);
  const q = fitQuantileMap(Float64Array.from(train).sort(), 'exp');

  it('gives an independent sample of the same distribution Gaussian quantiles, tails included', () => {
    // Fraction of a fresh sample below z = −2, −1, 0, 1, 2, 3: binomial errors, 4σ bands.
    const fresh = exponentialSample(n, 2).map((v) => toNormal(q, v).z);
    for (const z of [-2, -1, 0, 1, 2, 3]) {
      const p = normalCdf(z);
      const below = fresh.filter((v) => v < z).length / n;
      expect(Math.abs(below - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n) + 2e-4);
    }
  });

  it('is strictly increasing and C¹: the slope is continuous across every knot', () => {
    for (let k = 1; k < q.x.length - 1; k++) {
      const eps = 1e-9 * Math.max(1, q.x[k]);
      const left = toNormal(q, q.x[k] - eps), right = toNormal(q, q.x[k] + eps);
      expect(right.z).toBeGreaterThan(left.z);
      // A piecewise-linear map would jump by the ratio of neighbouring secants (several per cent here).
      expect(Math.abs(right.dzdx - left.dzdx) / left.dzdx).toBeLessThan(1e-3);
    }
  });

  it('dz/dx matches a numerical derivative and the inverse recovers x to 1e-10', () => {
    const r = createRng(3);
    for (let i = 0; i < 200; i++) {
      const v = -Math.log(1 - r.uniform());
      const h = 1e-6, a = toNormal(q, v - h).z, b = toNormal(q, v + h).z;
      const t = toNormal(q, v);
      expect(t.dzdx).toBeGreaterThan(0);
      expect(Math.abs((b - a) / (2 * h) - t.dzdx) / t.dzdx).toBeLessThan(1e-4);
      expect(Math.abs(fromNormal(q, t.z) - v)).toBeLessThan(1e-10 * Math.max(1, v));
    }
  });

  it('a value taken by 40 % of the events in the middle: one knot at its median z, and the map stays increasing and invertible around it', () => {
    const r = createRng(7);
    const v = Float64Array.from({ length: 20_000 }, (_, i) => (i % 10 < 3 ? r.uniform() : i % 10 < 7 ? 1.5 : 2 + r.uniform())).sort();
    const t = fitQuantileMap(v, 'tied');
    // The tie spans F = 0.3 … 0.7, z = ±0.52: its knot sits at the middle, within one grid step (0.18).
    expect(Math.abs(toNormal(t, 1.5).z)).toBeLessThan(0.15);
    for (let k = 0; k <= 3000; k++) {
      const x = -0.2 + (3.4 * k) / 3000;
      const { z, dzdx } = toNormal(t, x);
      expect(dzdx).toBeGreaterThan(0);
      expect(Math.abs(fromNormal(t, z) - x)).toBeLessThan(1e-9);
    }
  });

  it('collapses ties and refuses a feature with a single value', () => {
    const tied = Float64Array.from({ length: 1000 }, (_, i) => (i < 900 ? 1 : 1 + i / 1000)).sort();
    const t = fitQuantileMap(tied, 'tied');
    for (let k = 1; k < t.x.length; k++) expect(t.x[k]).toBeGreaterThan(t.x[k - 1]);
    expect(() => fitQuantileMap(new Float64Array(10).fill(2), 'constant')).toThrow(/feature constant takes a single value/);
  });
});

describe('featureTransform "gaussianize" in the flow preprocessing', () => {
  const n = 20_000, r = createRng(5);
  const x = new Float64Array(n * 2), m = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    m[i] = 3 + r.uniform();
    x[2 * i] = -Math.log(1 - r.uniform()) * m[i];
    x[2 * i + 1] = r.uniform();
  }
  const p = fitPreprocessing({ data: x, rows: n, cols: 2 }, m, 'gaussianize');
  const pre = preprocess(p, { data: x, rows: n, cols: 2 }, m);

  it('drops only the training extremes, standardises each feature and inverts exactly', () => {
    expect(pre.dropped).toBeLessThanOrEqual(4);
    for (let j = 0; j < 2; j++) {
      let s = 0, s2 = 0;
      for (let i = 0; i < pre.kept.length; i++) { s += pre.y[2 * i + j]; s2 += pre.y[2 * i + j] ** 2; }
      expect(Math.abs(s / pre.kept.length)).toBeLessThan(0.01);
      expect(Math.abs(s2 / pre.kept.length - 1)).toBeLessThan(0.02);
    }
    const back = inversePreprocess(p, Float64Array.from(pre.y), pre.kept.length);
    // y is float32: the round trip holds to its precision.
    for (let i = 0; i < 200; i++)
      for (let j = 0; j < 2; j++) expect(Math.abs(back.data[2 * i + j] - x[2 * pre.kept[i] + j])).toBeLessThan(1e-5 * Math.max(1, Math.abs(x[2 * pre.kept[i] + j])));
  });

  it('its log-Jacobian is the sum of the per-feature log dz/dx', () => {
    for (let i = 0; i < 50; i++) {
      const row = pre.kept[i];
      const expected = Math.log(toNormal(p.gaussianize![0], x[2 * row]).dzdx) + Math.log(toNormal(p.gaussianize![1], x[2 * row + 1]).dzdx);
      expect(pre.logJacobian[i]).toBeCloseTo(expected, 10);
    }
  });

  it('drops the events at or beyond the training minimum and maximum, as the logit does', () => {
    const probe = Float64Array.from([p.min[0], 0.5, 1, 0.5, p.max[0], 0.5, 1, p.min[1], 1, p.max[1], p.min[0] - 1, 0.5]);
    const out = preprocess(p, { data: probe, rows: 6, cols: 2 }, Float64Array.from([3, 3, 3, 3, 3, 3]));
    expect(Array.from(out.kept)).toEqual([1]);
  });

  it('refuses an unknown transform by name', () => {
    expect(() => fitPreprocessing({ data: x, rows: n, cols: 2 }, m, 'arcsinh' as never)).toThrow(/unknown feature transform "arcsinh"/);
  });
});

/** Per transform, documents spoilt so that their preprocessing no longer matches their options, and the error each must raise. */
const SPOILT_DOCUMENTS: Record<'gaussianize' | 'probit', { spoil: (doc: ReturnType<typeof JSON.parse>) => void; error: RegExp }[]> = {
  gaussianize: [
    { spoil: (doc) => delete doc.preprocessing.gaussianize, error: /featureTransform "gaussianize" does not match preprocessing.gaussianize \(absent\)/ },
    { spoil: (doc) => doc.preprocessing.gaussianize[1].x.reverse(), error: /gaussianize\[1\] is not a valid quantile map/ },
  ],
  probit: [{ spoil: (doc) => delete doc.preprocessing.link, error: /featureTransform "probit" does not match preprocessing.link \(null\)/ }],
};

describe.each(['gaussianize', 'probit'] as const)('a flow trained with featureTransform "%s"', async (featureTransform) => {
  const { x, m } = sidebandLike2d(2000, 3);
  const flow = await fitConditionalFlow(x, m, { blocks: 2, hidden: 8, epochs: 2, batchSize: 64, keepBestEpochs: 1, maxEvents: null, featureTransform, seed: 4 });

  it('samples finite events inside the training range, deterministically, and its density is finite', () => {
    const masses = Float64Array.from({ length: 500 }, (_, i) => 2.6 + (1.8 * i) / 500);
    const a = flow.sampleChecked(masses, createRng(9)), b = flow.sampleChecked(masses, createRng(9));
    expect(Array.from(a.x.data)).toEqual(Array.from(b.x.data));
    expect(a.x.rows).toBe(500);
    const p = flow.preprocessing;
    for (let i = 0; i < a.x.rows; i++)
      for (let j = 0; j < 2; j++) {
        expect(a.x.data[2 * i + j]).toBeGreaterThan(p.min[j]);
        expect(a.x.data[2 * i + j]).toBeLessThan(p.max[j]);
      }
    for (const v of flow.logProb(a.x, masses)) expect(Number.isFinite(v)).toBe(true);
  });

  it('round-trips through its JSON document, and a document whose preprocessing does not match its options is refused', () => {
    const doc = JSON.parse(JSON.stringify(flow.toJSON()));
    const masses = Float64Array.from({ length: 50 }, (_, i) => 2.6 + i / 30);
    expect(Array.from(loadFlow(doc).sample(masses, createRng(2)).data)).toEqual(Array.from(flow.sample(masses, createRng(2)).data));
    for (const { spoil, error } of SPOILT_DOCUMENTS[featureTransform]) {
      const spoilt = structuredClone(doc);
      spoil(spoilt);
      expect(() => loadFlow(spoilt)).toThrow(error);
    }
  });

  it('is refused by the ONNX export, which encodes the logit preprocessing only', () => {
    expect(() => exportFlowToOnnx(flow)).toThrow(new RegExp(`featureTransform "${featureTransform}"`));
  });
});
