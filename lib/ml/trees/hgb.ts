/**
 * Histogram gradient-boosted trees for binary classification (log-loss), following sklearn's
 * HistGradientBoostingClassifier: baseline logit of the weighted class fraction, one leaf-wise
 * tree per iteration on gradient/hessian histograms of ≤ 255 quantile bins, shrinkage, L2 on leaf
 * values, and early stopping on the loss of a held-out (stratified, seeded) validation fraction:
 * stop when none of the last `nIterNoChange` validation scores improves on the one before them
 * by more than `tol`. Trees already grown are kept (as sklearn).
 */
import type { Matrix } from '../matrix.js';
import { takeRows } from '../matrix.js';
import {
  type Classifier,
  type FitOptions,
  type FittedClassifier,
  type Labels,
  type ModelDocument,
  MODEL_DOC_VERSION,
  checkFitInputs,
  checkPredictInputs,
  checkModelDocument,
  modelHeader,
  effectiveWeights,
  registerModelKind,
} from '../classifier.js';
import { Standardizer, type StandardizerState } from '../standardize.js';
import { binRowsInto, fitBinEdges, type BinEdges } from './binning.js';
import { TreeGrower } from './grower.js';
import { type BinnedTree, type BitmaskTables, bitmaskRawInto, buildBitmaskTables, traverseRawInto } from './predictor.js';
import { createRng, type Rng } from '../../util/rng.js';
import { ConfigError, InputError, ShapeError } from '../../util/errors.js';
import { defaultsOf, resolveOptions, type OptionTable } from '../../util/options.js';

/** Options of HistGradientBoosting (see HGB_DEFAULTS for meaning and defaults). */
export interface HgbOptions {
  maxIter: number;
  learningRate: number;
  maxLeafNodes: number;
  maxDepth: number | null;
  minSamplesLeaf: number;
  l2Regularization: number;
  maxBins: number;
  earlyStopping: 'auto' | boolean;
  validationFraction: number;
  nIterNoChange: number;
  tol: number;
  binSubsample: number;
  minHessianToSplit: number;
  standardize: boolean;
}

/** Declared constraints, defaults and meaning of every option (checked by `resolveOptions`). */
export const HGB_OPTIONS: OptionTable<HgbOptions> = Object.freeze({
  maxIter: { type: 'integer', min: 1, default: 200, description: 'Boosting iterations (trees).' },
  learningRate: { type: 'number', min: 0, exclusiveMin: true, default: 0.1, description: 'Shrinkage of every tree.' },
  maxLeafNodes: { type: 'integer', min: 2, default: 31, description: 'Leaves per tree (leaf-wise growth).' },
  maxDepth: { type: 'integer', min: 1, nullable: true, default: null, description: 'Depth limit; null for none (sklearn default).' },
  minSamplesLeaf: { type: 'integer', min: 1, default: 20, description: 'Fewest training events in a leaf.' },
  l2Regularization: { type: 'number', min: 0, default: 0, description: 'L2 penalty on leaf values.' },
  maxBins: { type: 'integer', min: 2, max: 255, default: 255, description: 'Quantile bins per feature.' },
  earlyStopping: { type: 'enum', values: ['auto', true, false], default: 'auto', description: "'auto': on when the training set has more than 10,000 rows (sklearn)." },
  validationFraction: { type: 'number', min: 0, max: 1, exclusiveMin: true, exclusiveMax: true, default: 0.5, description: "Fraction held out for early stopping (the anchor uses half; sklearn's default is 0.1)." },
  nIterNoChange: { type: 'integer', min: 1, default: 10, description: 'Early stopping: iterations without improvement before stopping.' },
  tol: { type: 'number', min: 0, default: 1e-7, description: 'Early stopping: smallest improvement of the validation loss that counts.' },
  binSubsample: { type: 'integer', min: 2, default: 200_000, description: 'Rows used to find the quantile bin edges.' },
  minHessianToSplit: { type: 'number', min: 0, default: 1e-3, description: 'Smallest summed hessian of a splittable node.' },
  standardize: {
    type: 'boolean', default: false,
    description: 'Standardise features with training-set moments before binning. Trees are invariant under a per-feature monotone map, so this changes nothing but cost; off by default.',
  },
});

