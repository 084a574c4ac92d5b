/**
 * The supervised resonance search on weighted simulation (seed 004, issue 20), start to end:
 *
 * 1. square cuts → weighted mass spectra per process (Σw, Σw²) before and after;
 * 2. signal shape from the signal-only spectrum; H0/H1 fits of the signal + background spectrum; Wilks Z;
 * 3. a classifier (features without the mass) trained on a chosen sample with 50/50 weighted signal and
 *    background, evaluated on held-out entries (ROC, AUC), cut on top of the square cuts, refit, Z, and the
 *    gain over the square cuts on the same held-out entries, over several training seeds;
 * 4. sculpting: the same classifier with the mass as an input, and a mass-decorrelated version (DDT of the
 *    classifier's score):
 *    background shape ratio, dCor(score, mass), background-only fit χ²/ndf and the spurious signal.
 *
 * Held-out spectra carry weights × 1/(1 − trainFraction) so Σw still counts all events; their Σw² grows by
 * the same factor squared, which is why classifier results are compared with square cuts on the same
 * held-out entries (`squareHeldOut`), not with the full-sample square-cut Z.
 *
 * "Z" here is the seed's: the weighted χ² with σ² = Σw² treats the simulated signal + background as the
 * observation, so it measures how significantly the simulation itself shows the signal (its statistics
 * set the errors); with unit weights the Poisson likelihood is used (fitHistogram's `auto`).
 */
import { SIDEWINDER_WRITER } from '../util/packageRoot.js';
import { createRng, type Rng } from '../util/rng.js';
import { silent, type Reporter } from '../util/reporter.js';
import { InputError, SidewinderError } from '../util/errors.js';
import { createClassifier, type FittedClassifier } from '../ml/classifier.js';
import { fromColumns } from '../ml/matrix.js';
import '../ml/trees/hgb.js';
import '../ml/nn/mlp.js';
import { rocCurve, areaUnderRoc } from '../stats/roc.js';
import type { Histogram } from '../stats/fit/histogram.js';
import { histogramSum } from '../stats/fit/histogram.js';
import type { SearchConfig, SquareCut } from './config.js';
import { addHistograms, andMasks, massHistogram, passCuts, weightedYield, type ProcessSample } from './samples.js';
import { backgroundModel, fitSignalModel, testSignalHypothesis, type HypothesisTest, type SignalShape } from './hypothesisTest.js';
import { decorrelatedScore, fitDecorrelationMap, shapeRatio, weightedDcor, type ShapeRatio } from './sculpting.js';

/** A spectrum as stored in the results (plain arrays). */
export interface SpectrumRecord { values: number[]; variances: number[] }

/** One selection's fits and sculpting measures. */
export interface SelectionResult {
  /** Σw of signal and background in the fit range, and the background's MC-statistical error. */
  signalEvents: number;
  backgroundEvents: number;
  backgroundError: number;
  /** Signal shape parameters fitted after this selection. */
  signalShape: Record<string, number>;
  signalShapeChi2PerNdf: number;
  /** The fit statistic used: weighted χ² (Σw, Σw²) or the Poisson likelihood (unit weights). */
  method: 'chi2' | 'poisson';
  Z: number;
  zSigned: number;
  q0: number;
  signalYield: number;
  signalYieldError: number;
  h0Chi2PerNdf: number;
  h1Chi2PerNdf: number;
  /** Background-only spectrum: H0 fit quality and the spurious signal ŝ ± σ (and ŝ/σ, ŝ/S). */
  backgroundOnlyChi2PerNdf: number;
  backgroundOnlyNdf: number;
  spuriousSignal: number;
  spuriousSignalError: number;
  spuriousOverError: number;
  spuriousOverSignal: number;
  /** Per-process spectra after the selection, S+B H1 expectation and pulls (for the report). */
  spectra: Record<string, SpectrumRecord>;
  h1Expected: number[];
  h0Expected: number[];
  pulls: number[];
  /** Background mass shape after/before (square cuts only: undefined). */
  shapeRatio?: ShapeRatio;
  /** dCor(score, mass) on held-out background after the square cuts (classifier selections). */
  dCorScoreMass?: number;
}

