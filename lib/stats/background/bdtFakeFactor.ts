/**
 * BDT fake factors: unbinned F(x) = f(x)/(1 − f(x)) from a boosted-decision-tree classifier, as a smooth function of several object variables
 * (pT, η, …), replacing the binned 2-D map (seed 000).
 *
 * In the fake-enriched control sample, F(x) = n_tight(x)/n_loose-not-tight(x) is a density ratio. A
 * probabilistic classifier c(x) = P(tight | x) trained on tight (1) vs loose-not-tight (0) objects with
 * their natural proportions (no class re-weighting) estimates it as F(x) = c(x)/(1 − c(x)) — the
 * classifier route to conditional density estimation. The classifier is histogram gradient boosting
 * (lib/ml/trees), averaged over `members` models trained on bootstrap-free random halves (so no
 * object's F comes from a model that memorised it alone); its calibration is checked by the closure
 * Σ_loose F = N_tight on the control sample, reported as `closureRatio`.
 */
import type { Matrix } from '../../ml/matrix.js';
import { takeRows } from '../../ml/matrix.js';
import { HistGradientBoosting, type HgbOptions } from '../../ml/trees/hgb.js';
import type { FittedClassifier } from '../../ml/classifier.js';
import { createRng } from '../../util/rng.js';
import { defaultsOf, resolveOptions, type OptionTable } from '../../util/options.js';
import { ConfigError, InputError, ShapeError } from '../../util/errors.js';

/** Options of the unbinned fake-factor model. */
export interface FakeFactorModelOptions {
  /** Boosted-tree options of the tight-vs-loose classifier. */
  readonly hgb: Partial<HgbOptions>;
  /** Models averaged (each on a random half of the control sample). */
  readonly members: number;
  /** c(x) is clipped to [clip, 1 − clip] so F stays finite. */
  readonly clip: number;
  readonly seed: number;
}
/** Declared constraints, defaults and meaning of every option (checked by `resolveOptions`). */
export const FAKE_FACTOR_MODEL_OPTIONS: OptionTable<FakeFactorModelOptions> = Object.freeze({
  // Small, strongly regularised trees and no early stopping: F(x) is a smooth ratio, and early stopping
  // would hold out half of each member's events. Chosen among four settings on one toy (classifier
  // defaults: 13.6 % RMS error of F on a grid, these 9.0 %, a 5 × 5-bin map 17 %); on six other toys
  // (two shapes × three seeds, 60k objects) these give 6.7–11 % against the binned map's 16–21 %.
  hgb: {
    type: 'object', default: Object.freeze({ maxIter: 200, learningRate: 0.03, maxLeafNodes: 8, minSamplesLeaf: 200, l2Regularization: 1, earlyStopping: false }),
    description: 'Boosted-tree options of the tight-vs-loose classifier (checked by HistGradientBoosting).',
  },
  members: { type: 'integer', min: 1, default: 4, description: 'Models averaged (each on a random half of the control sample).' },
  clip: { type: 'number', min: 0, max: 0.5, exclusiveMin: true, exclusiveMax: true, default: 1e-4, description: 'c(x) is clipped to [clip, 1 − clip] so F stays finite.' },
  seed: { type: 'number', default: 1, description: 'Seed of the members\' random halves and fits.' },
});
export const FAKE_FACTOR_MODEL_DEFAULTS: Readonly<FakeFactorModelOptions> = defaultsOf(FAKE_FACTOR_MODEL_OPTIONS);

/** A fitted F(x). */
export interface FakeFactorModel {
  readonly variables: readonly string[];
  /** F(x) for each row of x (columns in `variables` order). */
  factor(x: Matrix): Float64Array;
  /** Σ_loose F / N_tight on the control sample (1 for a calibrated model). */
  readonly closureRatio: number;
}

/**
 * Fit F(x) on a fake-enriched control sample: rows of `x` (columns named by `variables`), tight flags
 * and optional weights.
 */
