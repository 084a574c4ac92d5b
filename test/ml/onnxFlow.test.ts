import { describe, expect, it } from 'vitest';
import ort from 'onnxruntime-node';
import { createRng } from '../../lib/util/rng.js';
import type { Matrix } from '../../lib/ml/matrix.js';
import { fitConditionalFlow, FlowEnsemble, loadFlow, type FittedFlow } from '../../lib/ml/flows/index.js';
import { exportFlowToOnnx, ModelProto } from '../../lib/ml/onnx/index.js';

/** 3-D sideband-like toy whose features depend on m (TeV-like scales, bounded τ-like third feature). */
function toy(n: number, seed: number): { x: Matrix<Float64Array>; m: Float64Array } {
  const r = createRng(seed);
  const x = new Float64Array(n * 3), m = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    m[i] = 2.8 + 1.6 * r.uniform();
    x[3 * i] = 0.08 * m[i] + 0.04 * Math.abs(r.normal());
    x[3 * i + 1] = Math.exp(0.4 * r.normal()) * 0.1 + 0.5 * x[3 * i];
    x[3 * i + 2] = 1 / (1 + Math.exp(-(r.normal() + 2 * x[3 * i])));
  }
  return { x: { data: x, rows: n, cols: 3 }, m };
}

const small = { blocks: 3, hidden: 16, epochs: 3, batchSize: 128, keepBestEpochs: 2, maxEvents: null } as const;

async function run(bytes: Uint8Array, feeds: Record<string, { data: Float32Array; dims: number[] }>): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    const t: Record<string, ort.Tensor> = {};
    for (const [k, v] of Object.entries(feeds)) t[k] = new ort.Tensor('float32', v.data, v.dims);
    return await session.run(t);
  } finally {
    await session.release();
  }
}

const f32 = (a: ArrayLike<number>) => Float32Array.from(a);

/** Largest |a − b| over the finite entries; both must be −∞ at the same rows. */
function compareLogProb(onnx: Float32Array, ours: Float64Array): number {
  expect(onnx.length).toBe(ours.length);
  let worst = 0;
  for (let i = 0; i < ours.length; i++) {
    if (ours[i] === -Infinity) { expect(onnx[i]).toBe(-Infinity); continue; }
    expect(Number.isFinite(onnx[i])).toBe(true);
    worst = Math.max(worst, Math.abs(onnx[i] - ours[i]));
  }
  return worst;
}

