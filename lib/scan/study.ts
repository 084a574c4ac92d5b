/**
 * A study: many scans of the same design on different datasets (background-only pseudo-experiments
 * of the look-elsewhere correction, signal-injection levels of a sensitivity sweep, toys of a
 * calibration). Each variant is an ordinary scan — planned, cached, resumable — run in
 * `<out>/variants/<id>/`; all variants share one task cache `<out>/cache`, so a killed study resumes
 * where it stopped and tasks common to several variants (the same IAD template, say) run once.
 *
 * {@link runStudy} runs the variants here, one after another. For a batch engine, {@link prepareStudy}
 * writes the study as one plan (`<out>/plan.json`, the variants' tasks deduplicated by cache key) that
 * the engines (lib/scan/engines) submit like a scan's; `sidewinder task` runs each task as its
 * variant's scan task, and {@link mergeStudy} merges the variants as runStudy leaves them, after which
 * the study (lee.ts, sensitivity.ts; dispatched in studies.ts) writes its own output.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { WorkerPool } from '../ml/pool/pool.js';
import type { Window } from '../windows/index.js';
import { silent, type Reporter } from '../util/reporter.js';
import { ConfigError, InputError } from '../util/errors.js';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { ResultCache } from './cache.js';
import type { ScanConfig } from './config.js';
import { hashValue } from './hash.js';
import { claimOutDir } from './outDir.js';
import { describeTask, type ScanPlan, type ScanTask } from './plan.js';
import type { ResultsDocument } from './results.js';
import { compactRanges, loadPlanSamples, mergeScan, prepareScan, readPlan, runScan } from './scan.js';

/** One scan of a study. `id` names its directory: letters, digits, `-`, `_`, `.`. */
export interface StudyVariant {
  readonly id: string;
  readonly config: ScanConfig;
}

/** Options of {@link runStudy}. */
export interface StudyOptions {
  readonly outDir: string;
  /** Shared task cache (default `<outDir>/cache`). */
  readonly cacheDir?: string;
  readonly reporter?: Reporter;
  readonly pool?: WorkerPool;
  /** Called after each variant (computed or reused), with its index. */
  readonly onVariant?: (index: number, outcome: StudyOutcome) => void;
}

/** A finished variant. */
export interface StudyOutcome {
  readonly id: string;
  readonly results: ResultsDocument;
  readonly resultsPath: string;
  /** True when an earlier run's results of the same configuration were reused. */
  readonly reused: boolean;
}

/** Where a variant's outputs go. */
export const variantDir = (outDir: string, id: string): string => join(outDir, 'variants', id);

const ID = /^[A-Za-z0-9._-]+$/;

function checkVariantIds(variants: readonly StudyVariant[]): void {
  const seen = new Set<string>();
  for (const v of variants) {
    if (!ID.test(v.id)) throw new ConfigError(`study: variant id "${v.id}" must use letters, digits, ".", "_" or "-"`);
    if (seen.has(v.id)) throw new ConfigError(`study: variant id "${v.id}" appears twice`);
    seen.add(v.id);
  }
}

/** The stamp beside a variant's results.json: the hash of the configuration they were made for. */
const stampPath = (dir: string): string => join(dir, 'study-config.sha256');

/** A variant's results.json when it was written for this configuration (stamp matches), else undefined. */
function finishedResults(id: string, dir: string, configHash: string): StudyOutcome | undefined {
  const resultsPath = join(dir, 'results.json');
  const stamp = stampPath(dir);
  if (!(existsSync(resultsPath) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === configHash)) return undefined;
  return { id, results: JSON.parse(readFileSync(resultsPath, 'utf8')) as ResultsDocument, resultsPath, reused: true };
}

/**
 * Run every variant as a scan (sequentially; each scan parallelises its own tasks). A variant whose
 * results.json was written for the same configuration (hash stored beside it) is reused as is.
 * @throws ConfigError for a bad or repeated id.
 */
