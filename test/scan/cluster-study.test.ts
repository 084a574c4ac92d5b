/**
 * Studies on a batch engine (issue 17): `sidewinder lee` and `sidewinder sensitivity` with
 * `--engine slurm|condor` write one study plan — the union of their scans' tasks, each cache key once —
 * whose job files the existing engines render; its tasks run through `sidewinder task`'s code and its
 * merge gives exactly what the local study path gives. Tiny scans (IAD, window 5, ε_B = 1e-2).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScanConfig } from '../../lib/scan/config.js';
import { runScan } from '../../lib/scan/scan.js';
import { planLookElsewhere, runLookElsewhere } from '../../lib/scan/lee.js';
import { planSensitivity, runSensitivity, type SensitivityDocument } from '../../lib/scan/sensitivity.js';
import { missingStudyTasks, readAnyPlan, type StudyPlan } from '../../lib/scan/study.js';
import { DEFAULT_CLUSTER_OPTIONS } from '../../lib/scan/engines/groups.js';
import { mergeStudyPlan } from '../../lib/scan/studies.js';
import { submitPlan } from '../../lib/scan/engines/submit.js';
import { arraySpec } from '../../lib/scan/engines/slurm.js';
import type { ResultsDocument } from '../../lib/scan/results.js';
import { InputError } from '../../lib/util/errors.js';
import { runTaskCommand } from '../../scripts/commands/task.js';
import { mergeStudyCommand } from '../../scripts/commands/merge.js';
import { consoleReporter } from '../../scripts/reporter.js';
import { tinyScanConfig } from '../helpers/tinyScan.js';

const REPO = new URL('../../', import.meta.url).pathname;
const cli = (...args: string[]) => spawnSync(process.execPath, [join(REPO, 'scripts', 'sidewinder.mjs'), ...args], { cwd: REPO, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'sw-study-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** The tiny scan with CWoLa only and a control sample (CWoLa's control task is the same in every variant). */
function tinyWithControl(seed: number): ScanConfig {
  const cfg = tinyScanConfig(seed);
  cfg.methods = ['cwola'];
  cfg.control = { generate: { background: 60_000, signal: 0, seed: 13, backgroundModel: 'alternative' } };
  return cfg;
}

const readJson = <T>(p: string): T => JSON.parse(readFileSync(p, 'utf8')) as T;
const comparable = (r: ResultsDocument): Omit<ResultsDocument, 'createdAt'> => {
  const { createdAt: _, ...rest } = r;
  return rest;
};

/** Run the given study tasks as the array jobs would (`sidewinder task --plan … --index i`), in this process. */
async function runTasks(planPath: string, indices: readonly number[], cache: string): Promise<void> {
  for (const i of indices) await runTaskCommand({ plan: planPath, index: String(i), cache });
  expect(process.exitCode ?? 0).toBe(0);
}