/** Defaults: the anchor analysis' reference setting (sklearn defaults otherwise). */
export const HGB_DEFAULTS: Readonly<HgbOptions> = defaultsOf(HGB_OPTIONS);

/** Merge user options over the defaults and validate every entry against the table. */
export function resolveHgbOptions(options: Partial<HgbOptions> | Record<string, unknown> = {}): HgbOptions {
  return resolveOptions('HistGradientBoosting', HGB_OPTIONS, options);
}

/** Numerically stable log-loss of one event: log(1 + e^raw) − y·raw. */
const logLoss = (raw: number, y: number): number => (raw > 0 ? raw + Math.log1p(Math.exp(-raw)) : Math.log1p(Math.exp(raw))) - y * raw;

/**
 * Weighted mean log-loss from raw scores and e = exp(−raw): log(1 + e^raw) − y·raw =
 * (1 − y)·raw + log1p(e), one log per event (e is kept up to date multiplicatively).
 */
export function meanLogLossFromExp(raw: Float64Array, expNegRaw: Float64Array, y: Labels, w: Float64Array): number {
  let s = 0, sw = 0;
  for (let i = 0; i < raw.length; i++) {
    const e = expNegRaw[i];
    // Far in the tails use the direct form (e overflows to ∞ or underflows to 0).
    const l = e === Infinity || e === 0 ? logLoss(raw[i], y[i]) : (1 - y[i]) * raw[i] + Math.log1p(e);
    s += w[i] * l;
    sw += w[i];
  }
  return s / sw;
}

/** Weighted mean log-loss of raw scores. */
export function meanLogLoss(raw: Float64Array, y: Labels, w: Float64Array): number {
  let s = 0, sw = 0;
  for (let i = 0; i < raw.length; i++) {
    s += w[i] * logLoss(raw[i], y[i]);
    sw += w[i];
  }
  return s / sw;
}

/**
 * Log-loss gradient w(p − y) and hessian w p(1 − p) of each event, from e = exp(−raw) (kept up to
 * date multiplicatively, so no exp per event per iteration): p = 1 / (1 + e).
 */
export function logLossGradHessInto(grad: Float64Array, hess: Float64Array, expNegRaw: Float64Array, y: Labels, w: Float64Array): void {
  for (let i = 0; i < expNegRaw.length; i++) {
    const p = 1 / (1 + expNegRaw[i]);
    const wi = w[i];
    grad[i] = wi * (p - y[i]);
    hess[i] = wi * p * (1 - p);
  }
}

/**
 * A leaf's update of its samples idx[start..end): raw += v, i.e. exp(−raw) *= exp(−v). Training
 * needs only exp(−raw); the raw scores themselves are never read during the fit.
 */
function scaleLeafInto(expNegRaw: Float64Array, idx: Uint32Array, start: number, end: number, expNegV: number): void {
  for (let i = start; i < end; i++) expNegRaw[idx[i]] *= expNegV;
}

/** Stratified split: for each class, a seeded `fraction` (rounded, ≥ 1, leaving ≥ 1) goes to validation. */
export function stratifiedSplit(y: Labels, fraction: number, rng: Rng): { train: Uint32Array; validation: Uint32Array } {
  const n = y.length;
  let n1 = 0;
  for (let i = 0; i < n; i++) n1 += y[i];
  const byClass = [new Uint32Array(n - n1), new Uint32Array(n1)];
  for (let i = 0, k0 = 0, k1 = 0; i < n; i++) {
    if (y[i]) byClass[1][k1++] = i;
    else byClass[0][k0++] = i;
  }
  const isValidation = new Uint8Array(n);
  let nVa = 0;
  for (const c of [0, 1]) {
    const ids = byClass[c];
    rng.fork(`class:${c}`).shuffleInPlace(ids);
    const nVal = Math.max(0, Math.min(ids.length - 1, Math.max(1, Math.round(fraction * ids.length))));
    for (let i = 0; i < nVal; i++) isValidation[ids[i]] = 1;
    nVa += nVal;
  }
  // Ascending order: training rows keep their original order (cache-friendly, reproducible).
  const train = new Uint32Array(n - nVa), validation = new Uint32Array(nVa);
  for (let i = 0, t = 0, v = 0; i < n; i++) {
    if (isValidation[i]) validation[v++] = i;
    else train[t++] = i;
  }
  return { train, validation };
}

