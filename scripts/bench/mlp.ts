/**
 * MLP benchmark: a 5-64-64-64-1 ReLU MLP, batch 128, Adam 1e-3, trained on the same events by
 * sidewinder (WASM SIMD kernels, and the TypeScript reference for one epoch) and by PyTorch CPU
 * (1 and 2 threads) in the same run. Prints seconds per epoch, the throughput ratio to PyTorch's
 * faster thread setting (goal ≥ 1.0, floor 0.5), test AUCs (must agree within 0.005) and inference
 * events/s (ours and the exported model in onnxruntime). Env: MLP_BENCH_TORCH_THREADS (default "1,2"). Events: the LHCO SR files (m_JJ, m_J1, Δm_J, τ21_J1, τ21_J2; signal vs background) when
 * ../shared is present, else a seeded Gaussian toy. Env: MLP_BENCH_EPOCHS (default 3).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRng } from '../../lib/util/rng.js';
import { rocAuc } from '../../lib/ml/auc.js';
import { MlpClassifier } from '../../lib/ml/nn/mlp.js';
import { fitStandardisation, standardiseRows } from '../../lib/ml/nn/standardise.js';
import { kernelBackend, setKernelBackend, wasmKernelsAvailable } from '../../lib/ml/kernels/index.js';
import type { Matrix } from '../../lib/ml/matrix.js';
import { exportMlpToOnnx } from '../../lib/ml/onnx/export.js';
import { FittedOnnxClassifier } from '../../lib/ml/onnx/classifier.js';
import type { Reporter } from '../../lib/util/reporter.js';

const COLS = 5;
const N_TRAIN = 200_000;

function readNpy(path: string): { data: Float64Array; rows: number; cols: number } {
  const buf = readFileSync(path);
  const hlen = buf.readUInt16LE(8);
  const header = buf.toString('latin1', 10, 10 + hlen);
  const [, r, c] = /'shape': \((\d+), (\d+)\)/.exec(header)!;
  const data = new Float64Array(Number(r) * Number(c));
  new Uint8Array(data.buffer).set(buf.subarray(10 + hlen, 10 + hlen + data.byteLength));
  return { data, rows: Number(r), cols: Number(c) };
}

function events(): { X: Float64Array; y: Uint8Array; n: number; source: string } {
  const dir = [fileURLToPath(new URL('../../../shared/data/lhco-sr/', import.meta.url)), '/work/shared/data/lhco-sr/'].find((d) => existsSync(d + 'extrabkg_sr.npy'));
  if (dir) {
    const tables = ['innerdata_train', 'innerdata_test', 'extrabkg_sr', 'innerdata_extrasig'].map((f) => readNpy(`${dir}${f}.npy`));
    const n = tables.reduce((s, t) => s + t.rows, 0);
    const X = new Float64Array(n * COLS), y = new Uint8Array(n);
    let r = 0;
    for (const t of tables) for (let i = 0; i < t.rows; i++, r++) {
      for (let j = 0; j < COLS; j++) X[r * COLS + j] = t.data[i * 6 + j];
      y[r] = t.data[i * 6 + 5];
    }
    return { X, y, n, source: `LHCO SR files in ${dir} (signal vs background)` };
  }
  const rng = createRng(11), n = 260_000;
  const X = new Float64Array(n * COLS), y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng.uniform() < 0.4 ? 1 : 0;
    for (let j = 0; j < COLS; j++) X[i * COLS + j] = rng.normal() + (y[i] ? 0.5 * Math.sin(j + 1) : 0);
  }
  return { X, y, n, source: 'seeded Gaussian toy (../shared absent)' };
}

function subset(X: Float64Array, y: Uint8Array, rows: ArrayLike<number>): { X: Matrix<Float64Array>; y: Uint8Array } {
  const x = new Float64Array(rows.length * COLS), yy = new Uint8Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    x.set(X.subarray(rows[i] * COLS, (rows[i] + 1) * COLS), i * COLS);
    yy[i] = y[rows[i]];
  }
  return { X: { data: x, rows: rows.length, cols: COLS }, y: yy };
}

/** Train and return per-epoch seconds (from the reporter's progress ticks) and the fitted model. */
async function timedFit(X: Matrix, y: Uint8Array, epochs: number, threads = 1) {
  const ticks: number[] = [];
  const reporter: Reporter = { progress: () => { ticks.push(performance.now()); }, log() {} };
  const t0 = performance.now();
  const fitted = await new MlpClassifier({ epochs, ensembleEpochs: 1, validationFraction: 0, threads }).fit(X, y, { seed: 1, reporter });
  const secs = ticks.map((t, i) => (t - (i ? ticks[i - 1] : t0)) / 1000);
  return { fitted, secs };
}

const fmt = (x: number, d = 3): string => x.toFixed(d);
const median = (a: number[]): number => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)];

