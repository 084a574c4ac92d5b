import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../../lib/util/rng.js';
import { MlpNetwork } from '../../lib/ml/nn/network.js';
import { bceWithLogitsInto, sigmoid, softplus } from '../../lib/ml/nn/loss.js';
import { batchGradient } from '../../lib/ml/nn/gradient.js';
import { MlpClassifier, FittedMlp, MLP_DEFAULTS } from '../../lib/ml/nn/mlp.js';
import { kernelBackend, setKernelBackend, wasmKernelsAvailable } from '../../lib/ml/kernels/index.js';
import type { Matrix } from '../../lib/ml/matrix.js';
import type { Reporter } from '../../lib/util/reporter.js';
import { lhcoSrDir, readNpyF64 } from '../helpers/lhcoSr.js';
import { rocAuc } from '../../lib/ml/auc.js';

/** Standard normal CDF via erf-free series (Abramowitz–Stegun 26.2.17 is not exact enough; use a numerical integral). */
function normalCdf(x: number): number {
  // Simpson on [−10, x]: the tail below −10 is < 1e-23.
  const a = -10, n = 20000, h = (x - a) / n;
  const f = (t: number): number => Math.exp(-0.5 * t * t) / Math.sqrt(2 * Math.PI);
  let s = f(a) + f(x);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * f(a + i * h);
  return (s * h) / 3;
}

/** Two unit Gaussians in d dimensions, the signal shifted by `shift` along every axis. */
function gaussianToy(n: number, d: number, shift: number, rng: Rng): { X: Matrix<Float64Array>; y: Uint8Array } {
  const X = new Float64Array(n * d), y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    for (let j = 0; j < d; j++) X[i * d + j] = rng.normal() + (y[i] ? shift : 0) + 3 * j;
  }
  return { X: { data: X, rows: n, cols: d }, y };
}

const backends = wasmKernelsAvailable ? (['wasm', 'js'] as const) : (['js'] as const);

describe('loss: weighted BCE on logits', () => {
  it('matches −w[y log σ + (1 − y) log(1 − σ)] and its derivative by finite differences', () => {
    const z = [-30, -3.2, -0.5, 0, 0.7, 4, 25], ys = [0, 1];
    for (const zi of z) for (const yi of ys) {
      const w = 1.7;
      const g = new Float32Array(1);
      const l = bceWithLogitsInto(g, [zi], [yi], [w], 1, 1);
      const p = sigmoid(zi);
      if (Math.abs(zi) < 20) expect(l).toBeCloseTo(-w * (yi * Math.log(p) + (1 - yi) * Math.log(1 - p)), 10);
      const h = 1e-5;
      const fd = (bceWithLogitsInto(null, [zi + h], [yi], [w], 1, 1) - bceWithLogitsInto(null, [zi - h], [yi], [w], 1, 1)) / (2 * h);
      expect(g[0]).toBeCloseTo(fd, 5);
    }
    expect(softplus(800)).toBe(800);
    expect(softplus(-800)).toBe(0);
  });
});

describe.each(backends)('network gradients by finite differences (%s kernels)', (kind) => {
  it('every weight and bias of every layer (ReLU hidden layers, logit output, weighted BCE)', () => {
    const before = kernelBackend();
    setKernelBackend(kind);
    try {
      const rng = createRng(99);
      const sizes = [3, 7, 5, 1], B = 16;
      const net = new MlpNetwork(sizes, B, { backend: kind });
      net.initialise(rng.fork('init'));
      for (let i = 0; i < B * 3; i++) net.input[i] = rng.normal();
      const y = Array.from({ length: B }, (_, i) => i % 2), w = Array.from({ length: B }, () => 0.5 + rng.uniform());
      const lossAt = (): number => bceWithLogitsInto(null, net.forward(B), y, w, B, 1 / B);
      const L = net.nLayers;
      bceWithLogitsInto(net.delta[L - 1], net.forward(B), y, w, B, 1 / B);
      net.backward(B);
      const analytic = net.grads.slice();
      const fdAt = (i: number, h: number): number => {
        const p0 = net.params[i];
        net.params[i] = p0 + h; const up = lossAt();
        net.params[i] = p0 - h; const dn = lossAt();
        net.params[i] = p0;
        return (up - dn) / (2 * h);
      };
      let kinks = 0, checked = 0;
      for (let i = 0; i < analytic.length; i++) {
        const h = 2e-3, a = fdAt(i, h), b = fdAt(i, h / 2);
        // A ReLU kink inside [p − h, p + h] makes the two step sizes disagree: skip it, count it.
        if (Math.abs(a - b) > 1e-5) { kinks++; continue; }
        checked++;
        expect(Math.abs(b - analytic[i])).toBeLessThan(1e-5 + 1e-3 * Math.abs(analytic[i]));
      }
      expect(kinks).toBeLessThan(0.1 * analytic.length);
      expect(checked).toBeGreaterThan(0.9 * analytic.length);
    } finally {
      setKernelBackend(before);
    }
  });
});

