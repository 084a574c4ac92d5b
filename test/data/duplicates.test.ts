import { describe, expect, it } from 'vitest';
import { EventTable } from '../../lib/data/eventTable.js';
import { findDuplicateEvents, findSharedEvents, rowHashes } from '../../lib/data/duplicates.js';
import { createRng } from '../../lib/util/rng.js';

function table(cols: Record<string, number[]>): EventTable {
  return new EventTable(Object.fromEntries(Object.entries(cols).map(([k, v]) => [k, Float64Array.from(v)])));
}

function randomEvents(n: number, seed: number): EventTable {
  const rng = createRng(seed);
  return table({ mJJ: Array.from({ length: n }, () => 3 + rng.uniform()), mJ1: Array.from({ length: n }, () => rng.uniform()), label: Array.from({ length: n }, () => 0) });
}

describe('exact duplicate events', () => {
  it('independent continuous events have none', () => {
    expect(findDuplicateEvents(randomEvents(50_000, 1))).toEqual({ count: 0 });
  });

  it('counts every copy beyond the first and names the earliest copied pair', () => {
    const t = table({ mJJ: [3.1, 3.2, 3.1, 3.3, 3.1, 3.2], mJ1: [0.1, 0.2, 0.1, 0.3, 0.1, 0.25] });
    // Rows 0, 2, 4 are one event (two copies); rows 1 and 5 differ in mJ1.
    expect(findDuplicateEvents(t)).toEqual({ count: 2, example: [0, 2] });
  });

  it('ignores the truth label and treats −0 as +0', () => {
    const t = table({ mJJ: [3.5, 3.5, 3.6], dR: [0, -0, 1], label: [0, 1, 0] });
    expect(findDuplicateEvents(t)).toEqual({ count: 1, example: [0, 1] });
  });

  it('a sample written twice and shuffled: every event found once as a copy', () => {
    const base = randomEvents(20_000, 2);
    const order = createRng(3).permutation(40_000);
    const twice = EventTable.concat([base, base]).take(Array.from(order));
    expect(findDuplicateEvents(twice).count).toBe(20_000);
  });

  it('distinct events get distinct 64-bit hashes over the label-free columns, in name order', () => {
    const t = randomEvents(1000, 4);
    const h = rowHashes(t);
    expect(new Set(Array.from(h.h1, (v, i) => `${v}:${h.h2[i]}`)).size).toBe(1000);
    expect(h.columns).toEqual(['mJ1', 'mJJ']);
  });
});

describe('events shared by two samples', () => {
  it('counts the events of the second sample found in the first, in any order, on the common columns', () => {
    const a = randomEvents(10_000, 5);
    const part = a.take(Array.from({ length: 3000 }, (_, i) => 9999 - 3 * i));
    const b = EventTable.concat([randomEvents(5000, 6), part]).select(['mJJ', 'mJ1']);
    const s = findSharedEvents(a, b);
    expect(s.count).toBe(3000);
    expect(s.example).toEqual([9999, 5000]);
    expect(findSharedEvents(a, randomEvents(10_000, 7))).toEqual({ count: 0 });
  });

  it('samples without a common column share nothing', () => {
    expect(findSharedEvents(table({ x: [1] }), table({ y: [1] }))).toEqual({ count: 0 });
  });
});