/** What a fit recorded, for diagnostics and tests. */
export interface HgbFitInfo {
  /** Iterations run (= trees). */
  nIter: number;
  earlyStopped: boolean;
  /** Validation loss before the first tree and after each tree (empty without early stopping). */
  validationLoss: number[];
  nTrain: number;
  nValidation: number;
}

/**
 * Histogram gradient-boosted trees classifier (untrained configuration).
 *
 * @example
 * const model = new HistGradientBoosting({ maxIter: 200, validationFraction: 0.5 })
 *   .fit(X, y, { seed: 1, classWeight: 'balanced' });
 * const p = model.predictProba(Xtest);               // P(label 1 | x)
 * const back = loadModel(JSON.parse(JSON.stringify(model.toJSON())));
 */
export class HistGradientBoosting implements Classifier<HgbOptions> {
  readonly kind = 'hgb';
  readonly options: Readonly<HgbOptions>;

  constructor(options: Partial<HgbOptions> = {}) {
    this.options = Object.freeze(resolveHgbOptions(options));
  }

  fit(X: Matrix, y: Labels, fitOpts: FitOptions): FittedHistGradientBoosting {
    checkFitInputs('HistGradientBoosting.fit', X, y, fitOpts);
    if (this.options.standardize) return this.fitStandardized(X, y, fitOpts);
    const edges = this.binEdges(X, y, fitOpts.seed);
    const bins = new Uint8Array(X.rows * X.cols);
    binRowsInto(bins, X, edges);
    return this.fitBinned(bins, edges, y, fitOpts);
  }

  /**
   * The bin edges `fit(X, y, { seed })` uses: quantiles of the rows it trains on (after the
   * early-stopping split, as sklearn). Cross-fitting computes them once per fold with member 0's
   * seed and shares them, binned, with every member (see crossFit's `shareBinning`).
   */
  binEdges(X: Matrix, y: Labels, seed: number): BinEdges {
    if (this.options.standardize) throw new ConfigError('HistGradientBoosting.binEdges: not available with standardize: true (edges are in standardised units)');
    const o = this.options;
    const rng = createRng(seed);
    const Xt = this.earlyStopping(X.rows) ? takeRows(X, stratifiedSplit(y, o.validationFraction, rng.fork('validation')).train) : X;
    return fitBinEdges(Xt, { maxBins: o.maxBins, subsample: o.binSubsample, rng: rng.fork('binning') });
  }

  /** Whether a fit on `rows` training rows holds out a validation set. */
  private earlyStopping(rows: number): boolean {
    const e = this.options.earlyStopping;
    return e === 'auto' ? rows > 10_000 : e;
  }

