/**
 * Fake Factor method (seed 000). The fake factor F = f/(1 − f) = N_tight^fake / N_loose-not-tight^fake,
 * measured in a fake-enriched region, binned in (pT, η). The fake background of the tight selection:
 * - one object:  N_fakes = [Σ_L F]_data − [Σ_L F]_prompt MC
 * - two objects: N_fakes = [Σ_TL F2 + Σ_LT F1 − Σ_LL F1 F2]_data − [same]_prompt MC
 * (T = tight, L = loose-not-tight; "TL" = object 1 tight, object 2 loose). It is the Matrix Method
 * with r = 1, the prompt-MC subtraction removing real objects that fail the tight selection.
 */
import { binIndex } from '../fit/histogram.js';
import { ConfigError, ShapeError } from '../../util/errors.js';

/** F = f/(1 − f). */
export function fakeFactorFromRate(f: number): number {
  if (!(f >= 0 && f < 1)) throw new ConfigError(`fakeFactorFromRate: fake rate must lie in [0, 1), got ${f}`);
  return f / (1 - f);
}

/** A fake factor binned in pT (rows) and η (columns); values and variances row-major. */
export interface FakeFactorMap {
  readonly ptEdges: Float64Array;
  readonly etaEdges: Float64Array;
  readonly values: Float64Array;
  readonly variances: Float64Array;
}

/** Objects of a fake-enriched sample: kinematics, tight flag, optional weights. */
export interface ObjectSample {
  readonly pt: ArrayLike<number>;
  readonly eta: ArrayLike<number>;
  readonly tight: ArrayLike<boolean | number>;
  readonly weights?: ArrayLike<number>;
}

function findBin(edges: Float64Array, v: number): number {
  // clamp under/overflow into the first/last bin: fake factors are extrapolated flat
  const n = edges.length - 1;
  if (!(v >= edges[1])) return 0;
  if (v >= edges[n - 1]) return n - 1;
  return binIndex(edges, v);
}

/**
 * Measure F(pT, η) = Σw_tight / Σw_loose-not-tight per bin in a fake-enriched sample, with
 * first-order variance F² (σ_T²/N_T² + σ_L²/N_L²). Bins without loose objects get F = NaN.
 */
export function measureFakeFactors(sample: ObjectSample, ptEdges: ArrayLike<number>, etaEdges: ArrayLike<number>): FakeFactorMap {
  const n = sample.pt.length;
  if (sample.eta.length !== n || sample.tight.length !== n) throw new ShapeError(`measureFakeFactors: pt has ${n} entries, eta ${sample.eta.length}, tight ${sample.tight.length}`);
  if (sample.weights && sample.weights.length !== n) throw new ShapeError(`measureFakeFactors: weights has ${sample.weights.length} entries for ${n} objects`);
  const pe = Float64Array.from(ptEdges), ee = Float64Array.from(etaEdges);
  if (pe.length < 2 || ee.length < 2) throw new ShapeError('measureFakeFactors: need at least 2 edges in pT and in η');
  const nP = pe.length - 1, nE = ee.length - 1;
  const t = new Float64Array(nP * nE), l = new Float64Array(nP * nE), vt = new Float64Array(nP * nE), vl = new Float64Array(nP * nE);
  for (let i = 0; i < n; i++) {
    const b = findBin(pe, sample.pt[i]) * nE + findBin(ee, sample.eta[i]);
    const w = sample.weights ? sample.weights[i] : 1;
    if (sample.tight[i]) { t[b] += w; vt[b] += w * w; } else { l[b] += w; vl[b] += w * w; }
  }
  const values = new Float64Array(nP * nE), variances = new Float64Array(nP * nE);
  for (let b = 0; b < nP * nE; b++) {
    const F = l[b] > 0 ? t[b] / l[b] : NaN;
    values[b] = F;
    variances[b] = l[b] > 0 ? F * F * ((t[b] > 0 ? vt[b] / (t[b] * t[b]) : 0) + vl[b] / (l[b] * l[b])) + (t[b] > 0 ? 0 : vl[b] > 0 ? 1 / (l[b] * l[b]) : 0) : NaN;
  }
  return { ptEdges: pe, etaEdges: ee, values, variances };
}

