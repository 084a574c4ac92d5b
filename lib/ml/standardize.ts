import type { Matrix } from './matrix.js';
import { InputError, ShapeError } from '../util/errors.js';

/** Per-feature mean and standard deviation fitted on a training set (JSON-safe). */
export interface StandardizerState {
  readonly mean: number[];
  readonly scale: number[];
}

/**
 * Standardisation x' = (x − mean) / scale, fitted on the training set and stored with the model
 * so scoring applies exactly the training transform. Weighted moments when weights are given
 * (population variance, as sklearn's StandardScaler); a constant feature gets scale 1.
 */
export class Standardizer {
  readonly mean: Float64Array;
  readonly scale: Float64Array;

  private constructor(mean: Float64Array, scale: Float64Array) {
    this.mean = mean;
    this.scale = scale;
  }

  /** Fit on the rows of X (optionally weighted). */
  static fit(X: Matrix, weights?: ArrayLike<number>): Standardizer {
    const { rows, cols, data } = X;
    if (weights && weights.length !== rows) throw new ShapeError(`Standardizer.fit: weights has ${weights.length} entries, X has ${rows} rows`);
    const mean = new Float64Array(cols), m2 = new Float64Array(cols);
    let wsum = 0;
    // Welford-style accumulation in double for stability on 1e6 rows.
    for (let i = 0; i < rows; i++) {
      const w = weights ? weights[i] : 1;
      if (w === 0) continue;
      wsum += w;
      const o = i * cols;
      for (let j = 0; j < cols; j++) {
        const x = data[o + j];
        if (!Number.isFinite(x)) throw new InputError(`Standardizer.fit: X[${i}, ${j}] is ${x}, expected a finite number`);
        const d = x - mean[j];
        mean[j] += (w / wsum) * d;
        m2[j] += w * d * (x - mean[j]);
      }
    }
    if (wsum === 0) throw new InputError('Standardizer.fit: no rows with positive weight');
    const scale = new Float64Array(cols);
    for (let j = 0; j < cols; j++) {
      const sd = Math.sqrt(m2[j] / wsum);
      scale[j] = sd > 0 ? sd : 1;
    }
    return new Standardizer(mean, scale);
  }

  static fromJSON(s: StandardizerState): Standardizer {
    if (!Array.isArray(s?.mean) || !Array.isArray(s?.scale) || s.mean.length !== s.scale.length)
      throw new InputError('Standardizer.fromJSON: expected { mean: number[], scale: number[] } of equal length');
    return new Standardizer(Float64Array.from(s.mean), Float64Array.from(s.scale));
  }

  get nFeatures(): number {
    return this.mean.length;
  }

  /** A standardised copy of X (Float64). */
  transform(X: Matrix): Matrix<Float64Array> {
    const out = new Float64Array(X.rows * X.cols);
    this.transformInto(out, X);
    return { data: out, rows: X.rows, cols: X.cols };
  }

  /** Write the standardised rows of X into `out` (length rows × cols). */
  transformInto(out: Float64Array | Float32Array, X: Matrix): void {
    const { rows, cols, data } = X;
    if (cols !== this.mean.length) throw new ShapeError(`Standardizer.transform: X has ${cols} columns, the standardizer was fitted on ${this.mean.length}`);
    if (out.length !== rows * cols) throw new ShapeError(`Standardizer.transformInto: out has ${out.length} entries, expected ${rows * cols}`);
    const mean = this.mean, scale = this.scale;
    for (let i = 0, o = 0; i < rows; i++) for (let j = 0; j < cols; j++, o++) out[o] = (data[o] - mean[j]) / scale[j];
  }

  toJSON(): StandardizerState {
    return { mean: Array.from(this.mean), scale: Array.from(this.scale) };
  }
}
