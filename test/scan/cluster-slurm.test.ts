/**
 * Integration test against a real single-node Slurm on loopback: `sidewinder submit --engine slurm`
 * → array jobs running `sidewinder task` → the merge job, and the merged results must equal a local
 * run of the same configuration. Skipped (with the reason) where Slurm cannot be started: not root,
 * packages missing (`.ci/run` installs them when it can), or the daemons do not come up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { presetConfig } from '../../lib/scan/presets.js';
import { readPlan, runScan } from '../../lib/scan/scan.js';
import { ResultCache } from '../../lib/scan/cache.js';
import type { SubmissionRecord } from '../../lib/scan/engines/status.js';
import type { ResultsDocument } from '../../lib/scan/results.js';
import { slurmUnavailableReason, startSlurm, type SlurmCluster } from './slurmCluster.js';

const REPO = new URL('../../', import.meta.url).pathname;
const CLI = join(REPO, 'scripts', 'sidewinder.mjs');
const unavailable = slurmUnavailableReason();
if (unavailable) console.warn(`skipping the Slurm integration test: ${unavailable}`);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Window 5 (the signal), IAD, CWoLa and CATHODE with a one-epoch flow on 10k sideband events, on
 * smaller samples than the `ci` preset's (each task regenerates the samples it reads).
 */
function smallConfig() {
  const cfg = presetConfig('ci');
  cfg.dataset.generate!.background = 120_000;
  cfg.control!.generate!.background = 120_000;
  cfg.template.generate!.background = 50_000;
  cfg.windows.ids = [5];
  cfg.methods = ['iad', 'cwola', 'cathode'];
  cfg.cathode = { ...cfg.cathode, flow: { preset: 'default', epochs: 1, maxEvents: 10_000 } };
  cfg.lookElsewhere = { pseudoExperiments: 20 };
  return cfg;
}

/** Everything but the creation time. */
const comparable = (r: ResultsDocument): Omit<ResultsDocument, 'createdAt'> => {
  const { createdAt: _, ...rest } = r;
  return rest;
};

/** Wait until none of these jobs is queued or running. */
async function waitForJobs(cluster: SlurmCluster, ids: readonly string[], t0: number, limitMs = 180_000): Promise<void> {
  for (;;) {
    const q = execFileSync('squeue', ['-h', '-j', ids.join(','), '-o', '%i %T'], { env: cluster.env, encoding: 'utf8' }).trim();
    if (!q) return;
    if (Date.now() - t0 > limitMs) throw new Error(`Slurm jobs still queued after ${limitMs / 1000} s:\n${q}`);
    await sleep(500);
  }
}

/** Final state of each job (scontrol keeps finished jobs for MinJobAge). */
const jobStates = (cluster: SlurmCluster, ids: readonly string[]): (string | undefined)[] =>
  ids.map((id) => /JobState=(\w+)/.exec(execFileSync('scontrol', ['show', 'job', id, '-o'], { env: cluster.env, encoding: 'utf8' }))?.[1]);

