import { describe, expect, it } from 'vitest';
import { BestEpochs } from '../../lib/ml/epochEnsemble.js';

describe('BestEpochs (the epoch ensemble of the MLP, the flow and the GAN)', () => {
  it('keeps the n lowest losses, best first, earlier epoch on ties, NaN last', () => {
    const best = new BestEpochs<number>(3);
    [0.5, 0.3, 0.4, 0.3, 0.9, 0.1, NaN].forEach((loss, epoch) => best.offer(loss, () => epoch));
    expect(best.best()).toEqual([5, 1, 3]);
  });

  it('builds a snapshot only for an epoch it keeps', () => {
    const best = new BestEpochs<number>(2);
    const built: number[] = [];
    [3, 2, 5, 1, 4].forEach((loss, epoch) => best.offer(loss, () => (built.push(epoch), epoch)));
    expect(built).toEqual([0, 1, 3]);
    expect(best.best()).toEqual([3, 1]);
  });

  it('a diverged (NaN) epoch is kept only while there is room, after every finite one', () => {
    const best = new BestEpochs<string>(2);
    best.offer(NaN, () => 'nan');
    best.offer(7, () => 'seven');
    expect(best.best()).toEqual(['seven', 'nan']);
    best.offer(8, () => 'eight');
    expect(best.best()).toEqual(['seven', 'eight']);
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => new BestEpochs(0)).toThrow(/size must be an integer ≥ 1, got 0/);
  });
});
