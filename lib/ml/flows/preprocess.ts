/**
 * CATHODE preprocessing of the flow's features and condition.
 *
 * Features: min–max scaling to (0, 1) with the training set's range, logit, standardisation — each
 * step with its log-Jacobian, so that log p(x | m) = log p_flow(y | m) + log|∂y/∂x| is a density in
 * the original feature space. Events whose scaled value is not strictly inside (0, 1) have no
 * logit and are dropped (this includes the training set's own extremes, as in CATHODE).
 * Condition m_JJ: standardised only (no logit); it needs no Jacobian because it is conditioned on.
 *
 * Or (`probit`) Φ⁻¹ in place of the logit, or (`gaussianize`) each feature through a smooth monotone map
 * from its training quantiles to those of N(0, 1). Why: a feature whose density is finite at its bound (a
 * jet mass near its smallest value, τ21 near 0 or 1) has an exponential tail after the logit, which a
 * Gaussian-based flow does not reach; the classifier then finds the data's excess in those tails
 * (docs/benchmarks.md). After Φ⁻¹ such a tail is Gaussian; quantile-mapped features have Gaussian
 * marginals in the training set, tails included.
 */
import type { Matrix } from '../matrix.js';
import { ShapeError, InputError } from '../../util/errors.js';
import { fitQuantileMap, toNormal, fromNormal, type QuantileMap } from './quantileMap.js';
import { normalIsf, normalCdf, normalSf, normalLogPdf } from '../../util/special.js';

/**
 * How the features enter the flow: min–max + logit + standardisation (CATHODE), min–max + probit
 * (Φ⁻¹) + standardisation, or quantile-mapped to N(0, 1).
 */
export type FeatureTransform = 'logit' | 'probit' | 'gaussianize';

/**
 * Φ⁻¹ of v min–max scaled to (lo, hi): s = (v − lo)/(hi − lo), with 1 − s taken from the upper bound (no
 * cancellation near 1). Why probit: a density finite at a bound becomes a Gaussian tail after Φ⁻¹ (an
 * exponential one after the logit), the tail a Gaussian-based flow can reach.
 */
function probit(v: number, lo: number, hi: number): number {
  const s = (v - lo) / (hi - lo);
  return s < 0.5 ? -normalIsf(s) : normalIsf((hi - v) / (hi - lo));
}

/** Fitted feature + condition transform; plain numbers so it serialises as JSON. */
export interface FlowPreprocessing {
  /** Per feature: training minimum and maximum (original units). */
  readonly min: number[];
  readonly max: number[];
  /** Per feature: mean and standard deviation of logit(scaled x) (probit(scaled x) when `link` is 'probit') over the kept training events. */
  readonly logitMean: number[];
  readonly logitStd: number[];
  /** Condition standardisation. */
  readonly mMean: number;
  readonly mStd: number;
  /** 'probit' for featureTransform "probit"; absent: the logit (documents written before it keep their meaning). */
  readonly link?: 'probit';
  /** Per feature, the quantile map of `gaussianize` (then logitMean = 0, logitStd = 1 and the logit is not used). */
  readonly gaussianize?: QuantileMap[];
}

/** Result of transforming events into the flow's space. */
export interface Preprocessed {
  /** Kept events, transformed, row-major n × d (float32 for the network). */
  readonly y: Float32Array;
  /** Standardised condition of the kept events. */
  readonly c: Float32Array;
  /** log|∂y/∂x| of each kept event (float64). */
  readonly logJacobian: Float64Array;
  /** Index (into the input rows) of each kept event. */
  readonly kept: Uint32Array;
  /** Number of events dropped because a feature was outside the training range. */
  readonly dropped: number;
}

function checkShapes(where: string, x: Matrix, m: ArrayLike<number>): void {
  if (m.length !== x.rows) throw new ShapeError(`${where}: m has ${m.length} entries, x has ${x.rows} rows`);
}

/** Fit the preprocessing on training features x (n × d) and condition m (n). */
export function fitPreprocessing(x: Matrix, m: ArrayLike<number>, transform: FeatureTransform = 'logit'): FlowPreprocessing {
  checkShapes('fitPreprocessing', x, m);
  const { rows: n, cols: d } = x;
  if (n < 2) throw new InputError(`fitPreprocessing: need at least 2 training events, got ${n}`);
  const min = new Array<number>(d).fill(Infinity);
  const max = new Array<number>(d).fill(-Infinity);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const v = x.data[i * d + j];
      if (!Number.isFinite(v)) throw new InputError(`fitPreprocessing: x[${i}, ${j}] is ${v}; expected a finite number`);
      if (v < min[j]) min[j] = v;
      if (v > max[j]) max[j] = v;
    }
  }
  for (let j = 0; j < d; j++)
    if (!(max[j] > min[j])) throw new InputError(`fitPreprocessing: feature column ${j} is constant (${min[j]}); a flow cannot model it`);
  const sum = new Float64Array(d), sum2 = new Float64Array(d);
  let kept = 0;
  let mSum = 0, mSum2 = 0;
  const useProbit = transform === 'probit';
  for (let i = 0; i < n; i++) {
    let ok = true;
    for (let j = 0; j < d; j++) {
      const s = (x.data[i * d + j] - min[j]) / (max[j] - min[j]);
      if (!(s > 0 && s < 1)) { ok = false; break; }
    }
    const mi = m[i];
    if (!Number.isFinite(mi)) throw new InputError(`fitPreprocessing: m[${i}] is ${mi}; expected a finite number`);
    mSum += mi;
    mSum2 += mi * mi;
    if (!ok) continue;
    kept++;
    for (let j = 0; j < d; j++) {
      const v = x.data[i * d + j];
      const s = (v - min[j]) / (max[j] - min[j]);
      const l = useProbit ? probit(v, min[j], max[j]) : Math.log(s / (1 - s));
      sum[j] += l;
      sum2[j] += l * l;
    }
  }
  if (kept < 2) throw new InputError(`fitPreprocessing: fewer than 2 events strictly inside the training range`);
  const logitMean: number[] = [], logitStd: number[] = [];
  for (let j = 0; j < d; j++) {
    const mu = sum[j] / kept;
    logitMean.push(mu);
    logitStd.push(Math.sqrt(Math.max(sum2[j] / kept - mu * mu, 1e-24)));
  }
  const mMean = mSum / n;
  const mStd = Math.sqrt(Math.max(mSum2 / n - mMean * mMean, 0));
  const condition = { mMean, mStd: mStd > 0 ? mStd : 1 };
  if (transform === 'logit') return { min, max, logitMean, logitStd, ...condition };
  if (useProbit) return { min, max, logitMean, logitStd, ...condition, link: 'probit' };
  if (transform !== 'gaussianize') throw new InputError(`fitPreprocessing: unknown feature transform "${String(transform)}"; use "logit", "probit" or "gaussianize"`);
  const gaussianize: QuantileMap[] = [];
  for (let j = 0; j < d; j++) {
    const inside: number[] = [];
    for (let i = 0; i < n; i++) {
      const v = x.data[i * d + j];
      if (v > min[j] && v < max[j]) inside.push(v);
    }
    gaussianize.push(fitQuantileMap(Float64Array.from(inside).sort(), j));
  }
  return { min, max, logitMean: new Array(d).fill(0), logitStd: new Array(d).fill(1), ...condition, gaussianize };
}

