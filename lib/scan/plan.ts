import { createRng } from '../util/rng.js';
import { runSeed } from '../ml/crossFit.js';
import type { Window } from '../windows/index.js';
import type { MethodName } from '../methods/types.js';
import { hashValue } from './hash.js';
import { FLOW_DOC_VERSION } from '../ml/flows/index.js';
import type { ScanConfig } from './config.js';

/** Bumped when a task's computation changes, so caches from older code are not reused. */
export const TASK_CODE_VERSION = 2;

/** Which event sample a task runs on: the analysed data, or the signal-free control sample. */
export type SampleRole = 'data' | 'control';

/**
 * One independent, idempotent unit of a scan. `flow` trains CATHODE's sideband density for a
 * window and samples it into the SR; `classify` cross-fits a method's classifier (all k folds)
 * and stores out-of-fold scores; `sideband-closure` samples that flow in the short sidebands and
 * classifies the samples against the data there (CATHODE's data-driven δsys). A task's result
 * lives in the cache under `key`.
 */
export interface ScanTask {
  readonly index: number;
  readonly kind: 'flow' | 'classify' | 'sideband-closure';
  readonly sample: SampleRole;
  readonly windowId: number;
  readonly method?: MethodName;
  readonly run: number;
  readonly seed: number;
  /** Content address: hash of everything the result depends on. */
  readonly key: string;
  /** Keys of tasks whose results this one reads. */
  readonly dependsOn: readonly string[];
}

/** A scan written out as a list of tasks (written to plan.json, dispatchable to any executor). */
export interface ScanPlan {
  readonly schema: 'sidewinder/scan-plan';
  readonly version: 1;
  readonly config: ScanConfig;
  readonly datasets: Readonly<Record<string, string>>;
  readonly windows: readonly Window[];
  readonly shortSidebandWidth: number;
  readonly tasks: readonly ScanTask[];
}

/** Seed of one task, derived by label from its run's seed. */
export const taskSeed = (seed: number, run: number, label: string): number => createRng(runSeed(seed, run)).fork(label).nextUint32();

/**
 * Windows × methods × runs (× samples) as tasks. Flow tasks come before the CATHODE classifiers
 * that read their samples; keys hash the dataset hashes, window bounds, method, features and every
 * setting the result depends on, so a rerun reuses finished work and a changed setting recomputes.
 * @param datasets SHA-256 of each sample: `data`, `template` (IAD) and optionally `control`.
 */
export function buildPlan(
  config: ScanConfig, windows: readonly Window[], shortSidebandWidth: number, datasets: Readonly<Record<string, string>>,
): ScanPlan {
  const samples: SampleRole[] = datasets.control ? ['data', 'control'] : ['data'];
  const tasks: ScanTask[] = [];
  const common = { code: TASK_CODE_VERSION, features: config.features };
  for (const sample of samples)
    for (const w of windows)
      for (let run = 0; run < config.runs; run++) {
        const bounds = { lo: w.srLow, hi: w.srHigh, units: w.units };
        let flowKey: string | undefined;
        if (config.methods.includes('cathode')) {
          const label = `${sample}/window:${w.id}/flow`;
          const seed = taskSeed(config.seed, run, label);
          // The flow document version is in the key: a flow of older code (other batch-norm statistics) is not reused.
          flowKey = hashValue({ ...common, kind: 'flow', sample: datasets[sample], bounds, cathode: config.cathode, seed, flowDocument: FLOW_DOC_VERSION });
          tasks.push({ index: tasks.length, kind: 'flow', sample, windowId: w.id, run, seed, key: flowKey, dependsOn: [] });
        }
        for (const method of config.methods) {
          // IAD assumes a perfect background template; on the control sample (another background
          // model) it would only measure the model mismatch, so it runs on data only.
          if (sample === 'control' && method === 'iad') continue;
          const label = `${sample}/window:${w.id}/classify:${method}`;
          const seed = taskSeed(config.seed, run, label);
          const template = method === 'iad' ? datasets.template : method === 'cathode' ? flowKey : undefined;
          const key = hashValue({
            ...common, kind: 'classify', sample: datasets[sample], template, bounds, method, seed,
            classifier: config.classifier, folds: config.folds, ensemble: config.ensemble,
            shortSidebandWidth: method === 'cwola' ? shortSidebandWidth : undefined,
          });
          tasks.push({ index: tasks.length, kind: 'classify', sample, windowId: w.id, method, run, seed, key, dependsOn: flowKey && method === 'cathode' ? [flowKey] : [] });
        }
        if (flowKey && sample === 'data' && config.deltaSys.dataDriven) {
          const seed = taskSeed(config.seed, run, `${sample}/window:${w.id}/sideband-closure`);
          const key = hashValue({
            ...common, kind: 'sideband-closure', sample: datasets[sample], flow: flowKey, bounds, seed, shortSidebandWidth,
            classifier: config.classifier, folds: config.folds, ensemble: config.ensemble, oversampling: config.cathode.oversampling,
          });
          tasks.push({ index: tasks.length, kind: 'sideband-closure', sample, windowId: w.id, method: 'cathode', run, seed, key, dependsOn: [flowKey] });
        }
      }
  return { schema: 'sidewinder/scan-plan', version: 1, config, datasets, windows, shortSidebandWidth, tasks };
}

/**
 * Where a task sits in the scan, for messages: "window 5 (3.5 TeV) · cathode · data · run 0"
 * (the window centre when the plan is given; "cathode flow" / "cathode sideband closure" for the
 * CATHODE generator and closure tasks).
 */
export function taskContext(task: ScanTask, plan?: Pick<ScanPlan, 'windows'>): string {
  const w = plan?.windows.find((x) => x.id === task.windowId);
  const where = w ? `window ${task.windowId} (${Number(w.centre.toFixed(3))} ${w.units})` : `window ${task.windowId}`;
  const what = task.kind === 'flow' ? 'cathode flow' : task.kind === 'sideband-closure' ? 'cathode sideband closure' : task.method ?? 'classify';
  return `${where} · ${what} · ${task.sample} · run ${task.run}`;
}

/** A short human name of a task, for logs and status lines: "task 3 · window 5 (3.5 TeV) · iad · data · run 0". */
export const describeTask = (task: ScanTask, plan?: Pick<ScanPlan, 'windows'>): string => `task ${task.index} · ${taskContext(task, plan)}`;