export type VariantName = 'classifier' | 'massAware' | 'decorrelated';
/** Rows of the summary: square cuts (full sample, and on the held-out entries) and the classifier variants. */
export type SummaryKey = 'square' | 'squareHeldOut' | VariantName;
export const VARIANT_NAMES: readonly VariantName[] = ['classifier', 'massAware', 'decorrelated'];

/** One training seed. */
export interface SeedResult {
  seed: number;
  /** Square cuts on this seed's held-out entries (the reference for the gains). */
  squareHeldOut: SelectionResult;
  variants: Partial<Record<VariantName, SelectionResult & { auc: number; roc: { fpr: number[]; tpr: number[] }; threshold: number; backgroundEfficiency: number; signalEfficiency: number; gain: number }>>;
}

/** Mean and sample standard deviation over seeds. */
export interface Spread { mean: number; std: number; values: number[] }

export interface SearchResults {
  schema: 'sidewinder/search-results';
  version: 1;
  writer: string;
  createdAt: string;
  config: SearchConfig;
  massUnit: string;
  edges: number[];
  processes: { name: string; isSignal: boolean; entries: number; events: number; negativeWeightEntries: number; eventsAfterCuts: number; entriesAfterCuts: number; source: string }[];
  /** Per-process spectra before any cut. */
  spectraBeforeCuts: Record<string, SpectrumRecord>;
  square: SelectionResult;
  seeds: SeedResult[];
  summary: {
    /** 'square': the full sample; 'squareHeldOut': square cuts on each seed's held-out entries (the gains' reference). */
    Z: Partial<Record<SummaryKey, Spread>>;
    gain: Partial<Record<VariantName, Spread>>;
    spuriousOverError: Partial<Record<SummaryKey, Spread>>;
    spuriousOverSignal: Partial<Record<SummaryKey, Spread>>;
    backgroundOnlyChi2PerNdf: Partial<Record<SummaryKey, Spread>>;
    auc: Partial<Record<VariantName, Spread>>;
    dCorScoreMass: Partial<Record<VariantName, Spread>>;
    shapeRatioChi2PerNdf: Partial<Record<VariantName, Spread>>;
  };
  timings: Record<string, number>;
}

export const SEARCH_WRITER = SIDEWINDER_WRITER;

const record = (h: Histogram): SpectrumRecord => ({ values: Array.from(h.values), variances: Array.from(h.variances) });

/** Spread of a list (sample std; 0 for one value). */
export function spread(values: number[]): Spread {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, values };
}

/** Fits and measures of one selection: masks per process (entries kept), weight scale for held-out. */
/**
 * H0/H1 fits, or — when the minimiser gives up on a spectrum the background family cannot describe (a
 * classifier-sculpted peak) — NaN everywhere and a warning: the selection is reported as unfittable
 * instead of ending the search.
 */
function testOrFail(h: Histogram, bm: ReturnType<typeof backgroundModel>, shape: SignalShape, cfg: SearchConfig, what: string, reporter: Reporter): HypothesisTest {
  try {
    return testSignalHypothesis(h, bm, shape, { range: cfg.fitRange });
  } catch (e) {
    if (!(e instanceof SidewinderError)) throw e;
    reporter.log('warn', `${what}: the ${cfg.backgroundModel} fit failed (${e.message}); reported as NaN`);
    const nan = new Float64Array(h.values.length).fill(NaN);
    const fit = { model: bm.name, method: 'chi2' as const, paramNames: [], params: [], errors: [], covariance: null, chi2: NaN, ndf: 0, chi2PerNdf: NaN, pValue: NaN, converged: false, expected: nan, used: [] };
    return { h0: fit, h1: fit, q0: NaN, Z: NaN, zSigned: NaN, pValue: NaN, signalYield: NaN, signalYieldError: NaN, pulls: Array.from(nan) };
  }
}

