/**
 * The flow's learning-rate schedule (issue 21, item 4): 'cosine' decays the step size to 0 over the
 * planned epochs, so the last epoch moves the weights far less than a constant rate does.
 */
import { describe, expect, it } from 'vitest';
import { sidebandLike2d } from '../../helpers/flowToys.js';
import { fitConditionalFlow, resolveFlowOptions } from '../../../lib/ml/flows/index.js';
import { ConfigError } from '../../../lib/util/errors.js';

const tiny = { blocks: 2, hidden: 8, epochs: 4, batchSize: 64, keepBestEpochs: 4, maxEvents: null } as const;

/** RMS change of the weights from the second-to-last to the last epoch (all epochs are kept). */
async function lastEpochStep(schedule: 'constant' | 'cosine'): Promise<number> {
  const { x, m } = sidebandLike2d(2000, 3);
  const flow = await fitConditionalFlow(x, m, { ...tiny, learningRateSchedule: schedule, seed: 5 });
  const byEpoch = [...flow.members].sort((a, b) => a.epoch - b.epoch);
  expect(byEpoch.map((b) => b.epoch)).toEqual([1, 2, 3, 4]);
  const a = byEpoch[2].params, b = byEpoch[3].params;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (b[i] - a[i]) ** 2;
  return Math.sqrt(s / a.length);
}

describe('flow learning-rate schedule', () => {
  it('cosine: the last epoch (lr ≤ 0.15 × lr₀) moves the weights much less than a constant rate', async () => {
    const constant = await lastEpochStep('constant'), cosine = await lastEpochStep('cosine');
    expect(constant).toBeGreaterThan(0);
    // Adam's step is ≈ lr per weight: the last quarter of a cosine averages ≈ 0.05 lr₀.
    expect(cosine).toBeLessThan(0.3 * constant);
  });

  it('default preset: cosine over 12 epochs; paper: constant; an unknown schedule is refused, naming the option', () => {
    expect(resolveFlowOptions({ seed: 1 })).toMatchObject({ learningRateSchedule: 'cosine', epochs: 12 });
    expect(resolveFlowOptions({ seed: 1, preset: 'paper' }).learningRateSchedule).toBe('constant');
    expect(resolveFlowOptions({ seed: 1, preset: 'paper' }).learningRateSchedule).toBe('constant');
    expect(() => resolveFlowOptions({ seed: 1, learningRateSchedule: 'step' as never })).toThrow(ConfigError);
    expect(() => resolveFlowOptions({ seed: 1, learningRateSchedule: 'step' as never })).toThrow(/learningRateSchedule/);
  });
});