/** F at (pT, η) from a binned map (flat extrapolation outside the edges). */
export function fakeFactorAt(map: FakeFactorMap, pt: number, eta: number): number {
  const nE = map.etaEdges.length - 1;
  const F = map.values[findBin(map.ptEdges, pt) * nE + findBin(map.etaEdges, eta)];
  if (!Number.isFinite(F)) throw new ConfigError(`fakeFactorAt: no fake factor measured in the bin of pT = ${pt}, η = ${eta}`);
  return F;
}

/** Events with one or two objects (each with its own pT, η, tight flag) and optional event weights. */
export interface FakeFactorEvents {
  readonly objects: readonly { readonly pt: ArrayLike<number>; readonly eta: ArrayLike<number>; readonly tight: ArrayLike<boolean | number> }[];
  readonly weights?: ArrayLike<number>;
}

/** Σ over events of the fake-factor weight (see file header) and its Σ(weight²). */
export function fakeFactorSum(events: FakeFactorEvents, F: FakeFactorMap | ((obj: number, pt: number, eta: number) => number)): { sum: number; sumSq: number } {
  const objs = events.objects;
  if (objs.length !== 1 && objs.length !== 2) throw new ConfigError(`fakeFactorSum: 1 or 2 objects per event supported, got ${objs.length}`);
  const n = objs[0].pt.length;
  for (const [k, o] of objs.entries())
    if (o.pt.length !== n || o.eta.length !== n || o.tight.length !== n) throw new ShapeError(`fakeFactorSum: object ${k}: pt/eta/tight lengths ${o.pt.length}/${o.eta.length}/${o.tight.length}, expected ${n}`);
  if (events.weights && events.weights.length !== n) throw new ShapeError(`fakeFactorSum: weights has ${events.weights.length} entries for ${n} events`);
  const look = typeof F === 'function' ? F : (_k: number, pt: number, eta: number) => fakeFactorAt(F, pt, eta);
  let sum = 0, sumSq = 0;
  for (let i = 0; i < n; i++) {
    let w: number;
    if (objs.length === 1) w = objs[0].tight[i] ? 0 : look(0, objs[0].pt[i], objs[0].eta[i]);
    else {
      const t1 = !!objs[0].tight[i], t2 = !!objs[1].tight[i];
      if (t1 && t2) w = 0;
      else if (t1) w = look(1, objs[1].pt[i], objs[1].eta[i]); // TL → F2
      else if (t2) w = look(0, objs[0].pt[i], objs[0].eta[i]); // LT → F1
      else w = -look(0, objs[0].pt[i], objs[0].eta[i]) * look(1, objs[1].pt[i], objs[1].eta[i]); // LL → −F1F2
    }
    const ew = events.weights ? events.weights[i] : 1;
    sum += ew * w;
    sumSq += (ew * w) ** 2;
  }
  return { sum, sumSq };
}

/**
 * Fake background in the tight selection: [Σ]_data − [Σ]_prompt MC, with the statistical uncertainty
 * sqrt(Σ_data w² + Σ_MC w²) (the fake-factor map's own uncertainty is not included).
 */
export function fakeFactorEstimate(data: FakeFactorEvents, F: FakeFactorMap | ((obj: number, pt: number, eta: number) => number), promptMc?: FakeFactorEvents): { nFakes: number; sigmaStat: number; dataTerm: number; promptTerm: number } {
  const d = fakeFactorSum(data, F);
  const m = promptMc ? fakeFactorSum(promptMc, F) : { sum: 0, sumSq: 0 };
  return { nFakes: d.sum - m.sum, sigmaStat: Math.sqrt(d.sumSq + m.sumSq), dataTerm: d.sum, promptTerm: m.sum };
}