describe('weighted loss', () => {
  it('an integer weight k on an event gives the same gradient as k copies of it', () => {
    const rng = createRng(17);
    const sizes = [2, 6, 1];
    const rows = [[0.3, -1.2], [1.1, 0.4], [-0.7, 0.9], [0.2, 0.2]], labels = [1, 0, 1, 0];
    const x = Float32Array.from(rows.flat()), yAll = Float32Array.from(labels);
    const set = (w: number[] | null) => ({ x, y: yAll, w: w ? Float32Array.from(w) : null, rows: 4, cols: 2 });
    const weighted = new MlpNetwork(sizes, 8), copies = new MlpNetwork(sizes, 8);
    weighted.initialise(rng.fork('init'));
    copies.params.set(weighted.params);
    const scratch = () => [new Float32Array(8), new Float32Array(8)] as const;
    const [y1, w1] = scratch();
    const l1 = batchGradient(weighted, set([3, 1, 1, 1]), [0, 1, 2, 3], 0, 4, 1 / 6, y1, w1);
    const [y2] = scratch();
    const l2 = batchGradient(copies, set(null), [0, 0, 0, 1, 2, 3], 0, 6, 1 / 6, y2, null);
    expect(l1).toBeCloseTo(l2, 6);
    for (let i = 0; i < weighted.grads.length; i++) expect(weighted.grads[i]).toBeCloseTo(copies.grads[i], 6);
    expect(weighted.grads.some((g) => Math.abs(g) > 1e-3)).toBe(true);
  });
});

