/**
 * Feature binning for histogram trees (sklearn `_BinMapper` semantics, no missing values):
 * per feature at most `maxBins` (≤ 255) bins; with ≤ maxBins distinct values the edges are the
 * midpoints between them, otherwise the (1/maxBins … (maxBins−1)/maxBins) quantiles ("midpoint"
 * interpolation) of a seeded subsample. Bin of x = number of edges < x, so "bin ≤ b" ⇔ "x ≤ edges[b]":
 * a split found on bins is the same split on raw values.
 */
import type { Matrix } from '../matrix.js';
import type { Rng } from '../../util/rng.js';
import { ConfigError, InputError, ShapeError } from '../../util/errors.js';

/** Bin edges per feature (ascending, distinct). Feature j has edges[j].length + 1 bins. */
export type BinEdges = Float64Array[];

/** Stride of one feature's bins in a histogram: every feature gets 256 slots. */
export const BIN_STRIDE = 256;

/**
 * Fit bin edges on the rows of X. Rows beyond `subsample` are subsampled without replacement
 * with `rng` (sklearn default 200,000).
 */
export function fitBinEdges(X: Matrix, opts: { maxBins?: number; subsample?: number; rng: Rng }): BinEdges {
  const maxBins = opts.maxBins ?? 255;
  const subsample = opts.subsample ?? 200_000;
  if (!Number.isInteger(maxBins) || maxBins < 2 || maxBins > 255) throw new ConfigError(`fitBinEdges: maxBins must be an integer in [2, 255], got ${maxBins}`);
  const { rows, cols, data } = X;
  let idx: Uint32Array | null = null;
  let n = rows;
  if (rows > subsample) {
    // Partial Fisher–Yates: the first `subsample` entries are a uniform sample without replacement.
    const perm = new Uint32Array(rows);
    for (let i = 0; i < rows; i++) perm[i] = i;
    for (let i = 0; i < subsample; i++) {
      const j = i + opts.rng.int(rows - i);
      const t = perm[i]; perm[i] = perm[j]; perm[j] = t;
    }
    idx = perm.subarray(0, subsample);
    n = subsample;
  }
  const col = new Float64Array(n);
  const edges: BinEdges = [];
  for (let j = 0; j < cols; j++) {
    for (let i = 0; i < n; i++) {
      const r = idx ? idx[i] : i;
      const x = data[r * cols + j];
      if (!Number.isFinite(x)) throw new InputError(`fitBinEdges: X[${r}, ${j}] is ${x}; histogram trees need finite features`);
      col[i] = x;
    }
    col.sort();
    let nDistinct = n > 0 ? 1 : 0;
    for (let i = 1; i < n; i++) if (col[i] !== col[i - 1]) nDistinct++;
    let e: number[];
    if (nDistinct <= maxBins) {
      e = [];
      for (let i = 1; i < n; i++) if (col[i] !== col[i - 1]) e.push(0.5 * (col[i - 1] + col[i]));
    } else {
      e = [];
      for (let k = 1; k < maxBins; k++) {
        const pos = (k / maxBins) * (n - 1);
        const v = 0.5 * (col[Math.floor(pos)] + col[Math.ceil(pos)]);
        if (e.length === 0 || v > e[e.length - 1]) e.push(v);
      }
    }
    edges.push(Float64Array.from(e));
  }
  return edges;
}

/** Bin index of x: the number of edges strictly below x (binary search). */
export function binOf(edges: Float64Array, x: number): number {
  let lo = 0, hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x <= edges[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Bin every row of X into `out`, row-major: bin of (i, j) at out[i · cols + j]. Rejects NaN,
 * naming the row (offset by `rowOffset` when X is a chunk) and column.
 */
export function binRowsInto(out: Uint8Array, X: Matrix, edges: BinEdges, rowOffset = 0): void {
  const { rows, cols, data } = X;
  if (cols !== edges.length) throw new ShapeError(`binRows: X has ${cols} columns, the bin edges are for ${edges.length} features`);
  if (out.length < rows * cols) throw new ShapeError(`binRowsInto: out has ${out.length} entries, need ${rows * cols}`);
  const grid = new Int32Array(GRID_CELLS);
  for (let j = 0; j < cols; j++) {
    const e = edges[j];
    const ne = e.length;
    if (ne < 2) {
      for (let i = 0, o = j; i < rows; i++, o += cols) {
        const x = data[o];
        if (x !== x) throw new InputError(`binRows: X[${rowOffset + i}, ${j}] is NaN; histogram trees need finite features`);
        out[o] = ne === 1 && x > e[0] ? 1 : 0;
      }
      continue;
    }
    // Uniform grid over [e₀, e_last]: grid[c] = number of edges below cell c's lower bound, a start
    // point a step or two from the answer. The walks below make the result exact from any start, so
    // rounding in the cell index can only cost time, never change a bin (a binary search mispredicts
    // about half its ~8 branches per value; this is most of the scoring time otherwise).
    const lo = e[0];
    const scale = GRID_CELLS / (e[ne - 1] - lo);
    for (let c = 0, p = 0; c < GRID_CELLS; c++) {
      const bound = lo + c / scale;
      while (p < ne && e[p] < bound) p++;
      grid[c] = p;
    }
    for (let i = 0, o = j; i < rows; i++, o += cols) {
      const x = data[o];
      if (x !== x) throw new InputError(`binRows: X[${rowOffset + i}, ${j}] is NaN; histogram trees need finite features`);
      const u = (x - lo) * scale;
      let b = grid[u < 0 ? 0 : u >= GRID_CELLS ? GRID_CELLS - 1 : u | 0];
      while (b < ne && e[b] < x) b++;
      while (b > 0 && e[b - 1] >= x) b--;
      out[o] = b;
    }
  }
}

/** Cells of the bin-lookup grid: with ≤ 255 quantile edges, typically ≤ 1 edge per cell. */
const GRID_CELLS = 4096;
