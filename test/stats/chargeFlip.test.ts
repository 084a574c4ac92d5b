import { describe, expect, it } from 'vitest';
import { createRng, type Rng } from '../../lib/util/rng.js';
import { chargeFlipBin, chargeFlipCounts, fitChargeFlipRates, predictSameSign, sameSignProbability } from '../../lib/stats/background/chargeFlip.js';

/** Z → ee toy: each electron lands in a bin with probabilities `occupancy` and flips its charge with p_bin. */
function toyPairs(n: number, truth: readonly number[], occupancy: readonly number[], rng: Rng) {
  const cdf = occupancy.map((_, i) => occupancy.slice(0, i + 1).reduce((a, b) => a + b, 0));
  const pick = () => { const u = rng.uniform() * cdf[cdf.length - 1]; return cdf.findIndex((c) => u < c); };
  const bin1 = new Int32Array(n), bin2 = new Int32Array(n), sameSign = new Uint8Array(n);
  for (let k = 0; k < n; k++) {
    const i = pick(), j = pick();
    const flips = Number(rng.uniform() < truth[i]) + Number(rng.uniform() < truth[j]);
    bin1[k] = i; bin2[k] = j; sameSign[k] = flips === 1 ? 1 : 0; // two flips give opposite sign again
  }
  return { bin1, bin2, sameSign };
}

const truth = [0.0005, 0.001, 0.003, 0.008, 0.02, 0.05];
const occupancy = [0.3, 0.25, 0.2, 0.12, 0.08, 0.05];

describe('charge-flip rates', () => {
  it('same-sign probability is one flip out of two', () => {
    expect(sameSignProbability(0.1, 0.2)).toBeCloseTo(0.1 * 0.8 + 0.2 * 0.9, 15);
    expect(sameSignProbability(0, 0)).toBe(0);
  });

  it('bins (pT, η) pT-major, −1 outside', () => {
    expect(chargeFlipBin(35, 1.2, [20, 30, 50], [0, 1.37, 2.47])).toBe(2);
    expect(chargeFlipBin(25, 0.3, [20, 30, 50], [0, 1.37, 2.47])).toBe(0);
    expect(chargeFlipBin(60, 0.3, [20, 30, 50], [0, 1.37, 2.47])).toBe(-1);
  });

  it('closure on Z → ee toys: unbiased rates with pulls of unit width', () => {
    const nToys = 60, rng = createRng(2024);
    const pulls: number[] = [];
    let devSum = 0, ndf = 0;
    for (let t = 0; t < nToys; t++) {
      const pairs = toyPairs(100000, truth, occupancy, rng.fork(`toy:${t}`));
      const fit = fitChargeFlipRates(chargeFlipCounts(pairs, truth.length));
      expect(fit.converged).toBe(true);
      truth.forEach((p, i) => pulls.push((fit.rates[i] - p) / fit.errors[i]));
      devSum += fit.deviance; ndf = fit.ndf;
    }
    const mean = pulls.reduce((a, b) => a + b, 0) / pulls.length;
    const sd = Math.sqrt(pulls.reduce((a, b) => a + (b - mean) ** 2, 0) / (pulls.length - 1));
    // 360 pulls: mean ± 0.053, sd ± 0.037 at 1σ; the low-rate bins have few same-sign pairs (mild Poisson skew).
    expect(Math.abs(mean)).toBeLessThan(0.2);
    expect(sd).toBeGreaterThan(0.85);
    expect(sd).toBeLessThan(1.15);
    // The deviance is χ²-like with ndf = 21 − 6 = 15 degrees of freedom when the model is right.
    expect(ndf).toBe(15);
    expect(devSum / nToys).toBeGreaterThan(ndf - 3);
    expect(devSum / nToys).toBeLessThan(ndf + 3);
  });

  it('predicts same-sign counts from opposite-sign pairs of an independent sample', () => {
    const rates = fitChargeFlipRates(chargeFlipCounts(toyPairs(200000, truth, occupancy, createRng(5)), truth.length));
    const other = toyPairs(100000, truth, occupancy, createRng(6));
    const os1: number[] = [], os2: number[] = [];
    let observed = 0;
    for (let k = 0; k < other.bin1.length; k++) {
      if (other.sameSign[k]) observed++;
      else { os1.push(other.bin1[k]); os2.push(other.bin2[k]); }
    }
    const pred = predictSameSign(os1, os2, rates);
    const sigma = Math.sqrt(observed + pred.sigmaRates ** 2);
    expect(Math.abs(pred.nSameSign - observed)).toBeLessThan(3 * sigma);
  });

  it('refuses inputs it cannot fit, naming the problem', () => {
    expect(() => chargeFlipCounts({ bin1: [0, 3], bin2: [1, 1], sameSign: [0, 1] }, 3)).toThrow(/pair 1: bin1 = 3/);
    const c = chargeFlipCounts({ bin1: [0, 0, 1], bin2: [0, 1, 1], sameSign: [1, 0, 1] }, 3);
    expect(() => fitChargeFlipRates(c)).toThrow(/bin 2 appears in no pair/);
    expect(() => fitChargeFlipRates({ nBins: 1, total: new Float64Array([2]), sameSign: new Float64Array([3]) })).toThrow(/3 same-sign pairs but only 2/);
  });
});
