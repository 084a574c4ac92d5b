/**
 * Classical statistics timings: dijet fits (weighted χ² / Poisson, 3–5 parameters) on a 15-bin and a
 * 60-bin spectrum, a nine-window fit-based bump hunt, BumpHunter pseudo-experiments, and a GP fit.
 */
import { createRng } from '../../lib/util/rng.js';
import { dijetModel, expectedCounts, fitBumpHunt, fitHistogram, histogramFromCounts } from '../../lib/stats/fit/index.js';
import { bumpHunter } from '../../lib/stats/bumphunter/index.js';
import { gpInterpolate } from '../../lib/stats/background/index.js';

function time<T>(label: string, n: number, fn: () => T): T {
  let r: T = fn(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < n; i++) r = fn();
  const ms = (performance.now() - t0) / n;
  console.log(`${label.padEnd(58)} ${ms.toFixed(2)} ms`);
  return r;
}

export default async function (): Promise<void> {
  const rng = createRng(1);
  const spectrum = (nBins: number) => {
    const edges = Float64Array.from({ length: nBins + 1 }, (_, i) => 2 + (i * 2.4) / nBins);
    const nu = expectedCounts(dijetModel(4), [1, 10, 5, 0.1], edges);
    const s = nu.reduce((a, b) => a + b, 0);
    return histogramFromCounts(edges, nu.map((v) => rng.poisson((v * 100000) / s)));
  };
  for (const nBins of [15, 60]) {
    const h = spectrum(nBins);
    for (const n of [3, 4, 5] as const) {
      time(`dijet${n} Poisson fit, ${nBins} bins`, 20, () => fitHistogram(h, dijetModel(n)));
      time(`dijet${n} weighted-χ² fit, ${nBins} bins`, 20, () => fitHistogram(h, dijetModel(n), { method: 'chi2' }));
    }
  }
  const h = spectrum(60);
  const windows = Array.from({ length: 9 }, (_, i) => ({ id: i + 1, low: 2.9 + 0.1 * i, high: 3.3 + 0.1 * i }));
  time('fit-based bump hunt, 9 windows, dijet4 Poisson, 60 bins', 3, () => fitBumpHunt(h, windows, { signalWidth: 0.1 }));
  const ref = expectedCounts(dijetModel(4), fitHistogram(h, dijetModel(4)).params, h.edges);
  time('BumpHunter, 60 bins, widths 1–6, 1000 pseudo-experiments', 1, () => bumpHunter(h.values, ref, { maxWidth: 6, nPseudo: 1000 }));
  const c = Array.from({ length: 60 }, (_, i) => 2.02 + 0.04 * i);
  time('GP sideband interpolation, 1-D, 60 bins (8 blinded)', 3, () => gpInterpolate(c, 1, h.values, h.variances, c.map((m) => m > 3.1 && m < 3.45), { transform: 'log' }));
}
