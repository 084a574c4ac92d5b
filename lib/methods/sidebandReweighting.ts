/**
 * Sideband reweighting of a generated template: a correction of the density estimator's fit, learned
 * where there is no SR signal. A classifier separates the sideband data near the SR from the
 * generator's samples at the same masses; its likelihood ratio p/(1 − p) is the factor by which the
 * generator under- (> 1) or over- (< 1) populates each point of feature space, and the SR template is
 * weighted by it (the sideband reweighting of SALAD, arXiv:2001.05001, applied to a flow instead of
 * simulation). The correction reads only features, not m_JJ: it assumes the flow's mismodelling
 * near the SR is the same on both sides of it, which is what interpolating into the SR assumes too.
 *
 * Why: a sideband-trained flow's tails are too thin beyond its training set's 0.1 % quantiles
 * (docs/benchmarks.md, where the template bias comes from); the classifier on SR data vs template
 * finds that excess at tight ε_B, and δsys grows with it.
 */
import type { EventTable } from '../data/eventTable.js';
import { shortSidebandMask, lowerShortSidebandMask, signalRegionMask, countMask, windowInTeV, type Window } from '../windows/index.js';
import { createClassifier } from '../ml/classifier.js';
import '../ml/trees/hgb.js';
import type { ConditionalDensity } from '../ml/flows/index.js';
import type { Matrix } from '../ml/matrix.js';
import { createRng } from '../util/rng.js';
import { ConfigError, InputError } from '../util/errors.js';
import { featureMatrix, maskedColumn, repeatMasses } from './features.js';
import { assertFiniteTemplate } from './cathodeTask.js';

/** How a generated template is reweighted in the sidebands (`cathode.reweighting`). */
export interface SidebandReweightingSettings {
  /** Width in TeV of each sideband band the reweighter trains on (below and above the SR). */
  readonly sidebandWidthTeV: number;
  /** Generator samples per sideband data event in the reweighter's training set. */
  readonly oversampling: number;
  /** Weights are clipped to [1/maxWeight, maxWeight] before normalisation. */
  readonly maxWeight: number;
  /** Options of the reweighter's boosted trees, over {@link REWEIGHTER_OPTIONS}. */
  readonly classifier: Readonly<Record<string, unknown>>;
  /**
   * How the two bands share the reweighter's training. 'population': every band event counts once, so on
   * a falling spectrum the lower band dominates and the correction is the lower side's. 'mass-matched':
   * each band is weighted so that the bands' mean m_JJ is the SR data's; a mismodelling that changes
   * linearly with m_JJ is then corrected at the SR as the flow interpolates it.
   */
  readonly bandWeighting: 'population' | 'mass-matched';
  /**
   * Reweighting passes: each trains a new classifier of band data vs the generator's band samples weighted by
   * the passes before, and multiplies every weight by its ratio (what one early-stopped classifier left).
   */
  readonly iterations: number;
}

/**
 * The reweighter: the project's boosted trees, early-stopped on a fifth of its events, with at least 200
 * events in a leaf. Why: the tight working points select the template's sparsest corners, where a weight
 * from a few events moves ε_eff from run to run (docs/benchmarks.md, sideband reweighting).
 */
export const REWEIGHTER_OPTIONS: Readonly<Record<string, unknown>> = Object.freeze({ maxIter: 200, maxLeafNodes: 31, learningRate: 0.1, earlyStopping: true, validationFraction: 0.2, minSamplesLeaf: 200 });

/** Band 0.5 TeV either side of the SR, two generator samples per band event, weights within [0.1, 10]. */
export const SIDEBAND_REWEIGHTING_DEFAULTS: SidebandReweightingSettings = Object.freeze({ sidebandWidthTeV: 0.5, oversampling: 2, maxWeight: 10, classifier: REWEIGHTER_OPTIONS, bandWeighting: 'population', iterations: 1 });

/** What the reweighting did, for the results. */
export interface ReweightingSummary {
  readonly sidebandEvents: number;
  readonly generatorEvents: number;
  /** Weight quantiles (after normalisation to mean 1): min, 1 %, 50 %, 99 %, max. */
  readonly weightQuantiles: readonly [number, number, number, number, number];
  /** Events whose ratio was clipped at maxWeight or 1/maxWeight. */
  readonly clipped: number;
  /** Effective template size (Σw)²/Σw² over its size. */
  readonly effectiveFraction: number;
}

/**
 * Shares of the lower and upper band whose mixture has the SR's mean m_JJ: a_lower m̄_lower + a_upper m̄_upper
 * = m̄_SR, a_lower + a_upper = 1, each clamped to [0, 1]. A band without events (NaN mean) gets 0.
 */
