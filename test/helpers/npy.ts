/** Minimal .npy (v1/v2, little-endian float64, C order) reader for test fixtures. */
import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface NpyMatrix { data: Float64Array; rows: number; cols: number }

export function readNpyF8(path: string): NpyMatrix {
  const buf = readFileSync(path);
  if (buf.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(`${path}: not a .npy file`);
  const major = buf[6];
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const off = major === 1 ? 10 + hlen : 12 + hlen;
  const header = buf.toString('latin1', major === 1 ? 10 : 12, off);
  if (!/'descr':\s*'<f8'/.test(header) || /'fortran_order':\s*True/.test(header)) throw new Error(`${path}: expected <f8 C-order, header ${header}`);
  const shape = /'shape':\s*\((\d+),\s*(\d*)\)/.exec(header);
  if (!shape) throw new Error(`${path}: cannot parse shape from ${header}`);
  const rows = Number(shape[1]), cols = shape[2] ? Number(shape[2]) : 1;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < rows * cols; i++) data[i] = buf.readDoubleLE(off + 8 * i);
  return { data, rows, cols };
}

/** Column j of a row-major matrix. */
export const npyColumn = (m: NpyMatrix, j: number): Float64Array => {
  const out = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) out[i] = m.data[i * m.cols + j];
  return out;
};

/** The LHCO SR fixture directory: `<repo>/../shared/data/lhco-sr/`, else /work/shared/data/lhco-sr/, else null. */
export function lhcoSrDir(): string | null {
  for (const p of [fileURLToPath(new URL('../../../shared/data/lhco-sr/', import.meta.url)), '/work/shared/data/lhco-sr/'])
    if (existsSync(p + 'extrabkg_sr.npy')) return p;
  return null;
}
