import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadWindows, type Window } from '../windows/index.js';
import { sharedPool, type WorkerPool } from '../ml/pool/pool.js';
import { ConfigError, InputError, reworded } from '../util/errors.js';
import { silent, type Reporter } from '../util/reporter.js';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { PACKAGE_ROOT, packageFileUrl } from '../util/packageRoot.js';
import { ResultCache } from './cache.js';
import { validateScanConfig, type DatasetSpec, type ScanConfig } from './config.js';
import { loadScanDataset, requireBackgroundOnly, requireDistinctSamples, requireFeatureColumns, sampleIdentity, type ScanDataset } from './dataset.js';
import { buildPlan, describeTask, type ScanPlan, type ScanTask } from './plan.js';
import { methodDescriptor, methodStage } from '../methods/registry.js';
import { checkModelOptions, runTask, withTaskContext } from './execute.js';
import { claimOutDir, type OutDirLock } from './outDir.js';
import { assembleResults } from './assemble.js';
import type { ResultsDocument } from './results.js';
import { validateResults } from './validateResults.js';
import { windowSummary, type WindowSummary } from './summary.js';
import { checkWorkingPointsResolvable } from './resolvable.js';
import { compareTemplateWithData, describeMismatch, noticeableMismatches } from './templateMatch.js';
import { checkWindowCoverage } from './coverage.js';
import { checkFeatureResolution } from './featureResolution.js';
import { controlOutnumbersData, describeControlStatistics } from './controlStatistics.js';
import { crossFittedSrEvents, describeEnsembleChoice, withinEnsembleBudget } from './budget.js';

const PACKAGE = JSON.parse(readFileSync(packageFileUrl('package.json'), 'utf8')) as { version: string; dependencies: Record<string, string> };

export interface ScanRunOptions {
  /** Content-addressed cache of task results (reused by reruns). */
  readonly cacheDir: string;
  /** Where plan.json and results.json go. */
  readonly outDir: string;
  readonly reporter?: Reporter;
  /** Worker pool for the classifiers (default: the shared pool, one worker per core). */
  readonly pool?: WorkerPool;
  /** Called once the data are loaded, with the per-window event counts (printed by the CLI). */
  readonly onWindowSummary?: (summary: WindowSummary[]) => void;
  /**
   * The caller's claim on `outDir` ({@link claimOutDir}, e.g. held by the CLI across the scan and its
   * report). Without it, {@link runScan} claims `outDir` itself for the run and releases it after.
   */
  readonly lock?: OutDirLock;
}

export interface ScanOutcome {
  readonly results: ResultsDocument;
  readonly resultsPath: string;
  readonly planPath: string;
  readonly computed: number;
  readonly cached: number;
}

function resolveConfigPath(p: string): string {
  return p.startsWith('/') ? p : resolve(PACKAGE_ROOT, p);
}

/** Load the samples a scan needs. */
export async function loadScanSamples(config: ScanConfig, reporter: Reporter): Promise<Record<string, ScanDataset>> {
  const out: Record<string, ScanDataset> = {
    data: await loadScanDataset(config.dataset, 'data', reporter),
    template: await loadScanDataset(config.template, 'IAD template', reporter),
  };
  if (config.control) out.control = await loadScanDataset(config.control, 'control', reporter);
  requireDistinctSamples(out);
  requireBackgroundOnly(out);
  return out;
}

/** The windows a scan runs over (a subset when `windows.ids` is given). */
export async function scanWindows(config: ScanConfig): Promise<{ windows: Window[]; shortSidebandWidth: number }> {
  const wc = await loadWindows(resolveConfigPath(config.windows.file));
  let windows = [...wc.windows];
  if (config.windows.ids) {
    const missing = config.windows.ids.filter((id) => !windows.some((w) => w.id === id));
    if (missing.length) throw new ConfigError(`windows ${missing.join(', ')} are not in ${config.windows.file} (it defines ${windows.map((w) => w.id).join(', ')})`);
    windows = windows.filter((w) => config.windows.ids!.includes(w.id));
  }
  return { windows, shortSidebandWidth: wc.shortSidebandWidth };
}

/** A scan ready to run: its plan (written to `planPath`) and the loaded samples. */
export interface PreparedScan {
  readonly plan: ScanPlan;
  readonly planPath: string;
  /** Loaded samples by role (`data`, `template`, `control`); a task run may load only the ones it reads. */
  readonly datasets: Readonly<Record<string, ScanDataset>>;
}

/** Options of {@link prepareScan}. */
export interface PrepareOptions {
  /** Where plan.json goes. */
  readonly outDir: string;
  readonly reporter?: Reporter;
  readonly onWindowSummary?: (summary: WindowSummary[]) => void;
}

