import type { Matrix } from './matrix.js';
import type { Reporter } from '../util/reporter.js';
import { ConfigError, InputError, ShapeError, didYouMean } from '../util/errors.js';
import { checkModelDocument, type ModelDocument } from './modelDocument.js';

export { MODEL_WRITER, MODEL_DOC_VERSION, MODEL_SCHEMA, checkModelDocument, modelHeader } from './modelDocument.js';
export type { ModelDocument, ModelHeader } from './modelDocument.js';

/** Training labels: 1 = SR data ("signal-like" class), 0 = background template. */
export type Labels = Uint8Array;

/** Options every classifier's fit accepts. */
export interface FitOptions {
  /** Per-event weights (length = rows), multiplied with class weights. */
  sampleWeight?: Float64Array;
  /** 'balanced': w_c = N / (2 · N_c) from unweighted class counts, as sklearn. */
  classWeight?: 'balanced' | 'none';
  /** Seed for every random choice inside fit. */
  seed: number;
  reporter?: Reporter;
}

/** A trained model: scores events, persists to versioned JSON. */
export interface FittedClassifier {
  readonly kind: string;
  /** Number of input features the model was trained on (optional for kinds that do not report it). */
  readonly nFeatures?: number;
  /** P(label = 1 | x) for each row of X. */
  predictProba(X: Matrix): Float64Array;
  /** `{ schema: 'sidewinder/model', version, writer, kind, options, ... }` */
  toJSON(): ModelDocument;
}

/** An untrained classifier configuration: options stored, nothing learned. */
export interface Classifier<O = Record<string, unknown>> {
  readonly kind: string;
  readonly options: Readonly<O>;
  fit(X: Matrix, y: Labels, opts: FitOptions): Promise<FittedClassifier> | FittedClassifier;
}

/**
 * A model kind known to `createClassifier` / `loadModel`. Each model module registers itself on
 * import; `module` is that module's URL so a worker thread can import it and get the same kind.
 */
export interface ModelKind {
  readonly kind: string;
  /** URL (import.meta.url) of the module whose import registers this kind. */
  readonly module: string;
  create(options?: Record<string, unknown>): Classifier;
  load(doc: ModelDocument): FittedClassifier;
  /** URLs of further modules a worker must import to create this kind with `options` (e.g. an ensemble's base kind). */
  dependencies?(options: Record<string, unknown>): string[];
}

/** Every module a worker must import to create `kind` with `options` (its own first). */
export function modelModules(kind: string, options: Record<string, unknown> = {}): string[] {
  const k = modelKind(kind);
  return [k.module, ...(k.dependencies?.(options) ?? [])];
}

const MODEL_KINDS = new Map<string, ModelKind>();

/** Register a model kind (called at import time by each model module). Re-registering replaces. */
export function registerModelKind(k: ModelKind): void {
  MODEL_KINDS.set(k.kind, k);
}

/** The registered model kind `kind`, or a ConfigError listing the known ones. */
export function modelKind(kind: string): ModelKind {
  const k = MODEL_KINDS.get(kind);
  if (!k) {
    const known = [...MODEL_KINDS.keys()];
    throw new ConfigError(`model kind "${kind}" is not registered${didYouMean(kind, known)}; known kinds: ${known.join(', ') || '(none: import the model module first)'}`);
  }
  return k;
}

/** A new (untrained) classifier of a registered kind. */
export function createClassifier(kind: string, options?: Record<string, unknown>): Classifier {
  return modelKind(kind).create(options);
}

/**
 * Rebuild a fitted model from its JSON document (as written by `toJSON`, possibly after
 * `JSON.stringify`/`JSON.parse`). Dispatches on `kind` to the registered loader.
 */
export function loadModel(doc: unknown): FittedClassifier {
  const d = checkModelDocument(doc, 'loadModel');
  return modelKind(d.kind).load(d);
}

/** Refuse a non-finite feature value, naming its row and column (NaN would silently fall into some bin or branch). */
export function checkFiniteFeatures(where: string, X: Matrix): void {
  const d = X.data;
  for (let i = 0; i < d.length; i++)
    if (!Number.isFinite(d[i])) throw new InputError(`${where}: X has ${d[i]} at row ${Math.floor(i / X.cols)}, column ${i % X.cols}; expected finite feature values`);
}

/** Check X of a predict call: its shape, the model's feature count (when known) and finite values. */
export function checkPredictInputs(where: string, X: Matrix, nFeatures: number | null | undefined): void {
  if (nFeatures !== null && nFeatures !== undefined && X.cols !== nFeatures) throw new ShapeError(`${where}: X has ${X.cols} columns, the model was trained on ${nFeatures}`);
  if (X.data.length !== X.rows * X.cols) throw new ShapeError(`${where}: X data has ${X.data.length} entries, shape says ${X.rows} × ${X.cols}`);
  checkFiniteFeatures(where, X);
}

/** Check X / y / weights of a fit call. */
export function checkFitInputs(where: string, X: Matrix, y: Labels, opts: FitOptions): void {
  if (X.data.length !== X.rows * X.cols) throw new ShapeError(`${where}: X data has ${X.data.length} entries, shape says ${X.rows} × ${X.cols}`);
  checkFiniteFeatures(where, X);
  if (y.length !== X.rows) throw new ShapeError(`${where}: y has ${y.length} labels, X has ${X.rows} rows`);
  if (X.rows === 0) throw new ShapeError(`${where}: X has no rows`);
  let n1 = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] > 1) throw new InputError(`${where}: label at row ${i} is ${y[i]}, expected 0 (template) or 1 (data)`);
    n1 += y[i];
  }
  if (n1 === 0 || n1 === y.length) throw new InputError(`${where}: y holds a single class (${n1} of ${y.length} rows are 1); need both`);
  const w = opts.sampleWeight;
  if (w) {
    if (w.length !== X.rows) throw new ShapeError(`${where}: sampleWeight has ${w.length} entries, X has ${X.rows} rows`);
    for (let i = 0; i < w.length; i++)
      if (!(w[i] >= 0) || !Number.isFinite(w[i])) throw new InputError(`${where}: sampleWeight at row ${i} is ${w[i]}, expected a finite value ≥ 0`);
  }
  if (opts.classWeight !== undefined && opts.classWeight !== 'balanced' && opts.classWeight !== 'none')
    throw new ConfigError(`${where}: classWeight must be 'balanced' or 'none', got ${JSON.stringify(opts.classWeight)}`);
  if (!Number.isFinite(opts.seed)) throw new ConfigError(`${where}: seed must be a finite number, got ${opts.seed}`);
}

/**
 * Effective per-event training weights: sampleWeight (or 1) × class weight. 'balanced' gives
 * w_c = N / (2 · N_c) with unweighted class counts (sklearn's compute_class_weight).
 */
export function effectiveWeights(y: Labels, opts: Pick<FitOptions, 'sampleWeight' | 'classWeight'>): Float64Array {
  const n = y.length;
  const w = new Float64Array(n);
  if (opts.sampleWeight) w.set(opts.sampleWeight);
  else w.fill(1);
  if (opts.classWeight === 'balanced') {
    let n1 = 0;
    for (let i = 0; i < n; i++) n1 += y[i];
    const c1 = n / (2 * n1), c0 = n / (2 * (n - n1));
    for (let i = 0; i < n; i++) w[i] *= y[i] ? c1 : c0;
  }
  return w;
}
