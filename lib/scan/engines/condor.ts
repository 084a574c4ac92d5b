import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../util/atomicWrite.js';
import { ConfigError, InputError } from '../../util/errors.js';
import { checkClusterOptions, checkJobPaths, checkJobText, JOB_PATH_FIELDS, parseMemory, parseTimeLimit, taskGroups, type ClusterOptions, type JobPaths, type JobResources, type TaskPlan } from './groups.js';
import type { JobFile } from './slurm.js';

export interface CondorJobs {
  /** One submit description per task group (`queue` over its task indices), then the merge job. */
  readonly jobs: readonly JobFile[];
  /** The DAGMan file: one node per submit description, PARENT/CHILD lines for the stage dependencies. */
  readonly dag: string;
  readonly dagFile: string;
}

/**
 * Escape `$` for condor_submit, which expands macros in every value (condor_submit manual, "Macros and
 * comments"): a literal `$` is written `$(DOLLAR)`, a literal `$$` `$$(DOLLARDOLLAR)` (a bare `$$(…)`
 * would be substituted from the machine ad at match time, and the schedd continues after each
 * substitution, so the pair is not read again). Every macro form — `$(name)`, `$ENV(…)`,
 * `$RANDOM_CHOICE(…)`, `$$(attr)` — is thereby disarmed.
 */
const condorDollars = (s: string): string =>
  s.replace(/\$+/g, (run) => '$$(DOLLARDOLLAR)'.repeat(Math.floor(run.length / 2)) + (run.length % 2 ? '$(DOLLAR)' : ''));

/**
 * One value of an HTCondor submit command (`name = value`), as condor_submit reads it: the value is
 * the rest of the line with its ends trimmed, a trailing backslash joins the next line, `#` is special
 * only at the start of a line. So `$` is escaped ({@link condorDollars}) and a value that starts or
 * ends with whitespace, or ends with a backslash, is refused: it cannot be written.
 * @throws ConfigError naming the field.
 */
export function condorValue(field: string, s: string): string {
  if (/^\s|\s$/.test(s)) throw new ConfigError(`${field}: HTCondor trims the ends of a submit command's value, so ${JSON.stringify(s)} (leading or trailing whitespace) cannot be written`);
  if (s.endsWith('\\')) throw new ConfigError(`${field}: a trailing backslash continues an HTCondor submit line onto the next; got ${JSON.stringify(s)}`);
  return condorDollars(checkJobText(field, s));
}

/** The name {@link checkJobPaths} gives the executable, for the same error from either check. */
const EXECUTABLE_FIELD = 'job command (argument 1: the Node executable)';

/** A submit-language macro written as is (`$(task)`), not escaped like the values around it. */
interface CondorMacro {
  readonly macro: string;
}

/**
 * The `arguments` command in HTCondor's new syntax (condor_submit manual, "arguments"): the whole list
 * in double quotes, a double quote inside written `""`; an argument holding whitespace or a single
 * quote in single quotes, a single quote inside written `''`; then `$` escaped as for any value.
 */
