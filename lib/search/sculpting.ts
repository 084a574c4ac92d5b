/**
 * Mass sculpting by a classifier cut, and the decorrelated alternative.
 *
 * - Shape ratio: the background mass spectrum after the cut over the one before, both normalised to
 *   unit area in the fit range: r_i = (a_i/A)/(b_i/B). An unsculpted cut gives r ≡ 1; the summary is
 *   χ²_flat = Σ (r_i − 1)²/σ_i² over the bins. The after-cut entries are a subset of the before-cut ones,
 *   so σ_i is the binomial error under "the cut is independent of the mass" with efficiency ε = A/B:
 *   Var a_i = ε(1 − ε) Σw²_i(before), σ_i = √((1 − ε) Σw²_i / ε) / b_i — from the well-populated
 *   before-cut spectrum, so a bin the cut empties does not get a vanishing error.
 * - dCor(score, mass) on background: Székely's distance correlation ({@link distanceCorrelation}) on
 *   background entries resampled with probability ∝ |w| (so the pairs stand for events, not entries).
 * - Decorrelation: a designed decorrelated tagger (DDT; Dolen et al., JHEP 05 (2016) 156): the score is
 *   replaced by its background CDF in the event's mass bin, u = F_B(s | m). On background u is uniform
 *   in every mass bin, so a cut u ≥ 1 − ε keeps the fraction ε of the background at every mass and the
 *   spectrum keeps its shape; the search cross-fits the map on two folds of held-out background, so no
 *   event is transformed by a map that saw it.
 *   This is the cheap robust choice instead of a DisCo loss penalty (which needs a new MLP loss).
 */
import { InputError, ShapeError } from '../util/errors.js';
import type { Rng } from '../util/rng.js';
import type { Histogram } from '../stats/fit/histogram.js';
import { binCentres } from '../stats/fit/histogram.js';
import { distanceCorrelation } from '../stats/dcor.js';

/** Shape ratio after/before with its flatness χ². */
export interface ShapeRatio {
  /** Bin centres, ratio and its error (NaN for empty bins). */
  readonly centres: number[];
  readonly ratio: number[];
  readonly error: number[];
  readonly chi2Flat: number;
  readonly ndf: number;
  /** Ratio at the bins' extremes in the range (min, max). */
  readonly min: number;
  readonly max: number;
}

/** Shape ratio of `after` (a selection of the entries of `before`) over `before` in [range[0], range[1]] (bin centres). */
export function shapeRatio(before: Histogram, after: Histogram, range: readonly [number, number]): ShapeRatio {
  if (before.values.length !== after.values.length) throw new ShapeError(`shapeRatio: ${before.values.length} bins before, ${after.values.length} after`);
  const c = binCentres(before);
  const inR = (i: number) => c[i] >= range[0] && c[i] <= range[1];
  let A = 0, B = 0;
  for (let i = 0; i < c.length; i++) if (inR(i)) { A += after.values[i]; B += before.values[i]; }
  if (!(A > 0) || !(B > 0)) throw new InputError(`shapeRatio: no background left in [${range.join(', ')}] (after cut Σw = ${A}, before ${B})`);
  const centres: number[] = [], ratio: number[] = [], error: number[] = [];
  let chi2 = 0, ndf = -1, lo = Infinity, hi = -Infinity;
  const eps = A / B;
  for (let i = 0; i < c.length; i++) {
    if (!inR(i)) continue;
    centres.push(c[i]);
    const b = before.values[i];
    if (!(b > 0) || !(before.variances[i] > 0)) { ratio.push(NaN); error.push(NaN); continue; }
    const r = after.values[i] / (eps * b);
    const e = Math.sqrt((Math.max(1 - eps, 0) * before.variances[i]) / eps) / b;
    if (!(e > 0)) { ratio.push(r); error.push(NaN); continue; }
    ratio.push(r); error.push(e);
    chi2 += ((r - 1) / e) ** 2; ndf++;
    lo = Math.min(lo, r); hi = Math.max(hi, r);
  }
  return { centres, ratio, error, chi2Flat: chi2, ndf: Math.max(ndf, 0), min: lo, max: hi };
}

/**
 * dCor(score, mass) on up to `n` entries drawn with replacement with probability ∝ |w| (seeded).
 * With n ≥ the number of entries and unit weights this is still a resample, as in a bootstrap.
 */
