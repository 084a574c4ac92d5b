/** Generator throughput: LHCO-default 1M background + 1k signal, plus the derived features. */
import { generateLhcoLike, generateExtraSrBackground } from '../../lib/data/generate/index.js';
import { deriveFeatures } from '../../lib/data/features.js';

export default async function bench(): Promise<void> {
  const n = { background: 1_000_000, signal: 1000, seed: 1 };
  generateLhcoLike({ background: 20_000, signal: 100, seed: 0 }); // warm-up (JIT)
  let t0 = performance.now();
  const events = generateLhcoLike(n);
  let dt = (performance.now() - t0) / 1000;
  console.log(`generateLhcoLike: ${events.length} events in ${dt.toFixed(2)} s = ${(events.length / dt / 1e6).toFixed(2)} M events/s`);
  t0 = performance.now();
  const f = deriveFeatures(events);
  dt = (performance.now() - t0) / 1000;
  console.log(`deriveFeatures: ${f.length} events in ${dt.toFixed(2)} s = ${(f.length / dt / 1e6).toFixed(2)} M events/s`);
  t0 = performance.now();
  const extra = generateExtraSrBackground({ seed: 1, extraSrBackground: { n: 200_000 } });
  dt = (performance.now() - t0) / 1000;
  console.log(`generateExtraSrBackground (3.3–3.7 TeV, rejection): ${extra.length} events in ${dt.toFixed(2)} s = ${(extra.length / dt / 1e3).toFixed(0)} k events/s`);
  await Promise.resolve();
}
