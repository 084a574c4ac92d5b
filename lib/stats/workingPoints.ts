/**
 * Working points of a cut-and-count (docs/physics.md#working-points; anchor analysis Das et al., arXiv:2411.00085):
 * the threshold t at background efficiency ε_B is the (1 − ε_B) quantile of the background template's
 * out-of-fold scores, by NumPy's `method="nearest"` (round-half-to-even of (n − 1)(1 − ε_B));
 * an event passes when score ≥ t. Counts are per fold (each fold's threshold from that fold's
 * template scores) and summed over folds:
 *   N_template,pass = Σ_folds Σ_{template ≥ t_k} w,  N_template = Σ_folds Σ w,
 *   ε_eff = N_template,pass / N_template,  N_obs = Σ_folds #(data ≥ t_k),  N_SR = Σ_folds #data.
 * Many ε_B are served by one multi-rank selection (quickselect; no full sort needed) over the template
 * and one bucketing pass over each sample.
 */
import { ConfigError, InputError, ShapeError } from '../util/errors.js';
import { finiteCopy, nearestRankIndex, selectRanks } from './quantile.js';

/** Validate a list of background efficiencies: finite, strictly inside (0, 1). */
export function checkEpsilonB(epsilonB: readonly number[], fn: string): void {
  if (!Array.isArray(epsilonB) || epsilonB.length === 0)
    throw new ConfigError(`${fn}: epsilonB must be a non-empty array of background efficiencies in (0, 1)`);
  epsilonB.forEach((e, i) => {
    if (!(e > 0 && e < 1)) throw new ConfigError(`${fn}: epsilonB[${i}] must be in (0, 1), got ${e}`);
  });
}

/**
 * `n` background efficiencies log-spaced from `lo` to `hi` inclusive (like `np.logspace(log10 lo, log10 hi, n)`;
 * equal to numpy within an ulp or two). Default: 20 points in [1e-4, 1e-1].
 */
export function logSpacedEpsilonB(lo = 1e-4, hi = 1e-1, n = 20): number[] {
  if (!(lo > 0 && hi < 1 && lo < hi)) throw new ConfigError(`logSpacedEpsilonB: need 0 < lo < hi < 1, got lo=${lo}, hi=${hi}`);
  if (!(Number.isInteger(n) && n >= 2)) throw new ConfigError(`logSpacedEpsilonB: n must be an integer >= 2, got ${n}`);
  const a = Math.log10(lo);
  const b = Math.log10(hi);
  const step = (b - a) / (n - 1);
  return Array.from({ length: n }, (_, i) => (i === 0 ? lo : i === n - 1 ? hi : 10 ** (a + i * step)));
}

/** Thresholds t_j = nearest-rank (1 − ε_B,j) quantile of an ascending template score array. */
export function thresholdsFromSorted(sortedTemplate: ArrayLike<number>, epsilonB: readonly number[]): Float64Array {
  checkEpsilonB(epsilonB, 'thresholdsFromSorted');
  if (sortedTemplate.length === 0) throw new InputError('thresholdsFromSorted: the template has no scores');
  const n = sortedTemplate.length;
  return Float64Array.from(epsilonB, (e) => sortedTemplate[nearestRankIndex(n, 1 - e)]);
}

/** Per-threshold sums over the events passing score ≥ t_j. */
interface PassSums {
  readonly total: number;
  readonly totalW2: number;
  readonly nEvents: number;
  readonly nDropped: number;
  readonly pass: Float64Array;
  readonly passW2: Float64Array;
}

function checkWeights(weights: ArrayLike<number>, nScores: number, name: string, scoresName: string): void {
  if (weights.length !== nScores) throw new ShapeError(`${name} has ${weights.length} entries, ${scoresName} has ${nScores}`);
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i];
    if (!(w >= 0) || !Number.isFinite(w)) throw new InputError(`${name}[${i}] must be a finite weight >= 0, got ${w}`);
  }
}

