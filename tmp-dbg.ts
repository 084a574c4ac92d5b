import { generateLlj } from './lib/data/generate/llj.js';
import { LLJ_PRESET } from './lib/search/config.js';
import { processSample } from './lib/search/samples.js';
import { runSearch } from './lib/search/run.js';
const gen = generateLlj({ seed: 7, entries: { signal: 3000, zjets: 30_000, ttbar: 8000, diboson: 8000 } });
const samples = [...gen].map(([name, t]) => processSample(name, t, LLJ_PRESET, `generated:${name}`));
const cfg: any = { ...LLJ_PRESET, samples: [], classifier: { ...LLJ_PRESET.classifier!, options: { maxIter: 60 }, seeds: [1] }, sculpting: { ...LLJ_PRESET.sculpting, ddtMassBins: 15, dcorEvents: 5000 }, histogram: { low: 300, high: 2500, bins: 44 } };
const r = await runSearch(samples, cfg);
for (const k of ['classifier', 'decorrelated'] as const) { const s = r.seeds[0].variants[k]!.shapeRatio!; console.log(k); s.centres.forEach((c, i) => console.log(c, s.ratio[i]?.toFixed(3), s.error[i]?.toFixed(3))); }
const sq = r.seeds[0].squareHeldOut.spectra; const d = r.seeds[0].variants.decorrelated!.spectra;
console.log(sq.zjets.values.map((v,i)=>`${v.toFixed(1)}/${Math.sqrt(sq.zjets.variances[i]).toFixed(1)}->${d.zjets.values[i].toFixed(1)}`).join(' '));