  /**
   * Fit on already-binned rows: `bins` (row-major, bin of (i, f) at bins[i · nF + f]) are the rows
   * of X binned with `edges`. With the edges of `binEdges(X, y, seed)` this is exactly
   * `fit(X, y, { seed })`; with other edges (e.g. shared by ensemble members) it is the same
   * recipe on those bins. The returned model scores raw events with `edges`.
   */
  fitBinned(bins: Uint8Array, edges: BinEdges, y: Labels, fitOpts: FitOptions): FittedHistGradientBoosting {
    const nF = edges.length, rows = y.length;
    if (bins.length !== rows * nF) throw new ShapeError(`HistGradientBoosting.fitBinned: ${bins.length} bins for ${rows} rows × ${nF} features`);
    if (this.options.standardize) throw new ConfigError('HistGradientBoosting.fitBinned: not available with standardize: true');
    // checkFitInputs reads only the length of X's data: the bins stand in for it.
    checkFitInputs('HistGradientBoosting.fitBinned', { data: bins, rows, cols: nF } as unknown as Matrix, y, fitOpts);
    const rng = createRng(fitOpts.seed);
    const wAll = effectiveWeights(y, fitOpts);
    if (!this.earlyStopping(rows)) return this.boost(bins, rows, y, wAll, null, edges, null, fitOpts);
    const { train, validation } = stratifiedSplit(y, this.options.validationFraction, rng.fork('validation'));
    const val: Validation = { bins: gatherRows(bins, validation, nF), y: gather(y, validation, Uint8Array), w: gather(wAll, validation, Float64Array) };
    return this.boost(gatherRows(bins, train, nF), train.length, gather(y, train, Uint8Array), gather(wAll, train, Float64Array), val, edges, null, fitOpts);
  }

  /** The `standardize: true` path: standardise with training-set moments, then bin and boost. */
  private fitStandardized(X: Matrix, y: Labels, fitOpts: FitOptions): FittedHistGradientBoosting {
    const o = this.options;
    const rng = createRng(fitOpts.seed);
    const wAll = effectiveWeights(y, fitOpts);
    let Xt: Matrix = X, yt: Labels = y, wt = wAll, Xv: Matrix | null = null, val: Validation | null = null;
    let validation: Uint32Array | null = null;
    if (this.earlyStopping(X.rows)) {
      const split = stratifiedSplit(y, o.validationFraction, rng.fork('validation'));
      validation = split.validation;
      Xt = takeRows(X, split.train);
      yt = gather(y, split.train, Uint8Array);
      wt = gather(wAll, split.train, Float64Array);
      Xv = takeRows(X, validation);
    }
    const scaler = Standardizer.fit(Xt);
    Xt = scaler.transform(Xt);
    const edges = fitBinEdges(Xt, { maxBins: o.maxBins, subsample: o.binSubsample, rng: rng.fork('binning') });
    const bins = new Uint8Array(Xt.rows * X.cols);
    binRowsInto(bins, Xt, edges);
    if (Xv) {
      Xv = scaler.transform(Xv);
      const vb = new Uint8Array(Xv.rows * X.cols);
      binRowsInto(vb, Xv, edges);
      val = { bins: vb, y: gather(y, validation!, Uint8Array), w: gather(wAll, validation!, Float64Array) };
    }
    return this.boost(bins, Xt.rows, yt, wt, val, edges, scaler, fitOpts);
  }