/**
 * Σw and Σw² of the events with score ≥ t_j for every threshold in one pass: each event is binned by
 * how many (ascending) thresholds lie at or below its score, then suffix sums give the pass sums.
 */
function passSums(
  scores: ArrayLike<number>,
  weights: ArrayLike<number> | undefined,
  thresholds: Float64Array,
  name: string,
  skipNaN: boolean,
): PassSums {
  const m = thresholds.length;
  const order = Array.from({ length: m }, (_, j) => j).sort((a, b) => thresholds[a] - thresholds[b]);
  const asc = Float64Array.from(order, (j) => thresholds[j]);
  const bucket = new Float64Array(m + 1);
  const bucketW2 = new Float64Array(m + 1);
  let nDropped = 0;
  let total = 0;
  let totalW2 = 0;
  const lowest = asc[0];
  // events below every threshold (the vast majority at small ε_B) skip the binary search
  const bucketOf = (s: number): number => {
    let lo = 0;
    let hi = m;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (asc[mid] <= s) lo = mid + 1;
      else hi = mid;
    }
    return lo; // #{thresholds ≤ s}
  };
  const nanError = (i: number): InputError => new InputError(`${name}[${i}] is NaN; scores must be numbers (pass skipNaN: true to drop NaN scores)`);
  if (!weights) {
    let nLow = 0;
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i];
      if (s < lowest) {
        nLow++;
        continue;
      }
      if (s !== s) {
        if (!skipNaN) throw nanError(i);
        nDropped++;
        continue;
      }
      bucket[bucketOf(s)] += 1;
    }
    bucket[0] += nLow;
    for (let k = 0; k <= m; k++) bucketW2[k] = bucket[k];
    total = scores.length - nDropped;
    totalW2 = total;
  } else {
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i];
      if (s !== s) {
        if (!skipNaN) throw nanError(i);
        nDropped++;
        continue;
      }
      const w = weights[i];
      const k = s < lowest ? 0 : bucketOf(s);
      bucket[k] += w;
      bucketW2[k] += w * w;
      total += w;
      totalW2 += w * w;
    }
  }
  // event with k passes asc[0..k−1]; pass(asc[r]) = Σ_{k > r} bucket[k]
  const pass = new Float64Array(m);
  const passW2 = new Float64Array(m);
  let acc = 0;
  let accW2 = 0;
  for (let r = m - 1; r >= 0; r--) {
    acc += bucket[r + 1];
    accW2 += bucketW2[r + 1];
    pass[order[r]] = acc;
    passW2[order[r]] = accW2;
  }
  return { total, totalW2, nEvents: scores.length - nDropped, nDropped, pass, passW2 };
}

/** One sample of scores for {@link foldWorkingPoints}: template (background model) and SR data. */
export interface FoldScores {
  /** Out-of-fold classifier scores of the background template events. */
  readonly templateScores: ArrayLike<number>;
  /** Optional non-negative template weights (e.g. CATHODE samples); unit weights when omitted. */
  readonly templateWeights?: ArrayLike<number>;
  /** Out-of-fold scores of the SR data events. */
  readonly dataScores: ArrayLike<number>;
  /** Optional non-negative data weights (e.g. Poisson-bootstrap pseudo-experiments); unit when omitted. */
  readonly dataWeights?: ArrayLike<number>;
}

/** Counts of one fold at each ε_B (sums of weights where weights are given). */
export interface FoldWorkingPoints {
  readonly epsilonB: readonly number[];
  /** t_j: nearest-rank (1 − ε_B,j) quantile of this fold's template scores. */
  readonly thresholds: Float64Array;
  /** Σw of template events (the count when unweighted). */
  readonly nTemplate: number;
  /** Number of (non-NaN) template events. */
  readonly nTemplateEvents: number;
  /** Σw of template events with score ≥ t_j. */
  readonly nTemplatePass: Float64Array;
  /** Σw² of template events with score ≥ t_j (for the effective count). */
  readonly nTemplatePassW2: Float64Array;
  /** Σw of SR data events (their count when unweighted). */
  readonly nSR: number;
  /** Σw of SR data events with score ≥ t_j. */
  readonly nObs: Float64Array;
  /** NaN scores dropped (only with skipNaN). */
  readonly nTemplateNaN: number;
  readonly nDataNaN: number;
}

