import type { EventTable } from '../data/eventTable.js';
import type { Window } from '../windows/index.js';
import { crossFit, type ClassifierSpec } from '../ml/crossFit.js';
// Model kinds register themselves on import; the scan offers these.
import '../ml/trees/hgb.js';
import '../ml/trees/cart.js';
import '../ml/nn/mlp.js';
import { loadOnnxClassifier } from '../ml/onnx/index.js';
import { WorkerTaskError, type WorkerPool } from '../ml/pool/pool.js';
import type { Matrix } from '../ml/matrix.js';
import type { BackgroundTemplate } from '../methods/types.js';
import type { ScoresSummary, StageInput, StageSpec } from '../methods/method.js';
import { methodDescriptor, methodStage } from '../methods/registry.js';
import { createClassifier } from '../ml/classifier.js';
import { ConfigError, InputError, ShapeError, SidewinderError, reworded } from '../util/errors.js';
import { silent, type Reporter } from '../util/reporter.js';
import type { ResultCache } from './cache.js';
import { ensembleOf, type ScanConfig } from './config.js';
import { describeTask, methodSettings, type ScanPlan, type ScanTask } from './plan.js';

/** What a task reads: the loaded samples, the cache, a worker pool and a reporter. */
export interface TaskContext {
  readonly plan: ScanPlan;
  /** Events by sample role (`data`, `control`) and the IAD `template`. */
  readonly samples: Readonly<Record<string, EventTable>>;
  readonly cache: ResultCache;
  readonly pool?: WorkerPool;
  readonly reporter?: Reporter;
}

/** Summary stored with a classify task's scores. */
export type ClassifyResult = ScoresSummary;

/**
 * Check every model option of a scan before any data are read: the classifier's (by creating it) and
 * each method stage's own (CATHODE's flow or GAN). Errors name the option.
 * @throws ConfigError
 */
export function checkModelOptions(config: ScanConfig): void {
  const spec = classifierSpec(config);
  // An ONNX classifier's options are checked when the model file is opened.
  if (spec.kind !== 'onnx') {
    try {
      createClassifier(spec.kind, spec.options);
    } catch (e) {
      throw e instanceof ConfigError ? new ConfigError(`classifier.options: ${e.message}`, { cause: e }) : e;
    }
  }
  // The short-sideband width comes from the windows file, not an option checked here.
  const settings = methodSettings(config, 1);
  for (const method of config.methods) for (const stage of methodDescriptor(method).stages) stage.checkSettings?.(settings);
}

/** The registered model kind and options behind a scan's classifier setting. */
export function classifierSpec(config: ScanConfig): ClassifierSpec {
  const { kind, options } = config.classifier;
  switch (kind) {
    case 'hgb': return { kind: 'hgb', options };
    case 'mlp': return { kind: 'mlp', options };
    case 'cart': return { kind: 'cart', options };
    case 'onnx': return { kind: 'onnx', options: { ...options, path: config.classifier.onnxPath } };
  }
}

function windowOf(plan: ScanPlan, id: number): Window {
  const w = plan.windows.find((x) => x.id === id);
  if (!w) throw new InputError(`scan plan: task refers to window ${id}, which the plan does not define`);
  return w;
}

function sampleOf(ctx: TaskContext, role: string): EventTable {
  const s = ctx.samples[role];
  if (!s) throw new InputError(`scan: the "${role}" sample is not loaded`);
  return s;
}

/** Caches whose version-1 (checksum-less) entries were already reported: said once per run, not per entry. */
const legacyReported = new WeakSet<ResultCache>();

/**
 * Whether the cache holds an intact result for the task. A damaged entry (see ResultCache.lookup)
 * is deleted, so the task is recomputed, with one warning naming the task and the damage.
 */
export function cachedIntact(task: ScanTask, ctx: Pick<TaskContext, 'plan' | 'cache' | 'reporter'>): boolean {
  const found = ctx.cache.lookup(task.key);
  if (found.status === 'hit') return true;
  if (found.status === 'damaged') {
    const reporter = ctx.reporter ?? silent;
    if (!found.legacy) reporter.log('warn', `${describeTask(task, ctx.plan)}: cached result ${task.key.slice(0, 12)}… in ${ctx.cache.dir} is damaged (${found.reason}); recomputing it`);
    else if (!legacyReported.has(ctx.cache)) {
      legacyReported.add(ctx.cache);
      reporter.log('warn', `${ctx.cache.dir}: entries written by an older sidewinder without checksums (cache-entry version 1) are recomputed`);
    }
    ctx.cache.delete(task.key);
  }
  return false;
}

/** Why a dependency's result cannot be read: "not in the cache" or "damaged in the cache (…)". */
function dependencyProblem(ctx: TaskContext, key: string): string {
  const found = ctx.cache.lookup(key);
  return found.status === 'damaged' ? `damaged in the cache (${found.reason})` : 'not in the cache';
}

const TASK_ERROR_CLASSES: Readonly<Record<string, new (message: string, options?: { cause?: unknown }) => Error>> = { InputError, ConfigError, ShapeError };

