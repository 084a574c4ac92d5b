import { describe, expect, it } from 'vitest';
import { appliedSystematics, intrinsicSpread } from '../../lib/stats/dsys.js';
import { createRng } from '../../lib/util/rng.js';

describe('intrinsicSpread (τ: the windows\' bias spread beyond counting noise)', () => {
  it('is sqrt(s² − mean σ²) in closed form, 0 when the counting noise explains the spread, 0 for one window', () => {
    // values 0.1, 0.3, 0.2: s² = 0.01; σ = 0.05 each: noise 0.0025 → τ² = 0.0075.
    expect(intrinsicSpread([0.1, 0.3, 0.2].map((value) => ({ value, statError: 0.05 })))).toBeCloseTo(Math.sqrt(0.0075), 12);
    expect(intrinsicSpread([0.1, 0.3, 0.2].map((value) => ({ value, statError: 0.2 })))).toBe(0);
    expect(intrinsicSpread([{ value: 0.4, statError: 0.01 }])).toBe(0);
    expect(() => intrinsicSpread([{ value: NaN, statError: 0.1 }, { value: 0, statError: 0.1 }])).toThrow(/perWindow\[0\]/);
  });

  it('with overlapping windows (correlated counting noise) and the error of the mean, recovers τ; the plain formula understates it', () => {
    // 9 windows, counting noise σ_i = 0.1 with correlation 0.75 between every pair, true τ = 0.1.
    // σ_δ² of the mean = (σ²/n²)(n + n(n − 1)·0.75).
    const n = 9, sigma = 0.1, rho = 0.75, tau = 0.1;
    const meanError = Math.sqrt((sigma * sigma / (n * n)) * (n + n * (n - 1) * rho));
    const rng = createRng(5);
    let withMean = 0, plain = 0;
    const reps = 3000;
    for (let r = 0; r < reps; r++) {
      const common = rng.normal();
      const windows = Array.from({ length: n }, () => ({ value: tau * rng.normal() + sigma * (Math.sqrt(rho) * common + Math.sqrt(1 - rho) * rng.normal()), statError: sigma }));
      withMean += intrinsicSpread(windows, meanError) ** 2 / reps;
      plain += intrinsicSpread(windows) ** 2 / reps;
    }
    // E[τ̂²] ≥ τ² (the max(0, ·) clips from below); the plain estimate's bias is −(mean σ² − n/(n−1)(mean σ² − σ_δ²)) ≈ −0.0072.
    expect(Math.sqrt(withMean)).toBeGreaterThan(0.095);
    expect(Math.sqrt(withMean)).toBeLessThan(0.12);
    expect(Math.sqrt(plain)).toBeLessThan(0.08);
  });

  it('recovers the spread of true biases from noisy per-window measurements (toy, 4000 windows)', () => {
    // True bias per window ~ N(0.2, τ = 0.08), each measured with its own counting error σ_i in [0.02, 0.1].
    const rng = createRng(11);
    const windows = Array.from({ length: 4000 }, () => {
      const statError = 0.02 + 0.08 * rng.uniform();
      return { value: 0.2 + 0.08 * rng.normal() + statError * rng.normal(), statError };
    });
    // Standard error of τ̂ here ≈ 0.0015 (delta method on s² over 4000 values).
    expect(intrinsicSpread(windows)).toBeGreaterThan(0.08 - 0.006);
    expect(intrinsicSpread(windows)).toBeLessThan(0.08 + 0.006);
  });
});

describe('appliedSystematics: anchor vs residual', () => {
  const shift = { value: 0.3, statError: 0.05, spread: 0.1 };
  it('anchor keeps the applied shift as its own systematic; residual uses the error of the mean and τ', () => {
    expect(appliedSystematics(shift)).toEqual({ deltaSys: 0.3, sigmaSys: Math.sqrt(0.3 ** 2 + 0.05 ** 2) });
    expect(appliedSystematics(shift, [], { uncertainty: 'residual' })).toEqual({ deltaSys: 0.3, sigmaSys: Math.sqrt(0.05 ** 2 + 0.1 ** 2) });
  });
  it('residual: a shift compatible with zero is not applied, but τ still enters σ_sys (windows can be biased both ways)', () => {
    const r = appliedSystematics({ value: 0.01, statError: 0.02, spread: 0.05 }, [], { uncertainty: 'residual' });
    expect(r.deltaSys).toBe(0);
    expect(r.sigmaSys).toBeCloseTo(Math.hypot(0.02, 0.05), 15);
  });
  it('residual replaces only the applied shift: a source that never moves N_exp keeps its significant part', () => {
    // MC 0.1 ± 0.02 (applied), sideband closure 0.5 ± 0.02 (never applied): the closure's 0.5 stays in σ_sys.
    const r = appliedSystematics({ value: 0.1, statError: 0.02, spread: 0.03 }, [{ value: 0.5, statError: 0.02, spread: 0.01 }], { uncertainty: 'residual' });
    expect(r.deltaSys).toBe(0.1);
    expect(r.sigmaSys).toBeCloseTo(Math.sqrt(0.02 ** 2 + 0.03 ** 2 + 0.5 ** 2 + 0.02 ** 2), 15);
  });
});

describe('deltaSysUncertaintyOf (the scan\'s δsys mode)', () => {
  const gen = { generate: { background: 10, signal: 0, seed: 1 } };
  const file = { paths: ['/x/data.h5'] };
  it('auto: residual only when data and control are both generated (where toys validate it); anchor when either is a file', async () => {
    const { deltaSysUncertaintyOf } = await import('../../lib/scan/config.js');
    expect(deltaSysUncertaintyOf({ dataset: gen, control: gen, deltaSys: {} }).mode).toBe('residual');
    const alternative = { generate: { ...gen.generate, backgroundModel: 'alternative' as const } };
    expect(deltaSysUncertaintyOf({ dataset: gen, control: alternative, deltaSys: {} }).mode).toBe('residual');
    expect(deltaSysUncertaintyOf({ dataset: file, control: file, deltaSys: {} }).mode).toBe('anchor');
    expect(deltaSysUncertaintyOf({ dataset: gen, control: file, deltaSys: { uncertainty: 'auto' } }).mode).toBe('anchor');
    const foreign = deltaSysUncertaintyOf({ dataset: file, control: gen, deltaSys: {} });
    expect(foreign.mode).toBe('anchor');
    expect(foreign.why).toMatch(/from files/);
    expect(deltaSysUncertaintyOf({ dataset: gen, deltaSys: {} }).mode).toBe('anchor');
    // An explicit choice wins.
    expect(deltaSysUncertaintyOf({ dataset: gen, control: gen, deltaSys: { uncertainty: 'anchor' } })).toEqual({ mode: 'anchor', why: 'as configured (deltaSys.uncertainty)' });
    expect(deltaSysUncertaintyOf({ dataset: file, control: gen, deltaSys: { uncertainty: 'residual' } }).mode).toBe('residual');
  });
});