/** Options of the working-point functions. */
export interface WorkingPointOptions {
  /** Drop NaN scores instead of throwing (default false: a NaN score is an error naming its index). */
  readonly skipNaN?: boolean;
  /** Argument names used in error messages. */
  readonly names?: { readonly templateScores?: string; readonly dataScores?: string; readonly templateWeights?: string; readonly dataWeights?: string };
}

/**
 * Thresholds and counts of one fold (or of pooled scores) at every ε_B, with one multi-rank selection
 * over the template scores. Pass criterion: score ≥ threshold (ties pass, so ε_eff ≥ ε_B on tied scores).
 * With template weights the threshold is still the *unweighted* nearest-rank quantile (as the anchor's
 * np.quantile); the weights enter N_template, N_template,pass, ε_eff and the effective count.
 */
export function foldWorkingPoints(sample: FoldScores, epsilonB: readonly number[], options: WorkingPointOptions = {}): FoldWorkingPoints {
  checkEpsilonB(epsilonB, 'workingPoints');
  const skipNaN = options.skipNaN ?? false;
  const nm = {
    templateScores: options.names?.templateScores ?? 'templateScores',
    dataScores: options.names?.dataScores ?? 'dataScores',
    templateWeights: options.names?.templateWeights ?? 'templateWeights',
    dataWeights: options.names?.dataWeights ?? 'dataWeights',
  };
  const { templateScores, templateWeights, dataScores, dataWeights } = sample;
  if (templateWeights) checkWeights(templateWeights, templateScores.length, nm.templateWeights, nm.templateScores);
  if (dataWeights) checkWeights(dataWeights, dataScores.length, nm.dataWeights, nm.dataScores);
  // the thresholds need only a few order statistics: select them (O(n)) instead of sorting
  const finite = finiteCopy(templateScores, nm.templateScores, { skipNaN });
  if (finite.length === 0)
    throw new InputError(`${nm.templateScores} is empty${templateScores.length ? ' after dropping NaN scores' : ''}; a working point needs template events`);
  const thresholds = selectRanks(finite, epsilonB.map((e) => nearestRankIndex(finite.length, 1 - e)));
  const t = passSums(templateScores, templateWeights, thresholds, nm.templateScores, skipNaN);
  const d = passSums(dataScores, dataWeights, thresholds, nm.dataScores, skipNaN);
  return {
    epsilonB: [...epsilonB],
    thresholds,
    nTemplate: t.total,
    nTemplateEvents: t.nEvents,
    nTemplatePass: t.pass,
    nTemplatePassW2: t.passW2,
    nSR: d.total,
    nObs: d.pass,
    nTemplateNaN: t.nDropped,
    nDataNaN: d.nDropped,
  };
}

/** Fold labels of template and data events (any integers; a fold is the set of events sharing a label). */
export interface FoldLabels {
  readonly template: ArrayLike<number>;
  readonly data: ArrayLike<number>;
}

/** Working points summed over folds, plus the per-fold detail. */
export interface SummedWorkingPoints {
  readonly epsilonB: readonly number[];
  /** Fold labels in ascending order (a single label 0 when unfolded). */
  readonly foldIds: readonly number[];
  readonly perFold: readonly FoldWorkingPoints[];
  readonly nTemplate: number;
  readonly nTemplateEvents: number;
  readonly nTemplatePass: Float64Array;
  /** Kish effective count of passing template events (Σw)²/Σw² summed over folds' events. */
  readonly nTemplatePassEff: Float64Array;
  /** ε_eff = N_template,pass / N_template. */
  readonly epsilonEff: Float64Array;
  readonly nSR: number;
  readonly nObs: Float64Array;
}

