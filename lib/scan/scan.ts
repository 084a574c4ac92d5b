import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadWindows, type Window } from '../windows/index.js';
import { sharedPool, type WorkerPool } from '../ml/pool/pool.js';
import { ConfigError, InputError } from '../util/errors.js';
import { silent, type Reporter } from '../util/reporter.js';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { validateSchema } from '../util/schema.js';
import { ResultCache } from './cache.js';
import { checkScanConfig, type DatasetSpec, type ScanConfig } from './config.js';
import { loadScanDataset, type ScanDataset } from './dataset.js';
import { buildPlan, type ScanPlan, type ScanTask } from './plan.js';
import { runTask } from './execute.js';
import { assembleResults } from './assemble.js';
import type { ResultsDocument } from './results.js';
import { validateResults } from './validateResults.js';
import { windowSummary, type WindowSummary } from './summary.js';
import { checkWorkingPointsResolvable } from './resolvable.js';

const PACKAGE = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string; dependencies: Record<string, string> };
/** Repository root: relative paths in configs (windows files) resolve against it, then the cwd. */
const REPO_ROOT = new URL('../../', import.meta.url).pathname;

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
}

export interface ScanOutcome {
  readonly results: ResultsDocument;
  readonly resultsPath: string;
  readonly planPath: string;
  readonly computed: number;
  readonly cached: number;
}

function resolveConfigPath(p: string): string {
  return p.startsWith('/') ? p : resolve(REPO_ROOT, p);
}

/** Load the samples a scan needs. */
export async function loadScanSamples(config: ScanConfig, reporter: Reporter): Promise<Record<string, ScanDataset>> {
  const out: Record<string, ScanDataset> = {
    data: await loadScanDataset(config.dataset, 'data', reporter),
    template: await loadScanDataset(config.template, 'IAD template', reporter),
  };
  if (config.control) out.control = await loadScanDataset(config.control, 'control', reporter);
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
 * First stage of a scan: validate the configuration, load (or generate) the samples, build the task
 * plan and write it atomically to `<outDir>/plan.json`. The plan is what every engine executes.
 */
export async function prepareScan(config: ScanConfig, options: PrepareOptions): Promise<PreparedScan> {
  const reporter = options.reporter ?? silent;
  validateSchema('scan-config', config, 'scan configuration');
  checkScanConfig(config);
  const { windows, shortSidebandWidth } = await scanWindows(config);
  const datasets = await loadScanSamples(config, reporter);
  options.onWindowSummary?.(windowSummary(datasets.data.events, windows, shortSidebandWidth));
  checkWorkingPointsResolvable(config, windows, shortSidebandWidth, datasets, reporter);
  const plan: ScanPlan = buildPlan(config, windows, shortSidebandWidth, Object.fromEntries(Object.entries(datasets).map(([k, d]) => [k, d.sha256])));
  const planPath = join(options.outDir, 'plan.json');
  await writeFileAtomic(planPath, JSON.stringify(plan, null, 1));
  return { plan, planPath, datasets };
}

/** The sample roles a task reads: its own sample, and the IAD template for IAD. */
export function taskSampleRoles(task: ScanTask): string[] {
  return task.kind === 'classify' && task.method === 'iad' ? [task.sample, 'template'] : [task.sample];
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
    if (d.sha256 !== expected)
      throw new InputError(
        `scan plan: the "${role}" sample (${d.path}) has SHA-256 ${d.sha256}, but the plan was made for ${expected}; ` +
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

/** A short human name of a task, for logs. */
export const describeTask = (task: ScanTask): string =>
  `task ${task.index} (${task.kind === 'flow' ? 'flow' : task.kind === 'sideband-closure' ? 'sideband closure' : task.method} · window ${task.windowId} · run ${task.run} · ${task.sample})`;

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
  const runOne = async (task: ScanTask): Promise<void> => {
    const what = describeTask(task);
    reporter.log('debug', `${what} of ${plan.tasks.length}`);
    const t0 = Date.now();
    const status = await runTask(task, { plan, samples, cache, pool, reporter });
    if (status === 'computed') {
      computed++;
      reporter.log('info', `${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } else cached++;
    reporter.progress('tasks', ++done, tasks.length);
  };
  // Flows first, all at once: the pool trains one per worker. Then the classifiers one by one,
  // each spreading its folds over the pool.
  await Promise.all(tasks.filter((t) => t.kind === 'flow').map(runOne));
  for (const task of tasks) if (task.kind !== 'flow') await runOne(task);
  return { computed, cached };
}

/** The task with this index, or an error naming the valid range. */
export function taskAt(plan: ScanPlan, index: number): ScanTask {
  const t = Number.isInteger(index) ? plan.tasks[index] : undefined;
  if (!t) throw new InputError(`scan plan: no task ${index}; the plan has tasks 0…${plan.tasks.length - 1}`);
  return t;
}

/** Indices of the plan's tasks whose results are not in the cache. */
export function missingTasks(plan: ScanPlan, cacheDir: string): number[] {
  const cache = new ResultCache(cacheDir);
  return plan.tasks.filter((t) => !cache.has(t.key)).map((t) => t.index);
}

/**
 * Last stage: assemble the cached task results into the results document, validate it and write
 * `<outDir>/results.json` atomically.
 * @throws InputError listing the tasks whose results are not yet in the cache.
 */
export async function mergeScan(
  plan: ScanPlan, datasets: Readonly<Record<string, ScanDataset>>, options: { cacheDir: string; outDir: string; reporter?: Reporter },
): Promise<{ results: ResultsDocument; resultsPath: string }> {
  const missing = missingTasks(plan, options.cacheDir);
  if (missing.length)
    throw new InputError(`scan: ${missing.length} of ${plan.tasks.length} task results are not in ${options.cacheDir} yet (tasks ${compactRanges(missing)}); run them before merging`);
  const cache = new ResultCache(options.cacheDir);
  const samples = Object.fromEntries(Object.entries(datasets).map(([k, d]) => [k, d.events]));
  const versions = { sidewinder: PACKAGE.version, node: process.versions.node, 'apache-arrow': PACKAGE.dependencies['apache-arrow'] ?? '' };
  const results = assembleResults({ plan, cache, samples, datasets, writer: `sidewinder ${PACKAGE.version}`, versions, reporter: options.reporter });
  validateResults(results, 'scan results'); // schema and cross-references, before anything is written
  const resultsPath = join(options.outDir, 'results.json');
  await writeFileAtomic(resultsPath, JSON.stringify(results, null, 1));
  return { results, resultsPath };
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
 * partial ones never read.
 */
export async function runScan(config: ScanConfig, options: ScanRunOptions): Promise<ScanOutcome> {
  const { plan, planPath, datasets } = await prepareScan(config, options);
  const { computed, cached } = await runPlanTasks(plan, datasets, options);
  const { results, resultsPath } = await mergeScan(plan, datasets, options);
  return { results, resultsPath, planPath, computed, cached };
}
