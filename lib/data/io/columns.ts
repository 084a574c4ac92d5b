import { InputError } from '../../util/errors.js';
import type { Column } from '../eventTable.js';

type NumericArray =
  | Float64Array | Float32Array | Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array
  | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;

/**
 * A float column from any numeric typed array: Float64Array/Float32Array are returned as they are (no
 * copy); integers and BigInts are converted to Float64Array (a copy). `where` names the source in errors.
 */
export function toFloatColumn(values: unknown, where: string): Column {
  if (values instanceof Float64Array || values instanceof Float32Array) return values;
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    const out = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = Number(values[i]);
    return out;
  }
  if (ArrayBuffer.isView(values) && !(values instanceof DataView)) return Float64Array.from(values as Exclude<NumericArray, BigInt64Array | BigUint64Array>);
  const got = values === null ? 'null' : Array.isArray(values) ? 'an array of non-numbers' : typeof values;
  throw new InputError(`${where}: expected numeric values, got ${got}`);
}

/**
 * De-interleave a row-major block (rows × cols) into `cols` columns of the same float type
 * (integer blocks become Float64Array). Copies.
 */
export function splitRowMajor(block: unknown, rows: number, cols: number, where: string): Column[] {
  const flat = block instanceof Float64Array || block instanceof Float32Array ? block : toFloatColumn(block, where);
  if (flat.length !== rows * cols)
    throw new InputError(`${where}: expected ${rows} × ${cols} = ${rows * cols} values, found ${flat.length}`);
  const Ctor = flat instanceof Float32Array ? Float32Array : Float64Array;
  const out: Column[] = [];
  for (let j = 0; j < cols; j++) {
    const c = new Ctor(rows);
    for (let i = 0, k = j; i < rows; i++, k += cols) c[i] = flat[k];
    out.push(c);
  }
  return out;
}

/**
 * Split a column-major block (each column contiguous: pandas' HDF5 blocks, NumPy's Fortran order) into
 * `cols` columns of `rows` values. Copies.
 */
export function splitColumnMajor(block: unknown, rows: number, cols: number, where: string): Column[] {
  const flat = block instanceof Float64Array || block instanceof Float32Array ? block : toFloatColumn(block, where);
  if (flat.length !== rows * cols)
    throw new InputError(`${where}: expected ${rows} × ${cols} = ${rows * cols} values, found ${flat.length}`);
  return Array.from({ length: cols }, (_, j) => flat.slice(j * rows, (j + 1) * rows));
}