export function fitFakeFactorModel(
  x: Matrix, tight: ArrayLike<number | boolean>, variables: readonly string[],
  options: Partial<FakeFactorModelOptions> & { weights?: ArrayLike<number> } = {},
): FakeFactorModel {
  const { weights, ...rest } = options;
  const o = resolveOptions('fitFakeFactorModel', FAKE_FACTOR_MODEL_OPTIONS, rest);
  const n = x.rows;
  if (tight.length !== n) throw new ShapeError(`fitFakeFactorModel: x has ${n} rows, tight has ${tight.length} entries`);
  if (weights && weights.length !== n) throw new ShapeError(`fitFakeFactorModel: x has ${n} rows, weights has ${weights.length} entries`);
  if (variables.length !== x.cols) throw new ShapeError(`fitFakeFactorModel: ${variables.length} variable names for ${x.cols} columns`);
  const y = new Uint8Array(n);
  let nT = 0, nL = 0;
  for (let i = 0; i < n; i++) {
    y[i] = tight[i] ? 1 : 0;
    const w = weights ? weights[i] : 1;
    if (y[i]) nT += w; else nL += w;
  }
  if (nT <= 0 || nL <= 0) throw new InputError(`fitFakeFactorModel: the control sample needs tight and loose-not-tight objects (got ${nT} tight, ${nL} loose-not-tight, weighted)`);
  const root = createRng(o.seed);
  const models: FittedClassifier[] = [];
  for (let k = 0; k < o.members; k++) {
    const r = root.fork(`member:${k}`);
    const idx = o.members === 1 ? Uint32Array.from({ length: n }, (_, i) => i) : r.permutation(n).subarray(0, Math.floor(n / 2));
    const sw = weights ? Float64Array.from(idx, (i) => weights[i]) : undefined;
    models.push(new HistGradientBoosting(o.hgb).fit(takeRows(x, idx), Uint8Array.from(idx, (i) => y[i]), { seed: r.nextUint32(), classWeight: 'none', sampleWeight: sw }));
  }
  const factor = (q: Matrix): Float64Array => {
    if (q.cols !== variables.length) throw new ShapeError(`fake-factor model: expected ${variables.length} columns (${variables.join(', ')}), got ${q.cols}`);
    const c = new Float64Array(q.rows);
    for (const m of models) { const p = m.predictProba(q); for (let i = 0; i < q.rows; i++) c[i] += p[i] / models.length; }
    for (let i = 0; i < q.rows; i++) { const ci = Math.min(Math.max(c[i], o.clip), 1 - o.clip); c[i] = ci / (1 - ci); }
    return c;
  };
  const F = factor(x);
  let sumLoose = 0;
  for (let i = 0; i < n; i++) if (!y[i]) sumLoose += (weights ? weights[i] : 1) * F[i];
  return { variables: [...variables], factor, closureRatio: sumLoose / nT };
}

/** Events with one or two objects, each with its variables as a matrix and a tight flag. */
export interface FakeFactorModelEvents {
  readonly objects: readonly { readonly x: Matrix; readonly tight: ArrayLike<boolean | number> }[];
  readonly weights?: ArrayLike<number>;
}

function modelSum(ev: FakeFactorModelEvents, model: FakeFactorModel): { sum: number; sumSq: number } {
  const objs = ev.objects;
  if (objs.length !== 1 && objs.length !== 2) throw new ConfigError(`fake-factor model: 1 or 2 objects per event supported, got ${objs.length}`);
  const n = objs[0].x.rows;
  objs.forEach((o, k) => { if (o.x.rows !== n || o.tight.length !== n) throw new ShapeError(`fake-factor model: object ${k + 1} has ${o.x.rows} rows and ${o.tight.length} tight flags, expected ${n}`); });
  if (ev.weights && ev.weights.length !== n) throw new ShapeError(`fake-factor model: weights has ${ev.weights.length} entries for ${n} events`);
  const F = objs.map((o) => model.factor(o.x));
  let sum = 0, sumSq = 0;
  for (let i = 0; i < n; i++) {
    let w: number;
    if (objs.length === 1) w = objs[0].tight[i] ? 0 : F[0][i];
    else {
      const t1 = !!objs[0].tight[i], t2 = !!objs[1].tight[i];
      // The dilepton formula: TL → F2, LT → F1, LL → −F1 F2.
      w = t1 && t2 ? 0 : t1 ? F[1][i] : t2 ? F[0][i] : -F[0][i] * F[1][i];
    }
    const ew = (ev.weights ? ev.weights[i] : 1) * w;
    sum += ew; sumSq += ew * ew;
  }
  return { sum, sumSq };
}

/**
 * Fake background of the tight selection with per-object F(x): [Σ]_data − [Σ]_prompt MC (one- or
 * two-object formula of lib/stats/background/fakeFactor.ts), statistical uncertainty from Σ w².
 */
export function fakeFactorModelEstimate(data: FakeFactorModelEvents, model: FakeFactorModel, promptMc?: FakeFactorModelEvents): { nFakes: number; sigmaStat: number; dataTerm: number; promptTerm: number } {
  const d = modelSum(data, model), m = promptMc ? modelSum(promptMc, model) : { sum: 0, sumSq: 0 };
  return { nFakes: d.sum - m.sum, sigmaStat: Math.sqrt(d.sumSq + m.sumSq), dataTerm: d.sum, promptTerm: m.sum };
}