export async function runStudy(variants: readonly StudyVariant[], options: StudyOptions): Promise<StudyOutcome[]> {
  checkVariantIds(variants);
  const cacheDir = options.cacheDir ?? join(options.outDir, 'cache');
  const reporter = options.reporter ?? silent;
  const out: StudyOutcome[] = [];
  for (const [i, v] of variants.entries()) {
    const dir = variantDir(options.outDir, v.id);
    const want = hashValue(v.config);
    const done = finishedResults(v.id, dir, want);
    let outcome: StudyOutcome;
    if (done) {
      outcome = done;
    } else {
      reporter.progress('study', i, variants.length);
      const r = await runScan(v.config, { outDir: dir, cacheDir, reporter, pool: options.pool });
      await writeFileAtomic(stampPath(dir), `${want}\n`);
      outcome = { id: v.id, results: r.results, resultsPath: r.resultsPath, reused: false };
    }
    out.push(outcome);
    reporter.progress('study', i + 1, variants.length);
    options.onVariant?.(i, outcome);
  }
  return out;
}

/** The `schema` tag of a study plan. */
export const STUDY_PLAN_SCHEMA = 'sidewinder/study-plan';

/** One task of a study plan: a scan task of one variant (the first that needs it), with its place there. */
export interface StudyTask extends ScanTask {
  /** The variant whose plan runs it. */
  readonly variant: string;
  /** Its index in that variant's plan.json. */
  readonly variantIndex: number;
}

/** A variant of a study plan. */
export interface StudyPlanVariant {
  readonly id: string;
  /** Hash of its scan configuration (the stamp its results.json gets). */
  readonly configHash: string;
  /** Its plan.json relative to the study plan's directory; absent when its results were already there (`reused`). */
  readonly plan?: string;
  readonly reused: boolean;
}

/**
 * A study written out as one plan (`<study>/plan.json`) that the batch engines submit like a scan's:
 * the union of its variants' tasks, each key once (a task shared by several variants — the same
 * control-sample classifier, say — is listed under the first and runs once; its users find it in the
 * shared cache), numbered 0…n−1. `study` holds the study's own inputs, from which the merge rebuilds
 * its variants and writes its output (lee.json, sensitivity.json) exactly as the local run does.
 */
export interface StudyPlan {
  readonly schema: typeof STUDY_PLAN_SCHEMA;
  readonly version: 1;
  /** What kind of study and its inputs (`kind`: `lee`, `sensitivity`). */
  readonly study: { readonly kind: string } & Readonly<Record<string, unknown>>;
  /** The shared task cache, relative to the plan's directory. */
  readonly cacheDir: string;
  readonly variants: readonly StudyPlanVariant[];
  /** The windows of the variants (for task descriptions). */
  readonly windows: readonly Window[];
  readonly tasks: readonly StudyTask[];
}

/** Options of {@link prepareStudy}. */
export interface PrepareStudyOptions {
  /** The study's directory: plan.json there, variants under `variants/`. */
  readonly outDir: string;
  /** Shared task cache (default `<outDir>/cache`). */
  readonly cacheDir?: string;
  readonly study: StudyPlan['study'];
  readonly reporter?: Reporter;
}

/**
 * Plan a study for a batch engine: every variant not yet finished is prepared as a scan
 * (prepareScan: samples loaded or generated, plan.json written to its directory), and the union of
 * their tasks, deduplicated by cache key, is written atomically to `<outDir>/plan.json`. Variants
 * whose results.json was written for the same configuration are listed as reused, without tasks.
 * @returns the plan, its path, and how many tasks were listed once for several variants (`duplicates`).
 */
