import { createRng } from '../util/rng.js';
import { runSeed } from '../ml/crossFit.js';
import type { Window } from '../windows/index.js';
import type { MethodName, MethodSettings } from '../methods/types.js';
import type { SampleRole, StageSpec } from '../methods/method.js';
import { methodDescriptor } from '../methods/registry.js';
import { featureNames } from '../methods/features.js';
import { ConfigError } from '../util/errors.js';
import { hashValue } from './hash.js';
import { ensembleOf, type ScanConfig } from './config.js';

export type { SampleRole };

/** Bumped when a task's computation changes, so caches from older code are not reused. */
export const TASK_CODE_VERSION = 2;

/**
 * One independent, idempotent unit of a scan: a stage (lib/methods/method.ts `StageSpec`) of a
 * method for one (sample, window, run) — e.g. CATHODE's `flow` (the sideband density), a method's
 * `classify` (cross-fitted out-of-fold scores), CATHODE's `sideband-closure`. A task's result lives
 * in the cache under `key`. A stage shared by several methods (same settings) is one task, listed
 * under the first method that needs it.
 */
export interface ScanTask {
  readonly index: number;
  readonly kind: string;
  readonly sample: SampleRole;
  readonly windowId: number;
  readonly method: MethodName;
  readonly run: number;
  readonly seed: number;
  /** Content address: hash of everything the result depends on. */
  readonly key: string;
  /** Keys of tasks whose results this one reads, in the order of the stage's `dependsOn`. */
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

/** What the methods read of a scan's configuration. */
export function methodSettings(config: ScanConfig, shortSidebandWidth: number): MethodSettings {
  return { features: featureNames(config.features), shortSidebandWidth, cathode: config.cathode, dataDrivenDeltaSys: !!config.deltaSys.dataDriven };
}

/** Generators first (the longest tasks start first), then the scores cells in method order, then closures. */
const ROLE_ORDER: Readonly<Record<StageSpec['role'], number>> = { generator: 0, scores: 1, closure: 2 };

/**
 * Windows × runs × samples × the stages of every method, as tasks. Keys hash the dataset hashes,
 * window bounds, the stage's own inputs, its dependencies' keys, the classifier settings where it
 * cross-fits, and the seed, so a rerun reuses finished work and a changed setting recomputes.
 * @param datasets SHA-256 of each sample: `data`, `template` (IAD) and optionally `control`.
 */
export function buildPlan(
  config: ScanConfig, windows: readonly Window[], shortSidebandWidth: number, datasets: Readonly<Record<string, string>>,
): ScanPlan {
  const samples: SampleRole[] = datasets.control ? ['data', 'control'] : ['data'];
  const settings = methodSettings(config, shortSidebandWidth);
  const stages = config.methods.flatMap((name) => methodDescriptor(name).stages.map((stage, order) => ({ method: name, stage, order })))
    .sort((a, b) => ROLE_ORDER[a.stage.role] - ROLE_ORDER[b.stage.role]);
  const tasks: ScanTask[] = [];
  const common = { code: TASK_CODE_VERSION, features: config.features };
  // Keys already planned: a stage shared by methods, or by runs, is one task.
  const planned = new Set<string>();
  for (const sample of samples)
    for (const w of windows)
      for (let run = 0; run < config.runs; run++) {
        const bounds = { lo: w.srLow, hi: w.srHigh, units: w.units };
        // Keys of this (sample, window, run)'s tasks by method and kind.
        const keyOf = new Map<string, string>();
        for (const { method, stage } of stages) {
          if (!stage.runsOn(sample, settings)) continue;
          const dependsOn = stage.dependsOn.map((kind) => {
            const k = keyOf.get(`${method}/${kind}`);
            if (!k) throw new ConfigError(`method ${method}: its "${stage.kind}" task needs a "${kind}" task, which it does not plan for the ${sample} sample`);
            return k;
          });
          const taskRun = stage.sharedAcrossRuns ? 0 : run;
          const seed = taskSeed(config.seed, taskRun, `${sample}/window:${w.id}/${stage.seedLabel(method)}`);
          const key = hashValue({
            ...common, kind: stage.kind, sample: datasets[sample], bounds, seed, dependsOn, ...stage.keyInputs(settings, datasets),
            ...(stage.usesClassifier ? { classifier: config.classifier, folds: config.folds, ensemble: ensembleOf(config, method) } : {}),
          });
          keyOf.set(`${method}/${stage.kind}`, key);
          if (planned.has(key)) continue;
          planned.add(key);
          tasks.push({ index: tasks.length, kind: stage.kind, sample, windowId: w.id, method, run: taskRun, seed, key, dependsOn });
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
  // A scores task is named by its method; others by method and kind ("cathode flow", "cathode sideband closure").
  const scores = methodDescriptor(task.method).stages.find((s) => s.kind === task.kind)?.role === 'scores';
  const what = scores ? task.method : `${task.method} ${task.kind.replace(/-/g, ' ')}`;
  return `${where} · ${what} · ${task.sample} · run ${task.run}`;
}

/** A short human name of a task, for logs and status lines: "task 3 · window 5 (3.5 TeV) · iad · data · run 0". */
export const describeTask = (task: ScanTask, plan?: Pick<ScanPlan, 'windows'>): string => `task ${task.index} · ${taskContext(task, plan)}`;
