import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadWindows, type Window } from '../windows/index.js';
import { sharedPool, type WorkerPool } from '../ml/pool/pool.js';
import { ConfigError } from '../util/errors.js';
import { silent, type Reporter } from '../util/reporter.js';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { validateSchema } from '../util/schema.js';
import { ResultCache } from './cache.js';
import { checkScanConfig, type ScanConfig } from './config.js';
import { loadScanDataset, type ScanDataset } from './dataset.js';
import { buildPlan, type ScanPlan, type ScanTask } from './plan.js';
import { runTask } from './execute.js';
import { assembleResults } from './assemble.js';
import type { ResultsDocument } from './results.js';
import { validateResults } from './validateResults.js';
import { windowSummary, type WindowSummary } from './summary.js';

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

/**
 * Run a scan: load the samples, write the plan, run every task not yet in the cache (flows before
 * the CATHODE classifiers that read them), then assemble and write the validated results document.
 * A killed scan resumes from its cache: finished tasks are never recomputed, partial ones never read.
 */
export async function runScan(config: ScanConfig, options: ScanRunOptions): Promise<ScanOutcome> {
  const reporter = options.reporter ?? silent;
  validateSchema('scan-config', config, 'scan configuration');
  checkScanConfig(config);
  const { windows, shortSidebandWidth } = await scanWindows(config);
  const datasets = await loadScanSamples(config, reporter);
  options.onWindowSummary?.(windowSummary(datasets.data.events, windows, shortSidebandWidth));
  const plan: ScanPlan = buildPlan(config, windows, shortSidebandWidth, Object.fromEntries(Object.entries(datasets).map(([k, d]) => [k, d.sha256])));
  const planPath = join(options.outDir, 'plan.json');
  await writeFileAtomic(planPath, JSON.stringify(plan, null, 1));
  const cache = new ResultCache(options.cacheDir);
  const samples = Object.fromEntries(Object.entries(datasets).map(([k, d]) => [k, d.events]));
  const pool = options.pool ?? sharedPool();
  let computed = 0, cached = 0, done = 0;
  const runOne = async (task: ScanTask): Promise<void> => {
    const what = `${task.kind === 'classify' ? task.method : task.kind} · window ${task.windowId} · run ${task.run} · ${task.sample}`;
    const t0 = Date.now();
    const status = await runTask(task, { plan, samples, cache, pool, reporter });
    if (status === 'computed') {
      computed++;
      reporter.log('info', `${what}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    } else cached++;
    reporter.progress('tasks', ++done, plan.tasks.length);
  };
  // Flows first, all at once: the pool trains one per worker. Then the classifiers one by one,
  // each spreading its folds over the pool.
  await Promise.all(plan.tasks.filter((t) => t.kind === 'flow').map(runOne));
  for (const task of plan.tasks) if (task.kind !== 'flow') await runOne(task);
  const versions = { sidewinder: PACKAGE.version, node: process.versions.node, 'apache-arrow': PACKAGE.dependencies['apache-arrow'] ?? '' };
  const results = assembleResults({ plan, cache, samples, datasets, writer: `sidewinder ${PACKAGE.version}`, versions, reporter });
  validateResults(results, 'scan results'); // schema and cross-references, before anything is written
  const resultsPath = join(options.outDir, 'results.json');
  await writeFileAtomic(resultsPath, JSON.stringify(results, null, 1));
  return { results, resultsPath, planPath, computed, cached };
}
