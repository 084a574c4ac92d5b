/**
 * The pool task of cross-fitting: train the model of one (fold, member) on the events outside the
 * fold and write its scores of the fold's events into the shared output. Runs in a worker or inline.
 */
import { registerTaskHandler } from './pool/registry.js';
import { createClassifier, type Labels } from './classifier.js';
import type { Matrix } from './matrix.js';

export const CROSS_FIT_FOLD_TASK = 'ml.crossFit.fold';

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
  /** Output: member m's score of row i at out[m · rows + i] (this task writes only its fold's rows). */
  out: Float64Array;
  foldIndex: number;
  member: number;
  classWeight: 'balanced' | 'none';
  seed: number;
}

export interface CrossFitFoldResult {
  nTrain: number;
  nScored: number;
}

export async function runCrossFitFold(p: CrossFitFoldPayload): Promise<CrossFitFoldResult> {
  for (const m of p.model.modules) await import(m);
  const { X, rows, cols, y, fold, weight, out, foldIndex } = p;
  let nTrain = 0;
  for (let i = 0; i < rows; i++) if (fold[i] !== foldIndex) nTrain++;
  const C = X.constructor as { new (n: number): Float64Array | Float32Array };
  const Xtr = new C(nTrain * cols);
  const ytr: Labels = new Uint8Array(nTrain);
  const wtr = weight ? new Float64Array(nTrain) : undefined;
  const testRows: number[] = [];
  for (let i = 0, j = 0; i < rows; i++) {
    if (fold[i] === foldIndex) {
      testRows.push(i);
      continue;
    }
    Xtr.set(X.subarray(i * cols, (i + 1) * cols), j * cols);
    ytr[j] = y[i];
    if (wtr) wtr[j] = weight![i];
    j++;
  }
  const clf = createClassifier(p.model.kind, p.model.options);
  const fitted = await clf.fit({ data: Xtr, rows: nTrain, cols }, ytr, { seed: p.seed, sampleWeight: wtr, classWeight: p.classWeight });
  const Xte = new C(testRows.length * cols);
  testRows.forEach((r, j) => Xte.set(X.subarray(r * cols, (r + 1) * cols), j * cols));
  const scores = fitted.predictProba({ data: Xte, rows: testRows.length, cols } as Matrix);
  const o = p.member * rows;
  testRows.forEach((r, j) => (out[o + r] = scores[j]));
  return { nTrain, nScored: testRows.length };
}

registerTaskHandler(CROSS_FIT_FOLD_TASK, import.meta.url, runCrossFitFold);
