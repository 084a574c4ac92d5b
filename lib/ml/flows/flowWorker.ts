/**
 * Worker-thread side of data-parallel flow training (started by parallel.ts). Waits for commands
 * on the shared control words, computes its part of each batch, writes gradients and losses.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { MafLayout } from './maf.js';
import { MafEngine } from './engine.js';
import { Command, CMD, ARG_A, ARG_B, barrier, abort, makeSplit, partRange, type WorkerInit } from './parallel.js';

const init = (workerData as { init: WorkerInit }).init;
const { P, part, ctl } = init;
const layout = new MafLayout(init.shape);
const engine = new MafEngine(layout, init.bn, init.capacity, { optimiser: false });
const split = init.mode === 'replicas'
  ? (total: number) => ({ part: 0, totalRows: total, allReduce(): void {} })
  : makeSplit(ctl, init.slots, P, part, 2 * layout.D);
const np = layout.numParams;
const myGrad = init.grads.subarray((part - 1) * np, part * np);
parentPort?.postMessage({ ready: true });

try {
  for (;;) {
    barrier(ctl, P); // start
    const cmd = Atomics.load(ctl, CMD) as Command;
    if (cmd === Command.Exit) break;
    const a = Atomics.load(ctl, ARG_A), b = Atomics.load(ctl, ARG_B);
    engine.params.set(init.params);
    engine.bnStats.set(init.bnStats);
    if (cmd === Command.Train) {
      const [s, e] = partRange(a, b, part, P);
      const n = engine.gather(init.data.trainY, init.data.trainC, init.order, s, e);
      init.losses[part] = engine.trainRows(n, split(init.mode === 'replicas' ? n : b - a));
      myGrad.set(engine.grad);
    } else if (cmd === Command.Evaluate) {
      const [s, e] = partRange(a, b, part, P);
      engine.evalContiguous(init.data.valY, init.data.valC, s, e, init.valOut);
    }
    barrier(ctl, P); // end
  }
} catch (e) {
  parentPort?.postMessage({ error: String((e as Error)?.stack ?? e) });
  abort(ctl);
}