describe.skipIf(!!unavailable)('Slurm round trip (real slurmctld + slurmd on loopback)', () => {
  let cluster: SlurmCluster | undefined;
  let startError: string | undefined;

  beforeAll(async () => {
    try {
      const t0 = Date.now();
      cluster = await startSlurm({ cpus: 2 });
      console.log(`Slurm up in ${((Date.now() - t0) / 1000).toFixed(1)} s (${cluster.dir})`);
    } catch (e) {
      startError = (e as Error).message;
      console.warn(`skipping the Slurm integration test: Slurm could not be started here: ${startError}`);
    }
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 30_000);

  it('submit → task × N → merge gives the local engine\'s results', async (ctx) => {
    if (!cluster) return ctx.skip();
    const dir = mkdtempSync(join(tmpdir(), 'sw-slurm-scan-'));
    const cfgPath = join(dir, 'scan.json');
    const cfg = smallConfig();
    writeFileSync(cfgPath, JSON.stringify(cfg));
    const slurmOut = join(dir, 'slurm');

    const t0 = Date.now();
    const sub = spawnSync(process.execPath, [CLI, 'submit', cfgPath, '--engine', 'slurm', '--out', slurmOut, '--log', '--throttle', '2',
      '--flow-mem', '1500M', '--classify-mem', '1500M', '--merge-mem', '1500M', '--flow-cpus', '1', '--classify-cpus', '1', '--extra', '--nice=0'],
    { cwd: REPO, env: cluster.env, encoding: 'utf8' });
    expect(sub.status, sub.stderr).toBe(0);
    const submission = JSON.parse(readFileSync(join(slurmOut, 'submission.json'), 'utf8')) as SubmissionRecord;
    const jobs = submission.submissions[0].jobs;
    expect(jobs.map((j) => j.name)).toEqual(['stage1-flow', 'stage1-classify', 'stage2-classify', 'merge']);
    const ids = jobs.map((j) => j.jobId);

    // The dependent jobs wait for their dependencies (Slurm holds them, nobody polls).
    const dep = execFileSync('scontrol', ['show', 'job', ids[3], '-o'], { env: cluster.env, encoding: 'utf8' });
    expect(dep).toMatch(new RegExp(`Dependency=afterok:${ids[0]}_\\*.*afterok:${ids[1]}_\\*.*afterok:${ids[2]}_\\*|Dependency=\\(null\\)`));

    await waitForJobs(cluster, ids, t0);
    const roundTrip = (Date.now() - t0) / 1000;
    const logs = (): string => spawnSync('sh', ['-c', `tail -n 5 ${join(slurmOut, 'logs')}/*`], { encoding: 'utf8' }).stdout;
    expect(jobStates(cluster, ids), logs()).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED']);
    expect(existsSync(join(slurmOut, 'results.json')), logs()).toBe(true);
    console.log(`Slurm round trip (submit → ${jobs.slice(0, 3).reduce((n, j) => n + j.indices.length, 0)} tasks → merge): ${roundTrip.toFixed(1)} s`);

    const status = spawnSync(process.execPath, [CLI, 'status', '--out', slurmOut], { cwd: REPO, env: cluster.env, encoding: 'utf8' });
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/done\s+7\s+tasks 0-6/);
    expect(status.stdout).toContain('all tasks done');

    // The same configuration on the local engine, with its own cache.
    const localOut = join(dir, 'local');
    const local = await runScan(cfg, { outDir: localOut, cacheDir: join(localOut, 'cache') });
    expect(local.computed).toBe(7);
    const fromSlurm = JSON.parse(readFileSync(join(slurmOut, 'results.json'), 'utf8')) as ResultsDocument;
    const fromLocal = JSON.parse(readFileSync(local.resultsPath, 'utf8')) as ResultsDocument;
    expect(JSON.parse(readFileSync(join(slurmOut, 'plan.json'), 'utf8'))).toEqual(JSON.parse(readFileSync(local.planPath, 'utf8')));
    expect(comparable(fromSlurm)).toEqual(comparable(fromLocal));
    // Not vacuous: the scan found the injected signal in window 5.
    expect(fromSlurm.runs.some((r) => r.method === 'iad' && r.zCowan > 3)).toBe(true);

    // Lose a result (as a crashed node would) and resubmit: that task and a new merge job run again.
    const plan = readPlan(join(slurmOut, 'plan.json'));
    new ResultCache(join(slurmOut, 'cache')).delete(plan.tasks[2].key);
    rmSync(join(slurmOut, 'results.json'));
    const lost = spawnSync(process.execPath, [CLI, 'status', '--out', slurmOut], { cwd: REPO, env: cluster.env, encoding: 'utf8' });
    expect(lost.stdout).toMatch(/done\s+6\s+tasks 0-1,3-6/);
    expect(lost.stdout).toMatch(/lost\s+1\s+tasks 2/);
    const t1 = Date.now();
    const re = spawnSync(process.execPath, [CLI, 'status', '--out', slurmOut, '--resubmit-failed'], { cwd: REPO, env: cluster.env, encoding: 'utf8' });
    expect(re.status, re.stderr).toBe(0);
    expect(re.stdout).toContain('resubmitted tasks 2');
    const second = (JSON.parse(readFileSync(join(slurmOut, 'submission.json'), 'utf8')) as SubmissionRecord).submissions[1].jobs;
    expect(second.map((j) => [j.name, j.indices])).toEqual([['stage1-classify', [2]], ['merge', []]]);
    await waitForJobs(cluster, second.map((j) => j.jobId), t1);
    expect(jobStates(cluster, second.map((j) => j.jobId)), logs()).toEqual(['COMPLETED', 'COMPLETED']);
    console.log(`resubmission of one lost task + merge: ${((Date.now() - t1) / 1000).toFixed(1)} s`);
    expect(comparable(JSON.parse(readFileSync(join(slurmOut, 'results.json'), 'utf8')) as ResultsDocument)).toEqual(comparable(fromLocal));
  }, 300_000);
});
