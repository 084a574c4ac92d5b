import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { presetConfig } from '../../lib/scan/presets.js';
import { buildPlan, type ScanPlan } from '../../lib/scan/plan.js';
import { scanWindows, compactRanges } from '../../lib/scan/scan.js';
import { ResultCache } from '../../lib/scan/cache.js';
import { DEFAULT_CLUSTER_OPTIONS, parseMemory, parseTimeLimit, taskGroups, type ClusterOptions, type JobPaths } from '../../lib/scan/engines/groups.js';
import { renderSlurmJobs, sbatchArguments, sbatchHeaderArguments } from '../../lib/scan/engines/slurm.js';
import { renderCondorJobs } from '../../lib/scan/engines/condor.js';
import { parseQueueLines, recordFailure, taskStatuses, type SubmissionRecord } from '../../lib/scan/engines/status.js';

/** A real plan (windows 4 and 5, all methods, data + control, data-driven δsys) with made-up dataset hashes. */
async function samplePlan(): Promise<ScanPlan> {
  const cfg = presetConfig('ci');
  cfg.windows.ids = [4, 5];
  cfg.deltaSys = { dataDriven: true };
  const { windows, shortSidebandWidth } = await scanWindows(cfg);
  return buildPlan(cfg, windows, shortSidebandWidth, { data: 'a'.repeat(64), template: 'b'.repeat(64), control: 'c'.repeat(64) });
}

const PATHS: JobPaths = {
  planPath: '/shared/my scan/plan.json', cacheDir: '/shared/my scan/cache', outDir: '/shared/my scan', logDir: '/shared/my scan/logs',
  workDir: '/opt/sidewinder', command: ['/usr/bin/node', '/opt/sidewinder/scripts/sidewinder.mjs'],
};
const OPTIONS: ClusterOptions = {
  ...DEFAULT_CLUSTER_OPTIONS, flow: { time: '1-02:00:00', memory: '12G', cpus: 4 }, classify: { time: '45', memory: '3000M', cpus: 2 },
  partition: 'gpu-short', account: 'atlas', throttle: 3, extra: ['--qos=normal', '#SBATCH --mail-type=FAIL'],
};

/** Expand "1-3,5%2" into [1, 2, 3, 5]. */
function expandArray(spec: string): number[] {
  return spec.replace(/%\d+$/, '').split(',').flatMap((p) => {
    const [a, b] = p.split('-').map(Number);
    return Array.from({ length: (b ?? a) - a + 1 }, (_, i) => a + i);
  });
}

/** The value of `--name=…` in the `#SBATCH` header, read as sbatch reads it (quotes and escapes undone). */
function directive(text: string, name: string): string | undefined {
  for (const line of text.split('\n'))
    if (line.startsWith('#SBATCH'))
      for (const a of sbatchHeaderArguments(line.slice('#SBATCH'.length))) if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  return undefined;
}

describe('task groups', () => {
  it('stage 1 holds the flows and independent classifiers; the CATHODE users of a flow come in stage 2, after it', async () => {
    const plan = await samplePlan();
    const groups = taskGroups(plan);
    expect(groups.map((g) => g.name)).toEqual(['stage1-flow', 'stage1-classify', 'stage2-classify']);
    const all = groups.flatMap((g) => g.indices).sort((a, b) => a - b);
    expect(all).toEqual(plan.tasks.map((t) => t.index)); // every task exactly once
    const byKey = new Map(plan.tasks.map((t) => [t.key, t]));
    for (const g of groups)
      for (const i of g.indices) {
        const t = plan.tasks[i];
        expect(g.taskClass).toBe(t.kind === 'flow' ? 'flow' : 'classify');
        // A task with dependencies sits in a later stage than each of them.
        for (const k of t.dependsOn) expect(groups.find((h) => h.indices.includes(byKey.get(k)!.index))!.stage).toBeLessThan(g.stage);
        expect(g.stage).toBe(t.dependsOn.length ? 1 : 0);
      }
    expect(groups[2].after).toEqual(['stage1-flow']);
    // 2 windows × (data: flow; control: flow); CATHODE and the sideband closure read them.
    expect(groups[0].indices).toHaveLength(4);
    expect(groups[2].indices).toHaveLength(2 * 2 + 2); // CATHODE on data and control per window, closure on data
  });

  it('a resubmission of tasks whose flows are done has no dependency', async () => {
    const plan = await samplePlan();
    const cathode = plan.tasks.filter((t) => t.method === 'cathode' && t.kind === 'classify').map((t) => t.index);
    const groups = taskGroups(plan, cathode);
    expect(groups).toEqual([{ name: 'stage1-classify', taskClass: 'classify', stage: 0, indices: cathode, after: [] }]);
    // One flow resubmitted with its CATHODE classifier: that one waits; the others' flows are done.
    const flow = plan.tasks.find((t) => t.kind === 'flow')!;
    const user = cathode.find((i) => plan.tasks[i].dependsOn.includes(flow.key))!;
    const withFlow = taskGroups(plan, [flow.index, ...cathode]);
    expect(withFlow.map((g) => [g.name, g.indices, g.after])).toEqual([
      ['stage1-flow', [flow.index], []], ['stage1-classify', cathode.filter((i) => i !== user), []], ['stage2-classify', [user], ['stage1-flow']],
    ]);
  });
});

