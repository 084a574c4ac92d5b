import { ShapeError } from '../util/errors.js';

/** Row-major matrix; element (i, j) at `data[i * cols + j]`. A view: does not own `data`. */
export interface Matrix<T extends Float32Array | Float64Array = Float32Array | Float64Array> {
  readonly data: T;
  readonly rows: number;
  readonly cols: number;
}

/** Wrap a flat array as a row-major matrix, checking the size. */
export function matrix<T extends Float32Array | Float64Array>(data: T, rows: number, cols: number): Matrix<T> {
  if (data.length !== rows * cols) throw new ShapeError(`matrix: data has ${data.length} entries, expected ${rows} × ${cols} = ${rows * cols}`);
  return { data, rows, cols };
}

/** Rows [a, b) as a view. */
export const rowsView = <T extends Float32Array | Float64Array>(m: Matrix<T>, a: number, b: number): Matrix<T> =>
  ({ data: m.data.subarray(a * m.cols, b * m.cols) as T, rows: b - a, cols: m.cols });

/** Gather rows by index into a new matrix (copies). */
export function takeRows<T extends Float32Array | Float64Array>(m: Matrix<T>, idx: ArrayLike<number>): Matrix<T> {
  const out = new (m.data.constructor as { new (n: number): T })(idx.length * m.cols);
  for (let i = 0; i < idx.length; i++) {
    const src = idx[i] * m.cols;
    for (let j = 0; j < m.cols; j++) out[i * m.cols + j] = m.data[src + j];
  }
  return { data: out, rows: idx.length, cols: m.cols };
}

/** Stack columns (each of length n) into a row-major Float64 matrix. */
export function fromColumns(columns: readonly ArrayLike<number>[]): Matrix<Float64Array> {
  const cols = columns.length;
  const rows = cols ? columns[0].length : 0;
  const data = new Float64Array(rows * cols);
  for (let j = 0; j < cols; j++) {
    const c = columns[j];
    if (c.length !== rows) throw new ShapeError(`fromColumns: column ${j} has ${c.length} rows, expected ${rows}`);
    for (let i = 0; i < rows; i++) data[i * cols + j] = c[i];
  }
  return { data, rows, cols };
}
