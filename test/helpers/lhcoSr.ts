/**
 * Test/benchmark helper: locate and read the LHCO SR fixture files (`<repo>/../shared/data/lhco-sr/`,
 * else `/work/shared/data/lhco-sr/`). A minimal `.npy` reader (v1/v2, little-endian float64, C order)
 * so the ml tests do not depend on the data layer's readers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const CANDIDATES = [fileURLToPath(new URL('../../../shared/data/lhco-sr/', import.meta.url)), '/work/shared/data/lhco-sr/'];

/** Directory of the LHCO SR fixtures, or null when absent. */
export const lhcoSrDir: string | null = CANDIDATES.find((d) => existsSync(d + 'extrabkg_sr.npy')) ?? null;

/** Read a float64 C-order .npy file: { data, rows, cols }. */
export function readNpyF64(path: string): { data: Float64Array; rows: number; cols: number } {
  const buf = readFileSync(path);
  if (buf.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(`${path}: not a .npy file`);
  const major = buf[6];
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const hstart = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', hstart, hstart + hlen);
  if (!/'descr':\s*'<f8'/.test(header) || /'fortran_order':\s*True/.test(header)) throw new Error(`${path}: expected little-endian float64 C order, header ${header}`);
  const shape = /'shape':\s*\((\d+),\s*(\d+)?\)/.exec(header);
  if (!shape) throw new Error(`${path}: cannot parse shape in ${header}`);
  const rows = Number(shape[1]), cols = shape[2] ? Number(shape[2]) : 1;
  const off = hstart + hlen;
  const data = new Float64Array(rows * cols);
  new Uint8Array(data.buffer).set(buf.subarray(off, off + rows * cols * 8));
  return { data, rows, cols };
}

/** The four baseline features (m_J1, Δm_J, τ21_J1, τ21_J2) of an SR file as a row-major Float64 matrix. */
export function readSrFeatures(file: string): { data: Float64Array; rows: number; cols: number } {
  if (!lhcoSrDir) throw new Error('LHCO SR fixtures not found');
  const a = readNpyF64(lhcoSrDir + file);
  const out = new Float64Array(a.rows * 4);
  for (let i = 0; i < a.rows; i++) for (let j = 0; j < 4; j++) out[i * 4 + j] = a.data[i * a.cols + 1 + j];
  return { data: out, rows: a.rows, cols: 4 };
}

/**
 * Supervised SR set: signal (`innerdata_extrasig.npy`, label 1) vs background (`extrabkg_sr.npy`,
 * label 0), split 50/50 by position (first half of each file trains, second half tests).
 */
export function supervisedSrSplit(maxPerClass = Infinity): {
  train: { X: { data: Float64Array; rows: number; cols: number }; y: Uint8Array };
  test: { X: { data: Float64Array; rows: number; cols: number }; y: Uint8Array };
} {
  const sig = readSrFeatures('innerdata_extrasig.npy');
  const bkg = readSrFeatures('extrabkg_sr.npy');
  const ns = Math.min(sig.rows, maxPerClass), nb = Math.min(bkg.rows, maxPerClass);
  const half = (n: number) => Math.floor(n / 2);
  const part = (s0: number, s1: number, b0: number, b1: number) => {
    const rows = s1 - s0 + (b1 - b0);
    const data = new Float64Array(rows * 4);
    data.set(sig.data.subarray(s0 * 4, s1 * 4), 0);
    data.set(bkg.data.subarray(b0 * 4, b1 * 4), (s1 - s0) * 4);
    const y = new Uint8Array(rows);
    y.fill(1, 0, s1 - s0);
    return { X: { data, rows, cols: 4 }, y };
  };
  return { train: part(0, half(ns), 0, half(nb)), test: part(half(ns), ns, half(nb), nb) };
}
