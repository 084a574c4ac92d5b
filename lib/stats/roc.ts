/**
 * ROC curve, area under it, and the significance improvement characteristic
 * SIC = TPR/√FPR (the factor by which a cut on the score multiplies S/√B; used for weakly supervised
 * anomaly detection in the CATHODE paper arXiv:2109.00546 and the anchor analysis arXiv:2411.00085).
 *
 * Pass criterion as everywhere in the cut-and-count: score ≥ threshold. Tied scores move together,
 * so the curve has one point per distinct score and the area counts ties as one half (Mann–Whitney).
 *
 * Overlap note: lib/ml may carry its own AUC for training diagnostics; this one is the statistics
 * layer's, named `areaUnderRoc`, and works on a {@link RocCurve} or directly on two score samples.
 */
import { rocAuc } from '../ml/auc.js';
import { ConfigError, InputError, ShapeError } from '../util/errors.js';

/** ROC points from the strictest cut to the loosest; point 0 is (0, 0) at threshold +∞. */
export interface RocCurve {
  /** Cut value of each point (pass: score ≥ threshold), descending. */
  readonly thresholds: Float64Array;
  /** Signal efficiency (weighted when signal weights are given). */
  readonly tpr: Float64Array;
  /** Background efficiency ε_B (weighted when background weights are given). */
  readonly fpr: Float64Array;
  /** Number of signal events passing (unweighted). */
  readonly nSignalPass: Float64Array;
  /** Number of background events passing (unweighted; the statistics behind fpr). */
  readonly nBackgroundPass: Float64Array;
}

/** Optional per-event weights of the two classes. */
export interface RocOptions {
  readonly signalWeights?: ArrayLike<number>;
  readonly backgroundWeights?: ArrayLike<number>;
}

function descending(scores: ArrayLike<number>, weights: ArrayLike<number> | undefined, name: string, wName: string): { s: Float64Array; w: Float64Array | null } {
  if (scores.length === 0) throw new InputError(`rocCurve: ${name} is empty`);
  for (let i = 0; i < scores.length; i++) if (Number.isNaN(scores[i])) throw new InputError(`rocCurve: ${name}[${i}] is NaN`);
  if (!weights) {
    const s = Float64Array.from(scores).sort().reverse();
    return { s, w: null };
  }
  if (weights.length !== scores.length) throw new ShapeError(`rocCurve: ${wName} has ${weights.length} entries, ${name} has ${scores.length}`);
  for (let i = 0; i < weights.length; i++)
    if (!(weights[i] >= 0) || !Number.isFinite(weights[i])) throw new InputError(`rocCurve: ${wName}[${i}] must be a finite weight >= 0, got ${weights[i]}`);
  const idx = Uint32Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  return { s: Float64Array.from(idx, (i) => scores[i]), w: Float64Array.from(idx, (i) => weights[i]) };
}

/**
 * ROC curve of signal vs background scores: one point per distinct score, TPR and FPR the
 * (weighted) fractions with score ≥ threshold.
 */
export function rocCurve(signalScores: ArrayLike<number>, backgroundScores: ArrayLike<number>, options: RocOptions = {}): RocCurve {
  const sig = descending(signalScores, options.signalWeights, 'signalScores', 'signalWeights');
  const bkg = descending(backgroundScores, options.backgroundWeights, 'backgroundScores', 'backgroundWeights');
  const sigTotal = sig.w ? sig.w.reduce((a, b) => a + b, 0) : sig.s.length;
  const bkgTotal = bkg.w ? bkg.w.reduce((a, b) => a + b, 0) : bkg.s.length;
  if (!(sigTotal > 0)) throw new InputError('rocCurve: signalWeights sum to 0');
  if (!(bkgTotal > 0)) throw new InputError('rocCurve: backgroundWeights sum to 0');
  const cap = sig.s.length + bkg.s.length + 1;
  const thresholds = new Float64Array(cap);
  const tpr = new Float64Array(cap);
  const fpr = new Float64Array(cap);
  const nS = new Float64Array(cap);
  const nB = new Float64Array(cap);
  thresholds[0] = Infinity;
  let k = 1;
  let i = 0;
  let j = 0;
  let ws = 0;
  let wb = 0;
  while (i < sig.s.length || j < bkg.s.length) {
    const t = Math.max(i < sig.s.length ? sig.s[i] : -Infinity, j < bkg.s.length ? bkg.s[j] : -Infinity);
    while (i < sig.s.length && sig.s[i] === t) ws += sig.w ? sig.w[i++] : (i++, 1);
    while (j < bkg.s.length && bkg.s[j] === t) wb += bkg.w ? bkg.w[j++] : (j++, 1);
    thresholds[k] = t;
    tpr[k] = ws / sigTotal;
    fpr[k] = wb / bkgTotal;
    nS[k] = i;
    nB[k] = j;
    k++;
  }
  return { thresholds: thresholds.slice(0, k), tpr: tpr.slice(0, k), fpr: fpr.slice(0, k), nSignalPass: nS.slice(0, k), nBackgroundPass: nB.slice(0, k) };
}

