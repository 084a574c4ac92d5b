import type { EventTable } from '../data/eventTable.js';
import { signalRegionMask, type Window } from '../windows/index.js';
import { crossFit, type ClassifierSpec } from '../ml/crossFit.js';
// Model kinds register themselves on import; the scan offers these.
import '../ml/trees/hgb.js';
import '../ml/trees/cart.js';
import '../ml/nn/mlp.js';
import { loadOnnxClassifier } from '../ml/onnx/index.js';
import { WorkerTaskError, sharedArray, type WorkerPool } from '../ml/pool/pool.js';
import { FLOW_PRESETS } from '../ml/flows/index.js';
import { GAN_DEFAULTS } from '../ml/gan/index.js';
import type { Matrix } from '../ml/matrix.js';
import { featureMatrix, featureNames } from '../methods/features.js';
import { iadTemplate } from '../methods/iad.js';
import { cwolaTemplate } from '../methods/cwola.js';
import { sidebandClosureTemplate, loadSidebandGenerator, type GeneratorDocument } from '../methods/cathode.js';
import { CATHODE_FLOW_TASK, cathodeFlowPayload, trainAndSampleFlow, assertFiniteTemplate, type CathodeFlowResult } from '../methods/cathodeTask.js';
import type { SampleCheck } from '../ml/flows/index.js';
import type { BackgroundTemplate } from '../methods/types.js';
import { ConfigError, InputError, ShapeError, SidewinderError } from '../util/errors.js';
import { silent, type Reporter } from '../util/reporter.js';
import type { ResultCache } from './cache.js';
import type { ScanConfig } from './config.js';
import { describeTask, type ScanPlan, type ScanTask } from './plan.js';

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
export interface ClassifyResult {
  readonly nSR: number;
  readonly nTemplate: number;
  readonly meta: Record<string, unknown>;
}

/** Summary stored with a flow task's samples. */
export interface FlowResult {
  readonly nSamples: number;
  readonly cols: number;
  readonly features: readonly string[];
  /** The trained sideband generator (FlowEnsemble or FittedGan toJSON()). */
  readonly flow: GeneratorDocument;
  /** Events of the template draw redrawn (non-finite or outside the training range) or dropped (flows). */
  readonly check?: SampleCheck;
}

