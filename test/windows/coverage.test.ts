/**
 * Coverage of a window's regions by a sample's m_JJ spectrum (lib/windows/coverage.ts): a cut inside
 * a region is found, a steeply falling spectrum's sparse end never is.
 */
import { describe, expect, it } from 'vitest';
import { EventTable } from '../../lib/data/eventTable.js';
import { Rng } from '../../lib/util/rng.js';
import {
  describeCoverage, regionCoverage, sortedMassesTeV, windowCoverage, SIGNAL_REGION_AND_SHORT_SIDEBANDS, type Window,
} from '../../lib/windows/index.js';

const W1: Window = { id: 1, srLow: 2.9, srHigh: 3.3, centre: 3.1, units: 'TeV' };

/** A dijet-like falling spectrum above `from` TeV: density ∝ exp(−slope · (m − from)). */
function fallingSpectrum(n: number, seed: number, from = 2.5, slope = 8, upTo = Infinity): Float64Array {
  const rng = new Rng(seed), out: number[] = [];
  while (out.length < n) {
    const m = from + rng.exponential(slope);
    if (m <= upTo) out.push(m);
  }
  return Float64Array.from(out);
}

const table = (mTeV: Float64Array, unit: 'TeV' | 'GeV' = 'TeV') =>
  new EventTable({ mJJ: unit === 'TeV' ? mTeV : mTeV.map((m) => m * 1000) }, { mJJ: unit });

describe('window coverage', () => {
  it('a spectrum cut at 3.05 TeV: window 1 loses its lower sideband and the bottom of its SR, naming where events start', () => {
    const m = fallingSpectrum(200_000, 1, 3.05);
    const [lower, sr, upper] = windowCoverage(sortedMassesTeV(table(m)), W1, 0.2, SIGNAL_REGION_AND_SHORT_SIDEBANDS);
    expect(lower).toMatchObject({ region: 'lower-short-sideband', status: 'empty', nEvents: 0, low: 2.7, high: 2.9 });
    expect(sr.status).toBe('partial');
    expect(sr.firstMass).toBeCloseTo(3.05, 3);
    expect(sr.lastMass).toBeUndefined();
    expect(upper.status).toBe('covered');
    expect(describeCoverage(sr)).toMatch(/^SR \(2\.9–3\.3 TeV\) holds no events below 3\.05 TeV \(\d+ events inside\)$/);
    expect(describeCoverage(lower)).toBe('lower short sideband (2.7–2.9 TeV) holds no events');
    // A small file too: 2000 events.
    expect(regionCoverage(sortedMassesTeV(table(fallingSpectrum(2_000, 4, 3.05))), 'signal-region', 2.9, 3.3).status).toBe('partial');
  });

  it('a spectrum cut from above (a file that stops at 3.2 TeV) is found at the upper edge', () => {
    const m = fallingSpectrum(100_000, 2, 2.5, 8, 3.2);
    const [, sr, upper] = windowCoverage(sortedMassesTeV(table(m)), W1, 0.2, SIGNAL_REGION_AND_SHORT_SIDEBANDS);
    expect(sr.status).toBe('partial');
    expect(sr.lastMass).toBeGreaterThan(3.19);
    expect(sr.firstMass).toBeUndefined();
    expect(upper.status).toBe('empty');
  });

  it('GeV and TeV columns give the same answer', () => {
    const m = fallingSpectrum(50_000, 3, 3.0);
    const tev = windowCoverage(sortedMassesTeV(table(m)), W1, 0.2, SIGNAL_REGION_AND_SHORT_SIDEBANDS);
    const gev = windowCoverage(sortedMassesTeV(table(m, 'GeV')), W1, 0.2, SIGNAL_REGION_AND_SHORT_SIDEBANDS);
    expect(gev.map((c) => c.status)).toEqual(tev.map((c) => c.status));
    expect(gev[1].firstMass).toBeCloseTo(tev[1].firstMass!, 9);
  });

  it('never calls the natural end of a spectrum a cut: 29,160 regions of exponential, Gaussian and power-law spectra', () => {
    const shapes: Record<string, (rng: Rng) => number> = {
      'e-fold per 0.1 TeV': (r) => 2.5 + r.exponential(10),
      'e-fold per 0.33 TeV': (r) => 2.5 + r.exponential(3),
      'Gaussian 3.1 ± 0.15 TeV': (r) => 3.1 + 0.15 * r.normal(),
      'm^-10 above 2.5 TeV': (r) => 2.5 * Math.pow(1 - r.uniform(), -1 / 9),
    };
    const flagged: string[] = [];
    let regions = 0;
    for (const [name, draw] of Object.entries(shapes))
      for (const n of [2_000, 30_000, 300_000])
        for (let seed = 0; seed < (n === 300_000 ? 5 : 200); seed++) {
          const rng = new Rng(seed * 7 + n);
          const sorted = Float64Array.from({ length: n }, () => draw(rng)).sort();
          for (let lo = 2.5; lo < 4.3; lo += 0.1) {
            regions++;
            const c = regionCoverage(sorted, 'signal-region', lo, lo + 0.4);
            if (c.status === 'partial') flagged.push(`${name}, n ${n}, seed ${seed}, (${lo.toFixed(1)}, ${(lo + 0.4).toFixed(1)})`);
          }
        }
    expect(regions).toBe(29_160);
    expect(flagged).toEqual([]);
  });

  it('a region of 200 events or fewer is judged only empty or not; NaN masses are ignored', () => {
    const sorted = sortedMassesTeV(table(Float64Array.from([3.25, 3.26, NaN, 3.28])));
    expect(sorted).toHaveLength(3);
    expect(regionCoverage(sorted, 'signal-region', 2.9, 3.3).status).toBe('covered');
    expect(regionCoverage(sorted, 'signal-region', 3.3, 3.7).status).toBe('empty');
  });
});