/**
 * Area under the ROC curve: of a curve, by the trapezoid rule over its points (also a thinned one);
 * of two samples (and weights), the Mann–Whitney probability P(s_sig > s_bkg) + ½ P(s_sig = s_bkg)
 * ({@link rocAuc}, which equals the trapezoid area of the full curve).
 */
export function areaUnderRoc(curveOrSignal: RocCurve | ArrayLike<number>, backgroundScores?: ArrayLike<number>, options: RocOptions = {}): number {
  if (!('tpr' in curveOrSignal)) {
    // Two samples: the Mann–Whitney statistic of lib/ml/auc.ts, the one implementation of the two-sample AUC.
    const sig = curveOrSignal as ArrayLike<number>, bkg = backgroundScores ?? [];
    if (sig.length === 0 || bkg.length === 0) throw new InputError(`areaUnderRoc: ${sig.length === 0 ? 'signal' : 'background'} scores are empty`);
    const scores = new Float64Array(sig.length + bkg.length), labels = new Uint8Array(scores.length);
    scores.set(Float64Array.from(sig)); scores.set(Float64Array.from(bkg), sig.length); labels.fill(1, 0, sig.length);
    const w = options.signalWeights || options.backgroundWeights ? new Float64Array(scores.length).fill(1) : undefined;
    if (w && options.signalWeights) w.set(Float64Array.from(options.signalWeights));
    if (w && options.backgroundWeights) w.set(Float64Array.from(options.backgroundWeights), sig.length);
    return rocAuc(scores, labels, w);
  }
  const c = curveOrSignal as RocCurve;
  let a = 0;
  for (let k = 1; k < c.fpr.length; k++) a += ((c.fpr[k] - c.fpr[k - 1]) * (c.tpr[k] + c.tpr[k - 1])) / 2;
  return a;
}

/**
 * Statistical error of an AUC estimated from nPositive and nNegative independent events
 * (Hanley & McNeil 1982, Radiology 143, 29, eq. 1 with their exponential approximation of Q1, Q2).
 * At AUC = ½ it is √((n⁺ + n⁻ + 1)/(12 n⁺ n⁻)), the Mann–Whitney null spread.
 */
export function aucStandardError(auc: number, nPositive: number, nNegative: number): number {
  if (!(nPositive >= 1 && nNegative >= 1)) return NaN;
  const q1 = auc / (2 - auc), q2 = (2 * auc * auc) / (1 + auc), a2 = auc * auc;
  const v = (auc * (1 - auc) + (nPositive - 1) * (q1 - a2) + (nNegative - 1) * (q2 - a2)) / (nPositive * nNegative);
  return Math.sqrt(Math.max(v, 0));
}

/** SIC options. */
export interface SicOptions {
  /**
   * Statistics floor: keep only points where at least this many (unweighted) background events
   * pass, so 1/√FPR is not driven by one or two events. Default {@link SIC_MIN_BACKGROUND_DEFAULT}.
   */
  readonly minBackgroundEvents?: number;
}

/** Default statistics floor of SIC: 10 passing background events (relative stat. error of FPR ≈ 32 %). */
export const SIC_MIN_BACKGROUND_DEFAULT = 10;

/** The SIC curve SIC = TPR/√FPR at the ROC points that pass the background-statistics floor. */
export interface SicCurve {
  readonly thresholds: Float64Array;
  readonly tpr: Float64Array;
  readonly fpr: Float64Array;
  readonly sic: Float64Array;
  readonly nBackgroundPass: Float64Array;
}

/** SIC = TPR/√FPR over the ROC points with ≥ minBackgroundEvents background events passing (and FPR > 0). */
export function sicCurve(curve: RocCurve, options: SicOptions = {}): SicCurve {
  const floor = options.minBackgroundEvents ?? SIC_MIN_BACKGROUND_DEFAULT;
  if (!(floor >= 1) || !Number.isFinite(floor)) throw new ConfigError(`sicCurve: minBackgroundEvents must be a finite number >= 1, got ${floor}`);
  const keep: number[] = [];
  for (let k = 0; k < curve.fpr.length; k++) if (curve.nBackgroundPass[k] >= floor && curve.fpr[k] > 0) keep.push(k);
  const pick = (a: Float64Array): Float64Array => Float64Array.from(keep, (k) => a[k]);
  const tpr = pick(curve.tpr);
  const fpr = pick(curve.fpr);
  return { thresholds: pick(curve.thresholds), tpr, fpr, sic: Float64Array.from(tpr, (t, i) => t / Math.sqrt(fpr[i])), nBackgroundPass: pick(curve.nBackgroundPass) };
}

/** The maximum of SIC above the statistics floor, with its operating point; null if no point qualifies. */
export function maxSic(curve: RocCurve, options: SicOptions = {}): { sic: number; tpr: number; fpr: number; threshold: number; nBackgroundPass: number } | null {
  const s = sicCurve(curve, options);
  if (s.sic.length === 0) return null;
  let best = 0;
  for (let k = 1; k < s.sic.length; k++) if (s.sic[k] > s.sic[best]) best = k;
  return { sic: s.sic[best], tpr: s.tpr[best], fpr: s.fpr[best], threshold: s.thresholds[best], nBackgroundPass: s.nBackgroundPass[best] };
}
