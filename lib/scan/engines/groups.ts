import { methodStage } from '../../methods/registry.js';
import { ConfigError } from '../../util/errors.js';
import type { ScanPlan } from '../plan.js';

/**
 * What the engines read of a plan: its tasks (index, method, kind, key, dependsOn). A scan plan is
 * one; so is a study plan (lib/scan/study.ts), the deduplicated union of its scans' tasks.
 */
export type TaskPlan = Pick<ScanPlan, 'tasks'>;

/** Resource class of a task: flow training needs more time and memory than a classifier. */
export type TaskClass = 'flow' | 'classify';

/**
 * Tasks that go to the batch system as one array job: same resource class and same stage (a
 * task's stage is one more than the deepest task it depends on, so CATHODE classifiers come
 * after the flows whose samples they read). `after` names the groups whose success it waits for.
 */
export interface TaskGroup {
  readonly name: string;
  readonly taskClass: TaskClass;
  readonly stage: number;
  /** Plan task indices (also the array indices: `$SLURM_ARRAY_TASK_ID` is the plan index). */
  readonly indices: readonly number[];
  readonly after: readonly string[];
}

/** Batch resources of one job (Slurm notation: time `[D-]HH:MM:SS` or minutes, memory `8G`/`4000M`). */
export interface JobResources {
  readonly time: string;
  readonly memory: string;
  readonly cpus: number;
}

/** What a batch engine needs besides the plan: resources per class, queue and throttle. */
export interface ClusterOptions {
  readonly flow: JobResources;
  readonly classify: JobResources;
  readonly merge: JobResources;
  readonly partition?: string;
  readonly account?: string;
  /** At most this many array elements of one group run at once (Slurm `%K`, HTCondor max_materialize). */
  readonly throttle?: number;
  /**
   * Extra lines for every job file, written as given (macros and quoting are the user's): sbatch
   * options for an `#SBATCH` line, or HTCondor submit commands `name = value`. Checked to be one line
   * each and of that form.
   */
  readonly extra?: readonly string[];
  /** Job name prefix. */
  readonly jobName?: string;
}

/** Defaults sized for the `default` preset; the `paper` preset needs more (ensembles of 50). */
export const DEFAULT_CLUSTER_OPTIONS: ClusterOptions = Object.freeze({
  flow: { time: '04:00:00', memory: '8G', cpus: 2 },
  classify: { time: '01:00:00', memory: '4G', cpus: 2 },
  merge: { time: '00:30:00', memory: '8G', cpus: 1 },
  jobName: 'sidewinder',
});

/** Where the job files point: the plan, the shared cache, the output and log directories. */
export interface JobPaths {
  readonly planPath: string;
  readonly cacheDir: string;
  readonly outDir: string;
  readonly logDir: string;
  /** Directory the jobs start in (the repository, for relative window files). */
  readonly workDir: string;
  /** argv that runs the sidewinder CLI, e.g. [node, <repo>/scripts/sidewinder.mjs]. */
  readonly command: readonly string[];
}

/**
 * Split a plan (or the subset `indices` of it, e.g. failed tasks to resubmit) into array-job
 * groups by stage and resource class. Dependencies on tasks outside the subset are taken as done.
 */
export function taskGroups(plan: TaskPlan, indices?: readonly number[]): TaskGroup[] {
  const byKey = new Map(plan.tasks.map((t) => [t.key, t]));
  const selected = new Set(indices ?? plan.tasks.map((t) => t.index));
  const stage = new Map<number, number>();
  const stageOf = (i: number): number => {
    const known = stage.get(i);
    if (known !== undefined) return known;
    let s = 0;
    for (const k of plan.tasks[i].dependsOn) {
      const dep = byKey.get(k);
      if (!dep) throw new ConfigError(`scan plan: task ${i} depends on ${k.slice(0, 12)}…, which no task of the plan produces`);
      if (selected.has(dep.index)) s = Math.max(s, stageOf(dep.index) + 1);
    }
    stage.set(i, s);
    return s;
  };
  const groups = new Map<string, { taskClass: TaskClass; stage: number; indices: number[]; after: Set<string> }>();
  // Generator tasks (CATHODE's flows) get the flow resources (--flow-time, --flow-mem, --flow-cpus).
  const classOf = (i: number): 'flow' | 'classify' => (methodStage(plan.tasks[i].method, plan.tasks[i].kind).role === 'generator' ? 'flow' : 'classify');
  const nameOf = (i: number): string => `stage${stageOf(i) + 1}-${classOf(i)}`;
  for (const i of [...selected].sort((a, b) => a - b)) {
    if (!plan.tasks[i]) throw new ConfigError(`scan plan: no task ${i}; the plan has tasks 0…${plan.tasks.length - 1}`);
    const name = nameOf(i);
    let g = groups.get(name);
    if (!g) groups.set(name, (g = { taskClass: classOf(i), stage: stageOf(i), indices: [], after: new Set() }));
    g.indices.push(i);
    for (const k of plan.tasks[i].dependsOn) {
      const dep = byKey.get(k)!;
      if (selected.has(dep.index)) g.after.add(nameOf(dep.index));
    }
  }
  return [...groups.entries()]
    .sort(([a, x], [b, y]) => x.stage - y.stage || (x.taskClass === y.taskClass ? a.localeCompare(b) : x.taskClass === 'flow' ? -1 : 1))
    .map(([name, g]) => ({ name, taskClass: g.taskClass, stage: g.stage, indices: g.indices, after: [...g.after].sort() }));
}

