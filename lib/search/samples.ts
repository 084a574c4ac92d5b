/**
 * The weighted simulated samples of a search: one per process file, its fit variable (scaled into the
 * mass unit), weights (FullEventWeight: an entry stands for w events, w may be negative) and the square
 * cuts evaluated per entry.
 */
import { InputError } from '../util/errors.js';
import type { EventTable } from '../data/eventTable.js';
import type { SquareCut } from './config.js';
import type { Histogram } from '../stats/fit/histogram.js';
import { fillHistogram } from '../stats/fit/histogram.js';

/** One process: its entries and what the search needs from them. */
export interface ProcessSample {
  readonly name: string;
  readonly isSignal: boolean;
  readonly table: EventTable;
  /** Fit variable × massScale. */
  readonly mass: Float64Array;
  readonly weight: Float64Array;
  /** Where the table came from (file path or "generated"), for error messages. */
  readonly source: string;
}

/** Wrap a table as a process sample; the label column must be constant (0 or 1) in a process file. */
export function processSample(name: string, table: EventTable, o: { fitVariable: string; weightColumn: string; signalColumn: string; massScale: number }, source: string): ProcessSample {
  if (table.length === 0) throw new InputError(`${source}: process "${name}" has no entries`);
  const col = (c: string) => {
    if (!table.has(c)) throw new InputError(`${source}: no column "${c}" (process "${name}"); columns are ${table.columnNames.join(', ')}`);
    return table.column(c);
  };
  const label = col(o.signalColumn);
  const first = label[0];
  if (first !== 0 && first !== 1) throw new InputError(`${source}: row 1, column "${o.signalColumn}" is ${first}; expected 0 or 1`);
  for (let i = 1; i < label.length; i++)
    if (label[i] !== first) throw new InputError(`${source}: row ${i + 1}, column "${o.signalColumn}" is ${label[i]} but row 1 is ${first}; one process per file (signal and background in separate files)`);
  const m = col(o.fitVariable), w = col(o.weightColumn);
  const mass = new Float64Array(m.length), weight = new Float64Array(w.length);
  for (let i = 0; i < m.length; i++) {
    if (!Number.isFinite(m[i])) throw new InputError(`${source}: row ${i + 1}, column "${o.fitVariable}" is ${m[i]}; expected a finite mass`);
    if (!Number.isFinite(w[i])) throw new InputError(`${source}: row ${i + 1}, column "${o.weightColumn}" is ${w[i]}; expected a finite weight`);
    mass[i] = m[i] * o.massScale;
    weight[i] = w[i];
  }
  return { name, isSignal: first === 1, table, mass, weight, source };
}

/**
 * 1 for entries passing every cut `min ≤ x < max`. NaN fails every cut.
 * @throws InputError naming the file and the column when a cut variable is missing.
 */
export function passCuts(s: ProcessSample, cuts: readonly SquareCut[]): Uint8Array {
  const pass = new Uint8Array(s.table.length).fill(1);
  for (const c of cuts) {
    if (!s.table.has(c.variable)) throw new InputError(`${s.source}: cut on "${c.variable}" but the file has no such column; columns are ${s.table.columnNames.join(', ')}`);
    const x = s.table.column(c.variable);
    const lo = c.min ?? -Infinity, hi = c.max ?? Infinity;
    for (let i = 0; i < x.length; i++) if (!(x[i] >= lo && x[i] < hi)) pass[i] = 0;
  }
  return pass;
}

/** Elementwise AND of masks. */
export function andMasks(...masks: Uint8Array[]): Uint8Array {
  const out = Uint8Array.from(masks[0]);
  for (const m of masks.slice(1)) for (let i = 0; i < out.length; i++) out[i] &= m[i];
  return out;
}

/**
 * Weighted mass histogram of the selected entries (Σw, Σw²), each weight multiplied by `scale`
 * (1/(held-out fraction) when only held-out entries are used, so Σw still counts all events).
 */
export function massHistogram(s: ProcessSample, edges: Float64Array, mask?: Uint8Array, scale = 1): Histogram {
  const n = s.mass.length;
  const m: number[] = [], w: number[] = [];
  for (let i = 0; i < n; i++) if (!mask || mask[i]) { m.push(s.mass[i]); w.push(s.weight[i] * scale); }
  return fillHistogram(m, edges, { weights: w });
}

/** Bin-by-bin sum of histograms with the same edges. */
export function addHistograms(hs: readonly Histogram[]): Histogram {
  const values = new Float64Array(hs[0].values.length), variances = new Float64Array(values.length);
  for (const h of hs) for (let i = 0; i < values.length; i++) { values[i] += h.values[i]; variances[i] += h.variances[i]; }
  return { edges: hs[0].edges, values, variances };
}

/** Σw and Σw² of the selected entries (events and their MC-statistical variance). */
export function weightedYield(s: ProcessSample, mask?: Uint8Array, scale = 1, massRange?: readonly [number, number]): { events: number; variance: number; entries: number } {
  let e = 0, v = 0, k = 0;
  for (let i = 0; i < s.mass.length; i++) {
    if (mask && !mask[i]) continue;
    if (massRange && !(s.mass[i] >= massRange[0] && s.mass[i] < massRange[1])) continue;
    const w = s.weight[i] * scale;
    e += w; v += w * w; k++;
  }
  return { events: e, variance: v, entries: k };
}