/**
 * First stage of a scan: validate the configuration, load (or generate) the samples, settle an
 * `ensembleBudget` into members and runs (lib/scan/budget.ts), build the task plan and write it
 * atomically to `<outDir>/plan.json`. The plan is what every engine executes.
 */
export async function prepareScan(config: ScanConfig, options: PrepareOptions): Promise<PreparedScan> {
  const reporter = options.reporter ?? silent;
  validateScanConfig(config, 'scan configuration');
  checkModelOptions(config);
  const { windows, shortSidebandWidth } = await scanWindows(config);
  const datasets = await loadScanSamples(config, reporter);
  options.onWindowSummary?.(windowSummary(datasets.data.events, windows, shortSidebandWidth));
  requireFeatureColumns(datasets, config.features);
  checkFeatureResolution(config, datasets);
  checkWindowCoverage(config, windows, shortSidebandWidth, datasets);
  if (config.methods.includes('iad') && datasets.template)
    for (const c of noticeableMismatches(compareTemplateWithData(datasets.data.events, datasets.template.events, windows, config.features)))
      reporter.log('warn', describeMismatch(c));
  const outnumbered = controlOutnumbersData(config, windows, datasets.data.events, datasets.control?.events);
  if (outnumbered.length) reporter.log('warn', describeControlStatistics(outnumbered));
  checkWorkingPointsResolvable(config, windows, shortSidebandWidth, datasets, reporter);
  const { config: resolved, choice } = withinEnsembleBudget(config, crossFittedSrEvents(datasets, windows));
  if (choice) reporter.log('info', describeEnsembleChoice(choice, config.ensembleBudget!.srEventFits));
  const plan: ScanPlan = buildPlan(resolved, windows, shortSidebandWidth, Object.fromEntries(Object.entries(datasets).map(([k, d]) => [k, sampleIdentity(d)])));
  const planPath = join(options.outDir, 'plan.json');
  await writeFileAtomic(planPath, JSON.stringify(plan, null, 1));
  return { plan, planPath, datasets };
}

/** The sample roles a task reads: its own sample, and those its stage names (IAD's template). */
export function taskSampleRoles(task: ScanTask): string[] {
  return [task.sample, ...(methodStage(task.method, task.kind).extraSamples ?? [])];
}

/**
 * Load the samples a written plan refers to (files by path, generated data regenerated from the
 * plan's configuration) and check each against the SHA-256 the plan recorded.
 * @param roles Only these samples (default: all the plan lists).
 * @throws InputError naming the sample and both hashes when the data differ from the plan's.
 */
export async function loadPlanSamples(plan: ScanPlan, reporter: Reporter = silent, roles?: readonly string[]): Promise<Record<string, ScanDataset>> {
  const specs: Record<string, DatasetSpec | undefined> = { data: plan.config.dataset, template: plan.config.template, control: plan.config.control };
  const out: Record<string, ScanDataset> = {};
  for (const role of roles ?? Object.keys(plan.datasets)) {
    const spec = specs[role];
    const expected = plan.datasets[role];
    if (!spec || !expected) throw new InputError(`scan plan: no "${role}" sample in the plan (it has ${Object.keys(plan.datasets).join(', ')})`);
    const d = await loadScanDataset(spec, role === 'template' ? 'IAD template' : role, reporter);
    if (sampleIdentity(d) !== expected)
      throw new InputError(
        `scan plan: the "${role}" sample (${d.path}) has SHA-256 ${sampleIdentity(d)}, but the plan was made for ${expected}; ` +
          'the data changed since the plan was written — prepare a new plan',
      );
    out[role] = d;
  }
  return out;
}

/** Read and check a plan.json written by {@link prepareScan}. */
export function readPlan(path: string): ScanPlan {
  let plan: ScanPlan;
  try {
    plan = JSON.parse(readFileSync(path, 'utf8')) as ScanPlan;
  } catch (e) {
    throw new InputError(`${path}: cannot read the scan plan: ${(e as Error).message}`);
  }
  if (plan?.schema !== 'sidewinder/scan-plan' || plan.version !== 1 || !Array.isArray(plan.tasks))
    throw new InputError(`${path}: not a sidewinder scan plan (expected schema "sidewinder/scan-plan" version 1, got ${JSON.stringify(plan?.schema)} version ${JSON.stringify(plan?.version)})`);
  plan.tasks.forEach((t, i) => {
    if (t.index !== i) throw new InputError(`${path}: task at position ${i} has index ${t.index}; the plan's tasks must be numbered 0…${plan.tasks.length - 1}`);
    // Plans of older versions had flow tasks without a method; every task now names its method's stage.
    if (typeof t.method !== 'string' || !methodDescriptor(t.method).stages.some((st) => st.kind === t.kind))
      throw new InputError(`${path}: task ${i} (${t.method ?? 'no method'} ${t.kind}) is not a task of a registered method; the plan was written by another sidewinder version: plan the scan again`);
  });
  return plan;
}

