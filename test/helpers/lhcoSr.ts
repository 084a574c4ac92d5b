/** Test helpers: locate the shared LHCO SR files, read a float64 .npy, ROC AUC. */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `<repo>/../shared/data/lhco-sr/` if present, else `/work/shared/data/lhco-sr/`, else null. */
export function lhcoSrDir(): string | null {
  const candidates = [fileURLToPath(new URL('../../../shared/data/lhco-sr/', import.meta.url)), '/work/shared/data/lhco-sr/'];
  return candidates.find((d) => existsSync(d + 'extrabkg_sr.npy')) ?? null;
}

/** Read a little-endian float64 C-order 2-d .npy (format 1.0/2.0). */
export function readNpyF64(path: string): { data: Float64Array; rows: number; cols: number } {
  const buf = readFileSync(path);
  if (buf.toString('latin1', 1, 6) !== 'NUMPY') throw new Error(`${path}: not a .npy file`);
  const major = buf[6];
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const hstart = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', hstart, hstart + hlen);
  if (!header.includes("'descr': '<f8'") || header.includes("'fortran_order': True")) throw new Error(`${path}: expected <f8 C order, header ${header}`);
  const shape = /'shape': \((\d+), (\d+)\)/.exec(header);
  if (!shape) throw new Error(`${path}: expected a 2-d array, header ${header}`);
  const rows = Number(shape[1]), cols = Number(shape[2]);
  const off = hstart + hlen;
  const data = new Float64Array(rows * cols);
  new Uint8Array(data.buffer).set(buf.subarray(off, off + rows * cols * 8));
  return { data, rows, cols };
}

/** ROC AUC = P(score_signal > score_background) with ties counted half (rank statistic). */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rankSum = 0, nPos = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]] === scores[idx[i]]) j++;
    const avg = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) if (labels[idx[k]]) { rankSum += avg; nPos++; }
    i = j + 1;
  }
  const nNeg = scores.length - nPos;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}
