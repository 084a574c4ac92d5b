import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../../util/atomicWrite.js';
import { InputError } from '../../util/errors.js';
import { ResultCache } from '../cache.js';
import type { SubmittedJob } from './slurm.js';
import type { ClusterOptions, TaskPlan } from './groups.js';

/** Engines a plan can be sent to. */
export type EngineName = 'local' | 'slurm' | 'condor';
export const ENGINES: readonly EngineName[] = ['local', 'slurm', 'condor'];

/** `<out>/submission.json`: what was sent where (appended to by resubmissions). */
export interface SubmissionRecord {
  readonly schema: 'sidewinder/submission';
  readonly version: 1;
  readonly engine: EngineName;
  readonly planPath: string;
  readonly cacheDir: string;
  readonly outDir: string;
  readonly jobDir: string;
  /** Resources and queue options, reused by resubmissions. */
  readonly cluster: ClusterOptions;
  readonly submissions: { readonly at: string; readonly jobs: readonly SubmittedJob[] }[];
}

export const submissionPath = (outDir: string): string => join(outDir, 'submission.json');

export function readSubmission(outDir: string): SubmissionRecord | undefined {
  const p = submissionPath(outDir);
  if (!existsSync(p)) return undefined;
  const r = JSON.parse(readFileSync(p, 'utf8')) as SubmissionRecord;
  if (r.schema !== 'sidewinder/submission') throw new InputError(`${p}: not a sidewinder submission record (schema ${JSON.stringify(r.schema)})`);
  return r;
}

export function writeSubmission(r: SubmissionRecord): void {
  writeFileAtomicSync(submissionPath(r.outDir), JSON.stringify(r, null, 1));
}

/** A failed task's record, `<out>/failed/task-<index>.json`, written by `sidewinder task`. */
export interface TaskFailure {
  readonly index: number;
  readonly key: string;
  readonly message: string;
  readonly at: string;
  readonly host: string;
  readonly jobId?: string;
}

const failureFile = (outDir: string, index: number): string => join(outDir, 'failed', `task-${index}.json`);

export function recordFailure(outDir: string, f: TaskFailure): void {
  mkdirSync(join(outDir, 'failed'), { recursive: true });
  writeFileAtomicSync(failureFile(outDir, f.index), JSON.stringify(f, null, 1));
}

export function clearFailure(outDir: string, index: number): void {
  rmSync(failureFile(outDir, index), { force: true });
}

export function readFailures(outDir: string): Map<number, TaskFailure> {
  const dir = join(outDir, 'failed');
  const out = new Map<number, TaskFailure>();
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)) {
    if (!/^task-\d+\.json$/.test(f)) continue;
    try {
      const r = JSON.parse(readFileSync(join(dir, f), 'utf8')) as TaskFailure;
      out.set(r.index, r);
    } catch {
      /* a record being written: ignored until complete (atomic writes make this rare) */
    }
  }
  return out;
}

/** Batch-system state of one array element: from squeue (queued/running) or sacct (finished). */
export type QueueState = 'pending' | 'running' | 'completed' | 'failed';

const SLURM_STATES: Record<string, QueueState> = {
  PD: 'pending', PENDING: 'pending', CF: 'pending', CONFIGURING: 'pending', RQ: 'pending', REQUEUED: 'pending', S: 'pending', SUSPENDED: 'pending',
  R: 'running', RUNNING: 'running', CG: 'running', COMPLETING: 'running',
  CD: 'completed', COMPLETED: 'completed',
  F: 'failed', FAILED: 'failed', TO: 'failed', TIMEOUT: 'failed', OOM: 'failed', OUT_OF_MEMORY: 'failed', CA: 'failed', CANCELLED: 'failed',
  NF: 'failed', NODE_FAIL: 'failed', PR: 'failed', PREEMPTED: 'failed', BF: 'failed', BOOT_FAIL: 'failed', DL: 'failed', DEADLINE: 'failed',
};