function analyseSelection(samples: readonly ProcessSample[], masks: Uint8Array[], scale: number, cfg: SearchConfig, edges: Float64Array, what: string, reporter: Reporter): SelectionResult {
  const spectra = samples.map((s, k) => massHistogram(s, edges, masks[k], scale));
  const sig = addHistograms(spectra.filter((_, k) => samples[k].isSignal));
  const bkg = addHistograms(spectra.filter((_, k) => !samples[k].isSignal));
  const data = addHistograms([sig, bkg]);
  const inRange = (h: Histogram) => { let v = 0, e = 0; for (let i = 0; i < h.values.length; i++) { const c = 0.5 * (h.edges[i] + h.edges[i + 1]); if (c >= cfg.fitRange[0] && c <= cfg.fitRange[1]) { v += h.values[i]; e += h.variances[i]; } } return { v, e }; };
  const sigIn = inRange(sig), bkgIn = inRange(bkg);
  if (!(histogramSum(sig) > 0)) throw new InputError(`search: no signal left after the selection in [${cfg.histogram.low}, ${cfg.histogram.high}] ${cfg.massUnit}; loosen the cuts`);
  const shape: SignalShape = fitSignalModel(sig, cfg.signalModel, cfg.signalFitRange);
  const bm = backgroundModel(cfg.backgroundModel, cfg.fitRange, cfg.sqrtS);
  const t = testOrFail(data, bm, shape, cfg, `${what}, signal + background`, reporter);
  const spur = testOrFail(bkg, bm, shape, cfg, `${what}, background only`, reporter);
  return {
    signalEvents: sigIn.v,
    backgroundEvents: bkgIn.v,
    backgroundError: Math.sqrt(bkgIn.e),
    signalShape: Object.fromEntries(shape.fit.paramNames.map((n, i) => [n, shape.fit.params[i]])),
    signalShapeChi2PerNdf: shape.fit.chi2PerNdf,
    method: t.h1.method,
    Z: t.Z, zSigned: t.zSigned, q0: t.q0,
    signalYield: t.signalYield, signalYieldError: t.signalYieldError,
    h0Chi2PerNdf: t.h0.chi2PerNdf, h1Chi2PerNdf: t.h1.chi2PerNdf,
    backgroundOnlyChi2PerNdf: spur.h0.chi2PerNdf,
    backgroundOnlyNdf: spur.h0.ndf,
    spuriousSignal: spur.signalYield,
    spuriousSignalError: spur.signalYieldError,
    spuriousOverError: spur.signalYield / spur.signalYieldError,
    spuriousOverSignal: spur.signalYield / sigIn.v,
    spectra: Object.fromEntries(samples.map((s, k) => [s.name, record(spectra[k])])),
    h1Expected: Array.from(t.h1.expected),
    h0Expected: Array.from(t.h0.expected),
    pulls: t.pulls,
  };
}

/** Train/held-out split per process for one seed. */
function splitMasks(samples: readonly ProcessSample[], trainFraction: number, rng: Rng): { train: Uint8Array[]; test: Uint8Array[] } {
  const train: Uint8Array[] = [], test: Uint8Array[] = [];
  for (const s of samples) {
    const n = s.mass.length;
    const perm = rng.fork(`split:${s.name}`).permutation(n);
    const nTrain = Math.round(n * trainFraction);
    const tr = new Uint8Array(n);
    for (let i = 0; i < nTrain; i++) tr[perm[i]] = 1;
    train.push(tr);
    test.push(Uint8Array.from(tr, (v) => 1 - v));
  }
  return { train, test };
}

function featureColumns(s: ProcessSample, features: readonly string[]): Float64Array[] {
  return features.map((f) => {
    if (!s.table.has(f)) throw new InputError(`${s.source}: classifier feature "${f}" is not a column; columns are ${s.table.columnNames.join(', ')}`);
    return Float64Array.from(s.table.column(f));
  });
}

/**
 * Train on the selected training entries: 50/50 weighted signal vs background with |w| (negative NLO
 * weights cannot enter a log-loss as they are), each class scaled to N/2 in total so the mean weight is 1.
 */