export function weightedDcor(score: ArrayLike<number>, mass: ArrayLike<number>, weight: ArrayLike<number>, n: number, rng: Rng): number {
  const k = score.length;
  if (mass.length !== k || weight.length !== k) throw new ShapeError(`weightedDcor: score ${k}, mass ${mass.length}, weight ${weight.length} entries`);
  if (k < 2) throw new InputError(`weightedDcor: need at least 2 background entries, got ${k}`);
  const cum = new Float64Array(k);
  let t = 0;
  for (let i = 0; i < k; i++) { t += Math.abs(weight[i]); cum[i] = t; }
  if (!(t > 0)) throw new InputError('weightedDcor: the weights sum to 0');
  const xs = new Float64Array(n), ys = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const u = rng.uniform() * t;
    let a = 0, b = k - 1;
    while (a < b) { const mid = (a + b) >> 1; if (cum[mid] > u) b = mid; else a = mid + 1; }
    xs[j] = score[a]; ys[j] = mass[a];
  }
  return distanceCorrelation(xs, ys).dCor;
}

/**
 * The DDT map: mass bins of equal numbers of background entries; per bin its median mass and the
 * background scores sorted with their cumulative |w| (the weighted CDF).
 */
export interface DecorrelationMap {
  readonly centres: Float64Array;
  readonly scores: Float64Array[];
  readonly cumWeight: Float64Array[];
}

/**
 * Estimate the map on background entries: `nBins` mass bins of equal entry counts (entries, not weights:
 * each bin's CDF then has the same statistical precision), and the |w|-weighted score CDF in each.
 */
export function fitDecorrelationMap(score: ArrayLike<number>, mass: ArrayLike<number>, weight: ArrayLike<number>, nBins: number): DecorrelationMap {
  const k = score.length;
  if (mass.length !== k || weight.length !== k) throw new ShapeError(`fitDecorrelationMap: score ${k}, mass ${mass.length}, weight ${weight.length} entries`);
  if (!(Number.isInteger(nBins) && nBins >= 2)) throw new InputError(`fitDecorrelationMap: nBins must be an integer ≥ 2, got ${nBins}`);
  if (k < 20 * nBins) throw new InputError(`fitDecorrelationMap: ${k} background entries for ${nBins} mass bins; need at least ${20 * nBins}`);
  const order = Uint32Array.from({ length: k }, (_, i) => i).sort((a, b) => mass[a] - mass[b]);
  const centres = new Float64Array(nBins);
  const scores: Float64Array[] = [], cumWeight: Float64Array[] = [];
  for (let b = 0; b < nBins; b++) {
    const mem = Array.from(order.subarray(Math.floor((b * k) / nBins), Math.floor(((b + 1) * k) / nBins)));
    centres[b] = mass[mem[mem.length >> 1]];
    mem.sort((x, y) => score[x] - score[y]);
    const c = new Float64Array(mem.length);
    let t = 0;
    mem.forEach((i, j) => { t += Math.abs(weight[i]); c[j] = t; });
    if (!(t > 0)) throw new InputError(`fitDecorrelationMap: mass bin ${b} has zero total weight`);
    for (let j = 0; j < c.length; j++) c[j] /= t;
    scores.push(Float64Array.from(mem, (i) => score[i]));
    cumWeight.push(c);
  }
  return { centres, scores, cumWeight };
}

/** Weighted background fraction with a score ≤ s in bin b. */
function binCdf(map: DecorrelationMap, b: number, s: number): number {
  const sc = map.scores[b], c = map.cumWeight[b];
  let lo = 0, hi = sc.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (sc[mid] <= s) lo = mid + 1; else hi = mid; }
  return lo === 0 ? 0 : c[lo - 1];
}

/**
 * u = F_B(score | mass) ∈ [0, 1] per event: the background CDF of the score, linearly interpolated in mass
 * between the two bins whose median masses enclose the event's (the outermost bins beyond them), so the
 * threshold follows a score distribution that changes within a bin.
 */
export function decorrelatedScore(map: DecorrelationMap, score: ArrayLike<number>, mass: ArrayLike<number>): Float64Array {
  const out = new Float64Array(score.length);
  const m = map.centres, nb = m.length;
  for (let i = 0; i < score.length; i++) {
    const x = mass[i];
    if (x <= m[0]) { out[i] = binCdf(map, 0, score[i]); continue; }
    if (x >= m[nb - 1]) { out[i] = binCdf(map, nb - 1, score[i]); continue; }
    let a = 0, b = nb - 1;
    while (b - a > 1) { const mid = (a + b) >> 1; if (m[mid] <= x) a = mid; else b = mid; }
    const t = m[b] > m[a] ? (x - m[a]) / (m[b] - m[a]) : 0;
    out[i] = (1 - t) * binCdf(map, a, score[i]) + t * binCdf(map, b, score[i]);
  }
  return out;
}