/** Seconds of a Slurm time limit: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS. */
export function parseTimeLimit(t: string, what = 'time limit'): number {
  const m = /^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$/.exec(t.trim());
  if (!m) throw new ConfigError(`${what}: expected minutes, HH:MM:SS or D-HH:MM:SS, got "${t}"`);
  const [d, a, b, c] = [m[1], m[2], m[3], m[4]].map((x) => (x === undefined ? undefined : Number(x)));
  if (d !== undefined) return d * 86400 + a! * 3600 + (b ?? 0) * 60 + (c ?? 0);
  if (c !== undefined) return a! * 3600 + b! * 60 + c;
  if (b !== undefined) return a! * 60 + b;
  return a! * 60;
}

/** Megabytes of a Slurm memory size: a number with an optional K/M/G/T suffix (default M). */
export function parseMemory(m: string, what = 'memory'): number {
  const r = /^(\d+(?:\.\d+)?)([KMGT]?)B?$/i.exec(m.trim());
  if (!r) throw new ConfigError(`${what}: expected a size like 4000M or 8G, got "${m}"`);
  const f = { K: 1 / 1024, M: 1, G: 1024, T: 1024 * 1024, '': 1 }[r[2].toUpperCase() as 'K' | 'M' | 'G' | 'T' | ''];
  return Math.ceil(Number(r[1]) * f);
}

/**
 * Every character that cannot sit inside one line of a job file: the C0 controls (NUL, tab, newline,
 * carriage return, …), DEL and the C1 controls. sbatch, condor_submit, DAGMan and bash all read their
 * files line by line, so one of these in a path or option would end a `#SBATCH` header early or start
 * a line of the caller's choosing.
 */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;
const CONTROL_NAMES: Readonly<Record<number, string>> = { 0: 'NUL', 9: 'tab', 10: 'newline', 13: 'carriage return', 127: 'DEL' };

/**
 * The one check of a value bound for a batch job file (`.sbatch`, `.sub`, DAG, shell script): no
 * control character. Returns the value.
 * @param field What the value is, as the user knows it (`--job-name`, `--out (output directory)`, …).
 * @throws ConfigError naming the field, the character and its position.
 */
export function checkJobText(field: string, value: string): string {
  const m = CONTROL_CHARACTER.exec(value);
  if (m) {
    const code = m[0].charCodeAt(0);
    const name = CONTROL_NAMES[code] ?? 'control character';
    throw new ConfigError(
      `${field}: ${name} (U+${code.toString(16).toUpperCase().padStart(4, '0')}) at character ${m.index + 1} cannot go into a batch job file, ` +
        `where every value must stay on its line; got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** Check the options and name the bad one: no control characters in any value, valid limits. */
export function checkClusterOptions(o: ClusterOptions): ClusterOptions {
  for (const k of ['flow', 'classify', 'merge'] as const) {
    parseTimeLimit(checkJobText(`--${k}-time`, o[k].time), `${k} time limit`);
    parseMemory(checkJobText(`--${k}-mem`, o[k].memory), `${k} memory`);
    if (!Number.isInteger(o[k].cpus) || o[k].cpus < 1) throw new ConfigError(`${k} CPUs per task: expected an integer ≥ 1, got ${o[k].cpus}`);
  }
  if (o.throttle !== undefined && (!Number.isInteger(o.throttle) || o.throttle < 1)) throw new ConfigError(`array throttle: expected an integer ≥ 1, got ${o.throttle}`);
  if (o.partition !== undefined) checkJobText('--partition', o.partition);
  if (o.account !== undefined) checkJobText('--account', o.account);
  if (o.jobName !== undefined) checkJobText('--job-name', o.jobName);
  for (const line of o.extra ?? []) checkJobText('--extra', line);
  return o;
}

/** What each path of {@link JobPaths} is, for error messages. */
export const JOB_PATH_FIELDS: Readonly<Record<Exclude<keyof JobPaths, 'command'>, string>> = Object.freeze({
  // The user's options first: a bad --out shows again in the paths under it.
  outDir: '--out (output directory)',
  cacheDir: '--cache (cache directory)',
  logDir: 'log directory (<out>/logs)',
  planPath: 'plan file',
  workDir: 'working directory (the sidewinder checkout)',
});

/** Check every path a job file names (plan, cache, output, logs, working directory, Node and CLI). */
export function checkJobPaths(p: JobPaths): JobPaths {
  for (const [k, field] of Object.entries(JOB_PATH_FIELDS)) checkJobText(field, p[k as keyof typeof JOB_PATH_FIELDS]);
  if (!p.command.length) throw new ConfigError('job command: empty (expected the Node executable and the sidewinder CLI)');
  p.command.forEach((c, i) => checkJobText(`job command (argument ${i + 1}: ${i === 0 ? 'the Node executable' : 'the CLI'})`, c));
  return p;
}

/**
 * Quote for bash (the body of a `.sbatch` file, submit.sh): single quotes, a single quote written as
 * `'\''`; plain words stay as they are. Inside single quotes bash expands nothing (`$(…)`, backticks,
 * `$VAR`, globs), so the word reaches the command exactly.
 */
export const shellQuote = (s: string): string => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
