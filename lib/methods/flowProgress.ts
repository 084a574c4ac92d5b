/**
 * Progress of CATHODE's generator training, which runs in pool workers: each worker counts its
 * epochs into shared memory and the main thread turns them into one 'flow epochs' bar.
 */
import { sharedArray } from '../ml/pool/pool.js';
import { FLOW_PRESETS } from '../ml/flows/index.js';
import { GAN_DEFAULTS } from '../ml/gan/index.js';
import type { Reporter } from '../util/reporter.js';
import type { CathodeSettings } from './types.js';

/** Epochs the template generator of one flow task trains at most (flows × epochs, or the GAN's epochs). */
export function plannedGeneratorEpochs(c: CathodeSettings): number {
  if (c.generator === 'gan') return Number(c.gan?.epochs ?? GAN_DEFAULTS.epochs);
  const preset = c.flow.preset === 'paper' ? 'paper' : 'default';
  return Number(c.flow.epochs ?? FLOW_PRESETS[preset].epochs) * c.flows;
}

interface FlowEpochStage {
  readonly tasks: Map<string, { cells: Int32Array; planned: number; done: boolean }>;
  readonly timer: ReturnType<typeof setInterval>;
  report(): void;
}

/** The flow tasks training at once under one reporter: their epochs add up to one 'flow epochs' bar. */
const flowEpochStages = new WeakMap<Reporter, FlowEpochStage>();

/**
 * Progress of a flow task's generator training, which runs in a pool worker: the worker counts epochs
 * into shared memory (`cells`, see sharedEpochCounter) and this thread polls it twice a second.
 * Concurrent flow tasks share one 'flow epochs' bar, shown from the start at 0 of the epochs planned.
 */
/** @internal exported for tests */
export function flowEpochProgress(reporter: Reporter | undefined, key: string, planned: number): { cells: Int32Array; finish(): void } {
  const cells = sharedArray(Int32Array, 2);
  if (!reporter) return { cells, finish() {} };
  let stage = flowEpochStages.get(reporter);
  if (!stage) {
    const tasks: FlowEpochStage['tasks'] = new Map();
    const report = (): void => {
      let done = 0, total = 0;
      for (const t of tasks.values()) {
        const n = Atomics.load(t.cells, 1) || t.planned;
        total += n;
        done += t.done ? n : Math.min(Atomics.load(t.cells, 0), n);
      }
      reporter.progress('flow epochs', done, total);
    };
    const timer = setInterval(report, 500);
    timer.unref();
    flowEpochStages.set(reporter, (stage = { tasks, timer, report }));
  }
  const s = stage;
  s.tasks.set(key, { cells, planned, done: false });
  s.report();
  return {
    cells,
    finish() {
      s.tasks.get(key)!.done = true; // early stopping ends a training before its planned epochs
      s.report();
      if ([...s.tasks.values()].every((t) => t.done)) {
        clearInterval(s.timer);
        flowEpochStages.delete(reporter);
      }
    },
  };
}
