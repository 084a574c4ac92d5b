/**
 * The pool task of cross-fitting: train the model of one (fold, member) on the events outside the
 * fold and write its scores of the fold's events into the shared output. Runs in a worker or inline.
 */
import { registerTaskHandler } from './pool/registry.js';
import { createClassifier, type Labels } from './classifier.js';
import { takeRows, type Matrix } from './matrix.js';
import { HistGradientBoosting } from './trees/hgb.js';
import { binRowsInto } from './trees/binning.js';

export const CROSS_FIT_FOLD_TASK = 'ml.crossFit.fold';
export const CROSS_FIT_BIN_TASK = 'ml.crossFit.bin';

/** One fold's binning, shared by the fold's ensemble members (histogram trees, kind 'hgb'). */
export interface SharedFoldBins {
  /** Every row (data then template) binned with `edges`, row-major, shared; only rows of other folds train. */
  bins: Uint8Array;
  /** Bin edges per feature, fitted on the fold's training rows (member 0's recipe). */
  edges: number[][];
}

export interface CrossFitBinPayload {
  /** hgb options (the member recipe whose bin edges are shared). */
  options: Record<string, unknown>;
  X: Float64Array | Float32Array;
  rows: number;
  cols: number;
  y: Uint8Array;
  fold: Uint8Array;
  foldIndex: number;
  /**
   * Template group of each row (shared; read for template rows only), or null: the model trains only
   * on the template rows of group `trainGroup` (crossFit's `templateGroups`).
   */
  group?: Uint8Array | null;
  trainGroup?: number;
  /** Seed of member 0 of this fold: its edges are exactly those of an unshared fit of member 0. */
  seed: number;
  /** Output: this fold's bins of every row (rows × cols, shared). */
  binsOut: Uint8Array;
}

export interface CrossFitFoldPayload {
  /** Model kind, options, and the modules whose import registers the kind (for workers). */
  model: { kind: string; options: Record<string, unknown>; modules: string[] };
  /** Stacked events (data rows first, then template), row-major, shared. */
  X: Float64Array | Float32Array;
  rows: number;
  cols: number;
  /** Label of each row (1 data, 0 template), shared. */
  y: Uint8Array;
  /** Fold of each row, shared. */
  fold: Uint8Array;
  /** Per-row weights, shared, or null for unit weights. */
  weight: Float64Array | null;
  /**
   * Template group of each row (shared; read for template rows only), or null: the model trains only
   * on the template rows of group `trainGroup` (crossFit's `templateGroups`).
   */
  group?: Uint8Array | null;
  trainGroup?: number;
  /** Output: member m's score of row i at out[m · rows + i] (this task writes only its fold's rows). */
  out: Float64Array;
  foldIndex: number;
  member: number;
  classWeight: 'balanced' | 'none';
  seed: number;
  /** The fold's shared binning (hgb only); absent: the member bins its own training rows. */
  shared?: SharedFoldBins;
}

export interface CrossFitFoldResult {
  nTrain: number;
  nScored: number;
}

/**
 * Training rows of fold `foldIndex`, ascending: every row of the other folds; with template groups,
 * of the template rows (label 0) only those of group `trainGroup`.
 */
function trainingRows(p: Pick<CrossFitFoldPayload, 'fold' | 'foldIndex' | 'y' | 'group' | 'trainGroup'>): Uint32Array {
  const { fold, foldIndex, y, group, trainGroup } = p;
  const trains = (i: number): boolean => fold[i] !== foldIndex && (!group || y[i] === 1 || group[i] === trainGroup);
  let n = 0;
  for (let i = 0; i < fold.length; i++) if (trains(i)) n++;
  const idx = new Uint32Array(n);
  for (let i = 0, j = 0; i < fold.length; i++) if (trains(i)) idx[j++] = i;
  return idx;
}

/**
 * Fit one fold's bin edges (member 0's recipe: its early-stopping split of the fold's training
 * rows) and bin every row with them, into the shared `binsOut`. Bin edges come from training rows
 * only; the fold's own events are binned with them for scoring, never used to place edges.
 */
