/**
 * Issue 21, item 4 (not part of CI): fast diagnostic of the CATHODE flow's template bias in one window.
 *
 *   FLOW='{"epochs":16,"patience":3}' SEED=1 BGS=default,alternative OS=4 MEMBERS=1 \
 *     nice -n 10 node --import tsx scripts/measure-flow-bias.ts
 *
 * For each background model in BGS: generates NBKG (default 1M) background-only events (seed SEED for
 * `default`, SEED + 2 for `alternative`, as the study configs), trains the conditional flow with the
 * `default` preset plus the FLOW overrides on the sideband of window 5 (SR 3.3–3.7 TeV; SR='lo,hi' for another) exactly as the
 * scan's flow task does (FlowEnsemble.fit, sampleIntoWindow), and prints
 *  - bias: (N_pass,data / N_pass,template-expected) − 1 at ε_B = 1e-2 / 1e-3 of the project's hgb
 *    classifier (5 folds × MEMBERS, out of fold) trained on background-only SR data vs the template
 *    (OS × N_SR events). On `default` this is the template's true bias; on `alternative` it is what
 *    the scan's MC δsys measures on its control sample;
 *  - the sideband closure AUC (flow samples at the short-sideband masses vs those data, 0.1 TeV either
 *    side of the SR, oversampling 1, same classifier, out of fold) with its standard error;
 *  - the validation log-likelihood per epoch and the flow's CPU seconds.
 * CLF='[{"maxLeafNodes":7}, ...]' trains each listed classifier variant on the same template (paired);
 * SIG=N injects N signal events into the `default` model's data and reports, per variant, the
 * background-only bias and the signal events passing each cut. FLOWSEED=s trains the flow with its own
 * seed on the same events. SCALE=0,1 lets the flow learn those feature columns divided by m_JJ (the jet
 * masses: a kinematic edge that moves with m_JJ stays in place) and multiplies its samples back.
 * HALVES=1 trains two flows on disjoint halves of the sideband and prints the excess with each classifier's
 * cut set on its own half's template and on the other half's (`cathode.independentCalibration`).
 */
import { generateLhcoLike } from '../lib/data/generate/index.js';
import type { BackgroundModelName } from '../lib/data/generate/params.js';
import { deriveFeatures, FEATURE_SETS } from '../lib/data/features.js';
import { featureMatrix, repeatMasses } from '../lib/methods/features.js';
import { FlowEnsemble, sampleIntoWindow } from '../lib/ml/flows/index.js';
import { createRng } from '../lib/util/rng.js';
import { crossFit } from '../lib/ml/crossFit.js';
import '../lib/ml/trees/hgb.js';
import { cutAndCount } from '../lib/stats/cutAndCount.js';
import { rocAucTwoSample } from '../lib/ml/auc.js';
import { aucStandardError } from '../lib/stats/roc.js';
import type { Matrix } from '../lib/ml/matrix.js';
import { createClassifier } from '../lib/ml/classifier.js';
import { writeFileSync } from 'node:fs';

const seed = Number(process.env.SEED ?? 1), nBkg = Number(process.env.NBKG ?? 1_000_000);
const flowOpts = JSON.parse(process.env.FLOW ?? '{}') as Record<string, unknown>;
const bgs = (process.env.BGS ?? 'default,alternative').split(',') as BackgroundModelName[];
const os = Number(process.env.OS ?? 4), members = Number(process.env.MEMBERS ?? 1), flows = Number(process.env.FLOWS ?? 1);
// SR='lo,hi' (TeV): another window than window 5.
const [lo, hi] = (process.env.SR ?? '3.3,3.7').split(',').map(Number), ssb = 0.1;
// TRAIN: 'sb' (the scan's sideband), 'full' (an independent sample of the same model over every mass, SR
// included: the flow's quality at SR masses without interpolation), or 'near:W' (sideband within W TeV of the SR).
const trainMode = process.env.TRAIN ?? 'sb';
const classifier = { kind: 'hgb', options: { maxIter: 200, maxLeafNodes: 31, learningRate: 0.1, earlyStopping: true, validationFraction: 0.5 } } as const;
// CLF='[{...}, ...]': classifier option overrides, each trained on the same flow's template (a paired comparison).
const classifierVariants = (JSON.parse(process.env.CLF ?? '[{}]') as Record<string, unknown>[]).map((o) => ({ kind: 'hgb' as const, options: { ...classifier.options, ...o } }));
// SIG=N: inject N signal events into the `default` model's data; the bias is then computed on the background
// alone (from the generator's labels) and the signal events passing each cut are reported.
const nSig = Number(process.env.SIG ?? 0);
// FLOWSEED: the flow's own seed (default SEED), to compare flows trained on the same events.
const flowSeed = Number(process.env.FLOWSEED ?? seed);