export function massMatchedBandShares(lowerMean: number, upperMean: number, srMean: number): { lower: number; upper: number } {
  if (Number.isNaN(lowerMean)) return { lower: 0, upper: 1 };
  if (Number.isNaN(upperMean)) return { lower: 1, upper: 0 };
  const lower = Math.min(1, Math.max(0, (upperMean - srMean) / (upperMean - lowerMean)));
  return { lower, upper: 1 - lower };
}

/** Complete and check `cathode.reweighting` (a partial object over the defaults). */
export function resolveReweighting(r: Partial<SidebandReweightingSettings>): SidebandReweightingSettings {
  const out = { ...SIDEBAND_REWEIGHTING_DEFAULTS, ...r, classifier: { ...REWEIGHTER_OPTIONS, ...r.classifier } };
  if (!(out.sidebandWidthTeV > 0)) throw new ConfigError(`cathode.reweighting.sidebandWidthTeV must be > 0 (TeV), got ${out.sidebandWidthTeV}`);
  if (!(Number.isInteger(out.oversampling) && out.oversampling >= 1)) throw new ConfigError(`cathode.reweighting.oversampling must be an integer >= 1, got ${out.oversampling}`);
  if (!(out.maxWeight > 1)) throw new ConfigError(`cathode.reweighting.maxWeight must be > 1, got ${out.maxWeight}`);
  if (!(Number.isInteger(out.iterations) && out.iterations >= 1)) throw new ConfigError(`cathode.reweighting.iterations must be an integer >= 1, got ${out.iterations}`);
  if (out.bandWeighting !== 'population' && out.bandWeighting !== 'mass-matched') throw new ConfigError(`cathode.reweighting.bandWeighting must be 'population' or 'mass-matched', got ${JSON.stringify(out.bandWeighting)}`);
  return out;
}

/**
 * Weights of the SR template `template` (drawn from `density`): the ratio data/generator learned on
 * the sideband data within `sidebandWidthTeV` of the SR, clipped and normalised to mean 1.
 * @param what names the template in errors (window, sample).
 */
export async function sidebandReweighting(
  density: ConditionalDensity, events: EventTable, window: Window, features: readonly string[], template: Matrix<Float64Array>,
  settings: SidebandReweightingSettings, opts: { seed: number; what: string },
): Promise<{ weights: Float64Array; summary: ReweightingSummary }> {
  const band = shortSidebandMask(events, windowInTeV(window), settings.sidebandWidthTeV);
  const nBand = countMask(band);
  if (nBand < 1000) throw new InputError(`${opts.what}: only ${nBand} sideband events within ${settings.sidebandWidthTeV} TeV of the SR to learn the template's reweighting from; need at least 1000 (widen cathode.reweighting.sidebandWidthTeV, or draw the template unweighted: scan --no-reweighting, or leave cathode.reweighting out of the config)`);
  const data = featureMatrix(events, features, band);
  const masses = maskedColumn(events, 'mJJ', band);
  const m = repeatMasses(masses, settings.oversampling);
  // Drawn as the template is (redrawing events outside the training range), so both share one distribution.
  const rng = createRng(opts.seed).fork('sideband-reweighting');
  const checked = density.sampleChecked ? density.sampleChecked(m, rng) : undefined;
  const generated = checked ? checked.x : density.sample(m, rng);
  assertFiniteTemplate(generated.data, generated.rows, generated.cols, `${opts.what}: the generator's samples in the sideband bands (reweighting)`);
  const d = data.cols, rows = nBand + generated.rows;
  const x = new Float64Array(rows * d);
  x.set(data.data, 0);
  x.set(generated.data, nBand * d);
  const y = new Uint8Array(rows).fill(1, 0, nBand);
  const bandWeight = settings.bandWeighting === 'mass-matched'
    ? massMatchedSampleWeights(masses, lowerShortSidebandMask(events, windowInTeV(window), settings.sidebandWidthTeV), band,
      maskedColumn(events, 'mJJ', signalRegionMask(events, windowInTeV(window))), checked?.m ?? m)
    : undefined;
  const lo = 1 / settings.maxWeight, hi = settings.maxWeight;
  // Each pass multiplies the ratio it learned into the template's weights and into the generator's band samples'.
  const ratios = new Float64Array(template.rows).fill(1), generatedRatios = new Float64Array(generated.rows).fill(1);
  for (let pass = 0; pass < settings.iterations; pass++) {
    const sampleWeight = pass === 0 ? bandWeight : passWeights(bandWeight, nBand, generatedRatios);
    const model = await createClassifier('hgb', { ...settings.classifier }).fit({ data: x, rows, cols: d }, y, { classWeight: 'balanced', seed: opts.seed + pass, ...(sampleWeight ? { sampleWeight } : {}) });
    multiplyRatios(ratios, model.predictProba(template), lo, hi);
    if (pass + 1 < settings.iterations) multiplyRatios(generatedRatios, model.predictProba(generated), lo, hi);
  }
  const weights = new Float64Array(template.rows);
  let clipped = 0, sum = 0;
  for (let i = 0; i < ratios.length; i++) {
    // Finite: each pass's factor is within [lo, hi] (multiplyRatios); their product is clipped once more here.
    const ratio = ratios[i];
    const w = Math.min(hi, Math.max(lo, ratio));
    if (!(ratio > lo && ratio < hi)) clipped++;
    weights[i] = w;
    sum += w;
  }
  let sum2 = 0;
  for (let i = 0; i < weights.length; i++) { weights[i] *= weights.length / sum; sum2 += weights[i] * weights[i]; }
  const sorted = Float64Array.from(weights).sort();
  const q = (f: number): number => sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))];
  return {
    weights,
    summary: {
      sidebandEvents: nBand, generatorEvents: generated.rows,
      weightQuantiles: [sorted[0], q(0.01), q(0.5), q(0.99), sorted[sorted.length - 1]],
      clipped, effectiveFraction: weights.length / sum2,
    },
  };
}

