import { describe, expect, it } from 'vitest';
import { evenlyStridedRows } from '../../lib/util/strided.js';

describe('evenly strided rows', () => {
  it('all rows when there are few, else max rows spread from the first to near the last', () => {
    expect(Array.from(evenlyStridedRows(4, 10))).toEqual([0, 1, 2, 3]);
    expect(Array.from(evenlyStridedRows(10, 4))).toEqual([0, 2, 5, 7]);
    expect(evenlyStridedRows(0, 5).length).toBe(0);
  });

  it('a sample sorted by mass keeps its mass spectrum: the subset spans every decile', () => {
    const rows = evenlyStridedRows(1_000_000, 200_000);
    const perDecile = new Array(10).fill(0);
    for (const r of rows) perDecile[Math.floor(r / 100_000)]++;
    expect(perDecile).toEqual(new Array(10).fill(20_000));
  });
});