describe('MlpClassifier', () => {
  it('reaches the Bayes-optimal AUC on two shifted Gaussians (closed form Φ(δ√d / √2))', async () => {
    const d = 3, shift = 0.6;
    const train = gaussianToy(12000, d, shift, createRng(1));
    const test = gaussianToy(20000, d, shift, createRng(2));
    const fitted = await new MlpClassifier({ epochs: 6, ensembleEpochs: 3, hidden: [32, 32] }).fit(train.X, train.y, { seed: 4 });
    const auc = rocAuc(fitted.predictProba(test.X), test.y);
    const optimal = normalCdf((shift * Math.sqrt(d)) / Math.sqrt(2));
    expect(auc).toBeGreaterThan(optimal - 0.01);
    expect(auc).toBeLessThan(optimal + 0.01);
    expect(fitted.snapshots.length).toBe(3);
    expect(fitted.history!.valLoss.length).toBe(6);
  });

  it('is deterministic for a seed; another seed gives another model', async () => {
    const { X, y } = gaussianToy(3000, 4, 0.5, createRng(5));
    const clf = new MlpClassifier({ epochs: 3, ensembleEpochs: 2, hidden: [16, 16] });
    const a = (await clf.fit(X, y, { seed: 7 })).predictProba(X);
    const b = (await clf.fit(X, y, { seed: 7 })).predictProba(X);
    const c = (await clf.fit(X, y, { seed: 8 })).predictProba(X);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it.skipIf(!wasmKernelsAvailable)('WASM and TypeScript kernels train the same model within float tolerance', async () => {
    const { X, y } = gaussianToy(2000, 4, 0.5, createRng(6));
    const clf = new MlpClassifier({ epochs: 2, ensembleEpochs: 1, hidden: [16, 16] });
    const before = kernelBackend();
    try {
      setKernelBackend('wasm');
      const pw = (await clf.fit(X, y, { seed: 3 })).predictProba(X);
      setKernelBackend('js');
      const pj = (await clf.fit(X, y, { seed: 3 })).predictProba(X);
      let worst = 0;
      for (let i = 0; i < pw.length; i++) worst = Math.max(worst, Math.abs(pw[i] - pj[i]));
      expect(worst).toBeLessThan(1e-4);
    } finally {
      setKernelBackend(before);
    }
  });

  it('averages the probabilities of the kept epochs', async () => {
    const { X, y } = gaussianToy(1500, 2, 0.8, createRng(8));
    const fitted = await new MlpClassifier({ epochs: 4, ensembleEpochs: 3, hidden: [8] }).fit(X, y, { seed: 1 });
    const p = fitted.predictProba(X);
    const parts = [0, 1, 2].map((k) => fitted.predictProbaEpoch(X, k));
    for (let i = 0; i < 50; i++) expect(p[i]).toBeCloseTo((parts[0][i] + parts[1][i] + parts[2][i]) / 3, 12);
    const losses = fitted.snapshots.map((s) => s.valLoss);
    expect([...losses].sort((a, b) => a - b)).toEqual(losses);
    expect(Math.min(...fitted.history!.valLoss)).toBe(losses[0]);
  });

  it('round-trips through JSON with identical predictions and rejects malformed documents', async () => {
    const { X, y } = gaussianToy(1000, 3, 0.8, createRng(9));
    const fitted = await new MlpClassifier({ epochs: 2, ensembleEpochs: 2, hidden: [8, 8], weightDecay: 1e-4 }).fit(X, y, { seed: 2, classWeight: 'balanced' });
    const doc = JSON.parse(JSON.stringify(fitted.toJSON()));
    expect(doc).toMatchObject({ schema: 'sidewinder/model', version: 1, kind: 'mlp', options: { hidden: [8, 8], weightDecay: 1e-4 } });
    const back = FittedMlp.fromJSON(doc);
    expect(back.predictProba(X)).toEqual(fitted.predictProba(X));
    expect(() => FittedMlp.fromJSON({ ...doc, kind: 'hgb' })).toThrow(/expected a "mlp" model, got kind "hgb"/);
    const { snapshots: _s, ...noSnaps } = doc;
    expect(() => FittedMlp.fromJSON(noSnaps)).toThrow(/lacks key\(s\) snapshots/);
    expect(() => FittedMlp.fromJSON({ ...doc, version: 99 })).toThrow(/version 99/);
  });

  it('uses an explicit validation set and reports progress per epoch', async () => {
    const tr = gaussianToy(800, 2, 1, createRng(10)), va = gaussianToy(400, 2, 1, createRng(11));
    const ticks: number[] = [];
    const reporter: Reporter = { progress: (_s, done) => { ticks.push(done); }, log() {} };
    const fitted = await new MlpClassifier({ epochs: 3, ensembleEpochs: 1, hidden: [4] })
      .fit(tr.X, tr.y, { seed: 1, validation: { X: va.X, y: va.y }, reporter });
    expect(ticks).toEqual([1, 2, 3]);
    expect(fitted.history!.valLoss.every((v) => v > 0 && v < 1)).toBe(true);
  });

  it('names bad options and bad inputs', async () => {
    expect(() => new MlpClassifier({ learningrate: 1 } as never)).toThrow(/unknown option "learningrate" \(did you mean "learningRate"\?\)/);
    expect(() => new MlpClassifier({ batchSize: 0 })).toThrow(/batchSize must be an integer ≥ 1, got 0/);
    expect(() => new MlpClassifier({ hidden: [64, -1] })).toThrow(/hidden must be an array of integers ≥ 1, got \[64,-1\]/);
    expect(() => new MlpClassifier({ epochs: 5, ensembleEpochs: 10 })).toThrow(/ensembleEpochs \(10\) exceeds epochs \(5\)/);
    expect(MLP_DEFAULTS).toMatchObject({ hidden: [64, 64, 64], learningRate: 1e-3, batchSize: 128, epochs: 100, ensembleEpochs: 10 });
    const X = { data: new Float64Array([1, 2, 3, 4]), rows: 2, cols: 2 };
    const clf = new MlpClassifier({ epochs: 1, ensembleEpochs: 1 });
    await expect(clf.fit(X, new Uint8Array([0, 1, 1]), { seed: 1 })).rejects.toThrow(/y has 3 labels, X has 2 rows/);
    await expect(clf.fit(X, new Uint8Array([0, 2]), { seed: 1 })).rejects.toThrow(/label at row 1 is 2, expected 0 or 1/);
    await expect(clf.fit({ ...X, data: new Float64Array([1, NaN, 3, 4]) }, new Uint8Array([0, 1]), { seed: 1 })).rejects.toThrow(/NaN at row 0, column 1/);
    const fitted = await new MlpClassifier({ epochs: 1, ensembleEpochs: 1, validationFraction: 0 }).fit(X, new Uint8Array([0, 1]), { seed: 1 });
    expect(() => fitted.predictProba({ data: new Float64Array(3), rows: 1, cols: 3 })).toThrow(/X has 3 columns, the model was trained on 2/);
  });
});

const dir = lhcoSrDir;
describe.skipIf(!dir)('MlpClassifier on the real LHCO SR files', () => {
  it('separates extra signal from SR background (supervised, AUC > 0.9 on held-out events)', async () => {
    const sig = readNpyF64(dir + 'innerdata_extrasig.npy'), bkg = readNpyF64(dir + 'extrabkg_sr.npy');
    // 20k of each class, features m_J1, Δm_J, τ21_J1, τ21_J2 (columns 1–4).
    const nPer = 20000, n = 2 * nPer;
    const X = new Float64Array(n * 4), y = new Uint8Array(n);
    for (let i = 0; i < nPer; i++) for (const [t, lab, r] of [[sig, 1, 2 * i], [bkg, 0, 2 * i + 1]] as const) {
      for (let j = 0; j < 4; j++) X[r * 4 + j] = t.data[i * 6 + 1 + j];
      y[r] = lab;
    }
    const half = n / 2;
    const train = { data: X.subarray(0, half * 4), rows: half, cols: 4 }, test = { data: X.subarray(half * 4), rows: half, cols: 4 };
    const fitted = await new MlpClassifier({ epochs: 4, ensembleEpochs: 2 }).fit(train, y.subarray(0, half), { seed: 1 });
    const auc = rocAuc(fitted.predictProba(test), y.subarray(half));
    expect(auc).toBeGreaterThan(0.9);
  });
});
