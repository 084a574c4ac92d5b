import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../util/atomicWrite.js';
import { ConfigError, InputError } from '../../util/errors.js';
import { compactRanges } from '../scan.js';
import { checkClusterOptions, checkJobPaths, JOB_PATH_FIELDS, shellQuote, taskGroups, type ClusterOptions, type JobPaths, type JobResources, type TaskGroup, type TaskPlan } from './groups.js';

/** One batch job file and the groups it must wait for. */
export interface JobFile {
  /** Group name (`stage1-flow`, …, `merge`). */
  readonly name: string;
  /** File name inside the job directory. */
  readonly file: string;
  readonly text: string;
  readonly after: readonly string[];
  /** Plan task indices (empty for the merge job). */
  readonly indices: readonly number[];
}

export interface SlurmJobs {
  /** Array jobs (one element per task) in submission order, then the merge job. */
  readonly jobs: readonly JobFile[];
  /** A shell script that submits them with the same dependencies (for hand submission). */
  readonly submitScript: string;
}

const cliLine = (paths: JobPaths, args: readonly string[]): string => [...paths.command, ...args].map(shellQuote).join(' ');

/**
 * The arguments of one `#SBATCH` line (the text after `#SBATCH`), read as sbatch reads them
 * (`_get_argument` in Slurm's src/sbatch/opt.c): whitespace separates arguments; single or double
 * quotes group characters and are dropped; a backslash takes the next character literally, inside
 * quotes too; an unquoted `#` starts a comment. sbatch expands nothing else (no `$`, no backticks).
 * @throws ConfigError on what sbatch refuses: an unmatched quote, an argument starting with `:`.
 */
export function sbatchHeaderArguments(text: string, field = '#SBATCH line'): string[] {
  const args: string[] = [];
  let i = 0;
  for (;;) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (i >= text.length) return args;
    if (text[i] === ':') throw new ConfigError(`${field}: sbatch refuses an argument starting with ":" in ${JSON.stringify(text)}`);
    let arg = '';
    let quote = '';
    let comment = false;
    for (; i < text.length && (quote || !/\s/.test(text[i])); i++) {
      const c = text[i];
      if (c === '\\') {
        if (i + 1 < text.length) arg += text[++i];
      } else if (quote) {
        if (c === quote) quote = '';
        else arg += c;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '#') {
        comment = true; // the rest of the line is a comment
        break;
      } else arg += c;
    }
    if (quote) throw new ConfigError(`${field}: unmatched ${quote} in ${JSON.stringify(text)} (sbatch refuses the script)`);
    if (arg || !comment) args.push(arg);
    if (comment) return args;
  }
}

/**
 * Quote one value of a `#SBATCH --option=value` line for sbatch's header reader
 * ({@link sbatchHeaderArguments}): double quotes, with a backslash before each backslash and double quote;
 * plain words stay as they are. The value then stays one argument, spaces, `#` and quotes included.
 */
export const sbatchQuote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `"${s.replace(/[\\"]/g, '\\$&')}"`);

/**
 * A literal directory in a Slurm `--output` file pattern: `%` doubled, since Slurm replaces `%j`,
 * `%A`, `%x`, … (checked with sbatch 22.05: the job writes `a%b`). Backslashes are refused by
 * {@link checkSlurmInputs}: one anywhere in the pattern turns the replacements off.
 */
const slurmPatternLiteral = (s: string): string => s.replace(/%/g, '%%');

/**
 * Check everything that goes into the Slurm files, before any is written: no control characters in
 * any option or path ({@link checkClusterOptions}, {@link checkJobPaths}); no backslash in the log
 * directory (Slurm drops it and stops replacing `%A`/`%a`/`%j` in `--output`, so every task would
 * write one literal `%A_%a` file); `--extra` lines that sbatch reads as options.
 * @throws ConfigError naming the option or path.
 */
