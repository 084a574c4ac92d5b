/**
 * A test-only model kind "memorizer": remembers its training rows exactly. Its score of an event is
 * −1 if the event was in its training set, otherwise the number of training rows it saw — so a
 * cross-fit test can tell which model scored an event and whether that model had seen it.
 */
import { registerModelKind, MODEL_DOC_VERSION, MODEL_WRITER, type FittedClassifier, type ModelDocument } from '../../lib/ml/classifier.js';
import type { Matrix } from '../../lib/ml/matrix.js';

const key = (X: Matrix, i: number): string => Array.from(X.data.subarray(i * X.cols, (i + 1) * X.cols)).join(',');

class FittedMemorizer implements FittedClassifier {
  readonly kind = 'memorizer';
  constructor(readonly nFeatures: number, private readonly seen: Set<string>, readonly seed: number) {}
  predictProba(X: Matrix): Float64Array {
    return Float64Array.from({ length: X.rows }, (_, i) => (this.seen.has(key(X, i)) ? -1 : this.seen.size));
  }
  toJSON(): ModelDocument {
    return { schema: 'sidewinder/model', version: MODEL_DOC_VERSION, writer: MODEL_WRITER, kind: 'memorizer', options: {}, rows: [...this.seen], nFeatures: this.nFeatures, seed: this.seed };
  }
}

registerModelKind({
  kind: 'memorizer',
  module: import.meta.url,
  create: () => ({
    kind: 'memorizer',
    options: {},
    fit(X, _y, opts) {
      const seen = new Set<string>();
      for (let i = 0; i < X.rows; i++) seen.add(key(X, i));
      return new FittedMemorizer(X.cols, seen, opts.seed);
    },
  }),
  load: (doc) => new FittedMemorizer(doc.nFeatures as number, new Set(doc.rows as string[]), doc.seed as number),
});