/**
 * Parse `squeue -h -r -o '%i %t'` or `sacct -n -P -X -o JobID,State` lines ("123_4 R", "123_4|FAILED",
 * "123_[5-7%2] PD") into array-element states keyed "jobId_index" (ranges expanded), "jobId" for
 * non-array jobs. Unknown states are left out.
 */
export function parseQueueLines(text: string): Map<string, QueueState> {
  const out = new Map<string, QueueState>();
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)(?:_(\[[^\]]*\]|\d+))?[\s|]+([A-Z_]+)/.exec(line);
    if (!m) continue;
    const state = SLURM_STATES[m[3]];
    if (!state) continue;
    if (!m[2]) out.set(m[1], state);
    else if (!m[2].startsWith('[')) out.set(`${m[1]}_${m[2]}`, state);
    else
      for (const part of m[2].slice(1, -1).replace(/%\d+$/, '').split(',')) {
        const [a, b] = part.split('-').map(Number);
        for (let i = a; i <= (b ?? a); i++) out.set(`${m[1]}_${i}`, state);
      }
  }
  return out;
}

/** Ask squeue, then sacct (when accounting is on), about these jobs; silent when they are absent. */
export function slurmQueueStates(jobIds: readonly string[], env: NodeJS.ProcessEnv = process.env): Map<string, QueueState> {
  const out = new Map<string, QueueState>();
  if (!jobIds.length) return out;
  const run = (cmd: string, args: string[]): string => {
    try {
      return execFileSync(cmd, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      return '';
    }
  };
  // sacct first: the live queue (squeue) overrides its view of the same element.
  for (const [k, v] of parseQueueLines(run('sacct', ['-n', '-P', '-X', '-o', 'JobID,State', '-j', jobIds.join(',')]))) out.set(k, v);
  for (const [k, v] of parseQueueLines(run('squeue', ['-h', '-r', '-o', '%i %t', '-j', jobIds.join(',')]))) out.set(k, v);
  return out;
}

/**
 * Where one task is. `lost`: submitted, not in the queue, no result and no failure record (killed,
 * e.g. time or memory limit). `damaged`: its cached result fails its checksums (recomputed by a rerun
 * or a resubmission; never merged).
 */
export type TaskState = 'done' | 'damaged' | 'running' | 'pending' | 'failed' | 'lost' | 'not-submitted';

export interface TaskStatus {
  readonly index: number;
  readonly state: TaskState;
  readonly jobId?: string;
  readonly message?: string;
}

/**
 * Each task's state: done when its result is in the cache and passes its checksums, damaged when it
 * does not; otherwise from the batch system's view
 * of its latest submission, then the failure records `sidewinder task` leaves.
 */
export function taskStatuses(plan: TaskPlan, cacheDir: string, outDir: string, submission?: SubmissionRecord, queue: ReadonlyMap<string, QueueState> = new Map()): TaskStatus[] {
  const cache = new ResultCache(cacheDir);
  const failures = readFailures(outDir);
  // Latest job of each task.
  const jobOf = new Map<number, string>();
  for (const s of submission?.submissions ?? []) for (const j of s.jobs) for (const i of j.indices) jobOf.set(i, j.jobId);
  return plan.tasks.map((t) => {
    const found = cache.lookup(t.key);
    if (found.status === 'hit') return { index: t.index, state: 'done' as const };
    const jobId = jobOf.get(t.index);
    if (found.status === 'damaged') return { index: t.index, state: 'damaged' as const, jobId, message: found.reason };
    const q = jobId ? queue.get(`${jobId}_${t.index}`) : undefined;
    const f = failures.get(t.index);
    if (q === 'pending' || q === 'running') return { index: t.index, state: q, jobId };
    if (f) return { index: t.index, state: 'failed' as const, jobId, message: f.message };
    if (q === 'failed') return { index: t.index, state: 'failed' as const, jobId, message: 'the batch system reports the job failed (time or memory limit, node failure, or cancelled)' };
    if (jobId) return { index: t.index, state: 'lost' as const, jobId };
    return { index: t.index, state: 'not-submitted' as const };
  });
}