/**
 * Training weights of the reweighter for 'mass-matched' bands: the band data (masses `bandMasses`, the events of
 * `band` in order; `lowerBand` marks which are below the SR) followed by the generator's rows (masses
 * `generatedMasses`). Each band's events of each class share its {@link massMatchedBandShares} of the class's count.
 */
function massMatchedSampleWeights(bandMasses: Float64Array, lowerBand: Uint8Array, band: Uint8Array, srMasses: Float64Array, generatedMasses: Float64Array): Float64Array {
  const isLower = new Uint8Array(bandMasses.length);
  for (let i = 0, k = 0; i < band.length; i++) if (band[i]) isLower[k++] = lowerBand[i];
  // The generator was sampled at band masses: below every upper-band mass means the lower band.
  let lowerMax = -Infinity, upperMin = Infinity;
  for (let i = 0; i < bandMasses.length; i++) {
    if (isLower[i]) lowerMax = Math.max(lowerMax, bandMasses[i]);
    else upperMin = Math.min(upperMin, bandMasses[i]);
  }
  const split = Number.isFinite(lowerMax) ? lowerMax : upperMin - 1;
  const mean = (v: Float64Array, keep: (i: number) => boolean): number => {
    let s = 0, n = 0;
    for (let i = 0; i < v.length; i++) if (keep(i)) { s += v[i]; n++; }
    return n ? s / n : NaN;
  };
  const shares = massMatchedBandShares(mean(bandMasses, (i) => isLower[i] === 1), mean(bandMasses, (i) => isLower[i] === 0), mean(srMasses, () => true));
  const nData = bandMasses.length, nGen = generatedMasses.length;
  const w = new Float64Array(nData + nGen);
  let dataLower = 0, genLower = 0;
  for (let i = 0; i < nData; i++) dataLower += isLower[i];
  for (let i = 0; i < nGen; i++) if (generatedMasses[i] <= split) genLower++;
  const factor = (share: number, total: number, inBand: number): number => (inBand ? share * total / inBand : 0);
  for (let i = 0; i < nData; i++) w[i] = isLower[i] ? factor(shares.lower, nData, dataLower) : factor(shares.upper, nData, nData - dataLower);
  for (let i = 0; i < nGen; i++) w[nData + i] = generatedMasses[i] <= split ? factor(shares.lower, nGen, genLower) : factor(shares.upper, nGen, nGen - genLower);
  return w;
}

/** ratios[i] ×= p/(1 − p) of each probability, each factor within [lo, hi] (a non-finite one: hi). */
function multiplyRatios(ratios: Float64Array, p: ArrayLike<number>, lo: number, hi: number): void {
  for (let i = 0; i < ratios.length; i++) {
    const r = p[i] / (1 - p[i]);
    ratios[i] *= Number.isFinite(r) ? Math.min(hi, Math.max(lo, r)) : hi;
  }
}

/**
 * Training weights of a later pass: the band data's (their band weights, or 1) and the generator's samples' band
 * weights times the ratios learned so far, the latter scaled to the class's count so class balancing stays as in pass 1.
 */
function passWeights(bandWeight: Float64Array | undefined, nData: number, generatedRatios: Float64Array): Float64Array {
  const w = new Float64Array(nData + generatedRatios.length);
  let sum = 0;
  for (let i = 0; i < generatedRatios.length; i++) { w[nData + i] = (bandWeight ? bandWeight[nData + i] : 1) * generatedRatios[i]; sum += w[nData + i]; }
  const scale = generatedRatios.length / sum;
  for (let i = 0; i < generatedRatios.length; i++) w[nData + i] *= scale;
  for (let i = 0; i < nData; i++) w[i] = bandWeight ? bandWeight[i] : 1;
  return w;
}
