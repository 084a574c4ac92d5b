import type { Matrix } from './matrix.js';
import type { Reporter } from '../util/reporter.js';

/** Training labels: 1 = SR data ("signal-like" class), 0 = background template. */
export type Labels = Uint8Array;

/** Options every classifier's fit accepts. */
export interface FitOptions {
  /** Per-event weights (length = rows), multiplied with class weights. */
  sampleWeight?: Float64Array;
  /** 'balanced': w_c = N / (2 · N_c), as sklearn. */
  classWeight?: 'balanced' | 'none';
  /** Seed for every random choice inside fit. */
  seed: number;
  reporter?: Reporter;
}

/** A trained model: scores events, persists to versioned JSON. */
export interface FittedClassifier {
  readonly kind: string;
  /** P(label = 1 | x) for each row of X. */
  predictProba(X: Matrix): Float64Array;
  /** `{ schema: 'sidewinder/model', version, writer, kind, options, ... }` */
  toJSON(): ModelDocument;
}

/** Persisted model document (see data-schemas/model.schema.json). */
export interface ModelDocument {
  schema: 'sidewinder/model';
  version: number;
  writer: string;
  kind: string;
  options: Record<string, unknown>;
  [key: string]: unknown;
}

/** An untrained classifier configuration: options stored, nothing learned. */
export interface Classifier<O = Record<string, unknown>> {
  readonly kind: string;
  readonly options: Readonly<O>;
  fit(X: Matrix, y: Labels, opts: FitOptions): Promise<FittedClassifier> | FittedClassifier;
}
