/**
 * Scoring with a boosted ensemble of binned trees. Two exact paths giving identical sums:
 * - traversal: per event and tree, walk from the root comparing bins with node thresholds;
 * - bitmask (QuickScorer idea, Lucchese et al. 2015, made table-driven by the binning): for trees
 *   with ≤ 32 leaves each tree's reachable leaves form a 32-bit mask; for feature f and bin b the
 *   AND of the masks of all nodes on f whose test fails at bin b is precomputed, so scoring an event
 *   is nFeatures table loads and ANDs per tree, then the lowest set bit names the exit leaf.
 * Both add baseline + Σ_t value_t in tree order, so the results are bit-identical.
 */
import type { BinEdges } from './binning.js';

/** One fitted tree: leaves have feature −1; internal node goes left when bin ≤ binThreshold. */
export interface BinnedTree {
  readonly feature: Int32Array;
  readonly binThreshold: Int32Array;
  readonly left: Int32Array;
  readonly right: Int32Array;
  /** Leaf values, shrinkage applied (internal nodes: 0). */
  readonly value: Float64Array;
}

/** Number of leaves of a tree. */
export function leafCount(t: BinnedTree): number {
  let c = 0;
  for (let i = 0; i < t.feature.length; i++) if (t.feature[i] < 0) c++;
  return c;
}

/** Raw scores by tree traversal on row-major bins: out[i] = baseline + Σ_{t < nTrees} value. */
export function traverseRawInto(out: Float64Array, rowBins: Uint8Array, rows: number, cols: number, trees: readonly BinnedTree[], nTrees: number, baseline: number): void {
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    let raw = baseline;
    for (let t = 0; t < nTrees; t++) {
      const tr = trees[t];
      const feat = tr.feature, thr = tr.binThreshold, lft = tr.left, rgt = tr.right;
      let node = 0;
      while (feat[node] >= 0) node = rowBins[o + feat[node]] <= thr[node] ? lft[node] : rgt[node];
      raw += tr.value[node];
    }
    out[i] = raw;
  }
}

/** Precomputed tables of the bitmask scorer. */
export interface BitmaskTables {
  readonly nTrees: number;
  /** Offset of feature f's bin 0 in units of rows of `masks`. */
  readonly binOffset: Int32Array;
  /** masks[(binOffset[f] + b) · nTrees + t]: leaves of tree t still reachable given feature f is in bin b. */
  readonly masks: Int32Array;
  /** leafValue[t · 32 + k]: value of the k-th leaf (in-order) of tree t. */
  readonly leafValue: Float64Array;
}

/** Build the bitmask tables, or null when some tree has more than 32 leaves. */
export function buildBitmaskTables(trees: readonly BinnedTree[], edges: BinEdges): BitmaskTables | null {
  const nT = trees.length;
  for (const t of trees) if (leafCount(t) > 32) return null;
  const nF = edges.length;
  const binOffset = new Int32Array(nF + 1);
  for (let f = 0; f < nF; f++) binOffset[f + 1] = binOffset[f] + edges[f].length + 1;
  // Int32 (not Uint32) so that V8 keeps every mask a small integer: no heap-number boxing.
  const masks = new Int32Array(binOffset[nF] * nT).fill(-1);
  const leafValue = new Float64Array(nT * 32);
  for (let t = 0; t < nT; t++) {
    const tr = trees[t];
    // In-order leaf numbering: the leaves below any node form a contiguous range [lo, hi).
    let next = 0;
    const visit = (node: number): [number, number] => {
      if (tr.feature[node] < 0) {
        leafValue[t * 32 + next] = tr.value[node];
        return [next, ++next];
      }
      const [lo, mid] = visit(tr.left[node]);
      const [, hi] = visit(tr.right[node]);
      // The test fails (go right) for bins > threshold: the left subtree's leaves are unreachable.
      const leftBits = (mid >= 32 ? 0xffffffff : ((1 << mid) >>> 0) - 1) & ~(((1 << lo) >>> 0) - 1);
      const keep = ~leftBits;
      const f = tr.feature[node];
      const nb = edges[f].length + 1;
      for (let b = tr.binThreshold[node] + 1; b < nb; b++) masks[(binOffset[f] + b) * nT + t] &= keep;
      return [lo, hi];
    };
    visit(0);
  }
  return { nTrees: nT, binOffset, masks, leafValue };
}

