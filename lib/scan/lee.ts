/**
 * The look-elsewhere correction from pseudo-experiments that repeat the whole procedure
 * (`sidewinder lee`): N background-only pseudo-datasets, each scanned exactly as the data were —
 * same windows, methods, classifier, seeds, template and control sample, every data-side model
 * (classifiers, CATHODE's flows) retrained — and the observed largest local Z compared with the
 * N largest local Zs. Pseudo-data are drawn from the data's own generator with no signal (a
 * generated dataset), so the null is the background model the data were made from; a dataset read
 * from files has no such model here and is refused (the scan's correlated-Gaussian estimate stays).
 *
 * Everything runs as ordinary cached scans (lib/scan/study.ts) in `<scan>/lee/variants/toy-<i>/`,
 * sharing the observed scan's task cache: the template and control tasks are the observed ones and
 * are never recomputed, a killed run resumes, and more toys can be added later.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { WorkerPool } from '../ml/pool/pool.js';
import { binomialUpperLimit, pseudoExperimentGlobalPValue } from '../stats/index.js';
import { ConfigError, InputError } from '../util/errors.js';
import { silent, type Reporter } from '../util/reporter.js';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { validateSchema } from '../util/schema.js';
import type { ScanConfig } from './config.js';
import { resultsHistogram, resultsZ, type LookElsewhereResult, type ResultsDocument } from './results.js';
import { readPlan } from './scan.js';
import { mergeStudy, prepareStudy, runStudy, type StudyOutcome, type StudyPlan, type StudyVariant } from './study.js';
import { validateResults } from './validateResults.js';
import { writeResults } from './writeResults.js';

/** Options of {@link runLookElsewhere}. */
export interface LeeOptions {
  /** The observed scan's output directory (plan.json, results.json, cache/). */
  readonly scanDir: string;
  readonly toys: number;
  /** Generator seed of the first pseudo-dataset (toy i uses firstSeed + i). */
  readonly firstSeed?: number;
  /** The observed scan's cache (default `<scanDir>/cache`). */
  readonly cacheDir?: string;
  readonly reporter?: Reporter;
  readonly pool?: WorkerPool;
}

/** Largest local Z (one-sided Cowan, run 0) of every pseudo-experiment, per method and ε_B. */
export interface LeeSummary {
  readonly toys: number;
  readonly maxLocalZ: { readonly method: string; readonly epsilonB: number; readonly values: number[] }[];
}

/** Default generator seed of the first pseudo-dataset: far from the presets' seeds. */
export const LEE_FIRST_SEED = 100_000;

/**
 * The pseudo-experiments' scan configurations: the observed configuration (its plan's, with the
 * members and runs an ensemble budget chose) with the dataset replaced by background only from the
 * same generator and model, seed firstSeed + i.
 * @throws ConfigError when the data were read from files (no background model to draw from).
 */
export function leeVariants(config: ScanConfig, toys: number, firstSeed = LEE_FIRST_SEED): StudyVariant[] {
  if (!(Number.isInteger(toys) && toys >= 1)) throw new ConfigError(`lee: --toys must be an integer ≥ 1, got ${toys}`);
  const gen = config.dataset.generate;
  if (!gen)
    throw new ConfigError('lee: pseudo-experiments draw background-only pseudo-data from the generator the data came from; this scan read its data from files, which carry no background model (the scan\'s correlated-Gaussian global p is what is available)');
  return Array.from({ length: toys }, (_, i) => {
    const c = structuredClone(config);
    c.dataset = { ...c.dataset, generate: { ...gen, signal: 0, seed: firstSeed + i } };
    c.preset = `${config.preset}/lee`;
    // The plan's configuration holds the members and runs its budget chose: every pseudo-experiment repeats them.
    delete c.ensembleBudget;
    return { id: `toy-${i}`, config: c };
  });
}

