import { readEvents } from './lib/data/io/index.js';
import { LLJ_PRESET, lljSamples } from './lib/search/config.js';
import { processSample } from './lib/search/samples.js';
import { runSearch } from './lib/search/run.js';
const cfg = { ...LLJ_PRESET, samples: lljSamples('/tmp/llj-search'), classifier: { ...LLJ_PRESET.classifier!, seeds: [1] } };
const t0 = performance.now();
const samples = [];
for (const s of cfg.samples) samples.push(processSample(s.name, await readEvents(s.path), cfg, s.path));
console.log('read', (performance.now() - t0) / 1000);
const r = await runSearch(samples, cfg as any, { progress() {}, log(l, m) { console.log(m); } });
console.log(JSON.stringify(r.summary, (k, v) => (k === 'values' ? undefined : v), 0));
console.log(r.timings, (performance.now() - t0) / 1000);
console.log('square', r.square.signalShape, r.square.h0Chi2PerNdf, r.square.backgroundOnlyChi2PerNdf);
for (const s of r.seeds) { console.log('heldout square', s.squareHeldOut.spuriousSignal, s.squareHeldOut.spuriousSignalError, s.squareHeldOut.Z, s.squareHeldOut.backgroundOnlyChi2PerNdf);
 for (const [k, v] of Object.entries(s.variants)) console.log(k, v!.shapeRatio!.chi2Flat, v!.shapeRatio!.ndf, v!.backgroundOnlyChi2PerNdf, v!.h0Chi2PerNdf, v!.signalEvents, v!.backgroundEvents); }
