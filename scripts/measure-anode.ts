/**
 * Issue 18 measurement (not part of CI): ANODE vs CATHODE in one window of a generated LHCO-like
 * dataset, both on the same sideband flow (p_SB), scores of the SR data out of fold, judged with the
 * truth labels: AUC and max SIC (SIC = ε_S/√ε_B, at least 10 background events passing), plus
 * N_obs / N_exp at ε_B = 1e-2, 1e-3 (δsys = 0).
 *
 *   NBKG=1000000 NSIG=1000 DSEED=1 SEEDS=1,2,3 WINDOW=5 npx tsx scripts/measure-anode.ts
 *
 * Per method seed: the sideband flow (`default` preset, CATHODE task, 4× template), CATHODE's
 * classifier as in the default scan (boosted trees, 5 folds × 5 members), ANODE's 5 SR flows
 * (`default` preset, ANODE_DEFAULTS) trained two at a time in a worker pool.
 *
 * Measured 2026-12-04 (NBKG=1000000 NSIG=1000 DSEED=1 SEEDS=1,2,3; window 5: 122 281 SR events, 754 signal):
 *   ANODE   AUC 0.860 / 0.839 / 0.885 (0.861 ± 0.023), max SIC 5.81 / 3.77 / 6.33 (5.30 ± 1.35)
 *   CATHODE AUC 0.876 / 0.890 / 0.891 (0.886 ± 0.008), max SIC 19.30 / 15.64 / 15.33 (16.76 ± 2.21)
 * Seed 1, N_obs (signal) / N_exp: ANODE ε_B 1e-2 1721 (357) / 1223.8, 1e-3 289 (144) / 123.8;
 * CATHODE 1775 (445) / 1223.8, 422 (300) / 124.0 — ANODE's background passes 11 % / 17 % above N_exp
 * (CATHODE's +9 % / −2 %): ANODE needs its own δsys. Seed 1 reproduced bit for bit in a second run.
 */
import { generateLhcoLike } from '../lib/data/generate/index.js';
import { deriveFeatures } from '../lib/data/features.js';
import { loadWindows, signalRegionMask } from '../lib/windows/index.js';
import { featureNames, maskedColumn } from '../lib/methods/features.js';
import { cathodeFlowPayload, trainAndSampleFlow } from '../lib/methods/cathodeTask.js';
import { loadSidebandGenerator } from '../lib/methods/cathode.js';
import { ANODE_DEFAULTS, ANODE_FOLD_TASK, anodeSrData, scoreAnode, type AnodeFoldDocument, type AnodeFoldPayload } from '../lib/methods/anode.js';
import { crossFit } from '../lib/ml/crossFit.js';
import { WorkerPool, toShared } from '../lib/ml/pool/pool.js';
import { rocCurve, areaUnderRoc, maxSic } from '../lib/stats/roc.js';
import { cutAndCount } from '../lib/stats/cutAndCount.js';
import '../lib/ml/trees/hgb.js';

const nBkg = Number(process.env.NBKG ?? 1_000_000), nSig = Number(process.env.NSIG ?? 1000), dSeed = Number(process.env.DSEED ?? 1);
const seeds = (process.env.SEEDS ?? '1,2,3').split(',').map(Number), windowId = Number(process.env.WINDOW ?? 5);
const t0 = Date.now();
const events = deriveFeatures(generateLhcoLike({ background: nBkg, signal: nSig, seed: dSeed }));
const window = (await loadWindows()).windows.find((w) => w.id === windowId)!;
const features = featureNames('baseline');
const sr = anodeSrData(events, window, features);
const label = maskedColumn(events, 'label', signalRegionMask(events, window));
const nS = label.reduce((t, v) => t + v, 0);
console.log(`data: ${nBkg} background + ${nSig} signal (seed ${dSeed}), window ${windowId} (${window.srLow}–${window.srHigh}): ${sr.x.rows} SR events, ${nS} signal (S/B ${(nS / (sr.x.rows - nS) * 100).toFixed(2)} %); ${((Date.now() - t0) / 1000).toFixed(0)} s`);

