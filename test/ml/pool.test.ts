import { describe, expect, it, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';
import '../helpers/poolTasks.js';
import { WorkerPool, WorkerTaskError, sharedArray } from '../../lib/ml/pool/pool.js';

describe('WorkerPool', () => {
  const pool = new WorkerPool({ size: 2 });
  afterAll(() => pool.close());

  it('runs tasks in worker threads writing into one SharedArrayBuffer (no copies)', async () => {
    const out = sharedArray(Float64Array, 10_000);
    const ids = await pool.runAll<number>(Array.from({ length: 8 }, (_, k) => ({ kind: 'test.squares', payload: { out, start: k * 1250, end: (k + 1) * 1250 } })));
    for (let i = 0; i < 10_000; i++) expect(out[i]).toBe(i * i);
    expect(ids.every((id) => id !== threadId)).toBe(true);
    expect(new Set(ids).size).toBeLessThanOrEqual(2);
  });

  it('is reusable: a second batch runs on the same workers', async () => {
    const out = sharedArray(Float64Array, 100);
    const ids = await pool.runAll<number>([0, 1, 2, 3].map((k) => ({ kind: 'test.squares', payload: { out, start: k * 25, end: k * 25 + 25 } })));
    const again = await pool.runAll<number>([0, 1].map((k) => ({ kind: 'test.squares', payload: { out, start: k, end: k + 1 } })));
    expect(new Set([...ids, ...again]).size).toBeLessThanOrEqual(2);
  });

  it('re-throws handler errors with the kind and the original message; the pool survives', async () => {
    await expect(pool.run('test.fail', { message: 'bad fold 3' })).rejects.toThrow(WorkerTaskError);
    await expect(pool.run('test.fail', { message: 'bad fold 3' })).rejects.toThrow(/task "test.fail" failed in a worker: RangeError: bad fold 3/);
    const out = sharedArray(Float64Array, 4);
    await pool.run('test.squares', { out, start: 0, end: 4 });
    expect(Array.from(out)).toEqual([0, 1, 4, 9]);
  });

  it('a worker that dies rejects its task; the pool replaces it and goes on', async () => {
    await expect(pool.run('test.exit', {})).rejects.toThrow(/worker thread exited with code 3/);
    const out = sharedArray(Float64Array, 8);
    await pool.runAll([0, 1].map((k) => ({ kind: 'test.squares', payload: { out, start: 4 * k, end: 4 * k + 4 } })));
    expect(out[7]).toBe(49);
  });

  it('unknown kinds are refused up front, naming close ones', async () => {
    await expect(pool.run('test.square', {})).rejects.toThrow(/no handler for task kind "test.square".*did you mean "test.squares"/);
  });

  it('size 0 runs the same handlers inline', async () => {
    const inline = new WorkerPool({ size: 0 });
    const out = sharedArray(Float64Array, 10);
    const id = await inline.run<number>('test.squares', { out, start: 0, end: 10 });
    expect(id).toBe(threadId);
    expect(out[9]).toBe(81);
  });

  it('works from a plain `node --import tsx` process too, which exits with the shared pool left open', () => {
    const script = fileURLToPath(new URL('../helpers/poolScript.ts', import.meta.url));
    const root = fileURLToPath(new URL('../../', import.meta.url));
    const res = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', script], { cwd: root, encoding: 'utf8', timeout: 60_000 }).trim().split('\n').pop()!);
    expect(res).toEqual({ ok: true, threads: expect.any(Number) });
    expect(res.threads).toBeGreaterThanOrEqual(1);
  });
});
