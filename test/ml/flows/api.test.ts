import { describe, expect, it } from 'vitest';
import { sidebandLike2d } from '../../helpers/flowToys.js';
import { createRng } from '../../../lib/util/rng.js';
import {
  fitConditionalFlow, loadFlow, FlowEnsemble, loadFlowEnsemble, disjointParts, sampleIntoWindow, sampleMassesKde,
  fitPreprocessing, preprocess, inversePreprocess, resolveFlowOptions, FLOW_PRESETS,
} from '../../../lib/ml/flows/index.js';
import { ConfigError, InputError, ShapeError } from '../../../lib/util/errors.js';

const sample = sidebandLike2d;

const tiny = { blocks: 2, hidden: 8, epochs: 2, batchSize: 64, keepBestEpochs: 2, maxEvents: null } as const;

describe('preprocessing', () => {
  const { x, m } = sample(500, 1);
  const p = fitPreprocessing(x, m);

  it('drops the events outside (0, 1) after min–max scaling and reports the count', () => {
    const pre = preprocess(p, x, m);
    // The training minimum and maximum of each column sit exactly at 0 and 1: at most 4 dropped.
    expect(pre.dropped).toBeGreaterThanOrEqual(2);
    expect(pre.dropped).toBeLessThanOrEqual(4);
    const out = preprocess(p, { data: Float64Array.from([p.min[0] - 1, 1, 0.3, 1.5]), rows: 2, cols: 2 }, Float64Array.from([3, 3]));
    expect(out.dropped).toBe(1);
    expect(Array.from(out.kept)).toEqual([1]);
  });

  it('standardises logit features of the kept training events and the condition', () => {
    const pre = preprocess(p, x, m);
    for (let j = 0; j < 2; j++) {
      let s = 0, s2 = 0;
      for (let i = 0; i < pre.kept.length; i++) { s += pre.y[2 * i + j]; s2 += pre.y[2 * i + j] ** 2; }
      const mean = s / pre.kept.length;
      // Fitted on a superset (the boundary events have no logit): close to 0 and 1, not exact.
      expect(Math.abs(mean)).toBeLessThan(0.05);
      expect(Math.abs(s2 / pre.kept.length - mean * mean - 1)).toBeLessThan(0.05);
    }
  });

  it('inverse is exact and the log-Jacobian matches a numerical derivative', () => {
    const pre = preprocess(p, x, m);
    const back = inversePreprocess(p, Float64Array.from(pre.y), pre.kept.length);
    for (let i = 0; i < 50; i++)
      for (let j = 0; j < 2; j++) expect(back.data[2 * i + j]).toBeCloseTo(x.data[2 * pre.kept[i] + j], 5);
    // The map is per-coordinate: log|J| = Σ_j log(dy_j/dx_j). Float64 central differences.
    const i = pre.kept[10];
    const h = 1e-6;
    let num = 0;
    for (let j = 0; j < 2; j++) {
      const xp = Float64Array.from(x.data.subarray(2 * i, 2 * i + 2)); xp[j] += h;
      const xm = Float64Array.from(x.data.subarray(2 * i, 2 * i + 2)); xm[j] -= h;
      const mm = Float64Array.from([m[i]]);
      // Float32 storage of y limits the precision: compute from float64 formulas instead.
      const f = (v: Float64Array): number => {
        const s = (v[j] - p.min[j]) / (p.max[j] - p.min[j]);
        return (Math.log(s / (1 - s)) - p.logitMean[j]) / p.logitStd[j];
      };
      void mm;
      num += Math.log((f(xp) - f(xm)) / (2 * h));
    }
    expect(pre.logJacobian[10]).toBeCloseTo(num, 5);
  });
});

