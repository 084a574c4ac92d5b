/**
 * Checks on event tables before analysis: required columns (with close-name hints), finite values
 * (naming the column and first bad row), column dtypes. Bad files are caught by the readers in `io/`.
 */
import { InputError, didYouMean } from '../util/errors.js';
import type { EventTable } from './eventTable.js';
import { UNITS_PER_TEV, unitsPerTeV } from './units.js';
import { evenlyStridedRows } from '../util/strided.js';

/** A column's element type: `float` accepts either width. */
export type Dtype = 'float64' | 'float32' | 'float';

/** Options of {@link validateEvents}. */
export interface ValidateOptions {
  /** Columns that must be present. */
  readonly required?: readonly string[];
  /** Columns whose every value must be finite: a list, or `true` for all columns (default: the required ones). */
  readonly finite?: readonly string[] | boolean;
  /** Required element type per column. */
  readonly dtypes?: Readonly<Record<string, Dtype>>;
  /** Name of the table's source (a file) for messages; default "events". */
  readonly source?: string;
}

/** @throws InputError naming each missing column, with close names and the columns present. */
export function requireColumns(table: EventTable, required: readonly string[], source = 'events'): void {
  const missing = required.filter((c) => !table.has(c));
  if (missing.length === 0) return;
  const each = missing.map((c) => `"${c}"${didYouMean(c, table.columnNames)}`).join(', ');
  throw new InputError(`${source}: missing column${missing.length > 1 ? 's' : ''} ${each}; columns present: ${table.columnNames.join(', ') || '(none)'}`);
}

/**
 * The first non-finite value of each listed column.
 * @throws InputError naming the column, the row (0-based event index), the value and how many rows are bad.
 */
export function requireFinite(table: EventTable, columns: readonly string[] = table.columnNames, source = 'events'): void {
  for (const name of columns) {
    const c = table.column(name);
    for (let i = 0; i < c.length; i++) {
      if (Number.isFinite(c[i])) continue;
      let bad = 0;
      for (let k = i; k < c.length; k++) if (!Number.isFinite(c[k])) bad++;
      throw new InputError(`${source}: column "${name}", row ${i}: ${c[i]}; expected finite values (${bad} non-finite row${bad > 1 ? 's' : ''} in this column)`);
    }
  }
}

/** @throws InputError if a column's element type is not the required one. */
export function requireDtypes(table: EventTable, dtypes: Readonly<Record<string, Dtype>>, source = 'events'): void {
  for (const [name, want] of Object.entries(dtypes)) {
    const c = table.column(name);
    const got = c instanceof Float64Array ? 'float64' : 'float32';
    if (want !== 'float' && got !== want) throw new InputError(`${source}: column "${name}" is ${got}; expected ${want}`);
  }
}

/**
 * Validate an event table: required columns present, values finite, dtypes as required.
 * @example validateEvents(events, { required: ['mJJ', 'mJ1', 'deltaMJ', 'tau21J1', 'tau21J2'], source: path });
 * @throws InputError at the first violation, naming source, column and row.
 */
export function validateEvents(table: EventTable, options: ValidateOptions = {}): void {
  const source = options.source ?? 'events';
  const required = options.required ?? [];
  requireColumns(table, required, source);
  if (options.dtypes) {
    requireColumns(table, Object.keys(options.dtypes), source);
    requireDtypes(table, options.dtypes, source);
  }
  const finite = options.finite === true ? table.columnNames : options.finite === false ? [] : options.finite ?? required;
  requireColumns(table, finite, source);
  requireFinite(table, finite, source);
}

// ---------------------------------------------------------------------------------------------
// Physical validation of events where they enter sidewinder (files read for a scan, generated
// samples, the classical and diagnostic commands): non-finite values and unphysical values,
// named by file, column, count and first rows; optionally the bad rows are dropped instead.
// ---------------------------------------------------------------------------------------------

/**
 * Largest τ_N/τ_{N−1} accepted. For minimised axes τ_N ≤ τ_{N−1}, so the ratio lies in [0, 1]; with
 * one-pass (kT/WTA) axes it can exceed 1 by a little, hence the margin. Measured: the largest τ21 in
 * the 236,651 events of the LHCO SR files is 0.990; the generator's τ21 and τ32 stay below 0.985.
 */
export const TAU_RATIO_MAX = 1.1;

