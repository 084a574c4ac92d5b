import { ShapeError, InputError, didYouMean } from '../util/errors.js';

/** A numeric column: float32 or float64, one value per event. */
export type Column = Float64Array | Float32Array;

/** Physical unit of a column, e.g. "GeV", "TeV", or "" for dimensionless. */
export type Unit = string;

/**
 * Columnar event data: named typed-array columns of equal length, with units per column.
 * Columns are shared, not copied: `select` and `filter` document whether they copy.
 */
export class EventTable {
  readonly length: number;
  private readonly cols: Map<string, Column>;
  private readonly unitsByName: Map<string, Unit>;

  constructor(columns: Record<string, Column> | Map<string, Column>, units: Record<string, Unit> = {}) {
    this.cols = columns instanceof Map ? new Map(columns) : new Map(Object.entries(columns));
    this.unitsByName = new Map(Object.entries(units));
    let n = -1;
    for (const [name, c] of this.cols) {
      if (!(c instanceof Float64Array || c instanceof Float32Array))
        throw new ShapeError(`EventTable: column "${name}" must be a Float64Array or Float32Array`);
      if (n < 0) n = c.length;
      else if (c.length !== n)
        throw new ShapeError(`EventTable: column "${name}" has ${c.length} rows, expected ${n} like the columns before it`);
    }
    this.length = Math.max(n, 0);
  }

  /** Column names in insertion order. */
  get columnNames(): string[] {
    return [...this.cols.keys()];
  }

  has(name: string): boolean {
    return this.cols.has(name);
  }

  /** The column (a shared view, not a copy). Throws with close names if absent. */
  column(name: string): Column {
    const c = this.cols.get(name);
    if (!c) throw new InputError(`EventTable: no column "${name}"${didYouMean(name, this.columnNames)}; columns are ${this.columnNames.join(', ')}`);
    return c;
  }

  /** Unit of a column ("" if dimensionless or unknown). */
  unit(name: string): Unit {
    return this.unitsByName.get(name) ?? '';
  }

  get units(): Record<string, Unit> {
    return Object.fromEntries(this.unitsByName);
  }

  /** A new table with the given column added or replaced (other columns shared). */
  withColumn(name: string, values: Column, unit: Unit = ''): EventTable {
    const cols = new Map(this.cols);
    cols.set(name, values);
    return new EventTable(cols, { ...this.units, [name]: unit });
  }

  /** A table with a subset of columns (shared, no copy). */
  select(names: readonly string[]): EventTable {
    const cols = new Map<string, Column>();
    for (const n of names) cols.set(n, this.column(n));
    const units: Record<string, Unit> = {};
    for (const n of names) if (this.unitsByName.has(n)) units[n] = this.unitsByName.get(n)!;
    return new EventTable(cols, units);
  }

  /** Rows where `mask[i]` is nonzero (copies). */
  filter(mask: Uint8Array): EventTable {
    if (mask.length !== this.length) throw new ShapeError(`EventTable.filter: mask has ${mask.length} entries, table has ${this.length} rows`);
    let n = 0;
    for (let i = 0; i < mask.length; i++) if (mask[i]) n++;
    const idx = new Uint32Array(n);
    for (let i = 0, k = 0; i < mask.length; i++) if (mask[i]) idx[k++] = i;
    return this.take(idx);
  }

  /** Rows at the given indices, in that order (copies). */
  take(indices: ArrayLike<number>): EventTable {
    const cols = new Map<string, Column>();
    for (const [name, c] of this.cols) {
      const out = new (c.constructor as Float64ArrayConstructor | Float32ArrayConstructor)(indices.length);
      for (let i = 0; i < indices.length; i++) out[i] = c[indices[i]];
      cols.set(name, out);
    }
    return new EventTable(cols, this.units);
  }

  /** Rows [start, end) as views (no copy). */
  slice(start: number, end: number): EventTable {
    const cols = new Map<string, Column>();
    for (const [name, c] of this.cols) cols.set(name, c.subarray(start, end));
    return new EventTable(cols, this.units);
  }

  /** Concatenate tables with the same columns (copies). */
  static concat(tables: readonly EventTable[]): EventTable {
    if (tables.length === 0) return new EventTable({});
    const names = tables[0].columnNames;
    const n = tables.reduce((s, t) => s + t.length, 0);
    const cols = new Map<string, Column>();
    for (const name of names) {
      const first = tables[0].column(name);
      const out = new (first.constructor as Float64ArrayConstructor | Float32ArrayConstructor)(n);
      let off = 0;
      for (const t of tables) {
        out.set(t.column(name), off);
        off += t.length;
      }
      cols.set(name, out);
    }
    return new EventTable(cols, tables[0].units);
  }
}