describe('Slurm job files', () => {
  it('one array element per task, with the resources of its class, queue options and extra lines', async () => {
    const plan = await samplePlan();
    const { jobs, submitScript } = renderSlurmJobs(plan, OPTIONS, PATHS);
    expect(jobs.map((j) => j.file)).toEqual(['stage1-flow.sbatch', 'stage1-classify.sbatch', 'stage2-classify.sbatch', 'merge.sbatch']);
    const covered: number[] = [];
    for (const j of jobs.slice(0, 3)) {
      const array = directive(j.text, 'array')!;
      expect(array.endsWith('%3')).toBe(true);
      const idx = expandArray(array);
      expect(idx).toEqual(j.indices);
      covered.push(...idx);
      const flow = j.name.endsWith('flow');
      for (const i of idx) expect(plan.tasks[i].kind === 'flow').toBe(flow);
      expect(directive(j.text, 'time')).toBe(flow ? '1-02:00:00' : '45');
      expect(directive(j.text, 'mem')).toBe(flow ? '12G' : '3000M');
      expect(directive(j.text, 'cpus-per-task')).toBe(flow ? '4' : '2');
      expect(directive(j.text, 'partition')).toBe('gpu-short');
      expect(directive(j.text, 'account')).toBe('atlas');
      expect(directive(j.text, 'qos')).toBe('normal');
      expect(directive(j.text, 'mail-type')).toBe('FAIL');
      expect(directive(j.text, 'output')).toBe(`/shared/my scan/logs/${j.name}-%A_%a.out`);
      // The array index is the plan index; paths with spaces are quoted.
      expect(j.text).toContain(`exec /usr/bin/node /opt/sidewinder/scripts/sidewinder.mjs task --plan '/shared/my scan/plan.json' --cache '/shared/my scan/cache' --out '/shared/my scan' --index "$SLURM_ARRAY_TASK_ID"`);
      // #SBATCH lines must precede the first command, or sbatch ignores them.
      const firstCommand = j.text.split('\n').findIndex((l) => l && !l.startsWith('#'));
      expect(j.text.split('\n').slice(firstCommand).some((l) => l.startsWith('#SBATCH'))).toBe(false);
    }
    expect(covered.sort((a, b) => a - b)).toEqual(plan.tasks.map((t) => t.index));
    const merge = jobs[3];
    expect(directive(merge.text, 'array')).toBeUndefined();
    expect(merge.after).toEqual(['stage1-flow', 'stage1-classify', 'stage2-classify']);
    expect(merge.text).toContain("merge --plan '/shared/my scan/plan.json' --cache '/shared/my scan/cache' --out '/shared/my scan'");
    for (const text of [...jobs.map((j) => j.text), submitScript]) {
      const r = spawnSync('bash', ['-n'], { input: text, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
    expect(submitScript).toContain('stage2_classify=$(sbatch --parsable --dependency=afterok:$stage1_flow --kill-on-invalid-dep=yes stage2-classify.sbatch');
    expect(submitScript).toContain('--dependency=afterok:$stage1_flow:$stage1_classify:$stage2_classify --kill-on-invalid-dep=yes merge.sbatch');
  });

  it('sbatch arguments carry afterok dependencies on the job ids of the groups waited for', async () => {
    const plan = await samplePlan();
    const { jobs } = renderSlurmJobs(plan, DEFAULT_CLUSTER_OPTIONS, PATHS);
    const ids = new Map([['stage1-flow', '101'], ['stage1-classify', '102'], ['stage2-classify', '103']]);
    expect(sbatchArguments(jobs[0], ids, '/j')).toEqual(['--parsable', '/j/stage1-flow.sbatch']);
    expect(sbatchArguments(jobs[2], ids, '/j')).toEqual(['--parsable', '--dependency=afterok:101', '--kill-on-invalid-dep=yes', '/j/stage2-classify.sbatch']);
    expect(sbatchArguments(jobs[3], ids, '/j')).toEqual(['--parsable', '--dependency=afterok:101:102:103', '--kill-on-invalid-dep=yes', '/j/merge.sbatch']);
    expect(() => sbatchArguments(jobs[3], new Map(), '/j')).toThrow(/waits for "stage1-flow", which has not been submitted/);
  });

  it('rejects malformed options, naming them', async () => {
    const plan = await samplePlan();
    expect(() => renderSlurmJobs(plan, { ...OPTIONS, flow: { ...OPTIONS.flow, time: '2h' } }, PATHS)).toThrow(/flow time limit: expected minutes, HH:MM:SS or D-HH:MM:SS, got "2h"/);
    expect(() => renderSlurmJobs(plan, { ...OPTIONS, classify: { ...OPTIONS.classify, memory: 'lots' } }, PATHS)).toThrow(/classify memory: expected a size like 4000M or 8G, got "lots"/);
    expect(() => renderSlurmJobs(plan, { ...OPTIONS, throttle: 0 }, PATHS)).toThrow(/array throttle/);
    expect(() => renderSlurmJobs(plan, { ...OPTIONS, extra: ['--qos=a\necho injected'] }, PATHS)).toThrow(/^--extra: newline/);
    expect(() => renderSlurmJobs(plan, { ...OPTIONS, extra: ['echo injected'] }, PATHS)).toThrow(/--extra: an #SBATCH line holds sbatch options.*"echo" is not an option/);
    expect(() => renderSlurmJobs(plan, { ...OPTIONS, extra: ['--comment="open'] }, PATHS)).toThrow(/--extra: unmatched "/);
  });
});

describe('HTCondor job files', () => {
  it('a submit description per group queues one job per task; the DAG orders flows, CATHODE and merge', async () => {
    const plan = await samplePlan();
    const extra = ['requirements = (OpSys == "LINUX")', '+ProjectName = "bump-hunt"'];
    const { jobs, dag } = renderCondorJobs(plan, { ...OPTIONS, extra }, PATHS);
    const groups = taskGroups(plan);
    for (const [i, g] of groups.entries()) {
      const text = jobs[i].text;
      expect(text).toMatch(new RegExp(`^queue task in \\(${g.indices.join(' ')}\\)$`, 'm'));
      const flow = g.taskClass === 'flow';
      expect(text).toMatch(new RegExp(`^request_memory = ${flow ? 12 * 1024 : 3000}$`, 'm'));
      expect(text).toMatch(new RegExp(`^request_cpus   = ${flow ? 4 : 2}$`, 'm'));
      expect(text).toMatch(new RegExp(`^\\+MaxRuntime    = ${flow ? 26 * 3600 : 45 * 60}$`, 'm'));
      expect(text).toMatch(/^max_materialize = 3$/m);
      expect(text).toMatch(/^accounting_group = atlas$/m);
      expect(text).toContain('executable     = /usr/bin/node');
      expect(text).toContain(`arguments      = "/opt/sidewinder/scripts/sidewinder.mjs task --plan '/shared/my scan/plan.json' --cache '/shared/my scan/cache' --out '/shared/my scan' --index $(task)"`);
      expect(text).toContain('output         = /shared/my scan/logs/' + g.name + '-$(task).out');
      for (const l of extra) expect(text.split('\n')).toContain(l); // written as given
    }
    const merge = jobs[jobs.length - 1].text;
    expect(merge).toMatch(/^queue$/m);
    expect(merge).toContain("merge --plan '/shared/my scan/plan.json'");
    expect(dag.split('\n').filter((l) => /^(JOB|PARENT)/.test(l))).toEqual([
      'JOB stage1-flow stage1-flow.sub',
      'JOB stage1-classify stage1-classify.sub',
      'JOB stage2-classify stage2-classify.sub',
      'JOB merge merge.sub',
      'PARENT stage1-flow CHILD stage2-classify',
      'PARENT stage1-flow stage1-classify stage2-classify CHILD merge',
    ]);
  });
});

describe('limits, ranges and queue states', () => {
  it('parses Slurm time limits and memory sizes', () => {
    expect(parseTimeLimit('90')).toBe(5400);
    expect(parseTimeLimit('10:30')).toBe(630);
    expect(parseTimeLimit('01:00:00')).toBe(3600);
    expect(parseTimeLimit('2-12')).toBe(2 * 86400 + 12 * 3600);
    expect(parseTimeLimit('1-00:30:15')).toBe(86400 + 1815);
    expect(parseMemory('8G')).toBe(8192);
    expect(parseMemory('4000M')).toBe(4000);
    expect(parseMemory('4000')).toBe(4000);
    expect(parseMemory('1T')).toBe(1048576);
  });

  it('compacts indices into Slurm array ranges', () => {
    expect(compactRanges([5, 0, 1, 2, 9, 7, 8])).toBe('0-2,5,7-9');
    expect(compactRanges([3])).toBe('3');
  });

  it('reads squeue and sacct lines, expanding pending array ranges', () => {
    const q = parseQueueLines('101_4 R\n101_[5-7%2] PD\n102_[9,11] PD\n103 PD\ngarbage\n');
    expect([...q.entries()]).toEqual([
      ['101_4', 'running'], ['101_5', 'pending'], ['101_6', 'pending'], ['101_7', 'pending'], ['102_9', 'pending'], ['102_11', 'pending'], ['103', 'pending'],
    ]);
    const a = parseQueueLines('101_1|COMPLETED\n101_2|TIMEOUT\n101_3|OUT_OF_MEMORY\n104|CANCELLED by 0\n');
    expect(a.get('101_1')).toBe('completed');
    expect(a.get('101_2')).toBe('failed');
    expect(a.get('101_3')).toBe('failed');
    expect(a.get('104')).toBe('failed');
  });

  it('task states combine the cache, the queue and failure records', async () => {
    const plan = await samplePlan();
    const out = mkdtempSync(join(tmpdir(), 'sw-status-'));
    const cache = new ResultCache(join(out, 'cache'));
    cache.put(plan.tasks[0].key, { ok: true }, {});
    recordFailure(out, { index: 2, key: plan.tasks[2].key, message: 'boom', at: 'now', host: 'h' });
    const n = plan.tasks.length;
    const submission: SubmissionRecord = {
      schema: 'sidewinder/submission', version: 1, engine: 'slurm', planPath: '', cacheDir: '', outDir: out, jobDir: '', cluster: DEFAULT_CLUSTER_OPTIONS,
      submissions: [{ at: 'then', jobs: [{ name: 'all', jobId: '7', indices: plan.tasks.map((t) => t.index).slice(0, n - 1), after: [] }] }],
    };
    const queue = parseQueueLines('7_1 R\n7_3 PD\n7_4|TIMEOUT');
    const s = taskStatuses(plan, join(out, 'cache'), out, submission, queue);
    expect(s.slice(0, 5).map((x) => x.state)).toEqual(['done', 'running', 'failed', 'pending', 'failed']);
    expect(s[2].message).toBe('boom');
    expect(s[5].state).toBe('lost'); // submitted, gone from the queue, no result
    expect(s[n - 1].state).toBe('not-submitted');
  });
});