const judge = (scores: Float64Array) => {
  if (nS === 0) return { auc: NaN, sic: NaN }; // background only: the counts are the measurement
  const s: number[] = [], b: number[] = [];
  scores.forEach((v, i) => (label[i] === 1 ? s : b).push(v === -Infinity ? -1e300 : v));
  const roc = rocCurve(s, b);
  return { auc: areaUnderRoc(roc), sic: maxSic(roc)?.sic ?? NaN };
};
const counts = (d: { dataScores: Float64Array; templateScores: Float64Array; dataFold: Uint8Array; templateFold: Uint8Array }) =>
  cutAndCount({ dataScores: d.dataScores, templateScores: d.templateScores, folds: { data: d.dataFold, template: d.templateFold } }, { epsilonB: [1e-2, 1e-3], deltaSys: 0 })
    .map((r) => {
      // Signal among the passing data events (truth labels), per-fold thresholds as in cutAndCount.
      let sig = 0;
      d.dataScores.forEach((v, i) => { if (label[i] === 1 && v >= r.foldThresholds[r.foldIds.indexOf(d.dataFold[i])]) sig++; });
      return `ε_B ${r.epsilonB}: N_obs ${r.nObs} (signal ${sig}) / N_exp ${r.nExp.toFixed(1)} (Z ${r.zCowanOneSided.toFixed(2)})`;
    }).join(', ');

const pool = new WorkerPool({ size: 2 });
const rows: { seed: number; anode: { auc: number; sic: number }; cathode: { auc: number; sic: number } }[] = [];
try {
  for (const seed of seeds) {
    let t = Date.now();
    const flow = await trainAndSampleFlow(cathodeFlowPayload(events, window, features, { flow: { preset: 'default' }, flows: 1, oversampling: 4, bandwidth: 0.01, seed }));
    const sbSeconds = (Date.now() - t) / 1000;
    t = Date.now();
    const cf = await crossFit({ kind: 'hgb', options: { maxIter: 200, maxLeafNodes: 31, learningRate: 0.1, earlyStopping: true, validationFraction: 0.5 } },
      sr.x, { data: flow.samples, rows: flow.rows, cols: flow.cols }, { k: 5, members: 5, seed, classWeight: 'balanced', pool });
    const cathodeSeconds = (Date.now() - t) / 1000;
    t = Date.now();
    const payload = { windowId, x: toShared(sr.x.data), rows: sr.x.rows, cols: sr.x.cols, m: toShared(sr.m), window: sr.window, options: ANODE_DEFAULTS, seed };
    const docs = await Promise.all(Array.from({ length: ANODE_DEFAULTS.folds }, (_, fold) => pool.run<AnodeFoldDocument>(ANODE_FOLD_TASK, { ...payload, fold } satisfies AnodeFoldPayload)));
    const foldSeconds = (Date.now() - t) / 1000;
    t = Date.now();
    const an = scoreAnode(sr, loadSidebandGenerator(flow.flow), docs, ANODE_DEFAULTS, { seed });
    const scoreSeconds = (Date.now() - t) / 1000;
    const a = judge(an.dataScores), c = judge(cf.dataScores);
    rows.push({ seed, anode: a, cathode: c });
    console.log(`seed ${seed}: ANODE AUC ${a.auc.toFixed(4)} maxSIC ${a.sic.toFixed(2)} | CATHODE AUC ${c.auc.toFixed(4)} maxSIC ${c.sic.toFixed(2)}`);
    console.log(`  ANODE   ${counts(an)}; out of support ${JSON.stringify(an.outOfSupport)}`);
    console.log(`  CATHODE ${counts(cf)}`);
    console.log(`  CPU/wall: SB flow ${sbSeconds.toFixed(0)} s, CATHODE classifier ${cathodeSeconds.toFixed(0)} s (2 workers), ANODE ${ANODE_DEFAULTS.folds} SR flows ${foldSeconds.toFixed(0)} s (2 workers; epochs ${docs.map((d) => d.density.flows[0].history.epochSeconds.reduce((x, y) => x + y, 0).toFixed(0)).join('+')} s), ANODE scoring ${scoreSeconds.toFixed(0)} s`);
  }
} finally {
  await pool.close();
}
const stat = (v: number[]) => {
  const m = v.reduce((x, y) => x + y, 0) / v.length;
  return `${m.toFixed(3)} ± ${Math.sqrt(v.reduce((x, y) => x + (y - m) ** 2, 0) / Math.max(1, v.length - 1)).toFixed(3)}`;
};
console.log(`mean ± std over ${rows.length} seeds: ANODE AUC ${stat(rows.map((r) => r.anode.auc))}, maxSIC ${stat(rows.map((r) => r.anode.sic))}; CATHODE AUC ${stat(rows.map((r) => r.cathode.auc))}, maxSIC ${stat(rows.map((r) => r.cathode.sic))}`);