async function trainClassifier(samples: readonly ProcessSample[], trainMasks: Uint8Array[], features: readonly string[], cfg: SearchConfig, seed: number, reporter: Reporter): Promise<FittedClassifier> {
  const cols: number[][] = features.map(() => []);
  const y: number[] = [], w: number[] = [];
  samples.forEach((s, k) => {
    const fc = featureColumns(s, features);
    for (let i = 0; i < s.mass.length; i++) {
      if (!trainMasks[k][i]) continue;
      fc.forEach((c, j) => cols[j].push(c[i]));
      y.push(s.isSignal ? 1 : 0);
      w.push(Math.abs(s.weight[i]));
    }
  });
  let sw1 = 0, sw0 = 0, n1 = 0;
  for (let i = 0; i < y.length; i++) { if (y[i]) { sw1 += w[i]; n1++; } else sw0 += w[i]; }
  if (n1 === 0 || n1 === y.length) throw new InputError(`search: the training sample (${cfg.classifier!.trainingSample}) holds ${n1} signal and ${y.length - n1} background entries; need both`);
  const half = y.length / 2;
  const sampleWeight = Float64Array.from(w, (v, i) => (y[i] ? (v * half) / sw1 : (v * half) / sw0));
  const X = fromColumns(cols);
  const clf = createClassifier(cfg.classifier!.kind, cfg.classifier!.options as Record<string, unknown>);
  reporter.log('info', `training ${cfg.classifier!.kind} on ${y.length} entries (${n1} signal), ${features.length} features, seed ${seed}`);
  return clf.fit(X, Uint8Array.from(y), { sampleWeight, seed, reporter });
}

function scoreAll(model: FittedClassifier, samples: readonly ProcessSample[], features: readonly string[]): Float64Array[] {
  return samples.map((s) => model.predictProba(fromColumns(featureColumns(s, features))));
}

/** Weighted (|w|) efficiency of score ≥ cut among masked entries in the fit range, signal or background. */
function efficiency(samples: readonly ProcessSample[], scores: Float64Array[], masks: Uint8Array[], cut: number, signal: boolean, range: readonly [number, number]): number {
  let pass = 0, all = 0;
  samples.forEach((s, k) => {
    if (s.isSignal !== signal) return;
    for (let i = 0; i < s.mass.length; i++) {
      if (!masks[k][i] || !(s.mass[i] >= range[0] && s.mass[i] <= range[1])) continue;
      const w = Math.abs(s.weight[i]);
      all += w;
      if (scores[k][i] >= cut) pass += w;
    }
  });
  return all > 0 ? pass / all : NaN;
}