function splitByFold(values: ArrayLike<number>, labels: ArrayLike<number>, ids: number[]): Float64Array[] {
  const index = new Map(ids.map((id, k) => [id, k]));
  const sizes = new Array<number>(ids.length).fill(0);
  for (let i = 0; i < labels.length; i++) sizes[index.get(labels[i])!]++;
  const out = sizes.map((s) => new Float64Array(s));
  const fill = new Array<number>(ids.length).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const k = index.get(labels[i])!;
    out[k][fill[k]++] = values[i];
  }
  return out;
}

function checkLabels(labels: ArrayLike<number>, n: number, name: string, scoresName: string): void {
  if (labels.length !== n) throw new ShapeError(`${name} has ${labels.length} entries, ${scoresName} has ${n}`);
  for (let i = 0; i < labels.length; i++)
    if (!Number.isInteger(labels[i])) throw new InputError(`${name}[${i}] must be an integer fold label, got ${labels[i]}`);
}

/**
 * Working points with per-fold thresholds and counts summed over folds (docs/physics.md#working-points: k-fold
 * cross-fitting, each event scored by the model that did not train on it; data events of fold k
 * are cut at the threshold from the template events of fold k). Without `folds` the scores are pooled.
 */
export function workingPoints(
  sample: FoldScores,
  epsilonB: readonly number[],
  options: WorkingPointOptions & { readonly folds?: FoldLabels } = {},
): SummedWorkingPoints {
  checkEpsilonB(epsilonB, 'workingPoints');
  const m = epsilonB.length;
  let perFold: FoldWorkingPoints[];
  let foldIds: number[];
  if (!options.folds) {
    perFold = [foldWorkingPoints(sample, epsilonB, options)];
    foldIds = [0];
  } else {
    const { template, data } = options.folds;
    checkLabels(template, sample.templateScores.length, 'folds.template', 'templateScores');
    checkLabels(data, sample.dataScores.length, 'folds.data', 'dataScores');
    const tIds = new Set<number>();
    for (let i = 0; i < template.length; i++) tIds.add(template[i]);
    for (let i = 0; i < data.length; i++)
      if (!tIds.has(data[i])) throw new InputError(`folds.data[${i}] = ${data[i]} names a fold with no template events; each data fold needs its own template scores`);
    foldIds = [...tIds].sort((a, b) => a - b);
    const ts = splitByFold(sample.templateScores, template, foldIds);
    const tw = sample.templateWeights ? splitByFold(sample.templateWeights, template, foldIds) : undefined;
    const ds = splitByFold(sample.dataScores, data, foldIds);
    const dw = sample.dataWeights ? splitByFold(sample.dataWeights, data, foldIds) : undefined;
    perFold = foldIds.map((id, k) =>
      foldWorkingPoints(
        { templateScores: ts[k], templateWeights: tw?.[k], dataScores: ds[k], dataWeights: dw?.[k] },
        epsilonB,
        { skipNaN: options.skipNaN, names: { templateScores: `templateScores (fold ${id})`, dataScores: `dataScores (fold ${id})`, templateWeights: `templateWeights (fold ${id})`, dataWeights: `dataWeights (fold ${id})` } },
      ),
    );
  }
  const nTemplatePass = new Float64Array(m);
  const passW2 = new Float64Array(m);
  const nObs = new Float64Array(m);
  let nTemplate = 0;
  let nTemplateEvents = 0;
  let nSR = 0;
  for (const f of perFold) {
    nTemplate += f.nTemplate;
    nTemplateEvents += f.nTemplateEvents;
    nSR += f.nSR;
    for (let j = 0; j < m; j++) {
      nTemplatePass[j] += f.nTemplatePass[j];
      passW2[j] += f.nTemplatePassW2[j];
      nObs[j] += f.nObs[j];
    }
  }
  const nTemplatePassEff = Float64Array.from(nTemplatePass, (s, j) => (passW2[j] === 0 ? 0 : (s * s) / passW2[j]));
  const epsilonEff = Float64Array.from(nTemplatePass, (s) => (nTemplate === 0 ? 0 : s / nTemplate));
  if (nTemplate === 0) throw new InputError('templateWeights sum to 0; ε_eff = N_template,pass/N_template is undefined');
  return { epsilonB: [...epsilonB], foldIds, perFold, nTemplate, nTemplateEvents, nTemplatePass, nTemplatePassEff, epsilonEff, nSR, nObs };
}