export async function prepareStudy(
  variants: readonly StudyVariant[], options: PrepareStudyOptions,
): Promise<{ plan: StudyPlan; planPath: string; duplicates: number }> {
  checkVariantIds(variants);
  const reporter = options.reporter ?? silent;
  const outDir = resolve(options.outDir);
  const cacheDir = resolve(options.cacheDir ?? join(outDir, 'cache'));
  const tasks: StudyTask[] = [];
  const planned = new Set<string>();
  const records: StudyPlanVariant[] = [];
  const windows = new Map<number, Window>();
  let duplicates = 0;
  for (const [i, v] of variants.entries()) {
    const dir = variantDir(outDir, v.id);
    const configHash = hashValue(v.config);
    if (finishedResults(v.id, dir, configHash)) {
      records.push({ id: v.id, configHash, reused: true });
      continue;
    }
    reporter.progress('study plan', i, variants.length);
    // One writer per variant directory; a previous plan or results there are moved aside, as a run does.
    const lock = claimOutDir(dir, { stage: 'run', reporter });
    let plan: ScanPlan, planPath: string;
    try {
      lock.clearPrevious();
      ({ plan, planPath } = await prepareScan(v.config, { outDir: dir, reporter }));
    } finally {
      lock.release();
    }
    for (const w of plan.windows) if (!windows.has(w.id)) windows.set(w.id, w);
    for (const t of plan.tasks) {
      if (planned.has(t.key)) {
        duplicates++;
        continue;
      }
      planned.add(t.key);
      tasks.push({ ...t, index: tasks.length, variant: v.id, variantIndex: t.index });
    }
    records.push({ id: v.id, configHash, plan: relative(outDir, planPath), reused: false });
  }
  reporter.progress('study plan', variants.length, variants.length);
  const plan: StudyPlan = {
    schema: STUDY_PLAN_SCHEMA, version: 1, study: options.study, cacheDir: relative(outDir, cacheDir) || '.',
    variants: records, windows: [...windows.values()].sort((a, b) => a.id - b.id), tasks,
  };
  const planPath = join(outDir, 'plan.json');
  await writeFileAtomic(planPath, JSON.stringify(plan, null, 1));
  return { plan, planPath, duplicates };
}

/** Whether a parsed plan file is a study plan. */
export const isStudyPlan = (plan: unknown): plan is StudyPlan => (plan as { schema?: unknown } | null)?.schema === STUDY_PLAN_SCHEMA;

/**
 * Read a plan file of either kind: a scan's (readPlan, all its checks) or a study's.
 * @throws InputError for a file that is neither, or a study plan whose tasks are not numbered 0…n−1.
 */
export function readAnyPlan(path: string): { kind: 'scan'; plan: ScanPlan } | { kind: 'study'; plan: StudyPlan } {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new InputError(`${path}: cannot read the plan: ${(e as Error).message}`);
  }
  if (!isStudyPlan(raw)) return { kind: 'scan', plan: readPlan(path) };
  if (raw.version !== 1 || !Array.isArray(raw.tasks) || !Array.isArray(raw.variants))
    throw new InputError(`${path}: not a sidewinder study plan of version 1 (got version ${JSON.stringify(raw.version)})`);
  raw.tasks.forEach((t, i) => {
    if (t.index !== i) throw new InputError(`${path}: task at position ${i} has index ${t.index}; the plan's tasks must be numbered 0…${raw.tasks.length - 1}`);
  });
  return { kind: 'study', plan: raw };
}

/** The study's task cache (absolute), from the plan's relative path. */
export const studyCacheDir = (plan: StudyPlan, planPath: string): string => resolve(dirname(planPath), plan.cacheDir);

/**
 * The file a study's merge writes last: `<scan>/lee.json` for a look-elsewhere study (its plan sits in
 * `<scan>/lee/`), `<study>/sensitivity.json` for a sweep, `<study>/<kind>.json` otherwise.
 */
export function studyOutputPath(plan: StudyPlan, planPath: string): string {
  const dir = dirname(resolve(planPath));
  return plan.study.kind === 'lee' ? join(dirname(dir), 'lee.json') : join(dir, `${plan.study.kind}.json`);
}

/** A study task for messages: "task 3 · window 5 (3.5 TeV) · iad · data · run 0 · toy-2". */
export const describeStudyTask = (task: StudyTask, plan: Pick<StudyPlan, 'windows'>): string => `${describeTask(task, plan)} · ${task.variant}`;

/**
 * Where a study task runs: its variant's scan plan, and its index there (checked to be the same task).
 * @throws InputError for an unknown index or a variant plan that no longer holds the task.
 */
