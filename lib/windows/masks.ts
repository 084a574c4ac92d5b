/**
 * Event masks (Uint8Array, 1 = selected) for a window over the window variable (m_JJ):
 * signal region SR = (lo, hi) open; sideband SB = complement of the SR (x ≤ lo or x ≥ hi);
 * short sidebands SSB = (lo − w, lo] ∪ [hi, hi + w). NaN is in none of them.
 * Comparisons are made in TeV: GeV values and edges are divided by 1000 (exact for decimal edges).
 */
import { ConfigError, InputError } from '../util/errors.js';
import type { Column, EventTable, Unit } from '../data/eventTable.js';
import { MASS_UNIT_NAMES, unitsPerTeV } from '../data/units.js';
import { roundEdge, type MassRegion, type Window } from './window.js';

/** Where the window variable comes from: an event table (unit from the table) or a bare column. */
export interface MaskOptions {
  /** Column of an EventTable holding the window variable (default "mJJ"). */
  readonly column?: string;
  /** Unit of a bare column (default: the window's units). Ignored for an EventTable, whose column unit is used. */
  readonly unit?: Unit;
}

function divisor(unit: Unit, what: string): number {
  const d = unitsPerTeV(unit);
  if (d === undefined)
    throw new InputError(`${what} has unit ${unit === '' ? '"" (none)' : `"${unit}"`}; expected ${MASS_UNIT_NAMES.map((u) => `"${u}"`).join(', ')} to compare with the window edges`);
  return d;
}

function massColumn(events: EventTable | Column, window: Window, options: MaskOptions): { x: Column; div: number } {
  if (events instanceof Float64Array || events instanceof Float32Array)
    return { x: events, div: divisor(options.unit ?? window.units, 'the mass column') };
  const name = options.column ?? 'mJJ';
  return { x: events.column(name), div: divisor(events.unit(name), `column "${name}"`) };
}

/** Window edges in TeV. */
function edges(window: Window): { lo: number; hi: number } {
  const d = divisor(window.units, `window ${window.id}`);
  return { lo: roundEdge(window.srLow / d), hi: roundEdge(window.srHigh / d) };
}

/** `select(lo, hi)` gets the SR edges in TeV once and returns the per-event test. */
function build(events: EventTable | Column, window: Window, options: MaskOptions, select: (lo: number, hi: number) => (m: number) => boolean): Uint8Array {
  const { x, div } = massColumn(events, window, options);
  const { lo, hi } = edges(window);
  const keep = select(lo, hi);
  const out = new Uint8Array(x.length);
  if (div === 1) for (let i = 0; i < x.length; i++) out[i] = keep(x[i]) ? 1 : 0;
  else for (let i = 0; i < x.length; i++) out[i] = keep(x[i] / div) ? 1 : 0;
  return out;
}

function widthTeV(width: number, window: Window): number {
  if (!(width > 0 && Number.isFinite(width))) throw new ConfigError(`short sideband width must be a positive number, got ${width}`);
  return width / divisor(window.units, `window ${window.id}`);
}

/** Events inside the signal region (srLow, srHigh), open at both ends. */
export function signalRegionMask(events: EventTable | Column, window: Window, options: MaskOptions = {}): Uint8Array {
  return build(events, window, options, (lo, hi) => (m) => m > lo && m < hi);
}

/** Events outside the signal region: m ≤ srLow or m ≥ srHigh (the CATHODE density estimator's training set). */
export function sidebandMask(events: EventTable | Column, window: Window, options: MaskOptions = {}): Uint8Array {
  return build(events, window, options, (lo, hi) => (m) => m <= lo || m >= hi);
}

/** Lower short sideband (srLow − width, srLow]; `width` in the window's units. */
export function lowerShortSidebandMask(events: EventTable | Column, window: Window, width: number, options: MaskOptions = {}): Uint8Array {
  const w = widthTeV(width, window);
  return build(events, window, options, (lo) => {
    const a = roundEdge(lo - w);
    return (m) => m > a && m <= lo;
  });
}

/** Upper short sideband [srHigh, srHigh + width); `width` in the window's units. */
export function upperShortSidebandMask(events: EventTable | Column, window: Window, width: number, options: MaskOptions = {}): Uint8Array {
  const w = widthTeV(width, window);
  return build(events, window, options, (_lo, hi) => {
    const b = roundEdge(hi + w);
    return (m) => m >= hi && m < b;
  });
}

/** Both short sidebands, (srLow − width, srLow] ∪ [srHigh, srHigh + width): CWoLa's background template. */
export function shortSidebandMask(events: EventTable | Column, window: Window, width: number, options: MaskOptions = {}): Uint8Array {
  const w = widthTeV(width, window);
  return build(events, window, options, (lo, hi) => {
    const a = roundEdge(lo - w), b = roundEdge(hi + w);
    return (m) => (m > a && m <= lo) || (m >= hi && m < b);
  });
}

/** The window variable of every event in TeV (a copy; NaN stays NaN). */
export function massesTeV(events: EventTable, column = 'mJJ'): Float64Array {
  const x = events.column(column), div = divisor(events.unit(column), `column "${column}"`);
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] / div;
  return out;
}

/** Edges in TeV of a window's SR or one of its short sidebands (`width` in the window's units). */
export function regionEdgesTeV(window: Window, region: MassRegion, width: number): [number, number] {
  const { lo, hi } = edges(window);
  if (region === 'signal-region') return [lo, hi];
  const w = widthTeV(width, window);
  return region === 'lower-short-sideband' ? [roundEdge(lo - w), lo] : [hi, roundEdge(hi + w)];
}

/** Number of selected events in a mask. */
export function countMask(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i];
  return n;
}
