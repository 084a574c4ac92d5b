import type { Command } from 'commander';
import { availableParallelism, hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { describeTask, loadPlanSamples, runPlanTasks, taskAt, taskSampleRoles } from '../../lib/scan/scan.js';
import { ResultCache } from '../../lib/scan/cache.js';
import { describeStudyTask, readAnyPlan, studyCacheDir, studyTaskTarget } from '../../lib/scan/study.js';
import { clearFailure, recordFailure } from '../../lib/scan/engines/status.js';
import { WorkerPool } from '../../lib/ml/pool/pool.js';
import { ConfigError } from '../../lib/util/errors.js';
import { consoleReporter } from '../reporter.js';
import { classifyCliError } from '../cliErrors.js';

/** `sidewinder task`: one task of a plan (a batch array element). */
export function register(program: Command): void {
  program
    .command('task')
    .description('run one task of a scan or study plan and store its result in the shared cache (what a cluster job runs)')
    .requiredOption('--plan <file>', 'plan.json written by `sidewinder submit` or `scan`')
    .requiredOption('--index <i>', 'task index in the plan (on Slurm: $SLURM_ARRAY_TASK_ID)')
    .option('--cache <dir>', 'shared task cache (default: <plan dir>/cache)')
    .option('-o, --out <dir>', 'where failure records go (default: the plan directory)')
    .option('--verbose', 'also debug lines')
    .action(runTaskCommand);
}

/** Options of `sidewinder task`. */
export interface TaskCliOptions {
  plan: string;
  index: string;
  cache?: string;
  out?: string;
  verbose?: boolean;
}

/**
 * What `sidewinder task` does (each array job runs it): one task of a scan or study plan into the
 * cache, a failure record and exit code on error. Exported for tests, which run it in-process.
 */
export async function runTaskCommand(o: TaskCliOptions): Promise<void> {
  const index = Number(o.index);
  if (!Number.isInteger(index) || index < 0) throw new ConfigError(`--index: expected a task index (integer ≥ 0), got "${o.index}"`);
  const reporter = consoleReporter('log', { verbose: o.verbose });
  // A study plan's task runs as its variant's scan task; failures are recorded under the study's index.
  const any = readAnyPlan(o.plan);
  const target = any.kind === 'study' ? studyTaskTarget(any.plan, o.plan, index) : undefined;
  const plan = any.kind === 'scan' ? any.plan : target!.scanPlan;
  const task = target ? target.task : taskAt(plan, index);
  const cacheDir = o.cache ?? (any.kind === 'study' ? studyCacheDir(any.plan, o.plan) : join(dirname(o.plan), 'cache'));
  const outDir = o.out ?? dirname(o.plan);
  const cache = new ResultCache(cacheDir);
  const what = any.kind === 'study' ? describeStudyTask(target!.studyTask, any.plan) : describeTask(task, plan);
  if (cache.has(task.key)) {
    clearFailure(outDir, index);
    reporter.log('info', `${what}: already in the cache, nothing to do`);
    return;
  }
  const t0 = Date.now();
  // As many workers as the batch system gave this job.
  const cpus = Number(process.env.SLURM_CPUS_PER_TASK ?? process.env._CONDOR_REQUEST_CPUS ?? NaN);
  const pool = new WorkerPool({ size: Number.isInteger(cpus) && cpus > 0 ? cpus : availableParallelism() });
  try {
    const datasets = await loadPlanSamples(plan, reporter, taskSampleRoles(task));
    await runPlanTasks(plan, datasets, { cacheDir, reporter, pool, indices: [task.index] });
    clearFailure(outDir, index);
    reporter.log('info', `${what}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } catch (e) {
    // The cache writes the manifest last, so an entry without one is partial: remove it.
    if (!cache.has(task.key)) cache.delete(task.key);
    // Task errors arrive prefixed with the task's context (withTaskContext); `what` says it already.
    const full = (e as Error).message;
    const inScan = describeTask(task, plan);
    const message = full.startsWith(`${what}: `) ? full.slice(what.length + 2) : full.startsWith(`${inScan}: `) ? full.slice(inScan.length + 2) : full;
    const jobId = process.env.SLURM_ARRAY_JOB_ID ?? process.env.SLURM_JOB_ID;
    recordFailure(outDir, { index, key: task.key, message, at: new Date().toISOString(), host: hostname(), jobId });
    process.stderr.write(`sidewinder task: ${what} FAILED after ${((Date.now() - t0) / 1000).toFixed(1)} s: ${message}\n`);
    if (o.verbose && (e as Error).stack) process.stderr.write(`${(e as Error).stack}\n`);
    process.exitCode = classifyCliError(e).code; // the CLI's convention: 1 input, 2 usage, 70 internal
  } finally {
    await pool.close();
  }
}