export function checkSlurmInputs(o: ClusterOptions, p: JobPaths): void {
  checkClusterOptions(o);
  checkJobPaths(p);
  if (p.logDir.includes('\\'))
    throw new ConfigError(`${JOB_PATH_FIELDS.logDir}: a backslash in the path turns off Slurm's %A/%a/%j replacement in #SBATCH --output; got ${JSON.stringify(p.logDir)}`);
  for (const line of o.extra ?? []) {
    const args = sbatchHeaderArguments(line.replace(/^#SBATCH\b/, ''), '--extra');
    const bad = args.find((a) => !a.startsWith('-'));
    if (!args.length || bad !== undefined)
      throw new ConfigError(`--extra: an #SBATCH line holds sbatch options (like --qos=short), got ${JSON.stringify(line)}${bad !== undefined ? ` (${JSON.stringify(bad)} is not an option)` : ''}`);
  }
}

function header(name: string, r: JobResources, o: ClusterOptions, output: string): string[] {
  const lines = [
    '#!/bin/bash',
    `#SBATCH --job-name=${sbatchQuote(`${o.jobName ?? 'sidewinder'}-${name}`)}`,
    `#SBATCH --time=${sbatchQuote(r.time)}`,
    `#SBATCH --mem=${sbatchQuote(r.memory)}`,
    `#SBATCH --cpus-per-task=${r.cpus}`,
    '#SBATCH --ntasks=1',
    `#SBATCH --output=${sbatchQuote(output)}`,
  ];
  if (o.partition) lines.push(`#SBATCH --partition=${sbatchQuote(o.partition)}`);
  if (o.account) lines.push(`#SBATCH --account=${sbatchQuote(o.account)}`);
  // Written as given: checkSlurmInputs made sure sbatch reads them as options.
  for (const l of o.extra ?? []) lines.push(/^#SBATCH\b/.test(l) ? l : `#SBATCH ${l}`);
  return lines;
}

/** The `--array` value: the group's plan indices, with the throttle. */
export const arraySpec = (g: { indices: readonly number[] }, throttle?: number): string => `${compactRanges(g.indices)}${throttle ? `%${throttle}` : ''}`;

/**
 * Render the Slurm job files of a plan: one array job per task group (the array index is the plan's
 * task index, resources by task class), and a merge job that assembles results.json once every
 * task is in. Dependencies are not in the files (they need job ids): see {@link sbatchArguments}.
 * @param indices Only these tasks (a resubmission); default all.
 */
export function renderSlurmJobs(plan: TaskPlan, options: ClusterOptions, paths: JobPaths, indices?: readonly number[]): SlurmJobs {
  checkSlurmInputs(options, paths);
  const groups = taskGroups(plan, indices);
  const jobs: JobFile[] = groups.map((g: TaskGroup) => {
    const r = g.taskClass === 'flow' ? options.flow : options.classify;
    // Log names from the group, not %x: a job name holding "/" would point %x into another directory.
    const lines = header(g.name, r, options, join(slurmPatternLiteral(paths.logDir), `${g.name}-%A_%a.out`));
    lines.splice(2, 0, `#SBATCH --array=${arraySpec(g, options.throttle)}`);
    lines.push(
      `# sidewinder scan plan ${paths.planPath}: ${g.indices.length} ${g.taskClass} task(s) of stage ${g.stage + 1}${g.after.length ? `, after ${g.after.join(', ')}` : ''}.`,
      '# One array element per task; the element index is the task index in plan.json.',
      'set -euo pipefail',
      `cd ${shellQuote(paths.workDir)}`,
      `exec ${cliLine(paths, ['task', '--plan', paths.planPath, '--cache', paths.cacheDir, '--out', paths.outDir])} --index "$SLURM_ARRAY_TASK_ID"`,
      '',
    );
    return { name: g.name, file: `${g.name}.sbatch`, text: lines.join('\n'), after: g.after, indices: g.indices };
  });
  const merge = header('merge', options.merge, options, join(slurmPatternLiteral(paths.logDir), 'merge-%j.out'));
  merge.push(
    `# Assemble results.json and the report once every task of ${paths.planPath} is in the cache.`,
    'set -euo pipefail',
    `cd ${shellQuote(paths.workDir)}`,
    `exec ${cliLine(paths, ['merge', '--plan', paths.planPath, '--cache', paths.cacheDir, '--out', paths.outDir])}`,
    '',
  );
  jobs.push({ name: 'merge', file: 'merge.sbatch', text: merge.join('\n'), after: groups.map((g) => g.name), indices: [] });

  const sub = ['#!/bin/bash', '# Submit the scan by hand (what `sidewinder submit --engine slurm` does).', 'set -euo pipefail', 'cd "$(dirname "$0")"'];
  const v = (name: string): string => name.replace(/\W/g, '_');
  for (const j of jobs) {
    const dep = j.after.length ? ` --dependency=afterok:${j.after.map((a) => `$${v(a)}`).join(':')} --kill-on-invalid-dep=yes` : '';
    sub.push(`${v(j.name)}=$(sbatch --parsable${dep} ${shellQuote(j.file)} | cut -d';' -f1)`);
  }
  sub.push(`echo "submitted: ${jobs.map((j) => `${j.name}=$${v(j.name)}`).join(' ')}"`, '');
  return { jobs, submitScript: sub.join('\n') };
}

/**
 * sbatch arguments of one job: `--parsable`, then `--dependency=afterok:<ids>` on the array jobs of
 * the groups it waits for (afterok on an array job waits for all its elements), and
 * `--kill-on-invalid-dep=yes` so that a job whose dependency failed is cancelled, not left pending.
 */
export function sbatchArguments(job: JobFile, jobIds: ReadonlyMap<string, string>, dir: string): string[] {
  const args = ['--parsable'];
  if (job.after.length) {
    const ids = job.after.map((a) => {
      const id = jobIds.get(a);
      if (!id) throw new InputError(`slurm: job "${job.name}" waits for "${a}", which has not been submitted`);
      return id;
    });
    args.push(`--dependency=afterok:${ids.join(':')}`, '--kill-on-invalid-dep=yes');
  }
  args.push(join(dir, job.file));
  return args;
}

/** A submitted job: its group, Slurm job id and the plan tasks it runs. */
export interface SubmittedJob {
  readonly name: string;
  readonly jobId: string;
  readonly indices: readonly number[];
  readonly after: readonly string[];
}

/** Write the job files to `dir` (created), including submit.sh. */
export async function writeSlurmJobs(jobs: SlurmJobs, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  for (const j of jobs.jobs) await writeFileAtomic(join(dir, j.file), j.text);
  await writeFileAtomic(join(dir, 'submit.sh'), jobs.submitScript);
}

/**
 * Submit written job files with `sbatch`, in order, each with its dependencies. When one sbatch
 * fails, the jobs already submitted are cancelled (`scancel`) and the error names the job file.
 */
export function submitSlurmJobs(jobs: SlurmJobs, dir: string, env: NodeJS.ProcessEnv = process.env): SubmittedJob[] {
  const ids = new Map<string, string>();
  const out: SubmittedJob[] = [];
  for (const j of jobs.jobs) {
    let id: string;
    try {
      id = execFileSync('sbatch', sbatchArguments(j, ids, dir), { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split(';')[0];
    } catch (e) {
      const err = e as { code?: string; stderr?: string; message: string };
      if (ids.size) spawnQuiet('scancel', [...ids.values()], env);
      const why = err.code === 'ENOENT' ? 'sbatch is not on PATH (is this a Slurm submit host?)' : (err.stderr?.trim() || err.message);
      throw new InputError(`slurm: submitting ${join(dir, j.file)} failed: ${why}${ids.size ? ` (cancelled the jobs already submitted: ${[...ids.values()].join(', ')})` : ''}`);
    }
    if (!/^\d+$/.test(id)) throw new InputError(`slurm: sbatch --parsable printed "${id}" for ${j.file}, expected a job id`);
    ids.set(j.name, id);
    out.push({ name: j.name, jobId: id, indices: j.indices, after: j.after });
  }
  return out;
}

function spawnQuiet(cmd: string, args: string[], env: NodeJS.ProcessEnv): void {
  try {
    execFileSync(cmd, args, { env, stdio: 'ignore' });
  } catch {
    /* best effort */
  }
}
