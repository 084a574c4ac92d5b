/**
 * One contract for every model sidewinder trains or imports (issue 18, item 6; sk_cathode's
 * shape-contract suite over all backends): every classifier kind (hgb, cart, mlp, ensemble, onnx)
 * and every generator (affine flow, spline flow, GAN) on small generated data —
 *   shapes: one probability in [0, 1] per row / one sample row per mass, finite;
 *   determinism: same seed → the same numbers, also when the kind trains in workers
 *     (cross-fitting inline, on 1 and on 2 pool workers; the MLP's and the flow's own threads);
 *   persistence: toJSON → JSON text → loader gives identical predictions / log-densities / samples;
 *   bad input: wrong column count, a NaN, an unknown option — each refused with its error class and
 *     a message naming what is wrong (and, for options, the valid ones).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import '../../lib/ml/trees/hgb.js';
import '../../lib/ml/trees/cart.js';
import '../../lib/ml/nn/mlp.js';
import '../../lib/ml/ensemble.js';
import { createClassifier, loadModel, type FittedClassifier } from '../../lib/ml/classifier.js';
import { crossFit } from '../../lib/ml/crossFit.js';
import { WorkerPool } from '../../lib/ml/pool/pool.js';
import { loadOnnxClassifier, type FittedOnnxClassifier } from '../../lib/ml/onnx/classifier.js';
import { fitConditionalFlow, loadFlow, type FittedFlow } from '../../lib/ml/flows/index.js';
import { fitConditionalGan, loadGan } from '../../lib/ml/gan/index.js';
import { MlpClassifier } from '../../lib/ml/nn/mlp.js';
import type { Matrix } from '../../lib/ml/matrix.js';
import { createRng } from '../../lib/util/rng.js';
import { ConfigError, InputError, ShapeError } from '../../lib/util/errors.js';

/** Two classes of 4 features, the signal shifted by 0.6 in every feature. */
function labelled(n: number, seed: number): { X: Matrix<Float64Array>; y: Uint8Array } {
  const rng = createRng(seed), d = 4;
  const X = new Float64Array(n * d), y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    for (let j = 0; j < d; j++) X[i * d + j] = rng.normal() + 0.6 * y[i];
  }
  return { X: { data: X, rows: n, cols: d }, y };
}
const withNaN = (X: Matrix<Float64Array>): Matrix<Float64Array> => {
  const data = Float64Array.from(X.data);
  data[5 * X.cols + 2] = NaN;
  return { data, rows: X.rows, cols: X.cols };
};
const threeColumns: Matrix<Float64Array> = { data: new Float64Array(6), rows: 2, cols: 3 };

const train = labelled(400, 1), test = labelled(100, 2);
const data = labelled(150, 3), template = labelled(150, 4);
template.X.data.forEach((_, i, a) => (a[i] -= 0.3)); // a template unlike the data

interface TrainableCase { kind: string; options: Record<string, unknown>; typo: string; nearest: string }
const TRAINABLE: TrainableCase[] = [
  { kind: 'hgb', options: { maxIter: 15, earlyStopping: true, validationFraction: 0.3, nIterNoChange: 3 }, typo: 'maxIters', nearest: 'maxIter' },
  { kind: 'cart', options: { trees: 2, maxDepth: 4 }, typo: 'tree', nearest: 'trees' },
  { kind: 'mlp', options: { epochs: 3, ensembleEpochs: 2, hidden: [8] }, typo: 'epoch', nearest: 'epochs' },
  { kind: 'ensemble', options: { members: 2, base: 'hgb', baseOptions: { maxIter: 8, earlyStopping: true, validationFraction: 0.3, nIterNoChange: 3 } }, typo: 'member', nearest: 'members' },
];

const pools = { one: new WorkerPool({ size: 1 }), two: new WorkerPool({ size: 2 }) };
const onnxOpen: FittedOnnxClassifier[] = [];
afterAll(async () => {
  await Promise.all([pools.one.close(), pools.two.close(), ...onnxOpen.map((c) => c.close())]);
});