/**
 * Raw scores with the bitmask tables for the first nTrees trees (≤ tables.nTrees). `acc` is a
 * scratch Int32Array of length ≥ tables.nTrees; `rowOff` scratch Int32Array of length ≥ cols.
 * The exit leaf of tree t is the lowest set bit k of its mask: 31 − clz32(v ^ (v − 1)).
 */
export function bitmaskRawInto(out: Float64Array, rowBins: Uint8Array, rows: number, cols: number, tables: BitmaskTables, nTrees: number, baseline: number, acc: Int32Array, rowOff: Int32Array): void {
  if (cols === 4) return bitmaskRaw4Into(out, rowBins, rows, tables, nTrees, baseline);
  const { masks, leafValue, binOffset } = tables;
  const stride = tables.nTrees;
  for (let i = 0; i < rows; i++) {
    const o = i * cols;
    for (let f = 0; f < cols; f++) rowOff[f] = (binOffset[f] + rowBins[o + f]) * stride;
    const o0 = rowOff[0];
    for (let t = 0; t < nTrees; t++) acc[t] = masks[o0 + t];
    for (let f = 1; f < cols; f++) {
      const of = rowOff[f];
      for (let t = 0; t < nTrees; t++) acc[t] &= masks[of + t];
    }
    let raw = baseline;
    for (let t = 0, lo = 0; t < nTrees; t++, lo += 32) {
      const v = acc[t];
      raw += leafValue[lo + 31 - Math.clz32(v ^ (v - 1))];
    }
    out[i] = raw;
  }
}

/** Four features (the baseline LHCO inputs): one fused pass over the trees. */
function bitmaskRaw4Into(out: Float64Array, rowBins: Uint8Array, rows: number, tables: BitmaskTables, nTrees: number, baseline: number): void {
  const { masks, leafValue, binOffset } = tables;
  const stride = tables.nTrees;
  const b0 = binOffset[0], b1 = binOffset[1], b2 = binOffset[2], b3 = binOffset[3];
  let i = 0;
  // Two events per pass over the trees: twice the independent loads per loop step, and each
  // event still adds baseline then the trees in order (same sums as one at a time).
  for (; i + 1 < rows; i += 2) {
    const o = i * 4;
    const o0 = (b0 + rowBins[o]) * stride, o1 = (b1 + rowBins[o + 1]) * stride;
    const o2 = (b2 + rowBins[o + 2]) * stride, o3 = (b3 + rowBins[o + 3]) * stride;
    const p0 = (b0 + rowBins[o + 4]) * stride, p1 = (b1 + rowBins[o + 5]) * stride;
    const p2 = (b2 + rowBins[o + 6]) * stride, p3 = (b3 + rowBins[o + 7]) * stride;
    let raw = baseline, raw2 = baseline;
    for (let t = 0, lo = 0; t < nTrees; t++, lo += 32) {
      const v = masks[o0 + t] & masks[o1 + t] & masks[o2 + t] & masks[o3 + t];
      const w = masks[p0 + t] & masks[p1 + t] & masks[p2 + t] & masks[p3 + t];
      raw += leafValue[lo + 31 - Math.clz32(v ^ (v - 1))];
      raw2 += leafValue[lo + 31 - Math.clz32(w ^ (w - 1))];
    }
    out[i] = raw;
    out[i + 1] = raw2;
  }
  for (; i < rows; i++) {
    const o = i * 4;
    const o0 = (b0 + rowBins[o]) * stride, o1 = (b1 + rowBins[o + 1]) * stride;
    const o2 = (b2 + rowBins[o + 2]) * stride, o3 = (b3 + rowBins[o + 3]) * stride;
    let raw = baseline;
    for (let t = 0, lo = 0; t < nTrees; t++, lo += 32) {
      const v = masks[o0 + t] & masks[o1 + t] & masks[o2 + t] & masks[o3 + t];
      raw += leafValue[lo + 31 - Math.clz32(v ^ (v - 1))];
    }
    out[i] = raw;
  }
}