/**
 * How far below zero a jet mass may lie, in GeV: Delphes gives m = −sqrt(|m²|) when rounding makes m²
 * of a (nearly) massless jet negative. Measured: the LHCO SR files hold m_J1 down to −3.1e−8 TeV
 * (−0.03 MeV) and exact zeros (single-constituent jets), which are physical and pass; −1 MeV is far
 * below any rounding and far above any real corruption (the issue's −m_j1 rows are −O(100 GeV)).
 */
export const MASS_TOLERANCE_GEV = 1e-3;

/**
 * Range of a plausible median m_JJ, in TeV. A dijet sample's median lies within a factor of a few of its
 * trigger threshold: 0.01 TeV is below any dijet trigger at a hadron collider, 100 TeV is √s of the FCC-hh.
 * A file read in the wrong unit lands outside by a factor of 1000: GeV read as TeV gives a median of
 * thousands of "TeV", TeV read as GeV a few "MeV".
 */
export const MJJ_MEDIAN_RANGE_TEV = Object.freeze([0.01, 100] as const);

/**
 * Refuse a sample whose masses are in another unit than the file says (or implies), before the per-row
 * checks: those would otherwise report the symptoms (e.g. Delphes' −0.03 MeV jet masses read as −30 GeV)
 * instead of the cause.
 * @param mJJTeV m_JJ of the sample's events in TeV as read (non-finite values are ignored).
 * @param unitNote how the unit was decided, for the message, e.g. 'column "mJJ" without a unit, read as TeV'.
 * @throws InputError naming the source, the median and the likely unit.
 */
export function checkMassScale(mJJTeV: ArrayLike<number>, source: string, unitNote: string): void {
  // The median of ≤ 100k evenly strided events: enough for a factor-1000 question.
  const finite: number[] = [];
  for (const i of evenlyStridedRows(mJJTeV.length, 100_000)) if (Number.isFinite(mJJTeV[i])) finite.push(mJJTeV[i]);
  if (finite.length === 0) return; // every value is non-finite: the per-row checks name them
  finite.sort((a, b) => a - b);
  const median = finite[finite.length >> 1];
  const [lo, hi] = MJJ_MEDIAN_RANGE_TEV;
  if (median >= lo && median <= hi) return;
  const likely = median > hi ? 'GeV or MeV' : 'TeV';
  throw new InputError(
    `${source}: the median m_JJ is ${median.toPrecision(3)} TeV (${unitNote}), outside the ${lo}–${hi} TeV of any dijet sample: ` +
      `the masses are most likely in ${likely}, not in the unit they were read in. Declare the unit (a CSV header "mJJ [GeV]", Parquet/Arrow field metadata, see docs/data-formats.md) or convert the file`,
  );
}

/** Column names that hold per-event weights in the files of our field (pandas, ROOT ntuples, LHE). */
export const EVENT_WEIGHT_COLUMN = /^((evt|event|mc|gen)_?)?weights?$/i;

/**
 * Refuse a sample with per-event weights that differ: sidewinder counts events, so a weighted
 * simulation read as unweighted would give a wrong template and a wrong N_exp. Equal weights (all 1,
 * or one cross-section weight for every event) change nothing and pass.
 * @throws InputError naming the source, the column and its range.
 */
export function refuseEventWeights(table: EventTable, source: string): void {
  for (const name of table.columnNames) {
    if (!EVENT_WEIGHT_COLUMN.test(name)) continue;
    const w = table.column(name);
    let lo = Infinity, hi = -Infinity;
    for (let i = 0; i < w.length; i++) { if (w[i] < lo) lo = w[i]; if (w[i] > hi) hi = w[i]; }
    // Equal weights change no count; a column without one finite value is no weight at all.
    if (lo >= hi) continue;
    throw new InputError(
      `${source}: column "${name}" holds per-event weights from ${lo} to ${hi}; sidewinder analyses unweighted events ` +
        '(a weighted sample read as unweighted would bias the background estimate): unweight the sample (accept each event with probability w / max w), or remove the column if the weights are not meant',
    );
  }
}

/** One kind of invalid value in one column (or pair of columns). */
export interface InvalidValues {
  /** The column (or columns, "pxj1,pyj1") holding the bad values. */
  readonly column: string;
  /** What is wrong, e.g. "non-finite (NaN/±inf)", "negative jet mass (below −1 MeV)". */
  readonly reason: string;
  /** Rows with this problem. */
  readonly count: number;
  /** The first few such rows (0-based event index in the file). */
  readonly firstRows: readonly number[];
}