export async function runCrossFitBin(p: CrossFitBinPayload): Promise<{ edges: number[][] }> {
  const { X, rows, cols } = p;
  const train = trainingRows(p);
  const edges = new HistGradientBoosting(p.options).binEdges(takeRows({ data: X, rows, cols }, train), trainingTargets(p, train).ytr, p.seed);
  binRowsInto(p.binsOut, { data: X, rows, cols } as Matrix, edges);
  return { edges: edges.map((e) => Array.from(e)) };
}

/** Rows scored by fold `foldIndex`'s model: the fold's own rows (every group), ascending. */
function testRowsOf(fold: Uint8Array, foldIndex: number): Uint32Array {
  let n = 0;
  for (let i = 0; i < fold.length; i++) if (fold[i] === foldIndex) n++;
  const idx = new Uint32Array(n);
  for (let i = 0, j = 0; i < fold.length; i++) if (fold[i] === foldIndex) idx[j++] = i;
  return idx;
}

/** Labels and weights of the training rows. */
function trainingTargets(p: { y: Uint8Array; weight?: Float64Array | null }, train: Uint32Array): { ytr: Labels; wtr?: Float64Array } {
  const ytr: Labels = Uint8Array.from(train, (i) => p.y[i]);
  return { ytr, ...(p.weight ? { wtr: Float64Array.from(train, (i) => p.weight![i]) } : {}) };
}

/** A member trained and scored on its fold's shared bins (no per-member binning or row copies). */
function runSharedMember(p: CrossFitFoldPayload, shared: SharedFoldBins): CrossFitFoldResult {
  const { rows, cols, out, foldIndex } = p;
  const train = trainingRows(p), testRows = testRowsOf(p.fold, foldIndex);
  const nTrain = train.length, nTest = testRows.length;
  const { bins } = shared;
  const trBins = new Uint8Array(nTrain * cols), teBins = new Uint8Array(nTest * cols);
  // Row copies without a view per row: millions of rows per fold.
  const copyRows = (to: Uint8Array, rowsOf: Uint32Array): void => {
    for (let j = 0; j < rowsOf.length; j++) for (let c = 0, s = rowsOf[j] * cols, o = j * cols; c < cols; c++) to[o + c] = bins[s + c];
  };
  copyRows(trBins, train);
  copyRows(teBins, testRows);
  const { ytr, wtr } = trainingTargets(p, train);
  const edges = shared.edges.map((e) => Float64Array.from(e));
  const fitted = new HistGradientBoosting(p.model.options).fitBinned(trBins, edges, ytr, { seed: p.seed, sampleWeight: wtr, classWeight: p.classWeight });
  const raw = fitted.predictRawBinned(teBins, nTest);
  const o = p.member * rows;
  // The same logistic map as predictProba, so a shared member scores exactly as an unshared one would.
  for (let j = 0; j < nTest; j++) out[o + testRows[j]] = 1 / (1 + Math.exp(-raw[j]));
  return { nTrain, nScored: nTest };
}

export async function runCrossFitFold(p: CrossFitFoldPayload): Promise<CrossFitFoldResult> {
  for (const m of p.model.modules) await import(m);
  if (p.shared) return runSharedMember(p, p.shared);
  const { X, rows, cols, out, foldIndex } = p;
  const train = trainingRows(p), testRows = testRowsOf(p.fold, foldIndex);
  const all = { data: X, rows, cols };
  const { ytr, wtr } = trainingTargets(p, train);
  const clf = createClassifier(p.model.kind, p.model.options);
  const fitted = await clf.fit(takeRows(all, train), ytr, { seed: p.seed, sampleWeight: wtr, classWeight: p.classWeight });
  const scores = fitted.predictProba(takeRows(all, testRows));
  const o = p.member * p.rows;
  testRows.forEach((r, j) => (out[o + r] = scores[j]));
  return { nTrain: train.length, nScored: testRows.length };
}

registerTaskHandler(CROSS_FIT_FOLD_TASK, import.meta.url, runCrossFitFold);
registerTaskHandler(CROSS_FIT_BIN_TASK, import.meta.url, runCrossFitBin);
