/**
 * Checks on event tables before analysis: required columns (with close-name hints), finite values
 * (naming the column and first bad row), column dtypes. Bad files are caught by the readers in `io/`.
 */
import { InputError, didYouMean } from '../util/errors.js';
import type { EventTable } from './eventTable.js';

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