export default async function bench(): Promise<void> {
  const epochs = Number(process.env.MLP_BENCH_EPOCHS ?? 3);
  const { X, y, n, source } = events();
  const perm = createRng(3).permutation(n);
  const train = subset(X, y, perm.subarray(0, Math.min(N_TRAIN, n - 20_000)));
  const test = subset(X, y, perm.subarray(Math.min(N_TRAIN, n - 20_000)));
  console.log(`events: ${source}; train ${train.X.rows}, test ${test.X.rows}; ${epochs} epochs; kernels: ${wasmKernelsAvailable ? 'wasm' : 'js (WASM module missing)'}`);

  // sidewinder, WASM kernels
  const ours = await timedFit(train.X, train.y, epochs);
  const oursEpoch = median(ours.secs);
  const aucOurs = rocAuc(ours.fitted.predictProba(test.X), test.y);
  console.log(`sidewinder (${kernelBackend()}): s/epoch ${ours.secs.map((s) => fmt(s)).join(', ')} → median ${fmt(oursEpoch)}; test AUC ${fmt(aucOurs, 4)}`);

  // data-parallel over 2 worker threads
  const two = await timedFit(train.X, train.y, epochs, 2);
  const twoEpoch = median(two.secs);
  console.log(`sidewinder (${kernelBackend()}, 2 threads): s/epoch ${two.secs.map((s) => fmt(s)).join(', ')} → median ${fmt(twoEpoch)}; test AUC ${fmt(rocAuc(two.fitted.predictProba(test.X), test.y), 4)}`);
  const oursBest = Math.min(oursEpoch, twoEpoch);

  // the plain-TypeScript reference kernels, one epoch
  const before = kernelBackend();
  setKernelBackend('js');
  const ref = await timedFit(train.X, train.y, 1);
  setKernelBackend(before);
  console.log(`sidewinder (js reference kernels): s/epoch ${fmt(ref.secs[0])}`);

  // inference: 1M events through one network
  const big = 1_000_000;
  const bx = new Float64Array(big * COLS);
  for (let i = 0; i < big; i++) bx.set(test.X.data.subarray((i % test.X.rows) * COLS, (i % test.X.rows + 1) * COLS), i * COLS);
  const bigX = { data: bx, rows: big, cols: COLS };
  ours.fitted.predictProba({ data: bx.subarray(0, 10_000 * COLS), rows: 10_000, cols: COLS });
  let t = performance.now();
  ours.fitted.predictProba(bigX);
  const inferRate = big / ((performance.now() - t) / 1000);
  console.log(`sidewinder inference (1 network, 1M events, 1 thread): ${fmt(inferRate / 1e6, 2)} M events/s`);
  two.fitted.predictProba({ data: bx.subarray(0, 20_000 * COLS), rows: 20_000, cols: COLS });
  t = performance.now();
  two.fitted.predictProba(bigX);
  console.log(`sidewinder inference (1 network, 1M events, 2 threads): ${fmt(big / ((performance.now() - t) / 1000) / 1e6, 2)} M events/s`);
  const onnx = new FittedOnnxClassifier(exportMlpToOnnx(ours.fitted), { intraOpNumThreads: 2 });
  await onnx.predictProbaAsync(test.X);
  t = performance.now();
  await onnx.predictProbaAsync(bigX);
  console.log(`exported ONNX in onnxruntime-node (2 intra-op threads, 1M events): ${fmt(big / ((performance.now() - t) / 1000) / 1e6, 2)} M events/s`);
  await onnx.close();

  // PyTorch on the same standardised float32 events
  const py = '/usr/bin/python3';
  const script = fileURLToPath(new URL('./mlp_torch.py', import.meta.url));
  let torchOk = true;
  try { execFileSync(py, ['-c', 'import torch'], { stdio: 'ignore' }); } catch { torchOk = false; }
  if (!torchOk) { console.log('PyTorch not available: no ratio'); return; }
  const dir = mkdtempSync(join(tmpdir(), 'sw-mlp-bench-'));
  try {
    const st = fitStandardisation(train.X);
    const f32 = (a: Float32Array | Uint8Array): Buffer => { const f = Float32Array.from(a); return Buffer.from(f.buffer); };
    writeFileSync(join(dir, 'train_x.f32'), Buffer.from(standardiseRows(train.X, st).buffer));
    writeFileSync(join(dir, 'train_y.f32'), f32(train.y));
    writeFileSync(join(dir, 'test_x.f32'), Buffer.from(standardiseRows(test.X, st).buffer));
    writeFileSync(join(dir, 'test_y.f32'), f32(test.y));
    const torchThreads = (process.env.MLP_BENCH_TORCH_THREADS ?? '1,2').split(',').map(Number);
    const runs = torchThreads.map((threads) => {
      const out = execFileSync(py, [script, dir, String(COLS), String(epochs), String(threads)], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: String(threads) } });
      const r = JSON.parse(out.trim().split('\n').pop()!) as { threads: number; epochSeconds: number[]; auc: number; inferEventsPerSecond: number };
      console.log(`PyTorch ${threads} thread(s): s/epoch ${r.epochSeconds.map((s) => fmt(s)).join(', ')} → median ${fmt(median(r.epochSeconds))}; test AUC ${fmt(r.auc, 4)}; inference ${fmt(r.inferEventsPerSecond / 1e6, 2)} M events/s`);
      return { ...r, epoch: median(r.epochSeconds) };
    });
    const best = runs.reduce((a, b) => (a.epoch <= b.epoch ? a : b));
    const ratio = best.epoch / oursBest;
    console.log(`training throughput ratio sidewinder (${oursBest === oursEpoch ? 1 : 2} thread, the faster) / PyTorch (${best.threads} thread, the faster): ${fmt(ratio, 2)}× (floor 0.5, goal 1.0)`);
    console.log(`|ΔAUC| vs PyTorch (${best.threads} thread): ${fmt(Math.abs(aucOurs - best.auc), 4)} (must be < 0.005)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