  /** Boosting proper, on binned training rows and (with early stopping) binned validation rows. */
  private boost(bins: Uint8Array, nT: number, yt: Labels, wt: Float64Array, val: Validation | null, edges: BinEdges, scaler: Standardizer | null, fitOpts: FitOptions): FittedHistGradientBoosting {
    const o = this.options;
    const reporter = fitOpts.reporter;
    const nF = edges.length;
    const nBins = Int32Array.from(edges, (e) => e.length + 1);
    const yv = val ? val.y : null, wv = val ? val.w : null;

    // Baseline: logit of the weighted fraction of label 1 (clipped away from 0 and 1).
    let sw = 0, swy = 0;
    for (let i = 0; i < nT; i++) { sw += wt[i]; swy += wt[i] * yt[i]; }
    if (!(sw > 0)) throw new InputError('HistGradientBoosting.fit: the training weights sum to 0');
    const p0 = Math.min(Math.max(swy / sw, 1e-15), 1 - 1e-15);
    const baseline = Math.log(p0 / (1 - p0));

    const expNegRaw = new Float64Array(nT).fill(Math.exp(-baseline));
    const grad = new Float64Array(nT), hess = new Float64Array(nT);
    const grower = new TreeGrower(bins, nT, nF, nBins, {
      maxLeafNodes: o.maxLeafNodes,
      maxDepth: o.maxDepth ?? Infinity,
      minSamplesLeaf: o.minSamplesLeaf,
      l2Regularization: o.l2Regularization,
      minHessianToSplit: o.minHessianToSplit,
    });
    const trees: BinnedTree[] = [];
    const validationLoss: number[] = [];
    let rowBinsV: Uint8Array | null = null, rawV: Float64Array | null = null, expNegRawV: Float64Array | null = null;
    const leafExp = new Float64Array(2 * o.maxLeafNodes);
    if (val) {
      rowBinsV = val.bins;
      rawV = new Float64Array(yv!.length).fill(baseline);
      expNegRawV = new Float64Array(yv!.length).fill(Math.exp(-baseline));
      validationLoss.push(meanLogLossFromExp(rawV, expNegRawV, yv!, wv!));
    }
    let earlyStopped = false;
    const bufs = grower.sampleBuffers;
    for (let it = 0; it < o.maxIter; it++) {
      logLossGradHessInto(grad, hess, expNegRaw, yt, wt);
      const g = grower.grow(grad, hess);
      const value = g.value;
      for (let k = 0; k < value.length; k++) {
        if (g.feature[k] >= 0) continue;
        value[k] *= o.learningRate;
        scaleLeafInto(expNegRaw, bufs[g.leafBuffer[k]], g.leafStart[k], g.leafEnd[k], Math.exp(-value[k]));
      }
      const tree: BinnedTree = { feature: g.feature, binThreshold: g.binThreshold, left: g.left, right: g.right, value };
      trees.push(tree);
      if (rawV) {
        addTreeInto(rawV, expNegRawV!, rowBinsV!, nF, tree, leafExp);
        validationLoss.push(meanLogLossFromExp(rawV, expNegRawV!, yv!, wv!));
        if (shouldStop(validationLoss, o.nIterNoChange, o.tol)) {
          earlyStopped = true;
          reporter?.progress('boosting', it + 1, it + 1);
          break;
        }
      }
      reporter?.progress('boosting', it + 1, o.maxIter);
    }
    const info: HgbFitInfo = { nIter: trees.length, earlyStopped, validationLoss, nTrain: nT, nValidation: yv ? yv.length : 0 };
    return new FittedHistGradientBoosting(o, nF, edges, baseline, trees, info, scaler);
  }
}

/**
 * Validation update for one tree: route each event (row-major bins) to its leaf, then raw += value
 * and exp(−raw) *= exp(−value), with exp taken once per leaf, not per event.
 */
function addTreeInto(raw: Float64Array, expNegRaw: Float64Array, rowBins: Uint8Array, cols: number, tree: BinnedTree, expNegValue: Float64Array): void {
  const feat = tree.feature, thr = tree.binThreshold, lft = tree.left, rgt = tree.right, val = tree.value;
  for (let k = 0; k < val.length; k++) expNegValue[k] = feat[k] < 0 ? Math.exp(-val[k]) : 1;
  for (let i = 0, o = 0; i < raw.length; i++, o += cols) {
    let node = 0;
    while (feat[node] >= 0) node = rowBins[o + feat[node]] <= thr[node] ? lft[node] : rgt[node];
    raw[i] += val[node];
    expNegRaw[i] *= expNegValue[node];
  }
}

/** sklearn `_should_stop` on scores = −loss (higher is better). */
function shouldStop(losses: number[], nIterNoChange: number, tol: number): boolean {
  if (losses.length <= nIterNoChange) return false;
  const reference = -losses[losses.length - nIterNoChange - 1];
  for (let i = losses.length - nIterNoChange; i < losses.length; i++) if (-losses[i] > reference + tol) return false;
  return true;
}

/** Validation rows of an early-stopping fit: their bins (row-major), labels and weights. */
interface Validation { bins: Uint8Array; y: Labels; w: Float64Array }