function expectProbabilities(p: Float64Array, rows: number): void {
  expect(p).toBeInstanceOf(Float64Array);
  expect(p.length).toBe(rows);
  for (const v of p) expect(v >= 0 && v <= 1).toBe(true);
  // Not a constant: the model separates the two classes at least a little.
  expect(Math.max(...p) - Math.min(...p)).toBeGreaterThan(0.01);
}

describe.each(TRAINABLE)('classifier contract: $kind', ({ kind, options, typo, nearest }) => {
  const fit = async (seed: number): Promise<FittedClassifier> => createClassifier(kind, options).fit(train.X, train.y, { seed });

  it('shapes: one probability in [0, 1] per row; knows its feature count', async () => {
    const m = await fit(7);
    expect(m.kind).toBe(kind);
    expect(m.nFeatures).toBe(4);
    expectProbabilities(m.predictProba(test.X), test.X.rows);
  });

  it('determinism: same seed → identical probabilities, another seed → different ones', async () => {
    const [a, b, c] = await Promise.all([fit(7), fit(7), fit(8)]);
    expect(a.predictProba(test.X)).toEqual(b.predictProba(test.X));
    expect(a.predictProba(test.X)).not.toEqual(c.predictProba(test.X));
  });

  it('determinism across workers: cross-fitting inline, on 1 and on 2 workers gives identical scores', async () => {
    const opts = { seed: 11, k: 3 };
    const inline = await crossFit({ kind, options }, data.X, template.X, opts);
    const one = await crossFit({ kind, options }, data.X, template.X, { ...opts, pool: pools.one });
    const two = await crossFit({ kind, options }, data.X, template.X, { ...opts, pool: pools.two });
    expect(inline.dataScores.length).toBe(data.X.rows);
    expect(inline.templateScores.length).toBe(template.X.rows);
    for (const r of [one, two]) {
      expect(r.dataScores).toEqual(inline.dataScores);
      expect(r.templateScores).toEqual(inline.templateScores);
    }
  });

  it('persistence: toJSON → JSON text → loadModel predicts identically', async () => {
    const m = await fit(7);
    const back = loadModel(JSON.parse(JSON.stringify(m.toJSON())));
    expect(back.kind).toBe(kind);
    expect(back.predictProba(test.X)).toEqual(m.predictProba(test.X));
  });

  it('bad input: wrong column count, NaN, unknown option', async () => {
    const m = await fit(7);
    expect(() => m.predictProba(threeColumns)).toThrow(ShapeError);
    expect(() => m.predictProba(threeColumns)).toThrow(/X has 3 columns, the model was trained on 4/);
    expect(() => m.predictProba(withNaN(test.X))).toThrow(InputError);
    expect(() => m.predictProba(withNaN(test.X))).toThrow(/NaN at row 5, column 2/);
    await expect(async () => createClassifier(kind, options).fit(withNaN(train.X), train.y, { seed: 7 })).rejects.toThrow(/NaN at row 5, column 2/);
    expect(() => createClassifier(kind, { ...options, [typo]: 1 })).toThrow(ConfigError);
    expect(() => createClassifier(kind, { ...options, [typo]: 1 })).toThrow(new RegExp(`unknown option "${typo}" \\(did you mean "${nearest}".*valid options: .*${nearest}`));
  });
});

describe('classifier contract: mlp on its own data-parallel threads', () => {
  it('two threads: same seed → identical probabilities; close to one thread (only the float summation order differs)', async () => {
    const o = { epochs: 3, ensembleEpochs: 2, hidden: [8] };
    const a = await new MlpClassifier({ ...o, threads: 2 }).fit(train.X, train.y, { seed: 7 });
    const b = await new MlpClassifier({ ...o, threads: 2 }).fit(train.X, train.y, { seed: 7 });
    const one = await new MlpClassifier(o).fit(train.X, train.y, { seed: 7 });
    const p = a.predictProba(test.X), q = one.predictProba(test.X);
    expect(p).toEqual(b.predictProba(test.X));
    for (let i = 0; i < p.length; i++) expect(Math.abs(p[i] - q[i])).toBeLessThan(1e-4);
  });
});

