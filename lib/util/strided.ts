/**
 * At most `max` row indices spread evenly over `total` rows (all rows when total ≤ max). Summaries
 * computed on a subset use these rather than the first rows: files come sorted (by m_JJ, by label) and
 * templates in blocks (flow k, kept epoch k), so the first rows need not represent the sample.
 */
export function evenlyStridedRows(total: number, max: number): Uint32Array {
  const n = Math.max(0, Math.min(total, max));
  return Uint32Array.from({ length: n }, (_, i) => Math.floor((i * total) / n));
}
