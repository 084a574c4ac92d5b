/**
 * NumPy `.npy` reader (format versions 1.0, 2.0, 3.0): little-endian float64/float32, C order,
 * 1-D (one column) or 2-D (rows × columns). The whole file is read; columns are de-interleaved copies.
 */
import { readFile } from 'node:fs/promises';
import { ConfigError, InputError } from '../../util/errors.js';
import { EventTable, type Column, type Unit } from '../eventTable.js';
import { splitColumnMajor, splitRowMajor } from './columns.js';
import { LHCO_SR_COLUMNS, unitsFor } from './units.js';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** Parsed `.npy` header. */
export interface NpyHeader {
  readonly version: string;
  readonly descr: string;
  readonly fortranOrder: boolean;
  readonly shape: readonly number[];
  /** Byte offset of the data. */
  readonly dataOffset: number;
}

/** Parse and check the header of a `.npy` buffer; `path` names the file in errors. */
export function parseNpyHeader(buf: Uint8Array, path: string): NpyHeader {
  if (buf.length === 0) throw new InputError(`${path}: empty file (0 bytes); expected a NumPy .npy file`);
  if (buf.length < 10 || !MAGIC.every((b, i) => buf[i] === b)) throw new InputError(`${path}: not a NumPy .npy file (missing the \\x93NUMPY magic)`);
  const major = buf[6], minor = buf[7];
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let headerLen: number, start: number;
  if (major === 1) { headerLen = dv.getUint16(8, true); start = 10; }
  else if (major === 2 || major === 3) {
    if (buf.length < 12) throw new InputError(`${path}: truncated .npy header`);
    headerLen = dv.getUint32(8, true); start = 12;
  } else throw new InputError(`${path}: .npy format version ${major}.${minor} is not supported (expected 1.0, 2.0 or 3.0)`);
  if (buf.length < start + headerLen) throw new InputError(`${path}: truncated .npy header (${buf.length} bytes, header needs ${start + headerLen})`);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(buf.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(text)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined)
    throw new InputError(`${path}: malformed .npy header ${JSON.stringify(text.trim())}`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s.length).map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new InputError(`${path}: malformed .npy shape (${shapeText})`);
  return { version: `${major}.${minor}`, descr, fortranOrder: fortran === 'True', shape, dataOffset: start + headerLen };
}

/**
 * Read a `.npy` file into an {@link EventTable}.
 * @param options.columns names of the columns in order; default for 6 columns is the LHCO-SR layout
 *   (mJJ, mJ1, deltaMJ, tau21J1, tau21J2, label, masses in TeV), otherwise `col0`, `col1`, ….
 * @param options.units units to attach (default: the LHCO-SR ones for those names, else "").
 * @throws InputError for a bad magic, unsupported version, big-endian or non-float dtype, more than
 *   two dimensions, or a data size that does not match the shape (C and Fortran order are both read).
 */
export async function readNpy(path: string, options: NpyReadOptions = {}): Promise<EventTable> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    throw new InputError(`${path}: cannot read the file (${(err as Error).message}); expected a NumPy .npy file`, { cause: err });
  }
  return decodeNpy(buf, path, options);
}

/** Column names and units for {@link readNpy} / {@link decodeNpy}. */
export interface NpyReadOptions {
  readonly columns?: readonly string[];
  readonly units?: Readonly<Record<string, Unit>>;
}

/** Decode the bytes of a `.npy` file (as {@link readNpy}, for callers that already hold them); `path` names it in errors. */
export function decodeNpy(buf: Uint8Array, path: string, options: NpyReadOptions = {}): EventTable {
  const h = parseNpyHeader(buf, path);
  const size = h.descr.slice(1) === 'f8' ? 8 : h.descr.slice(1) === 'f4' ? 4 : 0;
  if (size === 0 || h.descr[0] === '>' || (h.descr[0] !== '<' && h.descr[0] !== '='))
    throw new InputError(
      `${path}: dtype '${h.descr}' is not supported; expected little-endian float64 '<f8' or float32 '<f4'` +
        (h.descr[0] === '>' ? ' (convert with arr.astype("<f8"))' : ''),
    );
  if (h.shape.length < 1 || h.shape.length > 2) throw new InputError(`${path}: array has shape (${h.shape.join(', ')}); expected 1-D or 2-D (rows × columns)`);
  const rows = h.shape[0], cols = h.shape.length === 2 ? h.shape[1] : 1;
  const need = rows * cols * size;
  const have = buf.length - h.dataOffset;
  if (have < need) throw new InputError(`${path}: truncated .npy data: shape (${h.shape.join(', ')}) needs ${need} bytes, the file has ${have}`);
  if (have > need) throw new InputError(`${path}: .npy data has ${have} bytes, shape (${h.shape.join(', ')}) needs ${need}`);
  const names = options.columns ?? (cols === LHCO_SR_COLUMNS.length ? LHCO_SR_COLUMNS : Array.from({ length: cols }, (_, j) => `col${j}`));
  if (names.length !== cols)
    throw new ConfigError(`readNpy: ${path} has ${cols} columns, but ${names.length} column names were given (${names.join(', ')})`);
  if (new Set(names).size !== names.length) throw new ConfigError(`readNpy: duplicate column names ${names.join(', ')}`);
  // Typed-array views need aligned offsets; copy the data out when the buffer is not aligned.
  const Ctor = size === 8 ? Float64Array : Float32Array;
  const at = buf.byteOffset + h.dataOffset;
  const bytes = (at % size === 0 ? buf.buffer : buf.buffer.slice(at, at + need)) as ArrayBuffer;
  const flat = new Ctor(bytes, at % size === 0 ? at : 0, rows * cols);
  // Fortran order (what np.save writes for a transposed array) stores each column contiguously.
  const columns: Column[] = cols === 1 ? [flat.slice()] : h.fortranOrder ? splitColumnMajor(flat, rows, cols, path) : splitRowMajor(flat, rows, cols, path);
  const stored = options.units ?? {};
  return new EventTable(new Map(names.map((n, j) => [n, columns[j]])), unitsFor(names, stored, 'lhco-sr'));
}
