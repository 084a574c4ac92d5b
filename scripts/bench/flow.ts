/**
 * Conditional MAF benchmark: training throughput (events/s per epoch) of the reference architecture
 * (15 MADE blocks × 128, batch 256) on a synthetic 4-D conditional sample, against the same flow in
 * PyTorch (scripts/bench/flow_torch.py, 1 and 2 threads, same events); sampling throughput; and the
 * wall time of one `default`-preset fit on 700k sideband-like events, its sampling and density
 * throughput, and the same for its ONNX export in onnxruntime (1 and 2 intra-op threads).
 *
 * Environment: FLOW_BENCH_EVENTS (default 500000), FLOW_BENCH_EPOCHS (1), FLOW_BENCH_THREADS ("2,1": thread
 * counts to measure, ours and PyTorch's — on a busy machine 2-thread PyTorch crawls), FLOW_BENCH_SKIP_TORCH=1,
 * FLOW_BENCH_SKIP_DEFAULT=1. FLOW_BENCH_SPLINE=1 runs only the MAF vs RQ-NSF comparison at equal CPU
 * time (see {@link splineAtEqualTime}; FLOW_BENCH_SPLINE_EVENTS, FLOW_BENCH_SPLINE_SECONDS, FLOW_BENCH_SPLINE_SEED).
 * Figures are wall-clock on a shared machine: noisy. The PyTorch reference needs
 * an optimised BLAS (Debian: `apt-get install python3-torch libopenblas0-pthread`); on Debian's reference
 * libblas3 alone it runs ≈ 6× slower and the ratio means nothing.
 */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRng } from '../../lib/util/rng.js';
import { fitConditionalFlow, FLOW_PRESETS } from '../../lib/ml/flows/index.js';
import type { Reporter } from '../../lib/util/reporter.js';
import type { Matrix } from '../../lib/ml/matrix.js';
import { exportFlowToOnnx } from '../../lib/ml/onnx/index.js';
import ort from 'onnxruntime-node';

/**
 * Sideband-like 4-D sample: m_JJ from a falling spectrum, features correlated with m_JJ. Its
 * conditional density is known in closed form ({@link sidebandLikeLogDensity}).
 */
function sidebandLike(n: number, seed: number): { x: Matrix<Float64Array>; m: Float64Array } {
  const r = createRng(seed);
  const x = new Float64Array(n * 4), m = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const mjj = 2.8 + r.exponential(2.5);
    m[i] = mjj;
    const mj1 = Math.abs(0.05 + 0.03 * mjj + 0.06 * r.normal());
    const dmj = Math.abs(0.1 * mjj * r.exponential(3));
    x[4 * i] = mj1;
    x[4 * i + 1] = dmj;
    x[4 * i + 2] = 1 / (1 + Math.exp(-(0.6 + 0.8 * r.normal() - 2 * mj1)));
    x[4 * i + 3] = 1 / (1 + Math.exp(-(0.5 + 0.8 * r.normal() - 0.5 * dmj)));
  }
  return { x: { data: x, rows: n, cols: 4 }, m };
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const logNormal = (v: number, mu: number, sd: number): number => -0.5 * ((v - mu) / sd) ** 2 - LOG_SQRT_2PI - Math.log(sd);

/**
 * The true log p(x | m) of {@link sidebandLike}: x1 = |N(0.05 + 0.03m, 0.06)| (folded normal);
 * x2 = 0.1·m·Exp(3) (exponential of rate 30/m); x3 = σ(0.6 + 0.8N − 2x1), x4 = σ(0.5 + 0.8N − 0.5x2)
 * (logit-normal given x1, x2).
 */
function sidebandLikeLogDensity(x: Matrix<Float64Array>, m: Float64Array): Float64Array {
  const out = new Float64Array(x.rows);
  for (let i = 0; i < x.rows; i++) {
    const [x1, x2, x3, x4] = x.data.subarray(4 * i, 4 * i + 4), mjj = m[i];
    const mu1 = 0.05 + 0.03 * mjj;
    const a = logNormal(x1, mu1, 0.06), b = logNormal(x1, -mu1, 0.06);
    const l1 = Math.max(a, b) + Math.log1p(Math.exp(-Math.abs(a - b)));
    const rate = 30 / mjj;
    const l2 = Math.log(rate) - rate * x2;
    const l3 = logNormal(Math.log(x3 / (1 - x3)), 0.6 - 2 * x1, 0.8) - Math.log(x3 * (1 - x3));
    const l4 = logNormal(Math.log(x4 / (1 - x4)), 0.5 - 0.5 * x2, 0.8) - Math.log(x4 * (1 - x4));
    out[i] = l1 + l2 + l3 + l4;
  }
  return out;
}

