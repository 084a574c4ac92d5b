/**
 * `MlpClassifier`: a ReLU multilayer perceptron with a sigmoid output trained on (weighted)
 * binary cross-entropy with Adam(W), mini-batches reshuffled every epoch, and CATHODE's epoch
 * ensemble — the `ensembleEpochs` epochs with the lowest validation loss are kept and their
 * predicted probabilities averaged. Standardisation is fitted on the training rows and stored in
 * the model. Runs on the WASM SIMD kernels (or the TypeScript reference), or on tfjs-node-gpu when
 * `backend: 'tfjs'` and that package loads.
 *
 * @example
 * const fitted = await new MlpClassifier({ epochs: 20 }).fit(X, y, { seed: 1 });
 * const p = fitted.predictProba(X);
 * const again = FittedMlp.fromJSON(JSON.parse(JSON.stringify(fitted.toJSON())));
 */
import type { Classifier, FitOptions, FittedClassifier, Labels, ModelDocument } from '../classifier.js';
import { MODEL_DOC_VERSION, checkModelDocument, checkPredictInputs, modelHeader, registerModelKind } from '../classifier.js';
import { defaultsOf, resolveOptions, type OptionTable } from '../../util/options.js';
import type { Matrix } from '../matrix.js';
import { createRng } from '../../util/rng.js';
import { ConfigError, InputError, ShapeError } from '../../util/errors.js';
import { silent } from '../../util/reporter.js';
import { wasmKernelsAvailable } from '../kernels/index.js';
import { paramLayout } from './network.js';
import { fitStandardisation, standardiseRows, type Standardisation } from './standardise.js';
import { predictEnsemble } from './predict.js';
import { trainNetwork, type EpochSnapshot, type TrainResult, type TrainSettings } from './train.js';
import type { PreparedSet } from './gradient.js';
import { resolveMlpBackend, type TfImporter } from '../backends/select.js';
import { trainNetworkTfjs } from '../backends/tfjs.js';


/** Where the MLP trains: 'auto' = WASM kernels if built, else 'js'; 'tfjs' = @tensorflow/tfjs-node-gpu if it loads. */
export type MlpBackend = 'auto' | 'wasm' | 'js' | 'tfjs';

export interface MlpOptions {
  /** Hidden layer widths (ReLU). */
  hidden: readonly number[];
  learningRate: number;
  batchSize: number;
  epochs: number;
  /** Number of lowest-validation-loss epochs whose predictions are averaged. */
  ensembleEpochs: number;
  /** Decoupled (AdamW) weight decay; 0 = plain Adam. */
  weightDecay: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  /** Fraction of the fit rows held out for the validation loss when no validation set is passed. 0 = rank epochs by training loss. */
  validationFraction: number;
  backend: MlpBackend;
  /** Threads computing each batch's gradient (data-parallel, worker_threads; deterministic for a seed and thread count; ignored by 'tfjs'), and scoring large inputs (identical for any thread count). */
  threads: number;
}

/** Declared constraints, defaults and meaning of every option (checked by `resolveOptions`). */
export const MLP_OPTIONS: OptionTable<MlpOptions> = Object.freeze({
  hidden: { type: 'integer[]', min: 1, default: [64, 64, 64], description: 'Hidden layer widths (ReLU).' },
  learningRate: { type: 'number', min: 0, exclusiveMin: true, default: 1e-3, description: 'Adam learning rate.' },
  batchSize: { type: 'integer', min: 1, default: 128, description: 'Mini-batch size.' },
  epochs: { type: 'integer', min: 1, default: 100, description: 'Training epochs.' },
  ensembleEpochs: { type: 'integer', min: 1, default: 10, description: 'Number of lowest-validation-loss epochs whose predictions are averaged (≤ epochs).' },
  weightDecay: { type: 'number', min: 0, default: 0, description: 'Decoupled (AdamW) weight decay; 0 = plain Adam.' },
  beta1: { type: 'number', min: 0, max: 1, exclusiveMax: true, default: 0.9, description: 'Adam β₁.' },
  beta2: { type: 'number', min: 0, max: 1, exclusiveMax: true, default: 0.999, description: 'Adam β₂.' },
  epsilon: { type: 'number', min: 0, exclusiveMin: true, default: 1e-8, description: 'Adam ε.' },
  validationFraction: { type: 'number', min: 0, max: 1, exclusiveMax: true, default: 0.2, description: 'Fraction of the fit rows held out for the validation loss when no validation set is passed. 0 = rank epochs by training loss.' },
  backend: { type: 'enum', values: ['auto', 'wasm', 'js', 'tfjs'], default: 'auto', description: "Where the MLP trains: 'auto' = WASM kernels if built, else 'js'; 'tfjs' = @tensorflow/tfjs-node-gpu if it loads." },
  threads: { type: 'integer', min: 1, max: 64, default: 1, description: "Threads computing each batch's gradient (data-parallel; deterministic for a seed and thread count; ignored by 'tfjs') and scoring large inputs (identical for any thread count)." },
});