/** The registered model kind and options behind a scan's classifier setting. */
export function classifierSpec(config: ScanConfig): ClassifierSpec {
  const { kind, options } = config.classifier;
  switch (kind) {
    case 'gbdt': return { kind: 'hgb', options };
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
  if (!(err instanceof Error)) return new SidewinderError(`${prefix}: ${String(err)}`, { cause: err });
  if (err.message.startsWith(`${prefix}: `)) return err;
  if (err instanceof WorkerTaskError) {
    const Remote = TASK_ERROR_CLASSES[err.remoteName];
    return Remote ? new Remote(`${prefix}: ${err.remoteMessage}`, { cause: err }) : new SidewinderError(`${prefix}: ${err.message}`, { cause: err });
  }
  const Ctor = err.constructor as new (message: string, options?: { cause?: unknown }) => Error;
  try {
    const wrapped = new Ctor(`${prefix}: ${err.message}`, { cause: err });
    if (wrapped instanceof Error && wrapped.constructor === err.constructor) return wrapped;
  } catch {
    /* a constructor with another signature: fall through */
  }
  return new SidewinderError(`${prefix}: ${err.message}`, { cause: err });
}

/** Epochs the template generator of one flow task trains at most (flows × epochs, or the GAN's epochs). */
export function plannedGeneratorEpochs(config: ScanConfig): number {
  const c = config.cathode;
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

/** Run one task and store its result in the cache (skipped when the cache already holds it intact). */
export async function runTask(task: ScanTask, ctx: TaskContext): Promise<'cached' | 'computed'> {
  if (cachedIntact(task, ctx)) return 'cached';
  const { config } = ctx.plan;
  const features = featureNames(config.features);
  const window = windowOf(ctx.plan, task.windowId);
  const events = sampleOf(ctx, task.sample);

  if (task.kind === 'flow') {
    // Sideband events in shared memory; the generator trains in a pool worker (several windows at once).
    // Unless set, the GAN trains on as many sideband events as the flow would.
    const payload = cathodeFlowPayload(events, window, features, {
      ...config.cathode, seed: task.seed, sample: task.sample,
      gan: { maxEvents: (config.cathode.flow as { maxEvents?: number }).maxEvents ?? 0, ...config.cathode.gan },
    });
    const epochs = flowEpochProgress(ctx.reporter, task.key, plannedGeneratorEpochs(config));
    let r: CathodeFlowResult;
    try {
      const p = { ...payload, progress: epochs.cells };
      r = ctx.pool ? await ctx.pool.run<CathodeFlowResult>(CATHODE_FLOW_TASK, p) : await trainAndSampleFlow(p);
    } finally {
      epochs.finish();
    }
    // The trained flow is kept with its samples: the sideband closure (data-driven δsys) samples it again.
    const value: FlowResult = { nSamples: r.rows, cols: r.cols, features, flow: r.flow, ...(r.check ? { check: r.check } : {}) };
    ctx.cache.put(task.key, value, { samples: r.samples });
    return 'computed';
  }

  if (task.kind === 'sideband-closure') {
    const flow = ctx.cache.get<FlowResult>(task.dependsOn[0]);
    if (!flow) throw new InputError(`scan: sideband closure of window ${window.id} needs the flow ${task.dependsOn[0]}, which is ${dependencyProblem(ctx, task.dependsOn[0])}; run the flow task first`);
    const closure = sidebandClosureTemplate(loadSidebandGenerator(flow.value.flow), events, window, features, ctx.plan.shortSidebandWidth, {
      oversampling: config.cathode.oversampling, seed: task.seed,
    });
    assertFiniteTemplate(closure.template.x.data, closure.template.x.rows, closure.template.x.cols, `window ${window.id}, method cathode (sideband closure), ${task.sample} sample: the template`);
    return storeCrossFit(task, ctx, closure.data, closure.template);
  }

  const sr = signalRegionMask(events, window);
  const data = featureMatrix(events, features, sr);
  let template: BackgroundTemplate;
  switch (task.method) {
    case 'iad':
      template = iadTemplate(sampleOf(ctx, 'template'), window, features);
      break;
    case 'cwola':
      template = cwolaTemplate(events, window, features, ctx.plan.shortSidebandWidth);
      break;
    case 'cathode': {
      const flowKey = task.dependsOn[0];
      const flow = ctx.cache.get<FlowResult>(flowKey);
      if (!flow) throw new InputError(`scan: CATHODE task ${task.index} (window ${window.id}) needs the flow samples ${flowKey}, which are ${dependencyProblem(ctx, flowKey)}; run the flow task first`);
      const x: Matrix<Float64Array> = { data: flow.arrays.samples as Float64Array, rows: flow.value.nSamples, cols: flow.value.cols };
      assertFiniteTemplate(x.data, x.rows, x.cols, `window ${window.id}, method cathode, ${task.sample} sample: the template`);
      template = { method: 'cathode', window, x, classWeight: 'balanced', meta: { nTemplate: x.rows, oversampling: config.cathode.oversampling } };
      break;
    }
    default:
      throw new InputError(`scan: task ${task.index} has no method`);
  }
  return storeCrossFit(task, ctx, data, template);
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
    k: config.folds, members: config.ensemble, seed: task.seed, templateWeight: template.weights,
    classWeight: template.classWeight, pool: ctx.pool, reporter,
  });
  const value: ClassifyResult = { nSR: data.rows, nTemplate: template.x.rows, meta: template.meta };
  const arrays: Record<string, Float64Array | Uint8Array> = {
    dataScores: fit.dataScores, dataFold: fit.dataFold, templateScores: fit.templateScores, templateFold: fit.templateFold,
  };
  if (template.weights) arrays.templateWeights = template.weights;
  ctx.cache.put(task.key, value, arrays);
  return 'computed';
}