/** Result of {@link findInvalidEvents}. */
export interface EventCheck {
  /** Problems found, in column order. */
  readonly problems: readonly InvalidValues[];
  /** 1 for every row with at least one problem. */
  readonly bad: Uint8Array;
  /** Rows with at least one problem. */
  readonly nBad: number;
}

const FIRST_ROWS = 5;
type Test = (i: number) => boolean;

/** GeV per unit of a mass column ('' counts as the layout's unit, `dflt`). */
function gevPer(unit: string, dflt: number): number {
  const n = unitsPerTeV(unit);
  return n === undefined ? dflt : UNITS_PER_TEV.GeV / n;
}

/**
 * The physical rules per known column name: LHCO raw columns (p, m in GeV, τ_N), the derived /
 * LHCO-SR features (masses in TeV, τ ratios, ΔR) and the truth label. Each rule says when a value is
 * invalid. Unknown column names are only checked for finite values.
 */
function physicalRules(t: EventTable, columns: ReadonlySet<string>): { column: string; reason: string; invalid: Test }[] {
  const rules: { column: string; reason: string; invalid: Test }[] = [];
  const has = (n: string) => columns.has(n) && t.has(n);
  for (const j of ['1', '2']) {
    const m = `mj${j}`;
    if (has(m)) {
      const c = t.column(m), tol = MASS_TOLERANCE_GEV / gevPer(t.unit(m), 1);
      rules.push({ column: m, reason: 'negative jet mass (below −1 MeV)', invalid: (i) => c[i] < -tol });
    }
    const px = `pxj${j}`, py = `pyj${j}`;
    if (has(px) && has(py)) {
      const x = t.column(px), y = t.column(py);
      // pT = 0 (this includes px = py = pz = 0): η and ΔR are undefined, no dijet event has such a jet.
      rules.push({ column: `${px},${py}`, reason: `jet ${j} with zero transverse momentum`, invalid: (i) => x[i] === 0 && y[i] === 0 });
    }
    for (const n of ['1', '2', '3']) {
      const tau = `tau${n}j${j}`;
      if (has(tau)) {
        const c = t.column(tau);
        rules.push({ column: tau, reason: 'negative N-subjettiness', invalid: (i) => c[i] < 0 });
      }
    }
  }
  if (has('mJJ')) {
    const c = t.column('mJJ');
    rules.push({ column: 'mJJ', reason: 'm_JJ ≤ 0', invalid: (i) => !(c[i] > 0) });
  }
  if (has('mJ1')) {
    const c = t.column('mJ1'), tol = MASS_TOLERANCE_GEV / gevPer(t.unit('mJ1'), 1000);
    rules.push({ column: 'mJ1', reason: 'negative jet mass m_J1 (below −1 MeV)', invalid: (i) => c[i] < -tol });
  }
  if (has('deltaMJ')) {
    const c = t.column('deltaMJ'), tol = MASS_TOLERANCE_GEV / gevPer(t.unit('deltaMJ'), 1000);
    rules.push({ column: 'deltaMJ', reason: 'negative Δm_J = m_J2 − m_J1 (the heavier minus the lighter jet mass)', invalid: (i) => c[i] < -tol });
  }
  if (has('mJJ') && has('mJ1') && has('deltaMJ') && t.unit('mJJ') === t.unit('mJ1') && t.unit('mJ1') === t.unit('deltaMJ')) {
    // A two-jet system is at least as heavy as its jets: m_JJ ≥ m_J1 + m_J2 (catches GeV/TeV mix-ups).
    const mjj = t.column('mJJ'), m1 = t.column('mJ1'), dm = t.column('deltaMJ');
    rules.push({ column: 'mJJ,mJ1,deltaMJ', reason: 'm_JJ below m_J1 + m_J2 (mixed units?)', invalid: (i) => mjj[i] * (1 + 1e-9) < 2 * m1[i] + dm[i] });
  }
  for (const r of ['tau21J1', 'tau21J2', 'tau32J1', 'tau32J2']) {
    if (!has(r)) continue;
    const c = t.column(r);
    rules.push({ column: r, reason: `τ ratio outside [0, ${TAU_RATIO_MAX}]`, invalid: (i) => c[i] < 0 || c[i] > TAU_RATIO_MAX });
  }
  if (has('deltaRJJ')) {
    const c = t.column('deltaRJJ');
    rules.push({ column: 'deltaRJJ', reason: 'negative ΔR', invalid: (i) => c[i] < 0 });
  }
  if (has('label')) {
    const c = t.column('label');
    rules.push({ column: 'label', reason: 'truth label other than 0 or 1', invalid: (i) => c[i] !== 0 && c[i] !== 1 });
  }
  return rules;
}