describe('ONNX export of conditional flows', () => {
  const train = toy(3000, 1);
  const test = toy(1500, 2);
  let flow: FittedFlow;

  it('log p(x | m) in onnxruntime equals FittedFlow.logProb (epoch mixture, Jacobian, −∞ outside the range)', async () => {
    flow = await fitConditionalFlow(train.x, train.m, { ...small, seed: 3 });
    expect(flow.members.length).toBe(2);
    // Append rows outside the training range (below the minimum, above the maximum, NaN) and a NaN mass.
    const extra = [[flow.preprocessing.min[0] - 0.01, 0.2, 0.5], [0.3, 0.2, flow.preprocessing.max[2] + 0.01], [NaN, 0.2, 0.5], [0.3, 0.2, 0.5]];
    // Inputs rounded to float32 first, so the comparison measures the graph, not the input precision.
    const x = Float64Array.from(f32([...test.x.data, ...extra.flat()]));
    const m = Float64Array.from(f32([...test.m, 3.5, 3.5, 3.5, NaN]));
    const ours = flow.logProb({ data: x, rows: m.length, cols: 3 }, m);
    expect(ours.slice(-4).every((v) => v === -Infinity)).toBe(true);
    const out = await run(exportFlowToOnnx(flow), { x: { data: f32(x), dims: [m.length, 3] }, m: { data: f32(m), dims: [m.length, 1] } });
    expect(out.log_prob.dims).toEqual([m.length]);
    // The network runs in float32 in both; the log-det sums differ in precision (measured 7e-6).
    expect(compareLogProb(out.log_prob.data as Float32Array, ours)).toBeLessThan(5e-5);
  });

  it('the sampling graph maps base-space noise to the same events as FittedFlow.sampleFromNoise', async () => {
    const n = 1001; // not a multiple of the kept epochs: the row shares ⌊kN/K⌋ are computed in the graph
    const r = createRng(7);
    const z = Float32Array.from({ length: n * 3 }, () => r.normal());
    const m = Float64Array.from(f32(Array.from({ length: n }, () => 3.3 + 0.4 * r.uniform())));
    const ours = flow.sampleFromNoise(z, m);
    const out = await run(exportFlowToOnnx(flow, { graph: 'sample' }), { z: { data: z, dims: [n, 3] }, m: { data: f32(m), dims: [n, 1] } });
    expect(out.x.dims).toEqual([n, 3]);
    const got = out.x.data as Float32Array;
    let worst = 0;
    for (let i = 0; i < ours.data.length; i++) worst = Math.max(worst, Math.abs(got[i] - ours.data[i]) / (flow.preprocessing.max[i % 3] - flow.preprocessing.min[i % 3]));
    expect(worst).toBeLessThan(1e-5); // measured 1.9e-7 of the feature range
    // sample(m, rng) is sampleFromNoise of its documented draws (epoch k: rng.fork(`member:k`)), so the
    // graph fed with those draws reproduces FittedFlow.sample (the draws are float64 since flow documents v3).
    const draws = new Float64Array(n * 3);
    for (let k = 0; k < 2; k++) {
      const rk = createRng(9).fork(`member:${k}`);
      for (let i = Math.floor((k * n) / 2) * 3; i < Math.floor(((k + 1) * n) / 2) * 3; i++) draws[i] = rk.normal();
    }
    expect(flow.sample(m, createRng(9)).data).toEqual(flow.sampleFromNoise(draws, m).data);
  });

  it('exports ensembles (mixture of flows) for both graphs', async () => {
    const ens = await FlowEnsemble.fit(train.x, train.m, { ...small, epochs: 2, keepBestEpochs: 1, seed: 4, size: 2 });
    const n = 400;
    const x = Float64Array.from(f32(test.x.data.subarray(0, n * 3))), m = Float64Array.from(f32(test.m.subarray(0, n)));
    const lp = await run(exportFlowToOnnx(ens), { x: { data: f32(x), dims: [n, 3] }, m: { data: f32(m), dims: [n, 1] } });
    expect(compareLogProb(lp.log_prob.data as Float32Array, ens.logProb({ data: x, rows: n, cols: 3 }, m))).toBeLessThan(5e-5);
    const r = createRng(8);
    const z = Float32Array.from({ length: n * 3 }, () => r.normal());
    const ours = ens.sampleFromNoise(z, m);
    const s = await run(exportFlowToOnnx(ens, { graph: 'sample' }), { z: { data: z, dims: [n, 3] }, m: { data: f32(m), dims: [n, 1] } });
    const got = s.x.data as Float32Array;
    let worst = 0;
    for (let i = 0; i < ours.data.length; i++) worst = Math.max(worst, Math.abs(got[i] - ours.data[i]));
    expect(worst).toBeLessThan(1e-5);
  });

  it('a one-feature flow (no autoregression) and a reloaded flow export the same graph', async () => {
    const one = await fitConditionalFlow({ data: train.x.data.filter((_, i) => i % 3 === 0), rows: 3000, cols: 1 }, train.m, { ...small, seed: 5 });
    const n = 300;
    const x = Float64Array.from(f32(test.x.data.filter((_, i) => i % 3 === 0).subarray(0, n))), m = Float64Array.from(f32(test.m.subarray(0, n)));
    const out = await run(exportFlowToOnnx(one), { x: { data: f32(x), dims: [n, 1] }, m: { data: f32(m), dims: [n, 1] } });
    expect(compareLogProb(out.log_prob.data as Float32Array, one.logProb({ data: x, rows: n, cols: 1 }, m))).toBeLessThan(5e-5);
    const z = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
    const s = await run(exportFlowToOnnx(one, { graph: 'sample' }), { z: { data: z, dims: [n, 1] }, m: { data: f32(m), dims: [n, 1] } });
    const ours = one.sampleFromNoise(z, m).data;
    for (let i = 0; i < n; i++) expect(Math.abs((s.x.data as Float32Array)[i] - ours[i])).toBeLessThan(1e-4);
    expect(exportFlowToOnnx(loadFlow(JSON.parse(JSON.stringify(flow.toJSON()))))).toEqual(exportFlowToOnnx(flow));
  });

  it('writes opset 13 with float32 weights and says what it holds in the metadata', () => {
    const doc = ModelProto.toObject(ModelProto.decode(exportFlowToOnnx(flow, { graph: 'sample' })), { longs: Number }) as {
      opsetImport: { version: number }[]; metadataProps: { key: string; value: string }[];
      graph: { input: { name: string }[]; output: { name: string }[]; initializer: { dataType: number }[] };
    };
    expect(doc.opsetImport.map((o) => o.version)).toEqual([13]);
    expect(doc.graph.input.map((i) => i.name)).toEqual(['z', 'm']);
    expect(doc.graph.output.map((o) => o.name)).toEqual(['x']);
    expect(Object.fromEntries(doc.metadataProps.map((p) => [p.key, p.value]))).toMatchObject({ 'sidewinder.kind': 'conditional-maf', 'sidewinder.graph': 'sample' });
    expect(() => exportFlowToOnnx(flow, { graph: 'density' as 'logProb' })).toThrow(/graph must be "logProb" or "sample"/);
  });
});