/** Rows idx of a row-major bin matrix with `cols` features. */
function gatherRows(bins: Uint8Array, idx: Uint32Array, cols: number): Uint8Array {
  const out = new Uint8Array(idx.length * cols);
  for (let i = 0, o = 0; i < idx.length; i++) for (let j = 0, s = idx[i] * cols; j < cols; j++) out[o++] = bins[s + j];
  return out;
}

function gather<T extends Uint8Array | Float64Array>(a: T, idx: Uint32Array, C: { new (n: number): T }): T {
  const out = new C(idx.length);
  for (let i = 0; i < idx.length; i++) out[i] = a[idx[i]];
  return out;
}

const CHUNK_ROWS = 16_384;

/** A fitted histogram gradient-boosted trees model. */
export class FittedHistGradientBoosting implements FittedClassifier {
  readonly kind = 'hgb';
  private tables: BitmaskTables | null | undefined;

  constructor(
    readonly options: Readonly<HgbOptions>,
    readonly nFeatures: number,
    readonly edges: BinEdges,
    readonly baseline: number,
    readonly trees: readonly BinnedTree[],
    readonly info: HgbFitInfo,
    readonly standardizer: Standardizer | null,
  ) {}

  /**
   * Raw scores (log-odds) of each row. `nTrees` scores with the first trees only (staged
   * prediction); `method` forces a scoring path (both give identical numbers).
   */
  predictRaw(X: Matrix, opts: { nTrees?: number; method?: 'auto' | 'traversal' | 'bitmask' } = {}): Float64Array {
    checkPredictInputs('HistGradientBoosting.predict', X, this.nFeatures);
    const nTrees = opts.nTrees ?? this.trees.length;
    if (!Number.isInteger(nTrees) || nTrees < 0 || nTrees > this.trees.length) throw new ConfigError(`HistGradientBoosting.predict: nTrees must be an integer in [0, ${this.trees.length}], got ${nTrees}`);
    const method = opts.method ?? 'auto';
    let tables: BitmaskTables | null = null;
    if (method !== 'traversal') {
      if (this.tables === undefined) this.tables = buildBitmaskTables(this.trees, this.edges);
      tables = this.tables;
      if (!tables && method === 'bitmask') throw new ConfigError('HistGradientBoosting.predict: bitmask scoring needs trees of ≤ 32 leaves');
    }
    const cols = this.nFeatures;
    const out = new Float64Array(X.rows);
    const rowBins = new Uint8Array(Math.min(CHUNK_ROWS, X.rows) * cols);
    const buf = this.standardizer ? new Float64Array(Math.min(CHUNK_ROWS, X.rows) * cols) : null;
    const scratch = this.scoringScratch(tables);
    for (let a = 0; a < X.rows; a += CHUNK_ROWS) {
      const b = Math.min(X.rows, a + CHUNK_ROWS);
      let chunk: Matrix = { data: X.data.subarray(a * cols, b * cols), rows: b - a, cols };
      if (this.standardizer) {
        const d = buf!.subarray(0, (b - a) * cols);
        this.standardizer.transformInto(d, chunk);
        chunk = { data: d, rows: b - a, cols };
      }
      const rb = rowBins.subarray(0, (b - a) * cols);
      binRowsInto(rb, chunk, this.edges, a);
      this.rawFromBinsInto(out.subarray(a, b), rb, b - a, tables, nTrees, scratch);
    }
    return out;
  }

  /**
   * Raw scores of rows already binned with this model's `edges` (row-major, `nFeatures` per row),
   * identical to `predictRaw` of the raw rows: cross-fitting bins each fold's events once and
   * scores them from the shared bins.
   */
  predictRawBinned(rowBins: Uint8Array, rows: number): Float64Array {
    if (this.standardizer) throw new ConfigError('HistGradientBoosting.predictRawBinned: not available for a standardised model');
    if (rowBins.length !== rows * this.nFeatures) throw new ShapeError(`HistGradientBoosting.predictRawBinned: ${rowBins.length} bins for ${rows} rows × ${this.nFeatures} features`);
    if (this.tables === undefined) this.tables = buildBitmaskTables(this.trees, this.edges);
    const out = new Float64Array(rows);
    this.rawFromBinsInto(out, rowBins, rows, this.tables, this.trees.length, this.scoringScratch(this.tables));
    return out;
  }