/** Options of {@link runPlanTasks}. */
export interface RunTasksOptions {
  readonly cacheDir: string;
  readonly reporter?: Reporter;
  readonly pool?: WorkerPool;
  /** Only these task indices (default: all, in plan order, which puts flows before their users). */
  readonly indices?: readonly number[];
}

/** A short human name of a task, for logs (defined with the plan). */
export { describeTask };

/** Second stage: run the plan's tasks that are not yet in the cache, in this process. */
export async function runPlanTasks(
  plan: ScanPlan, datasets: Readonly<Record<string, ScanDataset>>, options: RunTasksOptions,
): Promise<{ computed: number; cached: number }> {
  const reporter = options.reporter ?? silent;
  const cache = new ResultCache(options.cacheDir);
  const samples = Object.fromEntries(Object.entries(datasets).map(([k, d]) => [k, d.events]));
  const pool = options.pool ?? sharedPool();
  const tasks = options.indices ? options.indices.map((i) => taskAt(plan, i)) : plan.tasks;
  let computed = 0, cached = 0, done = 0;
  // A task that fails stops its own method (its later tasks need its result), not the others: their
  // tasks still run and are cached, so a rerun with only those methods writes their results.
  const failures: { task: ScanTask; error: Error }[] = [];
  const failedMethods = new Set<string>();
  const runOne = async (task: ScanTask): Promise<void> => {
    if (failedMethods.has(task.method)) return;
    const what = describeTask(task, plan);
    reporter.log('debug', `${what} of ${plan.tasks.length}`);
    const t0 = Date.now();
    let status: 'cached' | 'computed';
    try {
      status = await runTask(task, { plan, samples, cache, pool, reporter });
    } catch (e) {
      // The user sees which window, method, sample and run failed, with the original message and class.
      failures.push({ task, error: withTaskContext(e, task, plan) });
      failedMethods.add(task.method);
      return;
    }
    if (status === 'computed') {
      computed++;
      reporter.log('info', `${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } else cached++;
    reporter.progress('tasks', ++done, tasks.length);
  };
  // The bar from the start, at 0 of all tasks.
  reporter.progress('tasks', 0, tasks.length);
  // Generators (CATHODE's flows) first, all at once: the pool trains one per worker. Then the
  // classifiers one by one, each spreading its folds over the pool.
  const isGenerator = (t: ScanTask): boolean => methodStage(t.method, t.kind).role === 'generator';
  await Promise.all(tasks.filter(isGenerator).map(runOne));
  for (const task of tasks) if (!isGenerator(task)) await runOne(task);
  // Only a run of the whole plan knows that the other methods finished (a cluster task runs a few).
  if (failures.length) throw options.indices ? failures[0].error : withFinishedMethods(failures[0].error, plan, failedMethods, options.cacheDir);
  return { computed, cached };
}

/**
 * The first failure of a task run, told which methods did finish: their tasks are cached, and a
 * rerun restricted to them writes their results. Keeps the failure's class (its exit code).
 */
function withFinishedMethods(error: Error, plan: ScanPlan, failed: ReadonlySet<string>, cacheDir: string): Error {
  const finished = plan.config.methods.filter((m) => !failed.has(m));
  if (finished.length === 0) return error;
  return reworded(error, `${error.message}; the ${finished.join(', ')} tasks finished and are cached in ${cacheDir}: rerun with --methods ${finished.join(',')} (config "methods") to write their results`);
}

/** The task with this index, or an error naming the valid range. */
export function taskAt(plan: ScanPlan, index: number): ScanTask {
  const t = Number.isInteger(index) ? plan.tasks[index] : undefined;
  if (!t) throw new InputError(`scan plan: no task ${index}; the plan has tasks 0…${plan.tasks.length - 1}`);
  return t;
}

/** Indices of the plan's tasks whose results are not in the cache, or are damaged there (checksums verified). */
export function missingTasks(plan: ScanPlan, cacheDir: string): number[] {
  const cache = new ResultCache(cacheDir);
  return plan.tasks.filter((t) => !cache.has(t.key)).map((t) => t.index);
}

/**
 * Last stage: assemble the cached task results into the results document, validate it and write
 * `<outDir>/results.json` atomically. Every entry's checksums are verified first: a damaged entry
 * is never assembled from, it counts as missing. Unless `options.lock` is given, `outDir` is
 * claimed for the merge ({@link claimOutDir}: a previous results.json and report are moved aside).
 * @throws InputError listing the tasks whose results are not yet in the cache, or damaged there.
 */
export async function mergeScan(
  plan: ScanPlan, datasets: Readonly<Record<string, ScanDataset>>,
  options: { cacheDir: string; outDir: string; reporter?: Reporter; lock?: OutDirLock },
): Promise<{ results: ResultsDocument; resultsPath: string }> {
  const cache = new ResultCache(options.cacheDir);
  const damaged: string[] = [];
  const missing = plan.tasks.filter((t) => {
    const found = cache.lookup(t.key);
    if (found.status === 'damaged') damaged.push(`${describeTask(t, plan)}: ${found.reason}`);
    return found.status !== 'hit';
  }).map((t) => t.index);
  if (missing.length)
    throw new InputError(
      `scan: ${missing.length} of ${plan.tasks.length} task results are not in ${options.cacheDir} yet (tasks ${compactRanges(missing)})` +
        (damaged.length ? `; ${damaged.length} of them damaged there (${damaged.slice(0, 3).join('; ')}${damaged.length > 3 ? '; …' : ''})` : '') +
        '; run them before merging (a rerun recomputes damaged entries)',
    );
  const lock = options.lock ?? claimOutDir(options.outDir, { stage: 'merge', reporter: options.reporter });
  try {
    lock.clearPrevious();
    const samples = Object.fromEntries(Object.entries(datasets).map(([k, d]) => [k, d.events]));
    const versions = { sidewinder: PACKAGE.version, node: process.versions.node, 'apache-arrow': PACKAGE.dependencies['apache-arrow'] ?? '' };
    const results = assembleResults({ plan, cache, samples, datasets, writer: `sidewinder ${PACKAGE.version}`, versions, reporter: options.reporter });
    checkAssembledResults(results, options.cacheDir); // schema and cross-references, before anything is written
    const resultsPath = join(options.outDir, 'results.json');
    await writeFileAtomic(resultsPath, JSON.stringify(results, null, 1));
    return { results, resultsPath };
  } finally {
    if (!options.lock) lock.release();
  }
}

/**
 * The results sidewinder assembled fail their own schema (data-schemas/results.schema.json): a bug in
 * sidewinder, not bad input, so not a `SidewinderError`: the CLI ends with exit code 70.
 */
export class InvalidResultsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidResultsError';
  }
}

/**
 * Check a results document the scan built (schema and cross-references) before it is written.
 * @throws InvalidResultsError naming what failed, and that the task results stay in `cacheDir`.
 */
export function checkAssembledResults(results: ResultsDocument, cacheDir: string): void {
  try {
    validateResults(results, 'scan results');
  } catch (err) {
    // validateResults throws InputError, which means "the user's file is wrong" (exit 1); here the
    // document came from sidewinder itself and a rerun fails the same, so say it is ours.
    throw new InvalidResultsError(`${(err as Error).message} (a bug in sidewinder: the task results stay in ${cacheDir})`, { cause: err });
  }
}

/** "0-3,7,9-10": sorted integers as ranges (Slurm's --array syntax). */
export function compactRanges(indices: readonly number[]): string {
  const s = [...new Set(indices)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < s.length; ) {
    let j = i;
    while (j + 1 < s.length && s[j + 1] === s[j] + 1) j++;
    parts.push(j > i ? `${s[i]}-${s[j]}` : String(s[i]));
    i = j + 1;
  }
  return parts.join(',');
}

/**
 * Run a scan in this process (the local engine): {@link prepareScan}, {@link runPlanTasks} for every
 * task not yet in the cache (flows before the CATHODE classifiers that read them), then
 * {@link mergeScan}. A killed scan resumes from its cache: finished tasks are never recomputed,
 * partial or damaged ones never read (damaged ones are recomputed, with a warning).
 *
 * One writer per output directory: unless `options.lock` is given, `outDir` is claimed
 * ({@link claimOutDir}) for the whole run — a run already writing there makes this one fail with an
 * InputError naming it — and released at the end, whether the run succeeds or fails. Once the
 * configuration is valid, a previous run's plan, results and report are moved to
 * `<outDir>/previous/<time>/` (with a message) before anything is written.
 */
export async function runScan(config: ScanConfig, options: ScanRunOptions): Promise<ScanOutcome> {
  const lock = options.lock ?? claimOutDir(options.outDir, { stage: 'run', reporter: options.reporter });
  try {
    // A configuration error must not move the previous run's results aside: check it first.
    validateScanConfig(config, 'scan configuration');
    checkModelOptions(config);
    lock.clearPrevious();
    const { plan, planPath, datasets } = await prepareScan(config, options);
    const { computed, cached } = await runPlanTasks(plan, datasets, options);
    const { results, resultsPath } = await mergeScan(plan, datasets, { ...options, lock });
    return { results, resultsPath, planPath, computed, cached };
  } finally {
    if (!options.lock) lock.release();
  }
}
