/**
 * Exact duplicate events, within a sample and between two samples. A copied event can sit in a
 * classifier's training folds and in its test fold at once: the classifier remembers it and the copy
 * passes every cut, so duplicated background reads as signal (the same background file given twice:
 * CWoLa Z_Cowan ≈ 8 in every window), and a template that shares events with the data hides a signal.
 * Rows are compared on every column but the truth label, by the float64 bits of their values (−0 = +0).
 */
import type { EventTable } from './eventTable.js';

/** Per-row 64-bit hashes (two 32-bit lanes) of the columns compared. */
export interface RowHashes {
  readonly h1: Uint32Array;
  readonly h2: Uint32Array;
  /** The columns hashed, in the order hashed (sorted names, label excluded). */
  readonly columns: readonly string[];
}

/** The columns that identify an event: all but the truth label, in name order (format and order independent). */
export function eventColumns(events: EventTable): string[] {
  return events.columnNames.filter((n) => n !== 'label').sort();
}

/** Hash every row of `events` over {@link eventColumns}. */
export function rowHashes(events: EventTable): RowHashes {
  const columns = eventColumns(events);
  const cols = columns.map((n) => events.column(n));
  const n = events.length;
  const h1 = new Uint32Array(n), h2 = new Uint32Array(n);
  const f = new Float64Array(1), w = new Uint32Array(f.buffer);
  for (let i = 0; i < n; i++) {
    let a = 0x811c9dc5, b = 0x9e3779b9;
    for (const c of cols) {
      f[0] = c[i] === 0 ? 0 : c[i]; // −0 and +0 are the same value
      a = Math.imul(a ^ w[0], 0x01000193) ^ Math.imul(w[1], 0x85ebca6b);
      b = Math.imul(b ^ w[1], 0xc2b2ae35) ^ Math.imul(w[0], 0x27d4eb2f);
      a ^= a >>> 15; b ^= b >>> 13;
    }
    h1[i] = a >>> 0;
    h2[i] = Math.imul(b, 0x165667b1) >>> 0;
  }
  return { h1, h2, columns };
}

/** A 53-bit key per row (exact in a float64): natively sortable, collisions checked by value. */
function rowKeys(h: RowHashes): Float64Array {
  const k = new Float64Array(h.h1.length);
  for (let i = 0; i < k.length; i++) k[i] = h.h1[i] * 2097152 + (h.h2[i] >>> 11);
  return k;
}

/** The rows of each key in `wanted`, in row order. */
function rowsOfKeys(keys: Float64Array, wanted: ReadonlySet<number>): Map<number, number[]> {
  const rows = new Map<number, number[]>();
  for (let i = 0; i < keys.length; i++) {
    if (!wanted.has(keys[i])) continue;
    const r = rows.get(keys[i]);
    if (r) r.push(i);
    else rows.set(keys[i], [i]);
  }
  return rows;
}

function sameValues(a: EventTable, i: number, b: EventTable, j: number, columns: readonly string[]): boolean {
  for (const n of columns) {
    const x = a.column(n)[i], y = b.column(n)[j];
    if (!(x === y || (Number.isNaN(x) && Number.isNaN(y)))) return false;
  }
  return true;
}

/** Exact copies of events in one sample. */
export interface DuplicateEvents {
  /** Events that repeat an earlier event (a row present k times counts k − 1). */
  readonly count: number;
  /** One repeated pair: the first row and a later copy of it (0-based event indices). */
  readonly example?: readonly [number, number];
}

/** Find events that occur more than once in `events` (hash, then exact comparison of the candidates). */
export function findDuplicateEvents(events: EventTable): DuplicateEvents {
  const h = rowHashes(events);
  const keys = rowKeys(h);
  const sorted = Float64Array.from(keys).sort();
  const repeated = new Set<number>();
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) repeated.add(sorted[i]);
  if (repeated.size === 0) return { count: 0 };
  let count = 0;
  let example: [number, number] | undefined;
  for (const run of rowsOfKeys(keys, repeated).values())
    // Within rows of equal key, a row is a copy if an earlier row holds the same values.
    for (let k = 1; k < run.length; k++) {
      const first = run.slice(0, k).find((r) => sameValues(events, r, events, run[k], h.columns));
      if (first === undefined) continue;
      count++;
      if (!example || run[k] < example[1]) example = [first, run[k]];
    }
  return example ? { count, example } : { count };
}

/** Events of one sample that also occur in another. */
export interface SharedEvents {
  /** Events of `b` whose exact copy is in `a`. */
  readonly count: number;
  /** One shared event: its row in `a` and in `b`. */
  readonly example?: readonly [number, number];
}

/**
 * Count the events of `b` that also occur in `a` (compared on the columns both samples hold but the
 * label; samples without a common column share nothing).
 */
export function findSharedEvents(a: EventTable, b: EventTable): SharedEvents {
  const common = eventColumns(a).filter((n) => b.has(n));
  if (common.length === 0) return { count: 0 };
  const ka = rowKeys(rowHashes(a.select(common))), kb = rowKeys(rowHashes(b.select(common)));
  const sortedA = Float64Array.from(ka).sort();
  const inA = (x: number): boolean => {
    let lo = 0, hi = sortedA.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sortedA[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo < sortedA.length && sortedA[lo] === x;
  };
  const candidates = new Set<number>();
  for (let j = 0; j < kb.length; j++) if (inA(kb[j])) candidates.add(kb[j]);
  if (candidates.size === 0) return { count: 0 };
  const rowsA = rowsOfKeys(ka, candidates);
  let count = 0;
  let example: [number, number] | undefined;
  for (let j = 0; j < kb.length; j++) {
    const rows = candidates.has(kb[j]) ? rowsA.get(kb[j]) : undefined;
    const i = rows?.find((r) => sameValues(a, r, b, j, common));
    if (i === undefined) continue;
    count++;
    example ??= [i, j];
  }
  return example ? { count, example } : { count };
}
