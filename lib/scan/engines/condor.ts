import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../util/atomicWrite.js';
import { InputError } from '../../util/errors.js';
import type { ScanPlan } from '../plan.js';
import { checkClusterOptions, parseMemory, parseTimeLimit, taskGroups, type ClusterOptions, type JobPaths, type JobResources } from './groups.js';
import type { JobFile } from './slurm.js';

export interface CondorJobs {
  /** One submit description per task group (`queue` over its task indices), then the merge job. */
  readonly jobs: readonly JobFile[];
  /** The DAGMan file: one node per submit description, PARENT/CHILD lines for the stage dependencies. */
  readonly dag: string;
  readonly dagFile: string;
}

/** One argument in HTCondor's new `arguments = "…"` syntax: single-quoted when it holds spaces or quotes. */
const condorArg = (s: string): string => (/^[^\s'"]+$/.test(s) ? s : `'${s.replace(/'/g, "''").replace(/"/g, '""')}'`);

function description(name: string, r: JobResources, o: ClusterOptions, paths: JobPaths, args: string[], perTask: boolean): string[] {
  const [exe, ...pre] = paths.command;
  const suffix = perTask ? '-$(task)' : '';
  const lines = [
    'universe       = vanilla',
    `executable     = ${exe}`,
    `arguments      = "${[...pre, ...args].map(condorArg).join(' ')}"`,
    `initialdir     = ${paths.workDir}`,
    // The jobs read the plan and the samples, and write the cache, on a shared filesystem.
    'should_transfer_files = NO',
    'getenv         = True',
    `request_cpus   = ${r.cpus}`,
    `request_memory = ${parseMemory(r.memory, `${name} memory`)}`,
    // Time limit: removed when running longer (Slurm's --time); sites may also honour +MaxRuntime.
    `+MaxRuntime    = ${parseTimeLimit(r.time, `${name} time limit`)}`,
    `periodic_remove = (JobStatus == 2) && (time() - EnteredCurrentStatus > ${parseTimeLimit(r.time)})`,
    `batch_name     = ${o.jobName ?? 'sidewinder'}-${name}`,
    `log            = ${join(paths.logDir, `${name}.log`)}`,
    `output         = ${join(paths.logDir, `${name}${suffix}.out`)}`,
    `error          = ${join(paths.logDir, `${name}${suffix}.err`)}`,
  ];
  if (o.account) lines.push(`accounting_group = ${o.account}`);
  for (const l of o.extra ?? []) lines.push(l);
  return lines;
}

/**
 * Render the HTCondor files of a plan: per task group a submit description that queues one job per
 * task (`queue task in (…)`, the plan index as `$(task)`), a merge job, and a DAG whose PARENT/CHILD
 * lines carry the stage dependencies (flows before the CATHODE classifiers, everything before the
 * merge). `account` becomes the accounting group; HTCondor has no partitions (`partition` is ignored: put a
 * `requirements = …` line in `extra`).
 */
export function renderCondorJobs(plan: ScanPlan, options: ClusterOptions, paths: JobPaths, indices?: readonly number[]): CondorJobs {
  checkClusterOptions(options);
  const groups = taskGroups(plan, indices);
  const jobs: JobFile[] = groups.map((g) => {
    const r = g.taskClass === 'flow' ? options.flow : options.classify;
    const lines = [
      `# sidewinder scan plan ${paths.planPath}: ${g.indices.length} ${g.taskClass} task(s) of stage ${g.stage + 1}; one job per task, $(task) is its index in plan.json.`,
      ...description(g.name, r, options, paths, ['task', '--plan', paths.planPath, '--cache', paths.cacheDir, '--out', paths.outDir, '--index', '$(task)'], true),
    ];
    if (options.throttle) lines.push(`max_materialize = ${options.throttle}`);
    lines.push(`queue task in (${g.indices.join(' ')})`, '');
    return { name: g.name, file: `${g.name}.sub`, text: lines.join('\n'), after: g.after, indices: g.indices };
  });
  const merge = [
    `# Assemble results.json and the report once every task of ${paths.planPath} is in the cache.`,
    ...description('merge', options.merge, options, paths, ['merge', '--plan', paths.planPath, '--cache', paths.cacheDir, '--out', paths.outDir], false),
    'queue',
    '',
  ];
  jobs.push({ name: 'merge', file: 'merge.sub', text: merge.join('\n'), after: groups.map((g) => g.name), indices: [] });
  const dag = [`# sidewinder scan plan ${paths.planPath}: submit with condor_submit_dag`];
  for (const j of jobs) dag.push(`JOB ${j.name} ${j.file}`);
  for (const j of jobs) if (j.after.length) dag.push(`PARENT ${j.after.join(' ')} CHILD ${j.name}`);
  dag.push('');
  return { jobs, dag: dag.join('\n'), dagFile: 'scan.dag' };
}

/** Write the submit descriptions and the DAG to `dir` (created). */
export async function writeCondorJobs(jobs: CondorJobs, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (const j of jobs.jobs) await writeFileAtomic(join(dir, j.file), j.text);
  await writeFileAtomic(join(dir, jobs.dagFile), jobs.dag);
}

/** Submit the DAG with `condor_submit_dag` (needs HTCondor's tools on PATH); returns its output. */
export function submitCondorDag(jobs: CondorJobs, dir: string, env: NodeJS.ProcessEnv = process.env): string {
  try {
    return execFileSync('condor_submit_dag', [jobs.dagFile], { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as { code?: string; stderr?: string; message: string };
    const why = err.code === 'ENOENT' ? 'condor_submit_dag is not on PATH (submit from an HTCondor submit node)' : (err.stderr?.trim() || err.message);
    throw new InputError(`condor: submitting ${join(dir, jobs.dagFile)} failed: ${why}; the job files are written in ${dir}`);
  }
}