describe('a look-elsewhere study on a batch engine', () => {
  it('plans each shared task once, submits only the uncached ones, and merges to the local result', async () => {
    const dir = tmp();
    const scan = join(dir, 'scan');
    await runScan(tinyWithControl(3), { outDir: scan, cacheDir: join(scan, 'cache') });
    const localScan = join(dir, 'local');
    cpSync(scan, localScan, { recursive: true });

    // What `sidewinder lee --engine slurm --dry-run` does (its CLI runs in cluster-study-slurm.test.ts and the sweep's below).
    const { planPath, duplicates } = await planLookElsewhere({ scanDir: scan, toys: 2 });
    expect(planPath).toBe(join(scan, 'lee', 'plan.json'));
    const read = readAnyPlan(planPath);
    expect(read.kind).toBe('study');
    const plan = read.plan as StudyPlan;
    expect(plan.variants.map((v) => v.id)).toEqual(['toy-0', 'toy-1']);
    // Per toy: CWoLa on its own pseudo-data, and CWoLa on the control sample — the same task in both toys.
    expect(plan.tasks.map((t) => [t.variant, t.sample])).toEqual([['toy-0', 'data'], ['toy-0', 'control'], ['toy-1', 'data']]);
    expect(new Set(plan.tasks.map((t) => t.key)).size).toBe(3);
    expect(duplicates).toBe(1);
    const missing = missingStudyTasks(plan, join(scan, 'cache'));
    expect(missing).toEqual([0, 2]);
    await submitPlan(plan, { engine: 'slurm', planPath, cacheDir: join(scan, 'cache'), outDir: join(scan, 'lee'), dryRun: true, indices: missing, cluster: { ...DEFAULT_CLUSTER_OPTIONS, throttle: 3 } });
    // The control task is the observed scan's (cached): only the two toys' data tasks are submitted.
    const jobs = join(scan, 'lee', 'jobs', 'slurm');
    const array = readFileSync(join(jobs, 'stage1-classify.sbatch'), 'utf8');
    expect(array).toContain(`#SBATCH --array=${arraySpec({ indices: [0, 2] }, 3)}`);
    expect(array).toContain(`task --plan ${planPath} --cache ${join(scan, 'cache')} --out ${join(scan, 'lee')} --index "$SLURM_ARRAY_TASK_ID"`);
    expect(readFileSync(join(jobs, 'merge.sbatch'), 'utf8')).toContain(`merge --plan ${planPath} --cache ${join(scan, 'cache')} --out ${join(scan, 'lee')}`);
    expect(readFileSync(join(jobs, 'submit.sh'), 'utf8')).toMatch(/merge=\$\(sbatch --parsable --dependency=afterok:\$stage1_classify --kill-on-invalid-dep=yes merge.sbatch/);

    // Merging before the tasks ran is refused, naming them; nothing is written.
    const early = await mergeStudyPlan(plan, planPath).catch((e: unknown) => e);
    expect(early).toBeInstanceOf(InputError);
    expect((early as Error).message).toMatch(/^study: 2 of 3 task results are not in .* yet \(tasks 0,2: task 0 · window 5 \(3.5 TeV\) · cwola · data · run 0 · toy-0; task 2 · .* · toy-1\)/);
    expect(existsSync(join(scan, 'lee.json'))).toBe(false);

    await runTasks(planPath, [0, 2], join(scan, 'cache'));
    const merged = await mergeStudyPlan(plan, planPath);
    expect(merged.kind).toBe('lee');

    // The local path on a copy of the scan, with its own cache: the same pseudo-experiments and global p.
    const local = await runLookElsewhere({ scanDir: localScan, toys: 2 });
    const lee = readJson<{ toys: number; maxLocalZ: unknown }>(join(scan, 'lee.json'));
    expect(lee.toys).toBe(2);
    expect(lee.maxLocalZ).toEqual(local.summary.maxLocalZ);
    expect(readJson<ResultsDocument>(join(scan, 'results.json')).lookElsewhere).toEqual(local.results.lookElsewhere);
    for (const id of ['toy-0', 'toy-1'])
      expect(comparable(readJson(join(scan, 'lee', 'variants', id, 'results.json')))).toEqual(comparable(readJson(join(localScan, 'lee', 'variants', id, 'results.json'))));
    // Not vacuous: the two toys are different pseudo-data (their signed Z differ).
    const signedZ = (id: string) => readJson<ResultsDocument>(join(scan, 'lee', 'variants', id, 'results.json')).runs[0].zCowan;
    expect(signedZ('toy-0')).not.toBe(signedZ('toy-1'));

    // A rerun with one more toy: the finished toys are reused, only the new toy's data task is sent.
    const more = await planLookElsewhere({ scanDir: scan, toys: 3 });
    expect(more.plan.variants.map((v) => [v.id, v.reused])).toEqual([['toy-0', true], ['toy-1', true], ['toy-2', false]]);
    expect(more.plan.tasks.map((t) => [t.variant, t.sample])).toEqual([['toy-2', 'data'], ['toy-2', 'control']]);
    const cond = await submitPlan(more.plan, { engine: 'condor', planPath: more.planPath, cacheDir: join(scan, 'cache'), outDir: join(scan, 'lee'), dryRun: true, indices: [0] });
    const dag = readFileSync(cond.files.at(-1)!, 'utf8');
    expect(dag).toContain('PARENT stage1-classify CHILD merge');
    expect(readFileSync(join(cond.jobDir, 'stage1-classify.sub'), 'utf8')).toContain('queue task in (0)');
  }, 120_000);
});

describe('a sensitivity study on a batch engine', () => {
  it('job files: flows before the CATHODE classifiers, control-sample tasks once per run, a merge after all', () => {
    const dir = tmp();
    const out = join(dir, 'sens');
    // Planning only (nothing trains): the tiny scan with CATHODE and a control sample.
    const cfg = tinyWithControl(1);
    cfg.methods = ['iad', 'cathode'];
    writeFileSync(join(dir, 'scan.json'), JSON.stringify(cfg));
    const r = cli('sensitivity', '--config', join(dir, 'scan.json'), '--signal', '0,500', '--runs', '1', '--engine', 'slurm', '--dry-run', '-o', out, '--log');
    expect(r.status, r.stderr).toBe(0);
    const plan = readJson<StudyPlan>(join(out, 'plan.json'));
    const keyed = plan.tasks.map((t) => `${t.variant}/${t.sample}/${t.method}/${t.kind}`);
    // Data: a flow, IAD and CATHODE per level; control: its flow and CATHODE once (same control sample at both levels; IAD has no control task).
    expect(keyed.sort()).toEqual([
      'signal-0-run-0/control/cathode/classify', 'signal-0-run-0/control/cathode/flow',
      'signal-0-run-0/data/cathode/classify', 'signal-0-run-0/data/cathode/flow', 'signal-0-run-0/data/iad/classify',
      'signal-500-run-0/data/cathode/classify', 'signal-500-run-0/data/cathode/flow', 'signal-500-run-0/data/iad/classify',
    ]);
    expect(r.stdout).toContain('8 distinct tasks, 2 shared by several scans listed once; 0 already in the cache, 8 to run');
    const jobs = join(out, 'jobs', 'slurm');
    const idx = (f: (t: StudyPlan['tasks'][number]) => boolean) => plan.tasks.filter(f).map((t) => t.index);
    expect(readFileSync(join(jobs, 'stage1-flow.sbatch'), 'utf8')).toContain(`--array=${arraySpec({ indices: idx((t) => t.kind === 'flow') })}`);
    expect(readFileSync(join(jobs, 'stage2-classify.sbatch'), 'utf8')).toContain(`--array=${arraySpec({ indices: idx((t) => t.method === 'cathode' && t.kind === 'classify') })}`);
    const submit = readFileSync(join(jobs, 'submit.sh'), 'utf8');
    expect(submit).toMatch(/stage2_classify=\$\(sbatch --parsable --dependency=afterok:\$stage1_flow /);
    expect(submit).toMatch(/merge=\$\(sbatch --parsable --dependency=afterok:\$stage1_flow:\$stage1_classify:\$stage2_classify /);
    // Every CATHODE classifier depends on a flow of the plan (its own level's, or the shared control flow).
    const keys = new Set(plan.tasks.map((t) => t.key));
    for (const t of plan.tasks) for (const k of t.dependsOn) expect(keys.has(k)).toBe(true);
  }, 60_000);

  it('tasks via the task command, then `sidewinder merge` on the study: the local sweep\'s document', async () => {
    const dir = tmp();
    const base = tinyWithControl(1);
    const cluster = join(dir, 'cluster');
    const { plan, planPath, duplicates } = await planSensitivity({ base, levels: [0, 1000], runs: 1, source: { kind: 'generated' }, outDir: cluster });
    expect(duplicates).toBe(1); // the control-sample CWoLa task, the same at both levels
    await runTasks(planPath, plan.tasks.map((t) => t.index), join(cluster, 'cache'));
    // What `sidewinder merge -o <study>` runs (the CLI merge job runs in cluster-study-slurm.test.ts).
    await mergeStudyCommand(readAnyPlan(planPath).plan as StudyPlan, planPath, { report: false, reporter: consoleReporter('quiet') });
    const status = cli('status', '-o', cluster);
    expect(status.stdout).toMatch(/done\s+3\s+tasks 0-2/);
    expect(status.stdout).toContain(`all tasks done; results in ${join(cluster, 'sensitivity.json')}`);

    const local = await runSensitivity({ base, levels: [0, 1000], runs: 1, source: { kind: 'generated' }, outDir: join(dir, 'local') });
    const fromCluster = readJson<SensitivityDocument>(join(cluster, 'sensitivity.json'));
    const { createdAt: _a, ...c } = fromCluster;
    const { createdAt: _b, ...l } = JSON.parse(JSON.stringify(local)) as SensitivityDocument;
    expect(c).toEqual(l);
    // Not vacuous: the injected signal is seen.
    const z = (s: number) => fromCluster.points.find((p) => p.signal === s)!.zCowan!.median;
    expect(z(1000)).toBeGreaterThan(z(0) + 3);
  }, 120_000);
});
