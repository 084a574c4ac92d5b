import type { EventTable } from '../data/eventTable.js';
import type { Matrix } from '../ml/matrix.js';
import { ConfigError, didYouMean } from '../util/errors.js';
import { FEATURE_SETS, type FeatureSetName } from '../data/features.js';

/** Classifier inputs of a named feature set; m_JJ is never one of them. */
export function featureNames(set: string): readonly string[] {
  const names = (FEATURE_SETS as Record<string, readonly string[]>)[set];
  if (!names) throw new ConfigError(`unknown feature set "${set}"${didYouMean(set, Object.keys(FEATURE_SETS))}; sets are ${Object.keys(FEATURE_SETS).join(', ')}`);
  return names;
}

export type { FeatureSetName };

/** Row-major matrix of the named columns for the rows where `mask` is set (all rows without a mask). */
export function featureMatrix(events: EventTable, names: readonly string[], mask?: Uint8Array): Matrix<Float64Array> {
  const cols = names.map((n) => events.column(n));
  let rows = events.length;
  if (mask) {
    rows = 0;
    for (let i = 0; i < mask.length; i++) rows += mask[i];
  }
  const p = names.length;
  const data = new Float64Array(rows * p);
  for (let i = 0, r = 0; i < events.length; i++) {
    if (mask && !mask[i]) continue;
    for (let j = 0; j < p; j++) data[r * p + j] = cols[j][i];
    r++;
  }
  return { data, rows, cols: p };
}

/** Values of one column for the rows where `mask` is set. */
export function maskedColumn(events: EventTable, name: string, mask: Uint8Array): Float64Array {
  const c = events.column(name);
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i];
  const out = new Float64Array(n);
  for (let i = 0, k = 0; i < mask.length; i++) if (mask[i]) out[k++] = c[i];
  return out;
}

/** Indices of the set rows of a mask. */
export function maskIndices(mask: Uint8Array): Uint32Array {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i];
  const out = new Uint32Array(n);
  for (let i = 0, k = 0; i < mask.length; i++) if (mask[i]) out[k++] = i;
  return out;
}

/** The masses `reps` times over, one copy after another: the m_JJ at which a generator is sampled `reps` times per event. */
export function repeatMasses(masses: Float64Array, reps: number): Float64Array {
  const m = new Float64Array(masses.length * reps);
  for (let r = 0; r < reps; r++) m.set(masses, r * masses.length);
  return m;
}
