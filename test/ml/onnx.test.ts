import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { MlpClassifier, type FittedMlp } from '../../lib/ml/nn/mlp.js';
import { exportMlpToOnnx, ModelProto, FittedOnnxClassifier, loadOnnxClassifier } from '../../lib/ml/onnx/index.js';
import { createRng } from '../../lib/util/rng.js';
import type { Matrix } from '../../lib/ml/matrix.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
const open: FittedOnnxClassifier[] = [];
afterAll(async () => { for (const c of open) await c.close(); });

function toy(n: number, d: number, seed: number): { X: Matrix<Float64Array>; y: Uint8Array } {
  const rng = createRng(seed);
  const X = new Float64Array(n * d), y = new Uint8Array(n);
  // Features with non-trivial means and scales, so the standardisation in the graph matters.
  for (let i = 0; i < n; i++) { y[i] = i % 2; for (let j = 0; j < d; j++) X[i * d + j] = rng.normal() * (j + 1) + 10 * j + (y[i] ? 0.8 : 0); }
  return { X: { data: X, rows: n, cols: d }, y };
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  expect(a.length).toBe(b.length);
  let w = 0;
  for (let i = 0; i < a.length; i++) w = Math.max(w, Math.abs(a[i] - b[i]));
  return w;
};

describe('ONNX export of a trained MLP', () => {
  let fitted: FittedMlp;
  const { X, y } = toy(3000, 4, 1);

  it('runs in onnxruntime-node with the same probabilities (|Δ| < 1e-5), epoch ensemble included', async () => {
    fitted = await new MlpClassifier({ epochs: 4, ensembleEpochs: 3 }).fit(X, y, { seed: 2 });
    const bytes = exportMlpToOnnx(fitted);
    const session = await ort.InferenceSession.create(bytes);
    expect(session.inputNames).toEqual(['x']);
    expect(session.outputNames).toEqual(['proba']);
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from(X.data), [X.rows, X.cols]) });
    expect(out.proba.dims).toEqual([X.rows, 1]);
    expect(maxAbsDiff(out.proba.data as Float32Array, fitted.predictProba(X))).toBeLessThan(1e-5);
    await session.release();
  });

  it('writes opset 13 with only Sub, Div, Gemm, Relu, Sigmoid and Mean, the weights as float32 initializers', () => {
    const doc = ModelProto.toObject(ModelProto.decode(exportMlpToOnnx(fitted)), { longs: Number }) as {
      irVersion: number; opsetImport: { version: number }[]; graph: { node: { opType: string }[]; initializer: { dataType: number }[] };
    };
    expect(doc.irVersion).toBe(7);
    expect(doc.opsetImport.map((o) => o.version)).toEqual([13]);
    const ops = new Set(doc.graph.node.map((n) => n.opType));
    expect([...ops].sort()).toEqual(['Div', 'Gemm', 'Mean', 'Relu', 'Sigmoid', 'Sub']);
    expect(doc.graph.node.filter((n) => n.opType === 'Gemm')).toHaveLength(3 * 4);
    expect(doc.graph.initializer.every((t) => t.dataType === 1)).toBe(true);
  });

  it('a single-epoch model (no Mean node) imports back as a scorer with the same outputs, sync and async', async () => {
    const one = await new MlpClassifier({ epochs: 2, ensembleEpochs: 1, hidden: [16, 8] }).fit(X, y, { seed: 3 });
    const clf = await loadOnnxClassifier(exportMlpToOnnx(one));
    open.push(clf);
    const want = one.predictProba(X);
    expect(maxAbsDiff(await clf.predictProbaAsync(X), want)).toBeLessThan(1e-5);
    expect(maxAbsDiff(clf.predictProba(X), want)).toBeLessThan(1e-5);
  });
});

describe('importing a PyTorch classifier (torch.onnx.export fixture)', () => {
  const ref = JSON.parse(readFileSync(fixture('torch_mlp_classifier.json'), 'utf8')) as { cols: number; x: number[][]; proba: number[]; logit: number[] };
  const X: Matrix<Float64Array> = { data: Float64Array.from(ref.x.flat()), rows: ref.x.length, cols: ref.cols };

  it("reproduces torch's probabilities (|Δ| < 1e-5) through predictProbaAsync and the synchronous predictProba", async () => {
    const clf = await loadOnnxClassifier(fixture('torch_mlp_classifier.onnx'));
    open.push(clf);
    expect(clf.nFeatures).toBe(4);
    expect(maxAbsDiff(await clf.predictProbaAsync(X), ref.proba)).toBeLessThan(1e-5);
    expect(maxAbsDiff(clf.predictProba(X), ref.proba)).toBeLessThan(1e-5);
    // The probabilities are not trivial: the fixture network separates its toy.
    expect(Math.max(...ref.proba) - Math.min(...ref.proba)).toBeGreaterThan(0.5);
  });

  it("a logit-output model with output: 'logit' gives the same probabilities", async () => {
    const clf = await loadOnnxClassifier(fixture('torch_mlp_logit.onnx'), { output: 'logit' });
    open.push(clf);
    expect(maxAbsDiff(clf.predictProba(X), ref.proba)).toBeLessThan(1e-5);
  });

  it('persists as a model document and scores identically after JSON round trip', async () => {
    const clf = await loadOnnxClassifier(fixture('torch_mlp_classifier.onnx'));
    const back = FittedOnnxClassifier.fromJSON(JSON.parse(JSON.stringify(clf.toJSON())));
    open.push(clf, back);
    expect(back.kind).toBe('onnx');
    expect(back.predictProba(X)).toEqual(clf.predictProba(X));
  });

  it('names what is wrong: column count, output name, unreadable file, non-ONNX bytes, unknown option', async () => {
    const clf = await loadOnnxClassifier(fixture('torch_mlp_classifier.onnx'));
    open.push(clf);
    const three = { data: new Float64Array(6), rows: 2, cols: 3 };
    expect(() => clf.predictProba(three)).toThrow(/X has 3 columns, the model's input takes 4/);
    await expect(clf.predictProbaAsync(three)).rejects.toThrow(/X has 3 columns, the model's input takes 4/);
    await expect(loadOnnxClassifier(fixture('torch_mlp_classifier.onnx'), { outputName: 'probs' })).rejects.toThrow(/no output named "probs" \(did you mean "proba"\?\)/);
    await expect(loadOnnxClassifier(fixture('missing.onnx'))).rejects.toThrow(/missing\.onnx: cannot read the ONNX file/);
    await expect(loadOnnxClassifier(new Uint8Array([1, 2, 3, 4]))).rejects.toThrow(/onnxruntime cannot load the model/);
    expect(() => new FittedOnnxClassifier(new Uint8Array(1), { outputname: 'x' } as never)).toThrow(/unknown option "outputname" \(did you mean "outputName"/);
  });
});