export function studyTaskTarget(plan: StudyPlan, planPath: string, index: number): { scanPlan: ScanPlan; scanPlanPath: string; task: ScanTask; studyTask: StudyTask } {
  const studyTask = Number.isInteger(index) ? plan.tasks[index] : undefined;
  if (!studyTask) throw new InputError(`study plan: no task ${index}; the plan has tasks 0…${plan.tasks.length - 1}`);
  const v = plan.variants.find((x) => x.id === studyTask.variant);
  if (!v?.plan) throw new InputError(`${planPath}: task ${index} belongs to variant ${studyTask.variant}, which the plan does not list with a scan plan`);
  const scanPlanPath = resolve(dirname(planPath), v.plan);
  const scanPlan = readPlan(scanPlanPath);
  const task = scanPlan.tasks[studyTask.variantIndex];
  if (task?.key !== studyTask.key)
    throw new InputError(`${scanPlanPath}: task ${studyTask.variantIndex} is not the study plan's task ${index} (key ${studyTask.key.slice(0, 12)}…); the variant was planned again since: plan the study again`);
  return { scanPlan, scanPlanPath, task, studyTask };
}

/**
 * The merge of a study's variants: refuses (naming them) while any task's result is missing or
 * damaged in the cache; then each variant not finished yet is merged as a scan (mergeScan, its
 * samples reloaded and checked against its plan) into its directory and stamped with its
 * configuration's hash, exactly as {@link runStudy} leaves it. `variants` are the study's variants
 * rebuilt from `plan.study`: they must be the plan's (ids and configuration hashes). `beforeWrite`
 * runs once all tasks are known to be in, before anything is written.
 * @returns the variants' outcomes in the plan's order.
 * @throws InputError for missing tasks or a plan that does not match the variants.
 */
export async function mergeStudy(
  plan: StudyPlan, variants: readonly StudyVariant[], options: { planPath: string; cacheDir?: string; reporter?: Reporter; beforeWrite?: () => void },
): Promise<StudyOutcome[]> {
  const reporter = options.reporter ?? silent;
  const outDir = dirname(resolve(options.planPath));
  const cacheDir = options.cacheDir ?? studyCacheDir(plan, options.planPath);
  const rebuilt = variants.map((v) => `${v.id}:${hashValue(v.config)}`);
  const listed = plan.variants.map((v) => `${v.id}:${v.configHash}`);
  if (rebuilt.join('\n') !== listed.join('\n')) {
    const diff = plan.variants.find((v, i) => listed[i] !== rebuilt[i])?.id ?? variants[plan.variants.length]?.id;
    throw new InputError(`${options.planPath}: the study's variants no longer match its plan (first difference: ${diff}); its inputs changed since it was planned: plan the study again`);
  }
  const cache = new ResultCache(cacheDir);
  const missing: number[] = [];
  for (const t of plan.tasks) if (cache.lookup(t.key).status !== 'hit') missing.push(t.index);
  if (missing.length)
    throw new InputError(
      `study: ${missing.length} of ${plan.tasks.length} task results are not in ${cacheDir} yet (tasks ${compactRanges(missing)}: ` +
        `${missing.slice(0, 3).map((i) => describeStudyTask(plan.tasks[i], plan)).join('; ')}${missing.length > 3 ? '; …' : ''}); ` +
        'run them before merging (sidewinder status shows where they are)',
    );
  options.beforeWrite?.();
  const out: StudyOutcome[] = [];
  for (const [i, v] of plan.variants.entries()) {
    const dir = variantDir(outDir, v.id);
    const done = finishedResults(v.id, dir, v.configHash);
    if (done) out.push(done);
    else {
      if (!v.plan) throw new InputError(`${options.planPath}: variant ${v.id} was listed as finished, but ${join(dir, 'results.json')} is gone or was made for another configuration: plan the study again`);
      reporter.progress('study merge', i, plan.variants.length);
      const scanPlan = readPlan(resolve(outDir, v.plan));
      const datasets = await loadPlanSamples(scanPlan, reporter);
      const r = await mergeScan(scanPlan, datasets, { cacheDir, outDir: dir, reporter });
      await writeFileAtomic(stampPath(dir), `${v.configHash}\n`);
      out.push({ id: v.id, results: r.results, resultsPath: r.resultsPath, reused: false });
    }
  }
  reporter.progress('study merge', plan.variants.length, plan.variants.length);
  return out;
}

/** Indices of the study plan's tasks whose results are not (intact) in the cache: what a submission sends. */
export function missingStudyTasks(plan: StudyPlan, cacheDir: string): number[] {
  const cache = new ResultCache(cacheDir);
  return plan.tasks.filter((t) => !cache.has(t.key)).map((t) => t.index);
}