/** Run the search on loaded samples. */
export async function runSearch(samples: readonly ProcessSample[], cfg: SearchConfig, reporter: Reporter = silent): Promise<SearchResults> {
  const timings: Record<string, number> = {};
  const tick = (() => { let t = performance.now(); return (k: string) => { const n = performance.now(); timings[k] = (timings[k] ?? 0) + (n - t) / 1000; t = n; }; })();
  if (!samples.some((s) => s.isSignal)) throw new InputError('search: no signal sample (a file whose isSignal column is 1)');
  if (!samples.some((s) => !s.isSignal)) throw new InputError('search: no background sample (a file whose isSignal column is 0)');
  const { low, high, bins } = cfg.histogram;
  const edges = Float64Array.from({ length: bins + 1 }, (_, i) => low + ((high - low) * i) / bins);
  const squareMasks = samples.map((s) => passCuts(s, cfg.cuts));
  const processes = samples.map((s, k) => {
    const all = weightedYield(s), after = weightedYield(s, squareMasks[k]);
    let neg = 0;
    for (const w of s.weight) if (w < 0) neg++;
    return { name: s.name, isSignal: s.isSignal, entries: s.mass.length, events: all.events, negativeWeightEntries: neg, eventsAfterCuts: after.events, entriesAfterCuts: after.entries, source: s.source };
  });
  for (const p of processes) reporter.log('info', `${p.name}: ${p.entries} entries = ${p.events.toFixed(1)} events; after the square cuts ${p.entriesAfterCuts} entries = ${p.eventsAfterCuts.toFixed(2)} events`);
  const spectraBeforeCuts = Object.fromEntries(samples.map((s) => [s.name, record(massHistogram(s, edges))]));
  const square = analyseSelection(samples, squareMasks, 1, cfg, edges, 'square cuts', reporter);
  reporter.log('info', `square cuts: S = ${square.signalEvents.toFixed(1)}, B = ${square.backgroundEvents.toFixed(1)} in the fit range; Z = ${square.Z.toFixed(2)}, spurious signal ${square.spuriousSignal.toFixed(2)} ± ${square.spuriousSignalError.toFixed(2)}`);
  tick('squareCuts');

  const seeds: SeedResult[] = [];
  const c = cfg.classifier;
  if (c) {
    const trainingSelection = c.trainingSample === 'after-cuts' ? cfg.cuts : c.trainingSample === 'loose-cuts' ? cfg.looseCuts : ([] as SquareCut[]);
    const trainingMasks = samples.map((s) => passCuts(s, trainingSelection));
    const scale = 1 / (1 - c.trainFraction);
    const root = createRng(cfg.seed);
    for (const seed of c.seeds) {
      const rng = root.fork(`seed:${seed}`);
      const split = splitMasks(samples, c.trainFraction, rng);
      const heldOutSquare = samples.map((_, k) => andMasks(squareMasks[k], split.test[k]));
      const squareHeldOut = analyseSelection(samples, heldOutSquare, scale, cfg, edges, `seed ${seed} square cuts (held-out)`, reporter);
      tick('squareCuts');
      const variants: SeedResult['variants'] = {};
      const bkgHeldOut = (scores: Float64Array[]) => {
        const sc: number[] = [], m: number[] = [], w: number[] = [];
        samples.forEach((s, k) => { if (s.isSignal) return; for (let i = 0; i < s.mass.length; i++) if (heldOutSquare[k][i] && s.mass[i] >= cfg.fitRange[0] && s.mass[i] <= cfg.fitRange[1]) { sc.push(scores[k][i]); m.push(s.mass[i]); w.push(s.weight[i]); } });
        return { sc, m, w };
      };
      const squareBkg = addHistograms(samples.map((s, k) => massHistogram(s, edges, heldOutSquare[k], scale)).filter((_, k) => !samples[k].isSignal));
      const evaluate = (name: VariantName, scores: Float64Array[], cut: number) => {
        const masks = samples.map((_, k) => andMasks(heldOutSquare[k], Uint8Array.from(scores[k], (v) => (v >= cut ? 1 : 0))));
        const sel = analyseSelection(samples, masks, scale, cfg, edges, `seed ${seed} ${name}`, reporter);
        const sigS: number[] = [], sigW: number[] = [], bS: number[] = [], bW: number[] = [];
        samples.forEach((s, k) => { for (let i = 0; i < s.mass.length; i++) if (heldOutSquare[k][i]) { (s.isSignal ? sigS : bS).push(scores[k][i]); (s.isSignal ? sigW : bW).push(Math.abs(s.weight[i])); } });
        const roc = rocCurve(sigS, bS, { signalWeights: sigW, backgroundWeights: bW });
        const stride = Math.max(1, Math.floor(roc.fpr.length / 200));
        const afterBkg = addHistograms(samples.map((s, k) => massHistogram(s, edges, masks[k], scale)).filter((_, k) => !samples[k].isSignal));
        const b = bkgHeldOut(scores);
        variants[name] = {
          ...sel,
          auc: areaUnderRoc(roc),
          roc: { fpr: Array.from(roc.fpr).filter((_, i) => i % stride === 0 || i === roc.fpr.length - 1), tpr: Array.from(roc.tpr).filter((_, i) => i % stride === 0 || i === roc.tpr.length - 1) },
          threshold: cut,
          backgroundEfficiency: efficiency(samples, scores, heldOutSquare, cut, false, cfg.fitRange),
          signalEfficiency: efficiency(samples, scores, heldOutSquare, cut, true, cfg.fitRange),
          shapeRatio: shapeRatio(squareBkg, afterBkg, cfg.fitRange),
          dCorScoreMass: weightedDcor(b.sc, b.m, b.w, Math.min(cfg.sculpting.dcorEvents, Math.max(b.sc.length, 2)), rng.fork(`dcor:${name}`)),
          gain: sel.Z / squareHeldOut.Z,
        };
        reporter.log('info', `seed ${seed} ${name}: AUC ${variants[name]!.auc.toFixed(3)}, ε_S ${variants[name]!.signalEfficiency.toFixed(3)}, ε_B ${variants[name]!.backgroundEfficiency.toFixed(4)}, Z ${sel.Z.toFixed(2)} (square on held-out ${squareHeldOut.Z.toFixed(2)}), spurious ${sel.spuriousSignal.toFixed(2)} ± ${sel.spuriousSignalError.toFixed(2)}, dCor ${variants[name]!.dCorScoreMass!.toFixed(3)}`);
      };
      const trainMasks = samples.map((_, k) => andMasks(split.train[k], trainingMasks[k]));
      const plain = await trainClassifier(samples, trainMasks, c.features, cfg, seed, reporter);
      tick('training');
      const plainScores = scoreAll(plain, samples, c.features);
      evaluate('classifier', plainScores, c.scoreCut);
      tick('evaluation');
      if (cfg.sculpting.enabled) {
        const withMass = [...c.features, cfg.fitVariable];
        const aware = await trainClassifier(samples, trainMasks, withMass, cfg, seed, reporter);
        tick('training');
        evaluate('massAware', scoreAll(aware, samples, withMass), c.scoreCut);
        // DDT of the classifier's score: its background CDF per mass bin. Training-half scores are biased
        // (the classifier has seen them), so the map is cross-fitted on the held-out background after the
        // square cuts: two random folds, each event transformed with the map of the other fold. The cut keeps
        // the classifier's own background fraction, now at every mass. (The mass-aware score peaks within
        // ±σ_m of 1 TeV, narrower than any mass bin with enough entries; its map would leave a residual peak,
        // so the map is applied to the classifier without the mass, whose mass dependence is smooth.)
        const foldRng = rng.fork('ddt-folds');
        const fold = samples.map((s) => Uint8Array.from({ length: s.mass.length }, () => (foldRng.uniform() < 0.5 ? 1 : 0)));
        const maps = [0, 1].map((f) => {
          const tr: number[] = [], tm: number[] = [], tw: number[] = [];
          samples.forEach((s, k) => { if (s.isSignal) return; for (let i = 0; i < s.mass.length; i++) if (heldOutSquare[k][i] && fold[k][i] === f) { tr.push(plainScores[k][i]); tm.push(s.mass[i]); tw.push(s.weight[i]); } });
          return fitDecorrelationMap(tr, tm, tw, cfg.sculpting.ddtMassBins);
        });
        const u = samples.map((s, k) => {
          const u0 = decorrelatedScore(maps[0], plainScores[k], s.mass), u1 = decorrelatedScore(maps[1], plainScores[k], s.mass);
          return Float64Array.from(u0, (v, i) => (fold[k][i] === 0 ? u1[i] : v));
        });
        evaluate('decorrelated', u, 1 - variants.classifier!.backgroundEfficiency);
        tick('evaluation');
      }
      seeds.push({ seed, squareHeldOut, variants });
    }
  }

  const keys = ['square', 'squareHeldOut', ...VARIANT_NAMES] as const;
  const pick = (k: SummaryKey, f: (r: SelectionResult) => number): Spread =>
    spread(k === 'square' ? [f(square)] : k === 'squareHeldOut' ? seeds.map((s) => f(s.squareHeldOut)) : seeds.map((s) => s.variants[k]).filter((v) => v !== undefined).map((v) => f(v!)));
  const present = VARIANT_NAMES.filter((v) => seeds.some((s) => s.variants[v]));
  const byVariant = <T>(f: (v: VariantName) => T): Partial<Record<VariantName, T>> => Object.fromEntries(present.map((v) => [v, f(v)]));
  const allKeys = keys.filter((k) => k === 'square' || (k === 'squareHeldOut' ? seeds.length > 0 : present.includes(k)));
  const rows = (f: (r: SelectionResult) => number) => Object.fromEntries(allKeys.map((k) => [k, pick(k, f)]));
  const summary: SearchResults['summary'] = {
    Z: rows((r) => r.Z),
    gain: byVariant((v) => spread(seeds.map((s) => s.variants[v]!.gain))),
    spuriousOverError: rows((r) => r.spuriousOverError),
    spuriousOverSignal: rows((r) => r.spuriousOverSignal),
    backgroundOnlyChi2PerNdf: rows((r) => r.backgroundOnlyChi2PerNdf),
    auc: byVariant((v) => spread(seeds.map((s) => s.variants[v]!.auc))),
    dCorScoreMass: byVariant((v) => spread(seeds.map((s) => s.variants[v]!.dCorScoreMass!))),
    shapeRatioChi2PerNdf: byVariant((v) => spread(seeds.map((s) => { const r = s.variants[v]!.shapeRatio!; return r.chi2Flat / Math.max(r.ndf, 1); }))),
  };
  return {
    schema: 'sidewinder/search-results', version: 1, writer: SEARCH_WRITER, createdAt: new Date().toISOString(),
    config: cfg, massUnit: cfg.massUnit, edges: Array.from(edges), processes, spectraBeforeCuts, square, seeds, summary, timings,
  };
}