  private scoringScratch(tables: BitmaskTables | null): { acc: Int32Array; rowOff: Int32Array } | null {
    return tables ? { acc: new Int32Array(Math.max(1, this.trees.length)), rowOff: new Int32Array(this.nFeatures) } : null;
  }

  private rawFromBinsInto(out: Float64Array, rb: Uint8Array, rows: number, tables: BitmaskTables | null, nTrees: number, scratch: { acc: Int32Array; rowOff: Int32Array } | null): void {
    if (tables) bitmaskRawInto(out, rb, rows, this.nFeatures, tables, nTrees, this.baseline, scratch!.acc, scratch!.rowOff);
    else traverseRawInto(out, rb, rows, this.nFeatures, this.trees, nTrees, this.baseline);
  }

  predictProba(X: Matrix): Float64Array {
    const raw = this.predictRaw(X);
    for (let i = 0; i < raw.length; i++) raw[i] = 1 / (1 + Math.exp(-raw[i]));
    return raw;
  }

  toJSON(): ModelDocument {
    return {
      ...modelHeader('hgb'),
      options: { ...this.options },
      nFeatures: this.nFeatures,
      baseline: this.baseline,
      edges: this.edges.map((e) => Array.from(e)),
      trees: this.trees.map((t) => ({
        feature: Array.from(t.feature),
        binThreshold: Array.from(t.binThreshold),
        left: Array.from(t.left),
        right: Array.from(t.right),
        value: Array.from(t.value),
      })),
      info: this.info,
      standardizer: this.standardizer ? this.standardizer.toJSON() : null,
    };
  }

  /** Rebuild from `toJSON()` output; checks the envelope and the tree arrays. */
  static fromJSON(doc: unknown): FittedHistGradientBoosting {
    const d = checkModelDocument(doc, 'HistGradientBoosting.fromJSON', { kind: 'hgb', versions: [MODEL_DOC_VERSION], keys: ['nFeatures', 'baseline', 'edges', 'trees', 'info'] });
    const options = resolveHgbOptions(d.options);
    const edges = (d.edges as number[][]).map((e) => Float64Array.from(e));
    const nF = d.nFeatures as number;
    if (edges.length !== nF) throw new InputError(`HistGradientBoosting.fromJSON: edges has ${edges.length} features, nFeatures is ${nF}`);
    const trees = (d.trees as Record<string, number[]>[]).map((t, ti) => {
      const m = t.feature?.length;
      for (const k of ['feature', 'binThreshold', 'left', 'right', 'value'])
        if (!Array.isArray(t[k]) || t[k].length !== m) throw new InputError(`HistGradientBoosting.fromJSON: tree ${ti} field "${k}" missing or not of length ${m}`);
      for (let i = 0; i < m; i++) {
        const f = t.feature[i];
        if (f >= nF || (f >= 0 && !(t.left[i] > i && t.right[i] > i && t.left[i] < m && t.right[i] < m)))
          throw new InputError(`HistGradientBoosting.fromJSON: tree ${ti} node ${i} is malformed`);
      }
      return {
        feature: Int32Array.from(t.feature),
        binThreshold: Int32Array.from(t.binThreshold),
        left: Int32Array.from(t.left),
        right: Int32Array.from(t.right),
        value: Float64Array.from(t.value),
      };
    });
    const sd = d.standardizer as StandardizerState | null | undefined;
    return new FittedHistGradientBoosting(options, nF, edges, d.baseline as number, trees, d.info as HgbFitInfo, sd ? Standardizer.fromJSON(sd) : null);
  }
}

registerModelKind({
  kind: 'hgb',
  module: import.meta.url,
  create: (options) => new HistGradientBoosting(options as Partial<HgbOptions>),
  load: (doc) => FittedHistGradientBoosting.fromJSON(doc),
});
