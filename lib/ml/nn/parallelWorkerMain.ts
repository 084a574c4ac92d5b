/** Worker loop of the data-parallel MLP gradient (see ./parallel.ts for the protocol). */
import { MlpNetwork } from './network.js';
import { batchGradient, type PreparedSet } from './gradient.js';
import { setKernelBackend } from '../kernels/index.js';
import { CTRL, COMMAND, shardStart, type ParallelWorkerData } from './parallel.js';
import { predictRowsInto, type PredictRequest, type PredictWorkerData } from './predict.js';

export function runWorker(d: ParallelWorkerData): void {
  setKernelBackend(d.kernels);
  const ctrl = new Int32Array(d.ctrl);
  const net = new MlpNetwork(d.sizes, d.maxShard, { backend: d.kernels });
  const set: PreparedSet = {
    x: new Float32Array(d.x), y: new Float32Array(d.y), w: d.w ? new Float32Array(d.w) : null, rows: d.rows, cols: d.cols,
  };
  const perm = new Uint32Array(d.perm);
  const params = new Float32Array(d.params);
  const P = net.layout.nParams;
  const grads = new Float32Array(d.grads, (d.shard - 1) * P * 4, P);
  const loss = new Float64Array(d.loss);
  const yb = new Float32Array(d.maxShard), wb = set.w ? new Float32Array(d.maxShard) : null;
  let generation = Atomics.load(ctrl, CTRL.GENERATION);
  Atomics.add(ctrl, CTRL.READY, 1);
  Atomics.notify(ctrl, CTRL.READY);
  for (;;) {
    Atomics.wait(ctrl, CTRL.GENERATION, generation);
    generation = Atomics.load(ctrl, CTRL.GENERATION);
    if (Atomics.load(ctrl, CTRL.COMMAND) === COMMAND.EXIT) return;
    const B = Atomics.load(ctrl, CTRL.BATCH), start = Atomics.load(ctrl, CTRL.START);
    const a = shardStart(d.shard, B, d.threads), b = shardStart(d.shard + 1, B, d.threads);
    net.params.set(params);
    if (b > a) {
      loss[d.shard - 1] = batchGradient(net, set, perm, start + a, b - a, 1 / B, yb, wb);
      grads.set(net.grads);
    } else {
      loss[d.shard - 1] = 0;
      grads.fill(0);
    }
    Atomics.add(ctrl, CTRL.DONE, 1);
    Atomics.notify(ctrl, CTRL.DONE);
  }
}

/** Prediction worker: computes the row range of each request, then counts itself done. */
export function runPredictWorker(d: PredictWorkerData): void {
  const ctrl = new Int32Array(d.ctrl);
  d.port.on('message', (req: PredictRequest) => {
    try {
      predictRowsInto(new Float64Array(req.out), req.sizes, new Float32Array(req.xs), new Float32Array(req.params), req.nSnap, req.from, req.to);
    } catch (e) {
      d.port.postMessage({ error: String((e as Error)?.stack ?? e) });
      Atomics.store(ctrl, CTRL.FAILED, 1);
    }
    Atomics.add(ctrl, CTRL.DONE, 1);
    Atomics.notify(ctrl, CTRL.DONE);
  });
  Atomics.add(ctrl, CTRL.READY, 1);
  Atomics.notify(ctrl, CTRL.READY);
}
