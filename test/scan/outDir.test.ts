/**
 * Issue 16, item 4 (one writer per --out, no mix of two runs' files) and the task context of errors
 * thrown inside tasks (item 6), on a real tiny scan.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScan } from '../../lib/scan/scan.js';
import { withTaskContext } from '../../lib/scan/execute.js';
import { classifyCliError } from '../../scripts/cliErrors.js';
import { WorkerTaskError, type WorkerPool } from '../../lib/ml/pool/pool.js';
import { ConfigError, InputError, SidewinderError } from '../../lib/util/errors.js';
import { LOCK_FILE } from '../../lib/util/dirLock.js';
import type { ScanPlan, ScanTask } from '../../lib/scan/plan.js';
import { recordingReporter, tinyScanConfig } from '../helpers/tinyScan.js';

/** A pool whose workers all fail as the gradient-boosted trees do on a NaN feature. */
const failingPool = {
  size: 2,
  run: () => Promise.reject(new WorkerTaskError('cross-fit-fold', { name: 'InputError', message: 'fitBinEdges: X[196, 2] is NaN', stack: 'InputError: fitBinEdges…' })),
  close: async () => {},
} as unknown as WorkerPool;

describe('one writer per output directory', () => {
  it('a second scan into the same --out is refused naming the first; a failed run leaves no mix of two runs; the lock is released either way', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sw-out-'));
    const cacheDir = join(out, 'cache');
    // runScan takes the lock before its first await: the second call finds it held.
    const first = runScan(tinyScanConfig(1), { outDir: out, cacheDir });
    const second = runScan(tinyScanConfig(2), { outDir: out, cacheDir });
    await expect(second).rejects.toBeInstanceOf(InputError);
    await expect(second).rejects.toThrow(new RegExp(`^${out}: another sidewinder run writes into this directory: pid ${process.pid} on ${hostname()} since \\S+Z \\(.+\\); wait for it to finish or choose another --out$`));
    const done = await first;
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
    const firstResults = readFileSync(done.resultsPath, 'utf8');
    const firstPlan = readFileSync(done.planPath, 'utf8');

    // A run into the same --out that fails inside a task (a new seed: nothing cached).
    const r = recordingReporter();
    const failed = runScan(tinyScanConfig(2), { outDir: out, cacheDir, pool: failingPool, reporter: r });
    await expect(failed).rejects.toBeInstanceOf(InputError);
    await expect(failed).rejects.toThrow(/^task 0 · window 5 \(3\.5 TeV\) · iad · data · run 0: fitBinEdges: X\[196, 2\] is NaN$/);
    expect(await failed.catch((e: Error) => e.cause)).toBeInstanceOf(WorkerTaskError);
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
    // Its own plan only: the previous run's plan and results were moved aside, intact, with a message.
    expect(readdirSync(out).sort()).toEqual(['cache', 'plan.json', 'previous']);
    expect(readFileSync(join(out, 'plan.json'), 'utf8')).not.toBe(firstPlan);
    const [moved] = readdirSync(join(out, 'previous'));
    expect(readFileSync(join(out, 'previous', moved, 'results.json'), 'utf8')).toBe(firstResults);
    expect(readFileSync(join(out, 'previous', moved, 'plan.json'), 'utf8')).toBe(firstPlan);
    expect(r.infos).toContain(`${out}: moved the previous run's plan.json, results.json to ${join(out, 'previous', moved)}, so they are not mixed with this run's`);

    // A configuration error moves nothing.
    const bad = tinyScanConfig(3);
    bad.folds = 1;
    await expect(runScan(bad, { outDir: out, cacheDir })).rejects.toThrow(/folds/);
    expect(readdirSync(out).sort()).toEqual(['cache', 'plan.json', 'previous']);
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
  }, 120_000);
});

describe('errors inside tasks carry the task context', () => {
  const plan = { windows: [{ id: 5, srLow: 3.3, srHigh: 3.7, centre: 3.5, units: 'TeV' }] } as unknown as ScanPlan;
  const task: ScanTask = { index: 7, kind: 'classify', sample: 'data', windowId: 5, method: 'cathode', run: 0, seed: 1, key: 'ab'.repeat(32), dependsOn: [] };
  const prefix = 'task 7 · window 5 (3.5 TeV) · cathode · data · run 0: ';
  it.each([
    ['InputError', new InputError('fitBinEdges: X[196, 2] is NaN'), InputError],
    ['ConfigError', new ConfigError('folds must be ≥ 2'), ConfigError],
    ['TypeError (a bug)', new TypeError('x is undefined'), TypeError],
    ['worker ConfigError', new WorkerTaskError('k', { name: 'ConfigError', message: 'bad option' }), ConfigError],
    ['worker RangeError (a bug)', new WorkerTaskError('k', { name: 'RangeError', message: 'out of memory' }), Error],
    ['worker SidewinderError', new WorkerTaskError('k', { name: 'SidewinderError', message: 'bad file' }), SidewinderError],
  ])('%s keeps its class and message behind the context', (_what, err, Class) => {
    const wrapped = withTaskContext(err, task, plan);
    expect(wrapped).toBeInstanceOf(Class);
    expect(wrapped.constructor).toBe(Class);
    const original = err instanceof WorkerTaskError && err.remoteName !== 'RangeError' ? err.remoteMessage : err.message;
    // Bugs stay bugs: the CLI exits 70 (internal) for them, 1 or 2 for bad input or usage.
    const bug = err instanceof TypeError || (err instanceof WorkerTaskError && err.remoteName === 'RangeError');
    expect(classifyCliError(wrapped).code === 70).toBe(bug);
    expect(wrapped.message).toBe(prefix + original);
    expect(wrapped.cause).toBe(err);
    expect(withTaskContext(wrapped, task, plan)).toBe(wrapped); // not wrapped twice
  });
  it('flow and sideband-closure tasks are named as such', () => {
    expect(withTaskContext(new InputError('m'), { ...task, kind: 'flow' }, plan).message).toBe('task 7 · window 5 (3.5 TeV) · cathode flow · data · run 0: m');
    expect(withTaskContext(new InputError('m'), { ...task, kind: 'sideband-closure' }, plan).message).toBe('task 7 · window 5 (3.5 TeV) · cathode sideband closure · data · run 0: m');
  });
});