describe('options', () => {
  it.each([
    [{ seed: 1, blocks: 0 }, ConfigError, /blocks must be an integer ≥ 1, got 0/],
    [{ seed: 1, batchSize: 1 }, ConfigError, /batchSize must be an integer ≥ 2/],
    [{ seed: 1, learningrate: 1e-3 }, ConfigError, /unknown option "learningrate".*did you mean "learningRate"/],
    [{ seed: 1, preset: 'papr' }, ConfigError, /unknown preset "papr".*"paper"/],
    [{ seed: Number.NaN }, ConfigError, /seed must be a finite number/],
    [{ seed: 1, validationFraction: 1 }, ConfigError, /validationFraction must be a number in \(0, 1\)/],
  ])('rejects %o', (opts, type, msg) => {
    expect(() => resolveFlowOptions(opts as never)).toThrow(type);
    expect(() => resolveFlowOptions(opts as never)).toThrow(msg);
  });

  it('paper preset is the CATHODE recipe', () => {
    const o = resolveFlowOptions({ seed: 1, preset: 'paper' });
    expect(o).toMatchObject({ blocks: 15, hidden: 128, learningRate: 1e-4, weightDecay: 1e-6, batchSize: 256, epochs: 100, keepBestEpochs: 10 });
    expect(FLOW_PRESETS.default.blocks).toBeLessThan(15);
  });

  it('shape errors name the arguments', async () => {
    const { x, m } = sample(100, 2);
    await expect(fitConditionalFlow(x, m.subarray(0, 99), { seed: 1, ...tiny })).rejects.toThrow(ShapeError);
    await expect(fitConditionalFlow(x, m.subarray(0, 99), { seed: 1, ...tiny })).rejects.toThrow(/m has 99 entries, x has 100 rows/);
  });
});

describe('training bookkeeping and determinism', () => {
  const { x, m } = sample(3000, 3);

  it('same seed gives identical flows; another seed differs', async () => {
    const a = await fitConditionalFlow(x, m, { seed: 9, ...tiny });
    const b = await fitConditionalFlow(x, m, { seed: 9, ...tiny });
    const c = await fitConditionalFlow(x, m, { seed: 10, ...tiny });
    expect(a.members[0].params).toEqual(b.members[0].params);
    expect({ ...a.history, epochSeconds: [] }).toEqual({ ...b.history, epochSeconds: [] });
    expect(a.members[0].params).not.toEqual(c.members[0].params);
  });

  it('two threads with synchronised batch norm: deterministic, and the same training as one thread up to float rounding', async () => {
    const sync = { seed: 9, ...tiny, threads: 2, dataParallel: 'syncBatchNorm' } as const;
    const a = await fitConditionalFlow(x, m, sync);
    const b = await fitConditionalFlow(x, m, sync);
    const one = await fitConditionalFlow(x, m, { seed: 9, ...tiny, threads: 1 });
    expect(a.members[0].params).toEqual(b.members[0].params);
    expect(a.history.validationLoss).toEqual(b.history.validationLoss);
    for (let e = 0; e < 2; e++) expect(a.history.validationLoss[e]).toBeCloseTo(one.history.validationLoss[e], 3);
  });

  it('replicas data parallelism: deterministic; each step takes threads × batchSize events', async () => {
    const opts = { seed: 9, ...tiny, threads: 2, dataParallel: 'replicas' } as const;
    const a = await fitConditionalFlow(x, m, opts);
    const b = await fitConditionalFlow(x, m, opts);
    expect(a.members[0].params).toEqual(b.members[0].params);
    // Same number of steps as one thread with a doubled batch: losses comparable, not identical.
    const one = await fitConditionalFlow(x, m, { seed: 9, ...tiny, threads: 1 });
    expect(a.history.validationLoss).not.toEqual(one.history.validationLoss);
    expect(Math.abs(a.history.validationLoss[1] - one.history.validationLoss[1])).toBeLessThan(0.5);
  });

  it('keeps the N epochs with the lowest validation loss and stops early', async () => {
    const f = await fitConditionalFlow(x, m, { seed: 4, ...tiny, epochs: 6, keepBestEpochs: 3 });
    const v = f.history.validationLoss;
    const best = [...v.keys()].sort((p, q) => v[p] - v[q]).slice(0, 3).map((i) => i + 1).sort((p, q) => p - q);
    expect(f.members.map((mb) => mb.epoch)).toEqual(best);
    for (const mb of f.members) expect(mb.validationLoss).toBe(v[mb.epoch - 1]);
    // Masked weights stay exactly zero after training (Adam + weight decay + mask).
    const mask = new (await import('../../../lib/ml/flows/maf.js')).MafLayout(f.shape).mask();
    for (const mb of f.members) for (let i = 0; i < mask.length; i++) if (mask[i] === 0) expect(Math.abs(mb.params[i])).toBe(0);
    const early = await fitConditionalFlow(x, m, { seed: 4, ...tiny, epochs: 50, patience: 1, learningRate: 0.05 });
    expect(early.history.epochsRun).toBeLessThan(50);
  });

  it('logProb is −Infinity outside the training range and finite inside', async () => {
    const f = await fitConditionalFlow(x, m, { seed: 4, ...tiny });
    const lp = f.logProb({ data: Float64Array.from([0.3, 1.3, 99, 1.3]), rows: 2, cols: 2 }, Float64Array.from([3, 3]));
    expect(Number.isFinite(lp[0])).toBe(true);
    expect(lp[1]).toBe(-Infinity);
  });
});

