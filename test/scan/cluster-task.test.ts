/** `sidewinder task / status / merge` on a written plan, without a batch system. */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { presetConfig } from '../../lib/scan/presets.js';
import { prepareScan, readPlan } from '../../lib/scan/scan.js';
import { ResultCache } from '../../lib/scan/cache.js';

const REPO = new URL('../../', import.meta.url).pathname;
const cli = (...args: string[]) => spawnSync(process.execPath, [join(REPO, 'scripts', 'sidewinder.mjs'), ...args], { cwd: REPO, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });

describe('sidewinder task on a plan', () => {
  it('refuses data that differ from the plan, leaving a failure record and no result; runs, reruns safely; status and merge see the cache', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-task-'));
    const cfg = presetConfig('ci');
    cfg.windows.ids = [5];
    cfg.methods = ['iad', 'cwola'];
    delete cfg.control;
    cfg.lookElsewhere = { pseudoExperiments: 0 };
    const good = join(dir, 'good');
    const { plan, planPath } = await prepareScan(cfg, { outDir: good });
    expect(plan.tasks.map((t) => t.method)).toEqual(['iad', 'cwola']);
    expect(readPlan(planPath)).toEqual(JSON.parse(JSON.stringify(plan)));

    // A plan made for other data: the task must refuse, say why, and leave nothing in the cache.
    const bad = join(dir, 'bad');
    mkdirSync(bad);
    writeFileSync(join(bad, 'plan.json'), JSON.stringify({ ...plan, datasets: { ...plan.datasets, data: '0'.repeat(64) } }));
    const refused = cli('task', '--plan', join(bad, 'plan.json'), '--index', '1');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('task 1 · window 5 (3.5 TeV) · cwola · data · run 0 FAILED');
    expect(refused.stderr).toMatch(/the "data" sample \(generated:\w+\) has SHA-256 [0-9a-f]{64}, but the plan was made for 0{64}/);
    const record = JSON.parse(readFileSync(join(bad, 'failed', 'task-1.json'), 'utf8')) as { index: number; message: string };
    expect(record.index).toBe(1);
    expect(new ResultCache(join(bad, 'cache')).keys()).toEqual([]);
    const badStatus = cli('status', '--out', bad);
    expect(badStatus.stdout).toMatch(/failed\s+1\s+tasks 1/);

    const outOfRange = cli('task', '--plan', planPath, '--index', '7');
    expect(outOfRange.status).not.toBe(0);
    expect(outOfRange.stderr).toContain('no task 7; the plan has tasks 0…1');

    const ran = cli('task', '--plan', planPath, '--index', '1');
    expect(ran.status, ran.stderr).toBe(0);
    expect(new ResultCache(join(good, 'cache')).keys()).toEqual([plan.tasks[1].key]);
    const again = cli('task', '--plan', planPath, '--index', '1');
    expect(again.status).toBe(0);
    expect(again.stderr).toContain('already in the cache');

    // A damaged result (one flipped byte): status lists it, the task recomputes it with a warning.
    const scores = join(good, 'cache', plan.tasks[1].key.slice(0, 2), plan.tasks[1].key, 'dataScores.bin');
    const bytes = readFileSync(scores);
    bytes[3] ^= 0x10;
    writeFileSync(scores, bytes);
    const damaged = cli('status', '--out', good);
    expect(damaged.stdout).toMatch(/damaged\s+1\s+tasks 1/);
    expect(damaged.stdout).toContain('task 1 · window 5 (3.5 TeV) · cwola · data · run 0: damaged: dataScores.bin does not match its SHA-256 checksum');
    const redo = cli('task', '--plan', planPath, '--index', '1');
    expect(redo.status, redo.stderr).toBe(0);
    expect(redo.stderr).toMatch(/warning: task 1 · window 5 \(3\.5 TeV\) · cwola · data · run 0: cached result \w+… in .* is damaged \(dataScores\.bin does not match its SHA-256 checksum\); recomputing it/);

    const status = cli('status', '--out', good);
    expect(status.stdout).toMatch(/done\s+1\s+tasks 1/);
    expect(status.stdout).toMatch(/not-submitted\s+1\s+tasks 0/);
    const early = cli('merge', '--out', good);
    expect(early.status).not.toBe(0);
    expect(early.stderr).toContain('1 of 2 task results are not in');
    expect(existsSync(join(good, 'results.json'))).toBe(false);
  }, 300_000); // nine CLI runs (≈ 4 s start each) plus the tasks; generous for a loaded CI machine
});
