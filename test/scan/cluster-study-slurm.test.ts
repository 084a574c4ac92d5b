/**
 * A look-elsewhere study through a real single-node Slurm on loopback: `sidewinder lee --engine slurm`
 * → array jobs running `sidewinder task` on the study plan → the merge job writing the scan's global p
 * and lee.json. (That the merge equals the local study path is checked without Slurm in
 * cluster-study.test.ts.) Skipped, with the reason, where Slurm cannot be started (see cluster-slurm.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScan } from '../../lib/scan/scan.js';
import type { SubmissionRecord } from '../../lib/scan/engines/status.js';
import type { ResultsDocument } from '../../lib/scan/results.js';
import { tinyScanConfig } from '../helpers/tinyScan.js';
import { slurmUnavailableReason, startSlurm, type SlurmCluster } from './slurmCluster.js';

const REPO = new URL('../../', import.meta.url).pathname;
const CLI = join(REPO, 'scripts', 'sidewinder.mjs');
const unavailable = slurmUnavailableReason();
if (unavailable) console.warn(`skipping the Slurm study test: ${unavailable}`);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!!unavailable)('look-elsewhere study on a real Slurm', () => {
  let cluster: SlurmCluster | undefined;
  const dirs: string[] = [];

  beforeAll(async () => {
    try {
      cluster = await startSlurm({ cpus: 2 });
    } catch (e) {
      console.warn(`skipping the Slurm study test: Slurm could not be started here: ${(e as Error).message}`);
    }
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
    dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
  }, 30_000);

  it('lee --engine slurm: toys as array jobs, then the merge job writes the global p', async (ctx) => {
    if (!cluster) return ctx.skip();
    const dir = mkdtempSync(join(tmpdir(), 'sw-slurm-lee-'));
    dirs.push(dir);
    const scan = join(dir, 'scan');
    const cfg = tinyScanConfig(3);
    cfg.methods = ['iad'];
    await runScan(cfg, { outDir: scan, cacheDir: join(scan, 'cache') });
    const t0 = Date.now();
    const sub = spawnSync(process.execPath, [CLI, 'lee', '-o', scan, '--toys', '2', '--engine', 'slurm', '--log', '--no-report',
      '--classify-mem', '1500M', '--merge-mem', '1500M', '--classify-cpus', '1'], { cwd: REPO, env: cluster.env, encoding: 'utf8' });
    expect(sub.status, sub.stderr).toBe(0);
    const study = join(scan, 'lee');
    const jobs = (JSON.parse(readFileSync(join(study, 'submission.json'), 'utf8')) as SubmissionRecord).submissions[0].jobs;
    // Two toys × IAD on their pseudo-data: two tasks in one array, then the merge.
    expect(jobs.map((j) => [j.name, j.indices])).toEqual([['stage1-classify', [0, 1]], ['merge', []]]);
    const ids = jobs.map((j) => j.jobId);
    for (;;) {
      const q = execFileSync('squeue', ['-h', '-j', ids.join(','), '-o', '%i %T'], { env: cluster.env, encoding: 'utf8' }).trim();
      if (!q) break;
      if (Date.now() - t0 > 240_000) throw new Error(`Slurm jobs still queued:\n${q}`);
      await sleep(500);
    }
    const logs = (): string => spawnSync('sh', ['-c', `tail -n 5 ${join(study, 'logs')}/*`], { encoding: 'utf8' }).stdout;
    const states = ids.map((id) => /JobState=(\w+)/.exec(execFileSync('scontrol', ['show', 'job', id, '-o'], { env: cluster!.env, encoding: 'utf8' }))?.[1]);
    expect(states, logs()).toEqual(['COMPLETED', 'COMPLETED']);
    console.log(`Slurm look-elsewhere study (2 toys, 2 tasks + merge): ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    expect(existsSync(join(scan, 'lee.json')), logs()).toBe(true);
    const results = JSON.parse(readFileSync(join(scan, 'results.json'), 'utf8')) as ResultsDocument;
    for (const l of results.lookElsewhere!) expect(l).toMatchObject({ globalMethod: 'pseudo-experiments', nPseudoExperiments: 2 });
    const status = spawnSync(process.execPath, [CLI, 'status', '--out', study], { cwd: REPO, env: cluster.env, encoding: 'utf8' });
    expect(status.stdout).toMatch(/done\s+2\s+tasks 0-1/);
    expect(status.stdout).toContain(`all tasks done; results in ${join(scan, 'lee.json')}`);
  }, 300_000);
});