/** Per (method, ε_B): each pseudo-experiment's largest local Z over its resolved windows (run 0). */
export function toyMaxLocalZ(results: readonly ResultsDocument[]): LeeSummary['maxLocalZ'] {
  const out = new Map<string, { method: string; epsilonB: number; values: number[] }>();
  for (const r of results) {
    const best = new Map<string, { method: string; epsilonB: number; z: number }>();
    for (const run of r.runs) {
      if (run.run !== 0) continue;
      const k = `${run.method}/${run.epsilonB}`;
      const z = Math.max(0, run.zCowanOneSided);
      const b = best.get(k);
      if (!b || z > b.z) best.set(k, { method: run.method, epsilonB: run.epsilonB, z });
    }
    for (const [k, b] of best) {
      if (!out.has(k)) out.set(k, { method: b.method, epsilonB: b.epsilonB, values: [] });
      out.get(k)!.values.push(b.z);
    }
  }
  return [...out.values()];
}

/** The observed look-elsewhere entries with their global p from the pseudo-experiments. */
export function withPseudoExperiments(observed: readonly LookElsewhereResult[], maxLocalZ: LeeSummary['maxLocalZ']): LookElsewhereResult[] {
  return observed.map((l) => {
    const toys = maxLocalZ.find((m) => m.method === l.method && m.epsilonB === l.epsilonB)?.values;
    if (!toys || toys.length === 0) return l;
    const { globalP, nExceeding } = pseudoExperimentGlobalPValue(l.localZMax, toys);
    const upper = binomialUpperLimit(nExceeding, toys.length);
    return {
      // No pseudo-experiment reaching the observed Z: the global Z is only bounded from below (95 % CL).
      ...l, globalP, globalZ: nExceeding === 0 ? null : resultsZ(globalP), globalMethod: 'pseudo-experiments' as const, nExceeding, nPseudoExperiments: toys.length,
      globalPStdErr: Math.sqrt((globalP * (1 - globalP)) / toys.length), globalPUpper95: upper, globalZLower95: resultsZ(upper) ?? undefined,
      trialsFactor: nExceeding > 0 && l.localP ? globalP / l.localP : undefined,
      maxLocalZHistogram: resultsHistogram(toys, 0, Math.max(5, l.localZMax + 0.5), 40),
    };
  });
}

/** The observed scan and its pseudo-experiments' scans. */
interface LeeSetup {
  readonly planPath: string;
  readonly resultsPath: string;
  readonly observed: ResultsDocument;
  readonly variants: StudyVariant[];
}

/** The study directory of a scan's pseudo-experiments. */
export const leeStudyDir = (scanDir: string): string => join(scanDir, 'lee');

function leeSetup(scanDir: string, toys: number, firstSeed?: number): LeeSetup {
  const planPath = join(scanDir, 'plan.json'), resultsPath = join(scanDir, 'results.json');
  for (const p of [planPath, resultsPath]) if (!existsSync(p)) throw new InputError(`lee: ${p} not found; run the scan first (sidewinder scan -o ${scanDir})`);
  const plan = readPlan(planPath);
  const observed = validateResults(JSON.parse(readFileSync(resultsPath, 'utf8')) as unknown, resultsPath);
  return { planPath, resultsPath, observed, variants: leeVariants(plan.config, toys, firstSeed) };
}

/** Rewrite the scan's results.json with the pseudo-experiments' global p, and write `<scan>/lee.json`. */
async function finishLookElsewhere(scanDir: string, setup: LeeSetup, outcomes: readonly StudyOutcome[]): Promise<LeeOutcome> {
  const { observed, resultsPath } = setup;
  const summary: LeeSummary = { toys: outcomes.length, maxLocalZ: toyMaxLocalZ(outcomes.map((o) => o.results)) };
  const results: ResultsDocument = {
    ...observed,
    notes: [
      ...(observed.notes ?? []).filter((n) => !n.startsWith('look-elsewhere:')),
      `look-elsewhere: global p from ${outcomes.length} background-only pseudo-experiments that repeat the whole scan (retraining), pseudo-data from the data's generator without signal (sidewinder lee)`,
    ],
    lookElsewhere: withPseudoExperiments(observed.lookElsewhere ?? [], summary.maxLocalZ),
  };
  validateResults(results, resultsPath);
  await writeResults(results, resultsPath);
  const summaryPath = join(scanDir, 'lee.json');
  const doc = validateSchema<object>('lee', { schema: 'sidewinder/lee', version: 1, scan: resultsPath, ...summary }, summaryPath);
  await writeFileAtomic(summaryPath, `${JSON.stringify(doc, null, 1)}\n`);
  return { results, resultsPath, summary, summaryPath };
}