/** CATHODE's classifier recipe: 64-64-64, Adam 1e-3, batch 128, 100 epochs, 10 best epochs. */
export const MLP_DEFAULTS: Readonly<MlpOptions> = defaultsOf(MLP_OPTIONS);

/** The fast laptop preset: fewer epochs, 5-epoch ensemble. */
export const MLP_FAST: Readonly<Partial<MlpOptions>> = Object.freeze({ epochs: 20, ensembleEpochs: 5 });

/** Merge with the defaults and validate every option (unknown keys are errors). */
export function resolveMlpOptions(opts: Partial<MlpOptions> = {}): Readonly<MlpOptions> {
  const merged = resolveOptions('MlpClassifier', MLP_OPTIONS, opts);
  if (merged.ensembleEpochs > merged.epochs)
    throw new ConfigError(`MlpClassifier: ensembleEpochs (${merged.ensembleEpochs}) exceeds epochs (${merged.epochs})`);
  return merged;
}

/** A labelled set passed explicitly for the validation loss. */
export interface ValidationSet {
  X: Matrix;
  y: Labels;
  sampleWeight?: Float64Array;
}

export interface MlpFitOptions extends FitOptions {
  /** Validation rows (instead of holding out `validationFraction` of the fit rows). */
  validation?: ValidationSet;
  /** Loads tfjs-node-gpu for backend 'tfjs' (injected in tests). */
  tfImporter?: TfImporter;
}

function checkSet(where: string, X: Matrix, y: Labels, w?: Float64Array): void {
  if (y.length !== X.rows) throw new ShapeError(`${where}: y has ${y.length} labels, X has ${X.rows} rows`);
  if (w && w.length !== X.rows) throw new ShapeError(`${where}: sampleWeight has ${w.length} entries, X has ${X.rows} rows`);
  for (let i = 0; i < y.length; i++)
    if (y[i] !== 0 && y[i] !== 1) throw new InputError(`${where}: label at row ${i} is ${y[i]}, expected 0 or 1`);
  if (w) for (let i = 0; i < w.length; i++)
    if (!(w[i] >= 0) || !Number.isFinite(w[i])) throw new InputError(`${where}: sampleWeight at row ${i} is ${w[i]}, expected a finite number ≥ 0`);
  for (let i = 0; i < X.data.length; i++)
    if (!Number.isFinite(X.data[i])) throw new InputError(`${where}: X has ${X.data[i]} at row ${Math.floor(i / X.cols)}, column ${i % X.cols}`);
}

/** Per-row training weights: sampleWeight × class weight ('balanced': N / (2 N_c) over the fit rows). */
function rowWeights(y: Labels, sampleWeight: Float64Array | undefined, classWeight: FitOptions['classWeight']): Float64Array | null {
  if (!sampleWeight && classWeight !== 'balanced') return null;
  const n = y.length;
  const w = sampleWeight ? Float64Array.from(sampleWeight) : new Float64Array(n).fill(1);
  if (classWeight === 'balanced') {
    let n1 = 0;
    for (let i = 0; i < n; i++) n1 += y[i];
    const n0 = n - n1;
    if (n0 === 0 || n1 === 0) throw new InputError(`classWeight 'balanced': one class is empty (${n0} label-0, ${n1} label-1 rows)`);
    for (let i = 0; i < n; i++) w[i] *= y[i] ? n / (2 * n1) : n / (2 * n0);
  }
  return w;
}