for (const bg of bgs) {
  const ev = deriveFeatures(generateLhcoLike({ background: nBkg, signal: bg === 'default' ? nSig : 0, seed: bg === 'default' ? seed : seed + 2, backgroundModel: bg }));
  const label = ev.has('label') ? ev.column('label') : new Float64Array(ev.length);
  const mjj = ev.column('mJJ'), cols = FEATURE_SETS.baseline.map((n) => ev.column(n)), d = cols.length;
  const sb: number[] = [], sr: number[] = [], short: number[] = [];
  for (let i = 0; i < mjj.length; i++) {
    if (mjj[i] > lo && mjj[i] < hi) sr.push(i);
    else if (label[i] === 1) continue; // the sideband's signal events are left out: the flow learns background
    else {
      sb.push(i);
      if (mjj[i] > lo - ssb && mjj[i] < hi + ssb) short.push(i);
    }
  }
  const take = (idx: ArrayLike<number>): { x: Matrix<Float64Array>; m: Float64Array } => {
    const x = new Float64Array(idx.length * d);
    for (let r = 0; r < idx.length; r++) cols.forEach((c, j) => (x[r * d + j] = c[idx[r]]));
    return { x: { data: x, rows: idx.length, cols: d }, m: Float64Array.from(idx, (i) => mjj[i]) };
  };
  const trainOf = (): { x: Matrix<Float64Array>; m: Float64Array } => {
    if (trainMode === 'full') {
      const indep = deriveFeatures(generateLhcoLike({ background: nBkg, signal: 0, seed: (bg === 'default' ? seed : seed + 2) + 1000, backgroundModel: bg }));
      return { x: featureMatrix(indep, FEATURE_SETS.baseline), m: Float64Array.from(indep.column('mJJ')) };
    }
    if (trainMode.startsWith('near:')) {
      const w = Number(trainMode.slice(5));
      return take(sb.filter((i) => mjj[i] > lo - w && mjj[i] < hi + w));
    }
    return take(sb);
  };
  const train = trainOf(), data = take(sr), closureData = take(short);
  // SCALE=j,k: the flow learns features j, k divided by m_JJ (the samples are multiplied back).
  const scaled = (process.env.SCALE ?? '').split(',').filter((v) => v !== '').map(Number);
  const rescale = (x: Matrix<Float64Array>, m: ArrayLike<number>, up: boolean, columns: readonly number[] = scaled): Matrix<Float64Array> => {
    const y = { ...x, data: Float64Array.from(x.data) };
    for (let i = 0; i < y.rows; i++) for (const j of columns) y.data[i * d + j] = up ? y.data[i * d + j] * m[i] : y.data[i * d + j] / m[i];
    return y;
  };
  if (scaled.length > 0 && process.env.REWEIGHT) throw new Error('SCALE and REWEIGHT together are not supported (the reweighter samples the flow itself)');
  if (scaled.length > 0) train.x = rescale(train.x, train.m, false);
  // HALVES=1: two flows on disjoint random halves of the sideband; the classifier learns data vs one
  // half's template, its cut is set on the other's (cross-calibration). If the self-calibrated bias is the
  // classifier finding the flow's own statistical fluctuation, the cross-calibrated one is centred on 0.
  if (process.env.HALVES) {
    const perm = createRng(seed).fork('halves').permutation(sb.length);
    const halfIdx = [0, 1].map((h) => Array.from(perm).filter((_, j) => j % 2 === h).map((j) => sb[j]));
    const halfFlows = [];
    for (const [h, idx] of halfIdx.entries()) {
      const t = take(idx);
      halfFlows.push(await FlowEnsemble.fit(t.x, t.m, { preset: 'default', ...flowOpts, size: flows, seed: flowSeed + 1000 * h } as Parameters<typeof FlowEnsemble.fit>[2]));
    }
    const tpls = halfFlows.map((f, h) => sampleIntoWindow(f, data.m, { lo, hi }, { seed: seed + 1000 * h, oversampling: os }));
    const nA = tpls[0].x.rows, nB = tpls[1].x.rows;
    const both = new Float64Array((nA + nB) * d);
    both.set(tpls[0].x.data, 0); both.set(tpls[1].x.data, nA * d);
    const out: Record<string, string> = {};
    for (const [h, trainN] of [[0, nA], [1, nB]] as const) {
      // Class balance by weights: the other half's template rows weigh 0 in training.
      const w = new Float64Array(nA + nB);
      w.fill(h === 0 ? data.x.rows / trainN : 0, 0, nA);
      w.fill(h === 1 ? data.x.rows / trainN : 0, nA);
      const f = await crossFit(classifierVariants[0], data.x, { data: both, rows: nA + nB, cols: d }, { k: 5, seed, members, templateWeight: w });
      for (const [c, from, to] of [[0, 0, nA], [1, nA, nA + nB]] as const) {
        const r = cutAndCount({ templateScores: f.templateScores.subarray(from, to), dataScores: f.dataScores, folds: { data: f.dataFold, template: f.templateFold.subarray(from, to) } }, { epsilonB: [1e-2, 1e-3], deltaSys: 0 });
        out[`train${'AB'[h]}cut${'AB'[c]}`] = r.map((x) => `${(x.nObs / x.nExp - 1).toFixed(3)}±${(Math.sqrt(x.nObs) / x.nExp).toFixed(3)}`).join(' ');
      }
    }
    console.log(JSON.stringify({ bg, seed, sr: sr.length, halves: halfIdx.map((x) => x.length), flow: flowOpts, ...out }));
    continue;
  }
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  const flow = await FlowEnsemble.fit(train.x, train.m, { preset: 'default', ...flowOpts, size: flows, seed: flowSeed } as Parameters<typeof FlowEnsemble.fit>[2]);
  const cpu = process.cpuUsage(cpu0);
  const flowCpu = (cpu.user + cpu.system) / 1e6, flowWall = (Date.now() - t0) / 1000;
  const doc = flow.toJSON();
  const hist = doc.flows.map((f) => f.history.validationLoss.map((v) => (-v).toFixed(4)).join(' '));
  const kept = doc.flows.map((f) => f.members.map((m) => m.epoch).join(','));
  const tpl = sampleIntoWindow(flow, data.m, { lo, hi }, { seed, oversampling: os });
  if (scaled.length > 0) tpl.x = rescale(tpl.x as Matrix<Float64Array>, tpl.m, true);
  const isSignal = Uint8Array.from(sr, (i) => (label[i] === 1 ? 1 : 0));
  const srSignal = isSignal.reduce((a, b) => a + b, 0);
  const perClassifier: Record<string, unknown>[] = [];
  let fit!: Awaited<ReturnType<typeof crossFit>>, bias: string[] = [];
  for (const clf of classifierVariants) {
    fit = await crossFit(clf, data.x, tpl.x, { k: 5, seed, classWeight: 'balanced', members });
    const rows = cutAndCount({ templateScores: fit.templateScores, dataScores: fit.dataScores, folds: { data: fit.dataFold, template: fit.templateFold } }, { epsilonB: [1e-2, 1e-3], deltaSys: 0 });
    // Background-only bias (the signal's passing events removed) and the signal passing each cut.
    const cells = rows.map((r) => {
      const thr = new Map(r.foldIds.map((f, k) => [f, r.foldThresholds[k]]));
      let sPass = 0;
      for (let i = 0; i < isSignal.length; i++) if (isSignal[i] && fit.dataScores[i] >= thr.get(fit.dataFold[i])!) sPass++;
      const bExp = (r.nExp / r.nSR) * (r.nSR - srSignal);
      return { bias: (r.nObs - sPass) / bExp - 1, err: Math.sqrt(r.nObs - sPass) / bExp, sPass, bExp, nTemplatePass: r.nTemplatePass };
    });
    bias = cells.map((c) => `${c.bias.toFixed(3)}±${c.err.toFixed(3)}`);
    perClassifier.push({ clf: clf.options, bias1e2: bias[0], bias1e3: bias[1], ...(nSig > 0 ? { signalPass: cells.map((c) => c.sPass), bExp: cells.map((c) => Number(c.bExp.toFixed(1))), nTemplatePass: cells.map((c) => c.nTemplatePass), srSignal } : {}) });
  }
  // DUMP=file.csv: every SR data and template event with its out-of-fold score (where the bias sits).
  if (process.env.DUMP) {
    const lines = [`sample,score,mJJ,${FEATURE_SETS.baseline.join(',')}`];
    const put = (name: string, x: Matrix, m: ArrayLike<number>, sc: ArrayLike<number>): void => {
      for (let i = 0; i < x.rows; i++) lines.push(`${name},${sc[i]},${m[i]},${Array.from({ length: d }, (_, j) => x.data[i * d + j]).join(',')}`);
    };
    put('data', data.x, data.m, fit.dataScores);
    put('template', tpl.x, tpl.m, fit.templateScores);
    writeFileSync(`${process.env.DUMP}.${bg}.${seed}.csv`, lines.join('\n') + '\n');
  }
  // REWEIGHT=W: also the bias after reweighting the template by a classifier of flow samples vs data
  // trained on the sideband within W TeV of the SR (same flow: a paired comparison).
  const reweighted: Record<string, unknown>[] = [];
  for (const variant of process.env.REWEIGHT ? process.env.REWEIGHT.split(',') : []) {
    // W:OS:s — the reweighter sees the jet masses (columns 0, 1) divided by m_JJ.
    const [wText, osText, scaleText] = variant.split(':');
    const rwCols = scaleText === 's' ? [0, 1] : [];
    const w = Number(wText);
    const rwData = take(sb.filter((i) => mjj[i] > lo - w && mjj[i] < hi + w));
    const rwOs = Number(osText ?? 1);
    const rwM = repeatMasses(rwData.m, rwOs);
    const rwTpl = rescale(flow.sample(rwM, createRng(seed).fork('reweight')) as Matrix<Float64Array>, rwM, false, rwCols);
    rwData.x = rescale(rwData.x, rwData.m, false, rwCols);
    const nD = rwData.x.rows, nT = rwTpl.rows;
    const X = new Float64Array((nD + nT) * d);
    X.set(rwData.x.data, 0); X.set(rwTpl.data, nD * d);
    const y = new Uint8Array(nD + nT); y.fill(1, 0, nD);
    const rwOpts = JSON.parse(process.env.RWCLF ?? JSON.stringify(classifier.options)) as Record<string, unknown>;
    const model = await createClassifier('hgb', rwOpts).fit({ data: X, rows: nD + nT, cols: d }, y, { classWeight: 'balanced', seed: seed + 7 });
    const p = model.predictProba(rescale(tpl.x as Matrix<Float64Array>, tpl.m, false, rwCols));
    const clip = Number(process.env.RWCLIP ?? 10);
    const wt = Float64Array.from(p, (v) => Math.min(clip, Math.max(1 / clip, v / (1 - v))));
    const mean = wt.reduce((a, b) => a + b, 0) / wt.length;
    for (let i = 0; i < wt.length; i++) wt[i] /= mean;
    const s = [...wt].sort((a, b) => a - b);
    const wStats = `min ${s[0].toFixed(2)} p1 ${s[Math.floor(0.01 * s.length)].toFixed(2)} p99 ${s[Math.floor(0.99 * s.length)].toFixed(2)} max ${s[s.length - 1].toFixed(2)} neff/n ${((wt.reduce((a, b) => a + b, 0) ** 2 / wt.reduce((a, b) => a + b * b, 0)) / wt.length).toFixed(3)}`;
    const fitW = await crossFit(classifier, data.x, tpl.x, { k: 5, seed, classWeight: 'balanced', members, templateWeight: wt });
    const rowsW = cutAndCount({ templateScores: fitW.templateScores, templateWeights: wt, dataScores: fitW.dataScores, folds: { data: fitW.dataFold, template: fitW.templateFold } }, { epsilonB: [1e-2, 1e-3], deltaSys: 0 });
    const biasRw = rowsW.map((r) => `${(r.nObs / r.nExp - 1).toFixed(3)}±${(Math.sqrt(r.nObs) / r.nExp).toFixed(3)}`);
    reweighted.push({ variant, rw1e2: biasRw[0], rw1e3: biasRw[1], wStats });
  }
  const cm = closureData.m;
  const drawn = flow.sample(cm, createRng(seed).fork('closure')) as Matrix<Float64Array>;
  const cs = scaled.length > 0 ? rescale(drawn, cm, true) : drawn;
  const cf = await crossFit(classifier, closureData.x, cs, { k: 5, seed: seed + 100, classWeight: 'balanced', members });
  const auc = rocAucTwoSample(cf.dataScores, cf.templateScores);
  const aucErr = aucStandardError(auc, closureData.x.rows, cs.rows);
  console.log(JSON.stringify({
    bg, seed, flow: flowOpts, os, members, flows, train: trainMode, trainEvents: train.x.rows, sr: sr.length,
    bias1e2: bias[0], bias1e3: bias[1], ...(classifierVariants.length > 1 || nSig > 0 ? { perClassifier } : {}), reweighted, closureAuc: `${auc.toFixed(4)}±${aucErr.toFixed(4)}`,
    flowCpu: Number(flowCpu.toFixed(1)), flowWall: Number(flowWall.toFixed(1)), kept, valLL: hist, redrawn: tpl.check?.redrawn,
  }));
}