/** What {@link runLookElsewhere} and {@link mergeLookElsewhere} write. */
export interface LeeOutcome {
  readonly results: ResultsDocument;
  readonly resultsPath: string;
  readonly summary: LeeSummary;
  readonly summaryPath: string;
}

/**
 * Run (or resume) the pseudo-experiments of a finished scan and rewrite its results.json with the
 * global p-values they give (`globalMethod: 'pseudo-experiments'`); also writes `<scan>/lee.json`.
 */
export async function runLookElsewhere(options: LeeOptions): Promise<LeeOutcome> {
  const reporter = options.reporter ?? silent;
  const setup = leeSetup(options.scanDir, options.toys, options.firstSeed);
  const plan = readPlan(setup.planPath);
  reporter.log('info', `lee: ${setup.variants.length} background-only pseudo-experiments, each a whole scan (${plan.windows.length} windows × ${plan.config.methods.join(', ')}), in ${leeStudyDir(options.scanDir)}`);
  const outcomes = await runStudy(setup.variants, {
    outDir: leeStudyDir(options.scanDir), cacheDir: options.cacheDir ?? join(options.scanDir, 'cache'), reporter, pool: options.pool,
  });
  return finishLookElsewhere(options.scanDir, setup, outcomes);
}

/** The `study` entry of a look-elsewhere study plan: the toys; the scan is the plan directory's parent. */
export interface LeeStudySpec {
  readonly kind: 'lee';
  readonly toys: number;
  readonly firstSeed: number;
}

/**
 * Plan the pseudo-experiments of a finished scan for a batch engine: `<scan>/lee/plan.json`, a
 * study plan ({@link prepareStudy}) whose tasks share the scan's cache (default `<scan>/cache`), so
 * the template- and control-sample tasks the observed scan already ran are found there.
 */
export async function planLookElsewhere(options: Omit<LeeOptions, 'pool'>): Promise<{ plan: StudyPlan; planPath: string; duplicates: number }> {
  const setup = leeSetup(options.scanDir, options.toys, options.firstSeed);
  const study: LeeStudySpec = { kind: 'lee', toys: options.toys, firstSeed: options.firstSeed ?? LEE_FIRST_SEED };
  return prepareStudy(setup.variants, {
    outDir: leeStudyDir(options.scanDir), cacheDir: options.cacheDir ?? join(options.scanDir, 'cache'), study: { ...study }, reporter: options.reporter,
  });
}

/**
 * The merge of a look-elsewhere study plan: every pseudo-experiment's results.json (mergeStudy),
 * then the scan's results.json and lee.json as {@link runLookElsewhere} writes them.
 * @throws InputError naming the tasks whose results are missing.
 */
export async function mergeLookElsewhere(plan: StudyPlan, planPath: string, options: { cacheDir?: string; reporter?: Reporter; beforeWrite?: () => void } = {}): Promise<LeeOutcome> {
  const spec = plan.study as unknown as LeeStudySpec;
  if (spec.kind !== 'lee') throw new InputError(`${planPath}: a ${spec.kind} study, not a look-elsewhere one`);
  const scanDir = dirname(dirname(resolve(planPath)));
  const setup = leeSetup(scanDir, spec.toys, spec.firstSeed);
  const outcomes = await mergeStudy(plan, setup.variants, { planPath, cacheDir: options.cacheDir, reporter: options.reporter, beforeWrite: options.beforeWrite });
  return finishLookElsewhere(scanDir, setup, outcomes);
}
