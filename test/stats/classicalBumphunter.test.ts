import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../lib/util/rng.js';
import { bumpHunter } from '../../lib/stats/bumphunter/index.js';
import { dijetModel, fitHistogram, histogramFromCounts, binCentres } from '../../lib/stats/fit/index.js';
import { CWOLA_EDGES_TEV, sharedData } from '../helpers/classical.js';

/** Falling exponential, 40 bins on [0, 4), total ≈ 20000. */
function exponentialReference(): Float64Array {
  return Float64Array.from({ length: 40 }, (_, i) => 20000 * (Math.exp(-(i * 0.1)) - Math.exp(-((i + 1) * 0.1))));
}

describe('BumpHunter scan', () => {
  it('local p-value is the exact Poisson tail of the best window', () => {
    const r = bumpHunter([0, 5, 0], [1, 1, 1], { minWidth: 1, maxWidth: 1, nPseudo: 0 });
    let s = 0, t = 1;
    for (let k = 0; k < 5; k++) { s += t; t /= k + 1; }
    expect(r.best.firstBin).toBe(1);
    expect(r.best.localP).toBeCloseTo(1 - Math.exp(-1) * s, 14);
    expect(r.t).toBeCloseTo(-Math.log(r.best.localP), 14);
  });

  it('finds an injected Gaussian bump on a falling exponential', () => {
    const ref = exponentialReference();
    const rng = createRng(21);
    // 250 signal events at x = 2.05 (bin 20), σ = 0.1 (one bin): expected local Z ≈ 8 in 3 bins
    const data = ref.map((b, i) => {
      const x = (i + 0.5) * 0.1;
      return rng.poisson(b + 250 * 0.1 * Math.exp(-0.5 * ((x - 2.05) / 0.1) ** 2) / (Math.sqrt(2 * Math.PI) * 0.1));
    });
    const r = bumpHunter(data, ref, { maxWidth: 6, nPseudo: 300, seed: 3 });
    expect(r.best.firstBin).toBeLessThanOrEqual(20);
    expect(r.best.endBin).toBeGreaterThan(20);
    expect(r.best.width).toBeLessThanOrEqual(5);
    expect(r.globalP).toBeLessThan(0.01);
    expect(r.localZ).toBeGreaterThan(3);
  });

  it('background only: the global p-value is uniform over pseudo-data (no bias toward discovery)', () => {
    const ref = exponentialReference();
    const ps: number[] = [];
    for (let k = 0; k < 40; k++) {
      const r = createRng(100 + k);
      const data = ref.map((b) => r.poisson(b));
      ps.push(bumpHunter(data, ref, { maxWidth: 4, nPseudo: 100, seed: k }).globalP);
    }
    const mean = ps.reduce((a, b) => a + b, 0) / ps.length;
    // uniform: mean 0.5 with sd 0.29/√40 ≈ 0.046
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.15);
    expect(ps.filter((p) => p < 0.01).length).toBeLessThanOrEqual(3);
  });

  it('is deterministic and stateless: same inputs and seed, same result; options untouched', () => {
    const ref = exponentialReference();
    const r = createRng(1);
    const data = ref.map((b) => r.poisson(b));
    const opts = Object.freeze({ maxWidth: 4, nPseudo: 50, seed: 9 });
    const a = bumpHunter(data, ref, opts), b = bumpHunter(data, ref, opts);
    expect(Array.from(a.tPseudo)).toEqual(Array.from(b.tPseudo));
    expect(a.globalP).toBe(b.globalP);
    const c = bumpHunter(data, ref, { ...opts, seed: 10 });
    expect(Array.from(c.tPseudo)).not.toEqual(Array.from(a.tPseudo));
  });

  it('errors name the argument', () => {
    expect(() => bumpHunter([1, 2], [1], {})).toThrow(/data has 2 bins, reference has 1/);
    expect(() => bumpHunter([1, -2], [1, 1], {})).toThrow(/data bin 1/);
    expect(() => bumpHunter([1, 2], [1, 1], { maxWidth: 3 })).toThrow(/width 3/);
  });
});

const cwola = sharedData('cwola-hunting-bincounts');
const readRows = (file: string): number[][] => readFileSync(file, 'utf8').trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));

describe.skipIf(!cwola)('BumpHunter on real CWoLa Hunting spectra (fit-based reference)', () => {
  const scan = (file: string) => {
    const row = readRows(file).find((r) => r[0] === 0.002)!.slice(1);
    const h = histogramFromCounts(CWOLA_EDGES_TEV, row);
    const ref = fitHistogram(h, dijetModel(4)).expected;
    return bumpHunter(h.values, ref, { maxWidth: 4, nPseudo: 200, seed: 1 });
  };
  it('signal (SR at bin 7, ε = 0.002): the bump near 3 TeV', () => {
    const r = scan(`${cwola}signal/sig_bin7_bincounts.dat`);
    const c = binCentres(histogramFromCounts(CWOLA_EDGES_TEV, new Array(15).fill(0)));
    expect(c[r.best.firstBin]).toBeGreaterThan(2.6);
    expect(c[r.best.endBin - 1]).toBeLessThan(3.3);
    expect(r.globalP).toBeLessThan(0.01);
  });
  it('no signal (ε = 0.002): nothing significant in any of the nine scans', () => {
    for (let i = 3; i <= 11; i++) expect(scan(`${cwola}nosignal/0_005_${i}_bincounts.dat`).globalP).toBeGreaterThan(0.01);
  });
});
