import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describeTask } from '../../lib/scan/scan.js';
import { describeStudyTask, readAnyPlan, studyCacheDir, studyOutputPath } from '../../lib/scan/study.js';
import { readSubmission, slurmQueueStates, taskStatuses, type TaskState } from '../../lib/scan/engines/status.js';
import { submitPlan } from '../../lib/scan/engines/submit.js';
import { InputError } from '../../lib/util/errors.js';
import { claimOutDir } from '../../lib/scan/outDir.js';
import { describeHolder, dirLockHolder } from '../../lib/util/dirLock.js';
import { compactRanges } from '../../lib/scan/scan.js';
import { addClusterOptions, clusterOptionsFrom, type ClusterCliOptions } from './submit.js';

const ORDER: readonly TaskState[] = ['done', 'damaged', 'running', 'pending', 'failed', 'lost', 'not-submitted'];

/** `sidewinder status`: where a submitted scan's tasks are; resubmit the failed ones. */
export function register(program: Command): void {
  addClusterOptions(program
    .command('status')
    .description('what is done, damaged (cached result fails its checksums), running, pending or failed (from the cache, failure records and squeue/sacct); --resubmit-failed sends failed and damaged tasks and a new merge job')
    .option('-o, --out <dir>', 'output directory of the scan', 'out/scan')
    .option('--resubmit-failed', 'submit the failed, damaged, lost and never-submitted tasks again (with the options of the first submission unless given here)')
    .option('--verbose', 'one line per unfinished task'))
    .action(async (o: { out: string; resubmitFailed?: boolean; verbose?: boolean } & ClusterCliOptions, cmd: Command) => {
      const submission = readSubmission(o.out);
      const planPath = submission?.planPath ?? join(o.out, 'plan.json');
      // A scan's plan or a study's (sidewinder lee / sensitivity --engine …): the same tasks, cache and records.
      const any = readAnyPlan(planPath);
      const plan = any.plan;
      const cacheDir = submission?.cacheDir ?? (any.kind === 'study' ? studyCacheDir(any.plan, planPath) : join(o.out, 'cache'));
      const describe = (i: number): string => (any.kind === 'study' ? describeStudyTask(any.plan.tasks[i], any.plan) : describeTask(any.plan.tasks[i], any.plan));
      const ids = [...new Set(submission?.submissions.flatMap((s) => s.jobs.map((j) => j.jobId)).filter(Boolean) ?? [])];
      const queue = submission?.engine === 'slurm' ? slurmQueueStates(ids) : new Map();
      const statuses = taskStatuses(plan, cacheDir, o.out, submission, queue);
      const by = new Map<TaskState, number[]>();
      for (const s of statuses) by.set(s.state, [...(by.get(s.state) ?? []), s.index]);
      console.log(`${planPath}: ${plan.tasks.length} tasks${submission ? ` on ${submission.engine} (${submission.submissions.length} submission${submission.submissions.length > 1 ? 's' : ''})` : ''}`);
      for (const st of ORDER) {
        const list = by.get(st);
        if (list?.length) console.log(`  ${st.padEnd(14)} ${String(list.length).padStart(5)}   tasks ${compactRanges(list)}`);
      }
      for (const s of statuses)
        if (s.state === 'failed' || s.state === 'damaged' || (o.verbose && s.state !== 'done'))
          console.log(`  ${describe(s.index)}: ${s.state}${s.jobId ? ` (job ${s.jobId})` : ''}${s.message ? `: ${s.message}` : ''}`);
      const holder = dirLockHolder(o.out);
      if (holder) console.log(`  ${o.out} is being written by ${describeHolder(holder)}`);
      const done = by.get('done')?.length ?? 0;
      const mergeJob = submission?.submissions.at(-1)?.jobs.find((j) => j.name === 'merge');
      if (mergeJob?.jobId) console.log(`  merge job ${mergeJob.jobId}: ${queue.get(mergeJob.jobId) ?? (existsSync(join(o.out, 'results.json')) ? 'finished' : 'not in the queue')}`);
      // A study's merge writes its variants' results and its own output (lee.json beside the scan, sensitivity.json).
      const merged = any.kind === 'study' ? studyOutputPath(any.plan, planPath) : join(o.out, 'results.json');
      if (any.kind === 'study') console.log(`  ${any.plan.study.kind} study of ${any.plan.variants.length} scans (${any.plan.variants.filter((v) => v.reused).length} finished before it was planned)`);
      if (done === plan.tasks.length) console.log(`all tasks done; ${existsSync(merged) ? `results in ${merged}` : `merge with: sidewinder merge --out ${o.out}`}`);
      if (!o.resubmitFailed) return;
      if (!submission || submission.engine === 'local') throw new InputError(`${o.out}: no batch submission recorded (submission.json); submit with sidewinder submit --engine slurm first`);
      const again = statuses.filter((s) => s.state === 'failed' || s.state === 'damaged' || s.state === 'lost' || s.state === 'not-submitted').map((s) => s.index);
      if (!again.length && done < plan.tasks.length) {
        console.log('nothing to resubmit: the unfinished tasks are still queued or running');
        return;
      }
      // Options given on this command line override the recorded ones.
      const given = (k: string): boolean => cmd.getOptionValueSource(k) === 'cli';
      const cluster = ['partition', 'account', 'throttle', 'flowTime', 'flowMem', 'flowCpus', 'classifyTime', 'classifyMem', 'classifyCpus', 'mergeTime', 'mergeMem', 'extra', 'jobName'].some(given)
        ? clusterOptionsFrom(o) : submission.cluster;
      // A resubmission continues the run: it takes the out-dir lock but moves nothing aside.
      const lock = claimOutDir(o.out, { stage: 'continue' });
      let out: Awaited<ReturnType<typeof submitPlan>>;
      try {
        out = await submitPlan(plan, {
          engine: submission.engine, planPath, cacheDir, outDir: o.out, cluster, jobDir: submission.jobDir, indices: again,
        });
      } finally {
        lock.release();
      }
      console.log(again.length ? `resubmitted tasks ${compactRanges(again)}` : 'every task is done: submitted the merge job');
      if (out.jobs) for (const j of out.jobs) console.log(`submitted ${j.name}: job ${j.jobId}${j.after.length ? ` after ${j.after.join(', ')}` : ''}`);
    });
}
