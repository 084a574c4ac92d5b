import { describe, expect, it } from 'vitest';
import { globalPSource } from '../../lib/report/notes.js';
import type { LookElsewhereResult } from '../../lib/scan/results.js';

describe('how a global p was obtained, in words', () => {
  it('a single testable window says so without claiming the scan had one window; the other sources name theirs', () => {
    const base = { nPseudoExperiments: 0 } as unknown as LookElsewhereResult;
    expect(globalPSource({ ...base, globalMethod: 'single-window' })).toBe("one window with a significance (a one-window scan, or the other windows' cells refused): global = local");
    expect(globalPSource({ ...base, globalMethod: 'correlated-gaussian', trialsFactor: 8.94 })).toBe('correlated windows, Gaussian approximation, trials factor 8.9');
    expect(globalPSource({ ...base, globalMethod: 'pseudo-experiments', nPseudoExperiments: 1000 })).toBe('1,000 pseudo-experiments with retraining');
    expect(globalPSource(base)).toBe('Šidák bound');
  });
});