function prepare(X: Matrix, y: Labels, w: Float64Array | null, st: Standardisation, rows?: ArrayLike<number>): PreparedSet {
  const n = rows ? rows.length : X.rows;
  const yy = new Float32Array(n), ww = w ? new Float32Array(n) : null;
  for (let r = 0; r < n; r++) {
    const i = rows ? rows[r] : r;
    yy[r] = y[i];
    if (ww) ww[r] = w![i];
  }
  return { x: standardiseRows(X, st, rows), y: yy, w: ww, rows: n, cols: X.cols };
}

/** Untrained MLP configuration. */
export class MlpClassifier implements Classifier<MlpOptions> {
  readonly kind = 'mlp';
  readonly options: Readonly<MlpOptions>;

  constructor(options: Partial<MlpOptions> = {}) {
    this.options = resolveMlpOptions(options);
  }

  async fit(X: Matrix, y: Labels, opts: MlpFitOptions): Promise<FittedMlp> {
    const o = this.options;
    const reporter = opts.reporter ?? silent;
    checkSet('MlpClassifier.fit', X, y, opts.sampleWeight);
    if (X.rows === 0) throw new InputError('MlpClassifier.fit: X has no rows');
    const rng = createRng(opts.seed);
    const w = rowWeights(y, opts.sampleWeight, opts.classWeight);

    let trainRows: Uint32Array | undefined, valRows: Uint32Array | undefined;
    if (!opts.validation && o.validationFraction > 0) {
      const perm = rng.fork('validation').permutation(X.rows);
      const nVal = Math.round(X.rows * o.validationFraction);
      if (nVal < 1 || nVal >= X.rows) throw new InputError(`MlpClassifier.fit: validationFraction ${o.validationFraction} of ${X.rows} rows leaves an empty split`);
      valRows = perm.slice(0, nVal).sort();
      trainRows = perm.slice(nVal).sort();
    }
    const standardisation = fitStandardisation(X, trainRows);
    const train = prepare(X, y, w, standardisation, trainRows);
    let val: PreparedSet | null = null;
    if (opts.validation) {
      const v = opts.validation;
      if (v.X.cols !== X.cols) throw new ShapeError(`MlpClassifier.fit: validation X has ${v.X.cols} columns, X has ${X.cols}`);
      checkSet('MlpClassifier.fit (validation)', v.X, v.y, v.sampleWeight);
      val = prepare(v.X, v.y, rowWeights(v.y, v.sampleWeight, opts.classWeight), standardisation);
    } else if (valRows) {
      val = prepare(X, y, w, standardisation, valRows);
    }

    const sizes = [X.cols, ...o.hidden, 1];
    const settings: TrainSettings = {
      sizes, learningRate: o.learningRate, batchSize: o.batchSize, epochs: o.epochs, ensembleEpochs: o.ensembleEpochs,
      weightDecay: o.weightDecay, beta1: o.beta1, beta2: o.beta2, epsilon: o.epsilon,
      kernels: wasmKernelsAvailable ? 'wasm' : 'js', threads: o.threads,
    };
    const backend = await resolveMlpBackend(o.backend, { reporter, importer: opts.tfImporter });
    let result: TrainResult;
    if (backend.name === 'tfjs') {
      result = await trainNetworkTfjs(backend.tf, train, val, settings, rng, reporter);
    } else {
      result = trainNetwork(train, val, { ...settings, kernels: backend.name }, rng, reporter);
    }
    return new FittedMlp(o, sizes, standardisation, result.snapshots, { trainLoss: result.trainLoss, valLoss: result.valLoss, backend: backend.name });
  }
}

/** Loss curves and where the model was trained (not persisted in full: the losses are). */
export interface MlpHistory {
  trainLoss: number[];
  valLoss: number[];
  backend: string;
}