describe('classifier contract: onnx (imported, not trained)', () => {
  const file = fileURLToPath(new URL('../fixtures/torch_mlp_classifier.onnx', import.meta.url));
  const load = async (opts = {}): Promise<FittedOnnxClassifier> => {
    const c = await loadOnnxClassifier(file, opts);
    onnxOpen.push(c);
    return c;
  };

  it('shapes and determinism: one probability in [0, 1] per row, the same on every call', async () => {
    const c = await load();
    expect(c.kind).toBe('onnx');
    expect(c.nFeatures).toBe(4);
    const p = c.predictProba(test.X);
    expectProbabilities(p, test.X.rows);
    expect(c.predictProba(test.X)).toEqual(p);
  });

  it('persistence: toJSON → JSON text → loadModel predicts identically', async () => {
    const c = await load();
    const back = loadModel(JSON.parse(JSON.stringify(c.toJSON()))) as FittedOnnxClassifier;
    onnxOpen.push(back);
    expect(back.predictProba(test.X)).toEqual(c.predictProba(test.X));
  });

  it('bad input: wrong column count, NaN, unknown option', async () => {
    const c = await load();
    expect(() => c.predictProba(threeColumns)).toThrow(ShapeError);
    expect(() => c.predictProba(withNaN(test.X))).toThrow(/NaN at row 5, column 2/);
    await expect(load({ outputname: 'proba' })).rejects.toThrow(/unknown option "outputname" \(did you mean "outputName".*valid options: inputName, outputName/);
  });
});

// ---- generators ------------------------------------------------------------------------------

/** x | m ~ N((2m, 1 − m), diag(0.5², 0.3²)), m ~ U(3, 4) (TeV-like masses). */
function conditional(n: number, seed: number): { x: Matrix<Float64Array>; m: Float64Array } {
  const rng = createRng(seed), x = new Float64Array(2 * n), m = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    m[i] = 3 + rng.uniform();
    x[2 * i] = 2 * (m[i] - 3) + 0.5 * rng.normal();
    x[2 * i + 1] = 4 - m[i] + 0.3 * rng.normal();
  }
  return { x: { data: x, rows: n, cols: 2 }, m };
}
const sideband = conditional(800, 5);
/** Fresh events strictly inside a flow's training range of every feature (the flow gives −∞ outside, by design). */
function insideRange(f: FittedFlow): { x: Matrix<Float64Array>; m: Float64Array } {
  const c = conditional(300, 6), { min, max } = f.preprocessing;
  const keep = Array.from({ length: c.x.rows }, (_, i) => i).filter((i) => [0, 1].every((j) => c.x.data[2 * i + j] > min[j] && c.x.data[2 * i + j] < max[j]));
  return { x: { data: Float64Array.from(keep.flatMap((i) => [c.x.data[2 * i], c.x.data[2 * i + 1]])), rows: keep.length, cols: 2 }, m: Float64Array.from(keep, (i) => c.m[i]) };
}
const masses = Float64Array.from({ length: 64 }, (_, i) => 3.2 + (0.6 * i) / 63);
const tinyFlow = { blocks: 2, hidden: 8, epochs: 3, batchSize: 64, keepBestEpochs: 2, maxEvents: null };

interface Generator {
  sample(m: Float64Array, rng: ReturnType<typeof createRng>): Matrix<Float64Array>;
  toJSON(): unknown;
}
interface GeneratorCase {
  name: string;
  fit(x: Matrix, m: Float64Array, seed: number, extra?: Record<string, unknown>): Promise<Generator>;
  load(doc: unknown): Generator;
  /** A flow has a density; the GAN does not. */
  density: boolean;
}
const GENERATORS: GeneratorCase[] = [
  { name: 'affine flow', fit: (x, m, seed, extra = {}) => fitConditionalFlow(x, m, { seed, ...tinyFlow, ...extra }), load: loadFlow, density: true },
  { name: 'spline flow', fit: (x, m, seed, extra = {}) => fitConditionalFlow(x, m, { seed, ...tinyFlow, transform: 'rq-spline', ...extra }), load: loadFlow, density: true },
  {
    name: 'GAN', density: false, load: loadGan,
    fit: async (x, m, seed, extra = {}) => fitConditionalGan(x, m, { seed, epochs: 3, hidden: [8], noiseDim: 2, keepBest: 2, ...extra }),
  },
];

