/**
 * Test/benchmark helper: locate and read the LHCO SR fixture files (`<repo>/../shared/data/lhco-sr/`,
 * else `/work/shared/data/lhco-sr/`), read with the data layer's `.npy` decoder.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeNpy } from '../../lib/data/io/npy.js';
import { fromColumns } from '../../lib/ml/matrix.js';

const CANDIDATES = [fileURLToPath(new URL('../../../shared/data/lhco-sr/', import.meta.url)), '/work/shared/data/lhco-sr/'];

/** Directory of the LHCO SR fixtures, or null when absent. */
export const lhcoSrDir: string | null = CANDIDATES.find((d) => existsSync(d + 'extrabkg_sr.npy')) ?? null;

/** Read a float64 C-order .npy file as a row-major matrix, through the library's own reader. */
export function readNpyF64(path: string): { data: Float64Array; rows: number; cols: number } {
  const t = decodeNpy(readFileSync(path), path);
  return fromColumns(t.columnNames.map((n) => t.column(n)));
}

/** Column j of a row-major matrix. */
export function npyColumn(m: { data: Float64Array; rows: number; cols: number }, j: number): Float64Array {
  const out = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) out[i] = m.data[i * m.cols + j];
  return out;
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