const encodeF32 = (a: Float32Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
function decodeF32(s: string, n: number, what: string): Float32Array {
  const buf = Buffer.from(s, 'base64');
  if (buf.length !== n * 4) throw new InputError(`mlp model: ${what} holds ${buf.length / 4} floats, expected ${n}`);
  const out = new Float32Array(n);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

/** A trained MLP (epoch ensemble). */
export class FittedMlp implements FittedClassifier {
  readonly kind = 'mlp';

  constructor(
    readonly options: Readonly<MlpOptions>,
    /** Layer sizes [inputs, ...hidden, 1]. */
    readonly sizes: readonly number[],
    readonly standardisation: Standardisation,
    /** Kept epochs, best first; predictions average their probabilities. */
    readonly snapshots: readonly EpochSnapshot[],
    readonly history?: MlpHistory,
  ) {
    const p = paramLayout(sizes).nParams;
    if (snapshots.length === 0) throw new InputError('FittedMlp: no epoch snapshots');
    for (const s of snapshots) if (s.params.length !== p) throw new ShapeError(`FittedMlp: epoch ${s.epoch} has ${s.params.length} parameters, sizes [${sizes.join(', ')}] need ${p}`);
  }

  /** Number of input features the model was trained on. */
  get nFeatures(): number {
    return this.sizes[0];
  }

  /** Mean over the kept epochs of σ(logit). */
  predictProba(X: Matrix): Float64Array {
    return this.predictWith(X, this.snapshots);
  }

  /** Probabilities of one kept epoch (index into `snapshots`, 0 = best). */
  predictProbaEpoch(X: Matrix, index: number): Float64Array {
    if (!(index >= 0 && index < this.snapshots.length)) throw new RangeError(`predictProbaEpoch: index ${index} outside [0, ${this.snapshots.length})`);
    return this.predictWith(X, [this.snapshots[index]]);
  }

  private predictWith(X: Matrix, snaps: readonly EpochSnapshot[]): Float64Array {
    const d = this.sizes[0];
    checkPredictInputs('FittedMlp.predictProba', X, d);
    const P = paramLayout(this.sizes).nParams;
    const params = new Float32Array(snaps.length * P);
    snaps.forEach((s, k) => params.set(s.params, k * P));
    return predictEnsemble(this.sizes, this.standardisation, params, snaps.length, X, this.options.threads);
  }

  toJSON(): ModelDocument {
    return {
      ...modelHeader('mlp'),
      options: { ...this.options, hidden: [...this.options.hidden] },
      sizes: [...this.sizes],
      standardisation: { mean: Array.from(this.standardisation.mean), std: Array.from(this.standardisation.std) },
      // Parameters as base64 of little-endian float32 (exact and ~4× smaller than decimal JSON).
      snapshots: this.snapshots.map((s) => ({ epoch: s.epoch, valLoss: s.valLoss, params: encodeF32(s.params) })),
      ...(this.history ? { history: { trainLoss: this.history.trainLoss, valLoss: this.history.valLoss, backend: this.history.backend } } : {}),
    };
  }

  /** Rebuild from `toJSON()` output; names what is missing or malformed. */
  static fromJSON(doc: unknown): FittedMlp {
    const d = checkModelDocument(doc, 'mlp model', { kind: 'mlp', versions: [MODEL_DOC_VERSION], keys: ['sizes', 'standardisation', 'snapshots'] });
    const options = resolveMlpOptions(d.options as Partial<MlpOptions>);
    const sizes = d.sizes as number[];
    const p = paramLayout(sizes).nParams;
    const st = d.standardisation as { mean: number[]; std: number[] };
    if (st.mean?.length !== sizes[0] || st.std?.length !== sizes[0]) throw new InputError(`mlp model: standardisation needs ${sizes[0]} means and stds`);
    const snaps = (d.snapshots as { epoch: number; valLoss: number | null; params: string }[]).map((s, i) => ({
      epoch: s.epoch,
      valLoss: s.valLoss ?? NaN,
      params: decodeF32(s.params, p, `snapshot ${i}`),
    }));
    const h = d.history as MlpHistory | undefined;
    return new FittedMlp(options, sizes, { mean: Float64Array.from(st.mean), std: Float64Array.from(st.std) }, snaps, h);
  }
}

// Registered kind: createClassifier('mlp', options), loadModel(doc), and cross-fitting in pool workers.
registerModelKind({
  kind: 'mlp',
  module: import.meta.url,
  create: (options) => new MlpClassifier(options as Partial<MlpOptions>),
  load: (doc) => FittedMlp.fromJSON(doc),
});