describe('sampling into a window and ensembles', () => {
  const { x, m } = sample(2000, 5);

  it('KDE masses stay in the window and follow the SR mass distribution', () => {
    const r = createRng(1);
    const sr = Float64Array.from({ length: 4000 }, () => 3.3 + 0.4 * r.uniform() ** 2); // falling-ish shape
    const kde = sampleMassesKde(sr, { lo: 3.3, hi: 3.7 }, 16000, 0.01, createRng(2));
    expect(Math.min(...kde)).toBeGreaterThan(3.3);
    expect(Math.max(...kde)).toBeLessThan(3.7);
    const mean = (a: Float64Array): number => a.reduce((s, v) => s + v, 0) / a.length;
    expect(Math.abs(mean(kde) - mean(sr))).toBeLessThan(0.005);
    expect(() => sampleMassesKde(Float64Array.from([3.2]), { lo: 3.3, hi: 3.7 }, 1, 0.01, r)).toThrow(/srMasses\[0\] = 3.2 is not inside the window/);
  });

  it('sampleIntoWindow gives oversampling × N_SR events, seeded', async () => {
    const f = await fitConditionalFlow(x, m, { seed: 6, ...tiny });
    const sr = Float64Array.from({ length: 250 }, (_, i) => 3.31 + (0.38 * i) / 250);
    const a = sampleIntoWindow(f, sr, { lo: 3.3, hi: 3.7 }, { seed: 1 });
    const b = sampleIntoWindow(f, sr, { lo: 3.3, hi: 3.7 }, { seed: 1 });
    expect(a.x.rows).toBe(1000);
    expect(a.m.length).toBe(1000);
    expect(a.x.data).toEqual(b.x.data);
    for (let i = 0; i < a.x.rows; i++)
      for (let j = 0; j < 2; j++) {
        expect(a.x.data[2 * i + j]).toBeGreaterThanOrEqual(f.preprocessing.min[j]);
        expect(a.x.data[2 * i + j]).toBeLessThanOrEqual(f.preprocessing.max[j]);
      }
    expect(sampleIntoWindow(f, sr, { lo: 3.3, hi: 3.7 }, { seed: 1, oversampling: 2 }).x.rows).toBe(500);
  });

  it('partitioned ensemble: flows of different parts train on disjoint halves of the events, flows of one part on the same', async () => {
    const parts = disjointParts(x, m, 2, createRng(4));
    expect(parts.map((p) => p.x.rows)).toEqual([1000, 1000]);
    // Every event in exactly one part (rows keep their masses), and the split is seeded.
    const key = (p: { x: { data: Float64Array }; m: Float64Array }, i: number): string => `${p.x.data[2 * i]},${p.x.data[2 * i + 1]},${p.m[i]}`;
    const seen = new Set(parts.flatMap((p) => Array.from({ length: p.x.rows }, (_, i) => key(p, i))));
    expect(seen.size).toBe(2000);
    expect(disjointParts(x, m, 2, createRng(4))[0].x.data).toEqual(parts[0].x.data);
    const ens = await FlowEnsemble.fit(x, m, { seed: 3, ...tiny, size: 3, partitions: 2 });
    const used = ens.flows.map((f) => f.toJSON().history.trainEvents + f.toJSON().history.validationEvents);
    // Each flow sees its half less the few events at its own preprocessing range's edges.
    for (const u of used) expect(u).toBeGreaterThan(975);
    expect(used[0] + used[1]).toBeLessThanOrEqual(2000);
    expect(Math.abs(used[0] - used[2])).toBeLessThanOrEqual(10);
    const s = ens.sampleChecked(Float64Array.from({ length: 9 }, () => 3.5), createRng(1));
    expect(s.rowsPerFlow).toEqual([3, 3, 3]);
    await expect(FlowEnsemble.fit(x, m, { seed: 3, ...tiny, size: 2, partitions: 3 })).rejects.toThrow(/partitions must be an integer from 1 to size \(2\), got 3/);
  });

  it('ensemble pools samples equally, averages densities, round-trips JSON', async () => {
    const ens = await FlowEnsemble.fit(x, m, { seed: 3, ...tiny, size: 2 });
    expect(ens.flows.length).toBe(2);
    const mm = Float64Array.from({ length: 10 }, () => 3.5);
    const s = ens.sample(mm, createRng(1));
    expect(s.rows).toBe(10);
    // First half from flow 0, second half from flow 1, each with its forked stream.
    expect(Array.from(s.data.subarray(0, 10))).toEqual(Array.from(ens.flows[0].sample(mm.subarray(0, 5), createRng(1).fork('flow:0')).data));
    const pts = { data: x.data.subarray(0, 20), rows: 10, cols: 2 };
    const lp = ens.logProb(pts, m.subarray(0, 10));
    const l0 = ens.flows[0].logProb(pts, m.subarray(0, 10)), l1 = ens.flows[1].logProb(pts, m.subarray(0, 10));
    for (let i = 0; i < 10; i++) if (Number.isFinite(lp[i])) expect(lp[i]).toBeCloseTo(Math.log((Math.exp(l0[i]) + Math.exp(l1[i])) / 2), 6);
    const back = loadFlowEnsemble(JSON.parse(JSON.stringify(ens.toJSON())));
    expect(back.logProb(pts, m.subarray(0, 10))).toEqual(lp);
  });

  it('loadFlow names what is wrong with a document', async () => {
    const f = await fitConditionalFlow(x, m, { seed: 6, ...tiny });
    const doc = JSON.parse(JSON.stringify(f.toJSON()));
    expect(() => loadFlow({ ...doc, version: 99 })).toThrow(/version 99 is not supported/);
    expect(() => loadFlow({ ...doc, kind: 'mlp' })).toThrow(/expected a "conditional-maf" model, got kind "mlp"/);
    const { preprocessing: _p, ...noPre } = doc;
    expect(() => loadFlow(noPre)).toThrow(/lacks key\(s\) preprocessing/);
    expect(() => loadFlow(null)).toThrow(InputError);
    expect(() => loadFlow({ ...doc, options: { ...doc.options, hiden: 3 } })).toThrow(/unknown option "hiden".*"hidden"/);
    const bad = JSON.parse(JSON.stringify(doc));
    bad.members[0].params = bad.members[0].params.slice(0, 40);
    expect(() => loadFlow(bad)).toThrow(/members\[0\]\.params holds 30 bytes, expected \d+ \(\d+ float32 values\)/);
  });
});
