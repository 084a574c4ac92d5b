import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PACKAGE_ROOT, RUNS_COMPILED } from '../../util/packageRoot.js';
import { checkCondorInputs, renderCondorJobs, submitCondorDag, writeCondorJobs } from './condor.js';
import { DEFAULT_CLUSTER_OPTIONS, type ClusterOptions, type JobPaths, type TaskPlan } from './groups.js';
import { checkSlurmInputs, renderSlurmJobs, submitSlurmJobs, writeSlurmJobs, type SubmittedJob } from './slurm.js';
import { readSubmission, writeSubmission, type SubmissionRecord } from './status.js';

/**
 * argv that runs this package's CLI with this Node (the jobs run the code that made the plan): the
 * compiled `dist/scripts/cli.js` (no TypeScript loader, sub-second start) when this code is the
 * compiled package, the TypeScript sources through `scripts/sidewinder.mjs` (tsx) when it is not.
 */
export const defaultCommand = (): string[] =>
  [process.execPath, join(PACKAGE_ROOT, ...(RUNS_COMPILED ? ['dist', 'scripts', 'cli.js'] : ['scripts', 'sidewinder.mjs']))];

/**
 * The paths the job files name, made absolute (the jobs start elsewhere): plan, cache, output, its
 * `logs/` directory, this checkout as working directory, and the command that runs the CLI.
 */
export function jobPathsFor(o: { readonly planPath: string; readonly cacheDir: string; readonly outDir: string; readonly command?: readonly string[] }): JobPaths {
  const outDir = resolve(o.outDir);
  return { planPath: resolve(o.planPath), cacheDir: resolve(o.cacheDir), outDir, logDir: join(outDir, 'logs'), workDir: PACKAGE_ROOT, command: o.command ?? defaultCommand() };
}

/**
 * Check every option and path that a batch engine writes into its job files (no control characters,
 * nothing the engine's file syntax cannot hold), so that a bad `--out`, `--job-name`, `--partition`, …
 * is refused before anything is written. {@link submitPlan} checks again before writing.
 * @throws ConfigError naming the option or path.
 */
export function checkSubmitInputs(engine: 'slurm' | 'condor', cluster: ClusterOptions, paths: JobPaths): void {
  (engine === 'slurm' ? checkSlurmInputs : checkCondorInputs)(cluster, paths);
}

export interface SubmitOptions {
  readonly engine: 'slurm' | 'condor';
  readonly planPath: string;
  readonly cacheDir: string;
  readonly outDir: string;
  readonly cluster?: ClusterOptions;
  /** Where the job files go (default `<out>/jobs/<engine>`). */
  readonly jobDir?: string;
  /** Write the files only. */
  readonly dryRun?: boolean;
  /** Only these tasks (a resubmission; empty: the merge job alone). */
  readonly indices?: readonly number[];
  readonly env?: NodeJS.ProcessEnv;
  readonly command?: readonly string[];
}

export interface SubmitOutcome {
  readonly jobDir: string;
  readonly files: readonly string[];
  /** Slurm: the submitted jobs (absent on a dry run or for HTCondor). */
  readonly jobs?: readonly SubmittedJob[];
  /** HTCondor: condor_submit_dag's output. */
  readonly condorOutput?: string;
}

/**
 * Write a plan's job files for a batch engine and (unless `dryRun`) submit them: Slurm array jobs
 * chained with `afterok` dependencies, or an HTCondor DAG. The job ids go to `<out>/submission.json`
 * (appended on resubmission), which `sidewinder status` reads. Paths are made absolute: the jobs
 * start elsewhere.
 */
export async function submitPlan(plan: TaskPlan, o: SubmitOptions): Promise<SubmitOutcome> {
  const paths = jobPathsFor(o);
  const { outDir } = paths;
  const jobDir = resolve(o.jobDir ?? join(outDir, 'jobs', o.engine));
  const cluster = o.cluster ?? DEFAULT_CLUSTER_OPTIONS;
  // Render (which checks every value) before creating any directory or file.
  const rendered = o.engine === 'slurm' ? renderSlurmJobs(plan, cluster, paths, o.indices) : renderCondorJobs(plan, cluster, paths, o.indices);
  // Slurm does not create the directory of --output; a job writing there would fail at once.
  mkdirSync(paths.logDir, { recursive: true });
  mkdirSync(paths.cacheDir, { recursive: true });
  const previous = readSubmission(outDir);
  const record = (jobs: SubmittedJob[]): void =>
    writeSubmission({
      schema: 'sidewinder/submission', version: 1, engine: o.engine, planPath: paths.planPath, cacheDir: paths.cacheDir, outDir, jobDir, cluster,
      submissions: [...(previous?.engine === o.engine && previous.planPath === paths.planPath ? previous.submissions : []), { at: new Date().toISOString(), jobs }],
    } satisfies SubmissionRecord);
  if ('submitScript' in rendered) {
    await writeSlurmJobs(rendered, jobDir);
    const files = [...rendered.jobs.map((j) => join(jobDir, j.file)), join(jobDir, 'submit.sh')];
    if (o.dryRun) return { jobDir, files };
    const jobs = submitSlurmJobs(rendered, jobDir, o.env);
    record(jobs);
    return { jobDir, files, jobs };
  }
  await writeCondorJobs(rendered, jobDir);
  const files = [...rendered.jobs.map((j) => join(jobDir, j.file)), join(jobDir, rendered.dagFile)];
  if (o.dryRun) return { jobDir, files };
  const condorOutput = submitCondorDag(rendered, jobDir, o.env);
  record(rendered.jobs.map((j) => ({ name: j.name, jobId: '', indices: j.indices, after: j.after })));
  return { jobDir, files, condorOutput };
}