function condorArguments(args: readonly (string | CondorMacro)[]): string {
  const one = (a: string | CondorMacro): string => {
    if (typeof a !== 'string') return `$(${a.macro})`;
    const quoted = /^[^\s'"]+$/.test(a) ? a : `'${a.replace(/'/g, "''")}'`;
    return condorDollars(quoted.replace(/"/g, '""'));
  };
  return `"${args.map(one).join(' ')}"`;
}

/** A DAGMan node name or submit file name: ours are plain words, and DAGMan splits its lines at whitespace. */
const dagToken = (s: string): string => {
  if (!/^[\w.+-]+$/.test(s)) throw new ConfigError(`DAG file: node or file name ${JSON.stringify(s)} is not a plain word`);
  return s;
};

/**
 * Check everything that goes into the HTCondor files, before any is written: no control characters
 * ({@link checkClusterOptions}, {@link checkJobPaths}); values that a submit line can hold
 * ({@link condorValue}); `--extra` lines that are submit commands (`name = value`, `+Attr = value`)
 * other than `queue`. `--extra` lines are written as given, macros included.
 * @throws ConfigError naming the option or path.
 */
export function checkCondorInputs(o: ClusterOptions, p: JobPaths): void {
  checkClusterOptions(o);
  checkJobPaths(p);
  condorValue(EXECUTABLE_FIELD, p.command[0]);
  condorValue(JOB_PATH_FIELDS.workDir, p.workDir);
  condorValue(JOB_PATH_FIELDS.logDir, p.logDir);
  condorValue('--job-name', o.jobName ?? 'sidewinder');
  if (o.account) condorValue('--account', o.account);
  for (const line of o.extra ?? [])
    if (!/^\s*\+?[A-Za-z_][\w.]*\s*=/.test(line) || /^\s*queue\b/i.test(line))
      throw new ConfigError(`--extra: an HTCondor submit command "name = value" (not queue), got ${JSON.stringify(line)}`);
}

function description(name: string, r: JobResources, o: ClusterOptions, paths: JobPaths, args: (string | CondorMacro)[], perTask: boolean): string[] {
  const [exe, ...pre] = paths.command;
  const suffix = perTask ? '-$(task)' : '';
  const logFile = (ext: string): string => `${condorValue(JOB_PATH_FIELDS.logDir, join(paths.logDir, name))}${ext === 'log' ? '' : suffix}.${ext}`;
  const lines = [
    'universe       = vanilla',
    `executable     = ${condorValue(EXECUTABLE_FIELD, exe)}`,
    `arguments      = ${condorArguments([...pre, ...args])}`,
    `initialdir     = ${condorValue(JOB_PATH_FIELDS.workDir, paths.workDir)}`,
    // The jobs read the plan and the samples, and write the cache, on a shared filesystem.
    'should_transfer_files = NO',
    'getenv         = True',
    `request_cpus   = ${r.cpus}`,
    `request_memory = ${parseMemory(r.memory, `${name} memory`)}`,
    // Time limit: removed when running longer (Slurm's --time); sites may also honour +MaxRuntime.
    `+MaxRuntime    = ${parseTimeLimit(r.time, `${name} time limit`)}`,
    `periodic_remove = (JobStatus == 2) && (time() - EnteredCurrentStatus > ${parseTimeLimit(r.time)})`,
    `batch_name     = ${condorValue('--job-name', `${o.jobName ?? 'sidewinder'}-${name}`)}`,
    `log            = ${logFile('log')}`,
    `output         = ${logFile('out')}`,
    `error          = ${logFile('err')}`,
  ];
  if (o.account) lines.push(`accounting_group = ${condorValue('--account', o.account)}`);
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
export function renderCondorJobs(plan: TaskPlan, options: ClusterOptions, paths: JobPaths, indices?: readonly number[]): CondorJobs {
  checkCondorInputs(options, paths);
  const groups = taskGroups(plan, indices);
  const jobs: JobFile[] = groups.map((g) => {
    const r = g.taskClass === 'flow' ? options.flow : options.classify;
    const lines = [
      `# sidewinder scan plan ${paths.planPath}: ${g.indices.length} ${g.taskClass} task(s) of stage ${g.stage + 1}; one job per task, $(task) is its index in plan.json.`,
      ...description(g.name, r, options, paths, ['task', '--plan', paths.planPath, '--cache', paths.cacheDir, '--out', paths.outDir, '--index', { macro: 'task' }], true),
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
  for (const j of jobs) dag.push(`JOB ${dagToken(j.name)} ${dagToken(j.file)}`);
  for (const j of jobs) if (j.after.length) dag.push(`PARENT ${j.after.map(dagToken).join(' ')} CHILD ${dagToken(j.name)}`);
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