/** Transform events into the flow's space, dropping those outside the training range. */
export function preprocess(p: FlowPreprocessing, x: Matrix, m: ArrayLike<number>): Preprocessed {
  checkShapes('preprocess', x, m);
  const d = p.min.length;
  if (x.cols !== d) throw new ShapeError(`preprocess: x has ${x.cols} columns, the flow was trained on ${d}`);
  const n = x.rows;
  const keep = new Uint32Array(n);
  let k = 0;
  for (let i = 0; i < n; i++) {
    let ok = Number.isFinite(m[i]);
    for (let j = 0; j < d && ok; j++) {
      const s = (x.data[i * d + j] - p.min[j]) / (p.max[j] - p.min[j]);
      ok = s > 0 && s < 1;
    }
    if (ok) keep[k++] = i;
  }
  const kept = keep.slice(0, k);
  const y = new Float32Array(k * d);
  const c = new Float32Array(k);
  const logJacobian = new Float64Array(k);
  const g = p.gaussianize;
  const useProbit = p.link === 'probit';
  // Constant part of the link's Jacobian: −log(range) − log(σ) per feature.
  let constJ = 0;
  if (!g) for (let j = 0; j < d; j++) constJ -= Math.log(p.max[j] - p.min[j]) + Math.log(p.logitStd[j]);
  for (let r = 0; r < k; r++) {
    const i = kept[r];
    let lj = constJ;
    for (let j = 0; j < d; j++) {
      const v = x.data[i * d + j];
      if (g) {
        const t = toNormal(g[j], v);
        y[r * d + j] = t.z;
        lj += Math.log(t.dzdx);
        continue;
      }
      const s = (v - p.min[j]) / (p.max[j] - p.min[j]);
      if (useProbit) {
        const u = probit(v, p.min[j], p.max[j]);
        y[r * d + j] = (u - p.logitMean[j]) / p.logitStd[j];
        lj -= normalLogPdf(u); // dΦ⁻¹(s)/ds = 1/φ(u)
        continue;
      }
      const l = Math.log(s) - Math.log1p(-s);
      y[r * d + j] = (l - p.logitMean[j]) / p.logitStd[j];
      lj -= Math.log(s) + Math.log1p(-s);
    }
    c[r] = (m[i] - p.mMean) / p.mStd;
    logJacobian[r] = lj;
  }
  return { y, c, logJacobian, kept, dropped: n - k };
}

/** Standardise condition values (float32 for the network). */
export function standardiseCondition(p: FlowPreprocessing, m: ArrayLike<number>): Float32Array {
  const c = new Float32Array(m.length);
  for (let i = 0; i < m.length; i++) {
    if (!Number.isFinite(m[i])) throw new InputError(`standardiseCondition: m[${i}] is ${m[i]}; expected a finite number`);
    c[i] = (m[i] - p.mMean) / p.mStd;
  }
  return c;
}

/** Exact inverse of the feature transform: flow space (n × d) → original units (float64). */
export function inversePreprocess(p: FlowPreprocessing, y: ArrayLike<number>, n: number): Matrix<Float64Array> {
  const d = p.min.length;
  const out = new Float64Array(n * d);
  const g = p.gaussianize;
  const useProbit = p.link === 'probit';
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      if (g) {
        // Beyond the outer knots the end segments extend linearly; where that leaves the training range
        // the sampler's range check redraws the event.
        out[i * d + j] = fromNormal(g[j], y[i * d + j]);
        continue;
      }
      const l = y[i * d + j] * p.logitStd[j] + p.logitMean[j];
      if (useProbit) {
        // From the nearer bound, so that a sample deep in a tail keeps its distance to the bound.
        out[i * d + j] = l < 0 ? p.min[j] + normalCdf(l) * (p.max[j] - p.min[j]) : p.max[j] - normalSf(l) * (p.max[j] - p.min[j]);
        continue;
      }
      const s = 1 / (1 + Math.exp(-l));
      out[i * d + j] = p.min[j] + s * (p.max[j] - p.min[j]);
    }
  }
  return { data: out, rows: n, cols: d };
}