/** Default minimum number of template events passing a working point (see {@link templateResolution}). */
export const DEFAULT_MIN_TEMPLATE_PASS = 10;

/**
 * Template size N_needed = ⌈min / ε_B⌉ for which N_template · ε_B reaches `minTemplatePass`
 * (a relative 1e-12 slack keeps e.g. 10/1e-3 from rounding up to 10001).
 */
export function templateEventsNeeded(epsilonB: number, minTemplatePass: number): number {
  if (!(epsilonB > 0 && epsilonB < 1)) throw new ConfigError(`templateEventsNeeded: epsilonB must be in (0, 1), got ${epsilonB}`);
  checkMinTemplatePass(minTemplatePass, 'templateEventsNeeded');
  return Math.ceil((minTemplatePass / epsilonB) * (1 - 1e-12));
}

function checkMinTemplatePass(min: number, fn: string): void {
  if (!(Number.isInteger(min) && min >= 1)) throw new ConfigError(`${fn}: minTemplatePass must be an integer >= 1, got ${min}`);
}

/** Why a working point is refused, and what would resolve it. */
export interface TemplateRefusal {
  /** One line naming the numbers, e.g. "2456 template events × ε_B 1e-7 = 0.0002 < 10 …". */
  readonly reason: string;
  readonly minTemplatePass: number;
  /** ⌈minTemplatePass / ε_B⌉: template events needed to resolve ε_B. */
  readonly nTemplateNeeded: number;
}

/**
 * Whether a template of `nTemplateEvents` resolves the working point ε_B: a threshold at ε_B means
 * something only when ≥ `minTemplatePass` template events pass it, both as planned
 * (N_template · ε_B ≥ min) and as realised (the effective passing count (Σw)²/Σw², which is the raw
 * count for unit weights, ≥ min — ties and per-fold rounding can leave fewer). Below that the
 * nearest-rank threshold sits on the template's last few events, ε_eff is not ε_B (2456 events at
 * ε_B = 1e-7 give ε_eff = 2e-3) and σ_exp ≥ 1/√min is dominated by template statistics.
 * @returns undefined when resolved, otherwise the refusal with the template size needed.
 */
export function templateResolution(
  nTemplateEvents: number, nTemplatePassEff: number, epsilonB: number, minTemplatePass: number = DEFAULT_MIN_TEMPLATE_PASS,
): TemplateRefusal | undefined {
  checkMinTemplatePass(minTemplatePass, 'templateResolution');
  const nTemplateNeeded = templateEventsNeeded(epsilonB, minTemplatePass);
  const expected = nTemplateEvents * epsilonB;
  const fmt = (x: number): string => (Number.isInteger(x) ? String(x) : x.toPrecision(3));
  if (nTemplateEvents < nTemplateNeeded)
    return {
      reason: `${nTemplateEvents} template events × ε_B ${epsilonB} = ${fmt(expected)} expected to pass, below the minimum of ${minTemplatePass}; resolving ε_B needs ≥ ${nTemplateNeeded} template events`,
      minTemplatePass, nTemplateNeeded,
    };
  if (nTemplatePassEff < minTemplatePass)
    return {
      reason: `only ${fmt(nTemplatePassEff)} template events pass the threshold at ε_B ${epsilonB} (minimum ${minTemplatePass}; N_template · ε_B = ${fmt(expected)}, so ties in the scores or weights left fewer); at least ${nTemplateNeeded} template events with untied scores are needed`,
      minTemplatePass, nTemplateNeeded,
    };
  return undefined;
}