describe.each(GENERATORS)('generator contract: $name', ({ fit, load, density }) => {
  it('shapes: one finite sample row of the training dimension per mass; one finite log-density per event', async () => {
    const g = await fit(sideband.x, sideband.m, 3);
    const s = g.sample(masses, createRng(1));
    expect(s.rows).toBe(masses.length);
    expect(s.cols).toBe(2);
    expect(s.data.length).toBe(masses.length * 2);
    for (const v of s.data) expect(Number.isFinite(v)).toBe(true);
    if (density) {
      const inside = insideRange(g as FittedFlow);
      expect(inside.x.rows).toBeGreaterThan(250);
      const lp = (g as FittedFlow).logProb(inside.x, inside.m);
      expect(lp.length).toBe(inside.x.rows);
      for (const v of lp) expect(Number.isFinite(v)).toBe(true);
    }
  });

  it('determinism: same seed → identical samples (and log-densities); another seed → different', async () => {
    const [a, b, c] = [await fit(sideband.x, sideband.m, 3), await fit(sideband.x, sideband.m, 3), await fit(sideband.x, sideband.m, 4)];
    expect(a.sample(masses, createRng(1)).data).toEqual(b.sample(masses, createRng(1)).data);
    expect(a.sample(masses, createRng(1)).data).not.toEqual(c.sample(masses, createRng(1)).data);
    if (density) expect((a as FittedFlow).logProb(sideband.x, sideband.m)).toEqual((b as FittedFlow).logProb(sideband.x, sideband.m));
  });

  it('persistence: toJSON → JSON text → loader gives identical samples (and log-densities)', async () => {
    const g = await fit(sideband.x, sideband.m, 3);
    const back = load(JSON.parse(JSON.stringify(g.toJSON())));
    expect(back.sample(masses, createRng(2)).data).toEqual(g.sample(masses, createRng(2)).data);
    if (density) expect((back as FittedFlow).logProb(sideband.x, sideband.m)).toEqual((g as FittedFlow).logProb(sideband.x, sideband.m));
  });

  it('bad input: rows ≠ masses, wrong column count, NaN event or mass, unknown option', async () => {
    const g = await fit(sideband.x, sideband.m, 3);
    await expect(async () => fit(sideband.x, sideband.m.subarray(0, 10), 3)).rejects.toThrow(ShapeError);
    const nan = withNaN(sideband.x);
    await expect(async () => fit(nan, sideband.m, 3)).rejects.toThrow(InputError);
    await expect(async () => fit(nan, sideband.m, 3)).rejects.toThrow(/NaN/);
    expect(() => g.sample(Float64Array.of(3.5, NaN), createRng(1))).toThrow(InputError);
    if (density) expect(() => (g as FittedFlow).logProb(threeColumns, new Float64Array(2))).toThrow(/x has 3 columns, the flow models 2/);
    await expect(async () => fit(sideband.x, sideband.m, 3, { hiden: 3 })).rejects.toThrow(ConfigError);
    await expect(async () => fit(sideband.x, sideband.m, 3, { hiden: 3 })).rejects.toThrow(/unknown option "hiden" \(did you mean "hidden".*valid options: .*hidden/);
  });
});

describe('generator contract: flows on two threads', () => {
  it.each([['affine', {}], ['rq-spline', { transform: 'rq-spline' }]] as const)('%s, synchronised batch norm: same seed → identical; the same training as one thread up to float rounding', async (_n, extra) => {
    const sync = { seed: 3, ...tinyFlow, ...extra, threads: 2, dataParallel: 'syncBatchNorm' } as const;
    const a = await fitConditionalFlow(sideband.x, sideband.m, sync);
    const b = await fitConditionalFlow(sideband.x, sideband.m, sync);
    const one = await fitConditionalFlow(sideband.x, sideband.m, { ...sync, threads: 1 });
    expect(a.sample(masses, createRng(1)).data).toEqual(b.sample(masses, createRng(1)).data);
    expect(a.logProb(sideband.x, sideband.m)).toEqual(b.logProb(sideband.x, sideband.m));
    for (let e = 0; e < tinyFlow.epochs; e++) expect(a.history.validationLoss[e]).toBeCloseTo(one.history.validationLoss[e], 3);
  });
});

