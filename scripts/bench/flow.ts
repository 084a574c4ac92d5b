/**
 * Conditional MAF benchmark: training throughput (events/s per epoch) of the reference architecture
 * (15 MADE blocks × 128, batch 256) on a synthetic 4-D conditional sample, against the same flow in
 * PyTorch (scripts/bench/flow_torch.py, 1 and 2 threads, same events); sampling throughput; and the
 * wall time of one `default`-preset fit on 700k sideband-like events, its sampling and density
 * throughput, and the same for its ONNX export in onnxruntime (1 and 2 intra-op threads).
 *
 * Environment: FLOW_BENCH_EVENTS (default 500000), FLOW_BENCH_EPOCHS (1), FLOW_BENCH_THREADS ("2,1": thread
 * counts to measure, ours and PyTorch's — on a busy machine 2-thread PyTorch crawls), FLOW_BENCH_SKIP_TORCH=1,
 * FLOW_BENCH_SKIP_DEFAULT=1. Figures are wall-clock on a shared machine: noisy. The PyTorch reference needs
 * an optimised BLAS (Debian: `apt-get install python3-torch libopenblas0-pthread`); on Debian's reference
 * libblas3 alone it runs ≈ 6× slower and the ratio means nothing.
 */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRng } from '../../lib/util/rng.js';
import { fitConditionalFlow } from '../../lib/ml/flows/index.js';
import type { Matrix } from '../../lib/ml/matrix.js';
import { exportFlowToOnnx } from '../../lib/ml/onnx/index.js';
import ort from 'onnxruntime-node';

/** Sideband-like 4-D sample: m_JJ from a falling spectrum, features correlated with m_JJ. */
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

const fmt = (v: number): string => Math.round(v).toLocaleString('en-US');

export default async function bench(): Promise<void> {
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