/**
 * An error thrown while running a task, re-thrown with the task's context in front of its message
 * ("task 7 · window 5 (3.5 TeV) · cathode · data · run 0: fitBinEdges: …") and the same class, so
 * InputError / ConfigError stay what they were. An error from a pool worker becomes the class it had
 * in the worker (InputError, ConfigError, ShapeError) with the worker's own message; the original
 * error is the `cause`. Already-wrapped errors pass through unchanged.
 */
export function withTaskContext(err: unknown, task: ScanTask, plan: Pick<ScanPlan, 'windows'>): Error {
  const prefix = describeTask(task, plan);
  // Anything not known to be a SidewinderError stays a plain Error: the CLI reports it as internal (exit 70).
  if (!(err instanceof Error)) return new Error(`${prefix}: ${String(err)}`, { cause: err });
  if (err.message.startsWith(`${prefix}: `)) return err;
  if (err instanceof WorkerTaskError) {
    const Remote = TASK_ERROR_CLASSES[err.remoteName];
    if (Remote) return new Remote(`${prefix}: ${err.remoteMessage}`, { cause: err });
    return err.remoteName === 'SidewinderError' ? new SidewinderError(`${prefix}: ${err.remoteMessage}`, { cause: err }) : new Error(`${prefix}: ${err.message}`, { cause: err });
  }
  return reworded(err, `${prefix}: ${err.message}`);
}

/** Run one task and store its result in the cache (skipped when the cache already holds it intact). */
export async function runTask(task: ScanTask, ctx: TaskContext): Promise<'cached' | 'computed'> {
  if (cachedIntact(task, ctx)) return 'cached';
  const stage = methodStage(task.method, task.kind);
  const out = await stage.run(stageInput(task, stage, ctx));
  if ('store' in out) {
    ctx.cache.put(task.key, out.store.value, out.store.arrays);
    return 'computed';
  }
  return storeCrossFit(task, ctx, out.crossFit.data, out.crossFit.template);
}

/** What a task's stage reads: its window, sample, settings, dependencies (from the cache), pool and reporter. */
function stageInput(task: ScanTask, stage: StageSpec, ctx: TaskContext): StageInput {
  const window = windowOf(ctx.plan, task.windowId);
  return {
    window, settings: methodSettings(ctx.plan.config, ctx.plan.shortSidebandWidth), events: sampleOf(ctx, task.sample),
    sample: (role) => sampleOf(ctx, role), sampleRole: task.sample, seed: task.seed, pool: ctx.pool, reporter: ctx.reporter,
    dependency: <T>(kind: string) => {
      const key = task.dependsOn[stage.dependsOn.indexOf(kind)];
      const found = key === undefined ? undefined : ctx.cache.get<T>(key);
      if (!found) throw new InputError(`scan: ${task.method} ${task.kind} of window ${window.id} (task ${task.index}) needs the ${kind} result ${key}, which is ${key === undefined ? 'not planned' : dependencyProblem(ctx, key)}; run that task first`);
      return found;
    },
  };
}

/**
 * Cross-fit "data (label 1) vs template (label 0)" and store the out-of-fold scores under the task's
 * key. An external ONNX classifier is not trained: it never saw these events, so it scores them all
 * directly (one fold).
 */
async function storeCrossFit(task: ScanTask, ctx: TaskContext, data: Matrix<Float64Array>, template: BackgroundTemplate): Promise<'computed'> {
  const { config } = ctx.plan;
  if (config.classifier.kind === 'onnx') {
    if (!config.classifier.onnxPath) throw new InputError('scan: classifier "onnx" needs classifier.onnxPath (--onnx <file>)');
    const model = await loadOnnxClassifier(config.classifier.onnxPath);
    const value: ClassifyResult = { nSR: data.rows, nTemplate: template.x.rows, meta: { ...template.meta, classifier: `onnx:${config.classifier.onnxPath}` } };
    const arrays: Record<string, Float64Array | Uint8Array> = {
      dataScores: await model.predictProbaAsync(data), dataFold: new Uint8Array(data.rows),
      templateScores: await model.predictProbaAsync(template.x), templateFold: new Uint8Array(template.x.rows),
    };
    if (template.weights) arrays.templateWeights = template.weights;
    ctx.cache.put(task.key, value, arrays);
    return 'computed';
  }
  if (data.rows < config.folds) throw new InputError(`window ${task.windowId}: ${data.rows} events in the ${task.sample} sample cannot fill ${config.folds} folds`);
  const reporter = ctx.reporter ?? silent;
  const fit = await crossFit(classifierSpec(config), data, template.x, {
    k: config.folds, members: ensembleOf(config, task.method), seed: task.seed, templateWeight: template.weights,
    classWeight: template.classWeight, ...(template.groups ? { templateGroups: template.groups } : {}), pool: ctx.pool, reporter,
  });
  const value: ClassifyResult = { nSR: data.rows, nTemplate: template.x.rows, meta: template.meta };
  const arrays: Record<string, Float64Array | Uint8Array> = {
    dataScores: fit.dataScores, dataFold: fit.dataFold, templateScores: fit.templateScores, templateFold: fit.templateFold,
  };
  if (template.weights) arrays.templateWeights = template.weights;
  if (fit.templateCalibration) arrays.templateCalibration = fit.templateCalibration;
  ctx.cache.put(task.key, value, arrays);
  return 'computed';
}