/**
 * Find the rows of `table` with non-finite values in any of `columns` (default: all) or values
 * outside their physical range (see {@link TAU_RATIO_MAX}, {@link MASS_TOLERANCE_GEV} and the rules
 * per column name). A non-finite value is reported as such, not again by the range rules.
 */
export function findInvalidEvents(table: EventTable, columns: readonly string[] = table.columnNames): EventCheck {
  const n = table.length;
  const bad = new Uint8Array(n);
  const problems: InvalidValues[] = [];
  const record = (column: string, reason: string, invalid: Test, skip?: Uint8Array): void => {
    let count = 0;
    const firstRows: number[] = [];
    for (let i = 0; i < n; i++) {
      if ((skip && skip[i]) || !invalid(i)) continue;
      if (count++ < FIRST_ROWS) firstRows.push(i);
      bad[i] = 1;
    }
    if (count) problems.push({ column, reason, count, firstRows });
  };
  const used = columns.filter((c) => table.has(c));
  for (const name of used) {
    const c = table.column(name);
    record(name, 'non-finite values (NaN/±inf)', (i) => !Number.isFinite(c[i]));
  }
  const nonFinite = bad.slice();
  for (const r of physicalRules(table, new Set(used))) record(r.column, r.reason, r.invalid, nonFinite);
  let nBad = 0;
  for (let i = 0; i < n; i++) nBad += bad[i];
  return { problems, bad, nBad };
}

/** "column "mj1": 12 rows with negative jet mass (below −1 MeV), first rows 3, 17, 40 (0-based)". */
export function describeInvalid(p: InvalidValues): string {
  const more = p.count > p.firstRows.length ? ', …' : '';
  const cols = p.column.includes(',') ? `columns ${p.column.split(',').map((c) => `"${c}"`).join(', ')}` : `column "${p.column}"`;
  return `${cols}: ${p.count} row${p.count > 1 ? 's' : ''} with ${p.reason}, first row${p.firstRows.length > 1 ? 's' : ''} ${p.firstRows.join(', ')}${more} (0-based event index)`;
}

/** Options of {@link checkEvents}. */
export interface CheckEventsOptions {
  /** The file (or generator) the events come from, named in every message. */
  readonly source: string;
  /** Columns that are used and must be valid (default: all). */
  readonly columns?: readonly string[];
  /** Drop rows with invalid values instead of refusing the table. */
  readonly dropInvalid?: boolean;
  /** What the user can do, ending the error message (default "fix the file"). */
  readonly hint?: string;
}

/** Result of {@link checkEvents}. */
export interface CheckedEvents {
  /** The table (without the invalid rows when they were dropped). */
  readonly events: EventTable;
  /** Rows dropped (0 unless `dropInvalid`). */
  readonly dropped: number;
  /** What was found (empty for a clean table). */
  readonly problems: readonly InvalidValues[];
}

/**
 * The one check of events entering sidewinder: the table holds events, every used value is finite
 * and physical (non-negative masses and τ_N, m_JJ > 0, τ ratios in [0, {@link TAU_RATIO_MAX}], jets
 * with pT > 0, labels 0/1).
 * @example const { events, dropped } = checkEvents(table, { source: 'data.h5', dropInvalid: true });
 * @throws InputError "<source>: the file holds no events" for an empty table; otherwise, unless
 *   `dropInvalid`, naming the source, each bad column, its count and first rows.
 */
export function checkEvents(table: EventTable, options: CheckEventsOptions): CheckedEvents {
  const { source } = options;
  if (table.length === 0) throw new InputError(`${source}: the file holds no events`);
  const check = findInvalidEvents(table, options.columns);
  if (check.nBad === 0) return { events: table, dropped: 0, problems: [] };
  const what = check.problems.map(describeInvalid).join('; ');
  if (!options.dropInvalid)
    throw new InputError(
      `${source}: ${check.nBad} of ${table.length} events have invalid values — ${what}; ${options.hint ?? 'fix the file'}`,
    );
  if (check.nBad === table.length) throw new InputError(`${source}: all ${table.length} events have invalid values, none is left to analyse — ${what}`);
  const keep = new Uint8Array(table.length);
  for (let i = 0; i < keep.length; i++) keep[i] = check.bad[i] ? 0 : 1;
  return { events: table.filter(keep), dropped: check.nBad, problems: check.problems };
}
