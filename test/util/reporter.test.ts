import { describe, expect, it } from 'vitest';
import { sharedEpochCounter } from '../../lib/util/reporter.js';

describe('sharedEpochCounter (flow epochs from a worker thread)', () => {
  it('counts the epochs of an ensemble into shared memory; a member stopped early counts as complete', () => {
    const cells = new Int32Array(new SharedArrayBuffer(8));
    const r = sharedEpochCounter(cells, 3);
    const seen: [number, number][] = [];
    const epoch = (done: number) => {
      r.progress('flow epochs', done, 4);
      seen.push([cells[0], cells[1]]);
    };
    [1, 2, 3, 4].forEach(epoch); // member 1: all 4 epochs
    [1, 2].forEach(epoch); // member 2: early stop after 2
    [1, 2, 3, 4].forEach(epoch); // member 3
    expect(seen).toEqual([
      [1, 12], [2, 12], [3, 12], [4, 12],
      [5, 12], [6, 12],
      [9, 12], [10, 12], [11, 12], [12, 12],
    ]);
    r.log('info', 'dropped'); // logs do not cross the thread boundary
  });
});

describe('flow epochs of concurrent flow tasks (lib/methods/flowProgress.ts)', () => {
  it('one bar over all tasks: shown at 0 of the epochs planned from the start, polled while workers train, complete when all finish', async () => {
    const { flowEpochProgress } = await import('../../lib/methods/flowProgress.js');
    const { vi } = await import('vitest');
    vi.useFakeTimers();
    try {
      const calls: [string, number, number][] = [];
      const reporter = { progress: (s: string, d: number, t: number) => calls.push([s, d, t]), log() {} };
      const a = flowEpochProgress(reporter, 'task-a', 10);
      const b = flowEpochProgress(reporter, 'task-b', 10);
      expect(calls).toEqual([['flow epochs', 0, 10], ['flow epochs', 0, 20]]);
      // The workers write [done, planned]; the second trains 2 flows × 10 epochs (its own count wins).
      Atomics.store(a.cells, 0, 4); Atomics.store(a.cells, 1, 10);
      Atomics.store(b.cells, 0, 3); Atomics.store(b.cells, 1, 20);
      vi.advanceTimersByTime(500);
      expect(calls.at(-1)).toEqual(['flow epochs', 7, 30]);
      a.finish(); // stopped early at 4 of 10: counts as done
      expect(calls.at(-1)).toEqual(['flow epochs', 13, 30]);
      b.finish();
      expect(calls.at(-1)).toEqual(['flow epochs', 30, 30]);
      const n = calls.length;
      vi.advanceTimersByTime(2000);
      expect(calls.length).toBe(n); // polling stopped
      // A later batch starts a fresh bar.
      flowEpochProgress(reporter, 'task-c', 5).finish();
      expect(calls.slice(n)).toEqual([['flow epochs', 0, 5], ['flow epochs', 5, 5]]);
    } finally {
      vi.useRealTimers();
    }
  });
});
