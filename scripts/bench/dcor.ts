/** Distance-correlation timings: the O(n log n) 1-D algorithm at 10⁴–10⁶ events, one permutation at 10⁶. */
import { createRng } from '../../lib/util/rng.js';
import { distanceCorrelation, distanceCorrelationExact, distanceCorrelationTest } from '../../lib/stats/dcor.js';

export default async function (): Promise<void> {
  const rng = createRng(1);
  for (const n of [1e4, 1e5, 1e6]) {
    const x = new Float64Array(n), y = new Float64Array(n);
    for (let i = 0; i < n; i++) { x[i] = rng.normal(); y[i] = x[i] ** 2 + rng.normal(); }
    const t0 = performance.now();
    const r = distanceCorrelation(x, y);
    console.log(`dCor, n = ${n.toExponential(0)}: ${((performance.now() - t0) / 1000).toFixed(3)} s (dCor = ${r.dCor.toFixed(4)})`);
    if (n === 1e6) {
      const t1 = performance.now();
      distanceCorrelationTest(x, y, 1, createRng(2));
      console.log(`dCor + 1 permutation, n = 1e6: ${((performance.now() - t1) / 1000).toFixed(3)} s`);
    }
  }
  const m = 2000, xs = Array.from({ length: m }, () => [rng.normal()]), ys = xs.map(([t]) => [t * t + rng.normal()]);
  const t2 = performance.now();
  distanceCorrelationExact(xs, ys);
  console.log(`O(n²) definition, n = 2000: ${((performance.now() - t2) / 1000).toFixed(3)} s`);
}