const fmt = (v: number): string => Math.round(v).toLocaleString('en-US');

export default async function bench(): Promise<void> {
  if (process.env.FLOW_BENCH_SPLINE === '1') {
    await splineAtEqualTime();
    return;
  }
  const n = Number(process.env.FLOW_BENCH_EVENTS ?? 500_000);
  const epochs = Number(process.env.FLOW_BENCH_EPOCHS ?? 1);
  const { x, m } = sidebandLike(n, 1);
  const ours: Record<number, number> = {};
  let sampleRate = 0;
  const threadCounts = (process.env.FLOW_BENCH_THREADS ?? '2,1').split(',').map(Number);
  const configs = [
    { threads: 2, dataParallel: 'replicas' as const },
    { threads: 2, dataParallel: 'syncBatchNorm' as const },
    { threads: 1, dataParallel: 'syncBatchNorm' as const },
  ].filter((c) => threadCounts.includes(c.threads));
  for (const { threads, dataParallel } of configs) {
    const t = performance.now();
    // Validation on a 1% hold-out only, so the figure is dominated by training steps.
    const flow = await fitConditionalFlow(x, m, { preset: 'paper', seed: 1, epochs, keepBestEpochs: 1, validationFraction: 0.01, threads, dataParallel });
    const sec = flow.history.epochSeconds.reduce((s, v) => s + v, 0) / epochs;
    const rate = flow.history.trainEvents / sec;
    ours[threads] = Math.max(ours[threads] ?? 0, rate);
    const how = threads > 1 ? `${threads} threads, ${dataParallel}` : '1 thread';
    console.log(`sidewinder MAF 15×128, ${how}: ${fmt(rate)} events/s (epoch ${sec.toFixed(1)} s on ${fmt(flow.history.trainEvents)} events; fit ${((performance.now() - t) / 1000).toFixed(1)} s)`);
    if (threads === 1) {
      const mm = m.subarray(0, Math.min(100_000, n));
      const ts = performance.now();
      flow.sample(mm, createRng(2));
      sampleRate = mm.length / ((performance.now() - ts) / 1000);
      console.log(`sidewinder MAF 15×128 sampling: ${fmt(sampleRate)} events/s (1 thread)`);
    }
  }
  if (process.env.FLOW_BENCH_SKIP_TORCH !== '1') {
    const dir = mkdtempSync(join(tmpdir(), 'flow-bench-'));
    try {
      const file = join(dir, 'events.f32');
      const raw = new Float32Array(n * 5);
      for (let i = 0; i < n; i++) { for (let j = 0; j < 4; j++) raw[5 * i + j] = x.data[4 * i + j]; raw[5 * i + 4] = m[i]; }
      writeFileSync(file, raw);
      const script = fileURLToPath(new URL('./flow_torch.py', import.meta.url));
      for (const threads of [2, 1].filter((t) => threadCounts.includes(t))) {
        // The same preprocessing is not needed for a throughput figure; torch trains on the raw features.
        const out = execFileSync('/usr/bin/python3', [script, file, String(n), String(threads), '15', '128', '256', String(epochs)], {
          encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: String(threads), OPENBLAS_NUM_THREADS: String(threads) },
        });
        const r = JSON.parse(out.trim().split('\n').pop() as string) as { events_per_s: number; sample_events_per_s: number };
        console.log(`PyTorch MAF 15×128, ${threads} thread(s): ${fmt(r.events_per_s)} events/s; sampling ${fmt(r.sample_events_per_s)} events/s` +
          ` — ratio sidewinder (best mode)/PyTorch at ${threads} thread(s): ${(ours[threads] / r.events_per_s).toFixed(2)}×`);
      }
    } catch (e) {
      console.log(`PyTorch reference unavailable: ${(e as Error).message.split('\n')[0]}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (process.env.FLOW_BENCH_SKIP_DEFAULT !== '1') {
    const big = sidebandLike(700_000, 3);
    const t = performance.now();
    const flow = await fitConditionalFlow(big.x, big.m, { preset: 'default', seed: 1 });
    const sec = (performance.now() - t) / 1000;
    const ts = performance.now();
    flow.sample(big.m.subarray(0, 200_000), createRng(2));
    const rate = 200_000 / ((performance.now() - ts) / 1000);
    console.log(`default preset (${flow.options.blocks}×${flow.options.hidden}, ${flow.options.epochs} epochs, ≤ ${flow.options.maxEvents} events, ${flow.options.threads} threads) on 700k events: ${sec.toFixed(1)} s per flow; sampling ${fmt(rate)} events/s`);
    await onnxThroughput(flow, big.x, big.m, 200_000);
  }
}

/** Sampling and log-density throughput of a flow in sidewinder and of its ONNX export in onnxruntime. */
async function onnxThroughput(flow: Awaited<ReturnType<typeof fitConditionalFlow>>, x: Matrix<Float64Array>, m: Float64Array, n: number): Promise<void> {
  const D = flow.dims;
  const xs: Matrix<Float64Array> = { data: x.data.subarray(0, n * D), rows: n, cols: D };
  const ms = m.subarray(0, n);
  let t = performance.now();
  flow.logProb(xs, ms);
  console.log(`sidewinder log p(x | m): ${fmt(n / ((performance.now() - t) / 1000))} events/s (1 thread)`);
  const r = createRng(4);
  const z = Float32Array.from({ length: n * D }, () => r.normal());
  const feeds = {
    sample: { z: new ort.Tensor('float32', z, [n, D]), m: new ort.Tensor('float32', Float32Array.from(ms), [n, 1]) },
    logProb: { x: new ort.Tensor('float32', Float32Array.from(xs.data), [n, D]), m: new ort.Tensor('float32', Float32Array.from(ms), [n, 1]) },
  };
  for (const graph of ['sample', 'logProb'] as const) {
    for (const threads of [1, 2]) {
      const session = await ort.InferenceSession.create(exportFlowToOnnx(flow, { graph }), { intraOpNumThreads: threads, logSeverityLevel: 3 });
      await session.run(feeds[graph]);
      t = performance.now();
      await session.run(feeds[graph]);
      console.log(`ONNX export in onnxruntime, ${graph === 'sample' ? 'sampling' : 'log p(x | m)'}, ${threads} thread(s): ${fmt(n / ((performance.now() - t) / 1000))} events/s`);
      await session.release();
    }
  }
}

/**
 * Issue 7: affine MAF vs rational-quadratic NSF trained for the same wall-clock budget on the same
 * sideband-like events: the `default` preset's blocks × hidden, learning rate and batch for the MAF
 * and for an NSF (8 bins, tail bound 3), and an NSF with half the blocks (a spline block is more
 * expressive and dearer than an affine one); one thread each. "Time" is this process's CPU time (one
 * thread: the wall time of an idle machine), which the other jobs of a shared machine disturb far
 * less than wall time. A three-epoch pilot fit of each measures its steady CPU time per epoch (steps +
 * validation, epochs 2–3) and its set-up time; each then gets ⌊(budget − set-up) / per-epoch⌋ epochs
 * (fits stay deterministic: no clock-based stop). Reported: the held-out mean log-likelihood
 * (nats/event, original units) of each, of the true density, and the paired difference NSF − MAF
 * with its standard error over the held-out events; also the MAF's best validation loss within as
 * many epochs as the NSF got (equal epochs, flow space: same preprocessing, so comparable).
 */
async function splineAtEqualTime(): Promise<void> {
  const nTrain = Number(process.env.FLOW_BENCH_SPLINE_EVENTS ?? 200_000);
  const budget = Number(process.env.FLOW_BENCH_SPLINE_SECONDS ?? 90);
  const seed = Number(process.env.FLOW_BENCH_SPLINE_SEED ?? 1);
  const train = sidebandLike(nTrain, 10 + seed);
  const test = sidebandLike(100_000, 20 + seed);
  const truth = sidebandLikeLogDensity(test.x, test.m);
  const base = { preset: 'default', seed, maxEvents: null, threads: 1 } as const;
  const variants = [
    { name: 'MAF (affine)', opts: { ...base, transform: 'affine' } },
    { name: 'RQ-NSF (8 bins, B = 3)', opts: { ...base, transform: 'rq-spline', splineBins: 8, splineBound: 3 } },
    { name: `RQ-NSF, ${Math.ceil(FLOW_PRESETS.default.blocks / 2)} blocks`, opts: { ...base, transform: 'rq-spline', splineBins: 8, splineBound: 3, blocks: Math.ceil(FLOW_PRESETS.default.blocks / 2) } },
  ] as const;
  console.log(`MAF vs RQ-NSF at equal time: ${fmt(nTrain)} sideband-like training events (80/20 train/validation), ` +
    `${budget} s per flow, held-out ${fmt(test.x.rows)} events; architecture ${FLOW_ARCH()}`);
  const cpu = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
  const results: { name: string; lp: Float64Array; epochs: number; cpu: number; wall: number; validationLoss: number[] }[] = [];
  for (const v of variants) {
    const ends: number[] = [];
    const clock: Reporter = { progress: () => void ends.push(cpu()), log() {} };
    let c0 = cpu();
    await fitConditionalFlow(train.x, train.m, { ...v.opts, epochs: 3, keepBestEpochs: 1, reporter: clock });
    const perEpoch = (ends[2] - ends[0]) / 2;
    const setup = cpu() - c0 - 3 * perEpoch;
    const epochs = Math.max(1, Math.floor((budget - Math.max(setup, 0)) / perEpoch));
    c0 = cpu();
    const t = performance.now();
    const flow = await fitConditionalFlow(train.x, train.m, { ...v.opts, epochs });
    results.push({
      name: v.name, lp: flow.logProb(test.x, test.m), epochs, cpu: cpu() - c0, wall: (performance.now() - t) / 1000,
      validationLoss: flow.history.validationLoss,
    });
  }
  // Mean over the held-out events inside both flows' training range (the same preprocessing range).
  const keep = Array.from({ length: test.x.rows }, (_, i) => i).filter((i) => results.every((r) => Number.isFinite(r.lp[i])));
  const mean = (f: (i: number) => number): number => keep.reduce((s, i) => s + f(i), 0) / keep.length;
  const lTrue = mean((i) => truth[i]);
  for (const r of results) {
    const l = mean((i) => r.lp[i]);
    console.log(`  ${r.name}: ${r.epochs} epochs in ${r.cpu.toFixed(1)} s CPU (${(r.cpu / r.epochs).toFixed(2)} s/epoch; wall ${(r.wall / r.epochs).toFixed(2)} s/epoch); ` +
      `held-out log-likelihood ${l.toFixed(4)} nats/event (truth ${lTrue.toFixed(4)}, gap ${(lTrue - l).toFixed(4)})`);
  }
  const bestWithin = (r: (typeof results)[number], e: number): number => Math.min(...r.validationLoss.slice(0, e));
  const maf = results[0];
  for (const r of results.slice(1)) {
    const e = Math.min(maf.epochs, r.epochs);
    const d = keep.map((i) => r.lp[i] - maf.lp[i]);
    const dm = d.reduce((a, b) => a + b, 0) / d.length;
    const se = Math.sqrt(d.reduce((a, b) => a + (b - dm) ** 2, 0) / (d.length - 1) / d.length);
    console.log(`  ${r.name} − MAF at equal time: ${dm >= 0 ? '+' : ''}${dm.toFixed(4)} ± ${se.toFixed(4)} nats/event (paired); ` +
      `best validation loss (flow space) within ${e} epochs: MAF ${bestWithin(maf, e).toFixed(4)}, NSF ${bestWithin(r, e).toFixed(4)}`);
  }
  console.log(`  (${fmt(keep.length)} of ${fmt(test.x.rows)} held-out events inside every flow's training range)`);
}

const FLOW_ARCH = (): string => {
  const o = FLOW_PRESETS.default;
  return `${o.blocks} blocks × ${o.hidden} hidden, Adam ${o.learningRate}, batch ${o.batchSize}, keep ${o.keepBestEpochs} best epochs, 1 thread`;
};
