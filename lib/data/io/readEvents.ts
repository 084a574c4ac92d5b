import { extname } from 'node:path';
import { stat } from 'node:fs/promises';
import { ConfigError, InputError, didYouMean, systemErrorText } from '../../util/errors.js';
import { EventTable } from '../eventTable.js';
import { readArrow, writeArrow } from './arrow.js';
import { readCsv, writeCsv } from './csv.js';
import { readHdf5, writeHdf5 } from './hdf5.js';
import { readNpy } from './npy.js';
import type { EventFormat, ReadOptions, WritableFormat, WriteOptions } from './options.js';
import { readParquet, writeParquet } from './parquet.js';

const BY_EXTENSION: Readonly<Record<string, EventFormat>> = Object.freeze({
  '.h5': 'hdf5', '.hdf5': 'hdf5', '.hdf': 'hdf5', '.npy': 'npy', '.csv': 'csv',
  '.arrow': 'arrow', '.feather': 'arrow', '.ipc': 'arrow', '.arrows': 'arrow', '.parquet': 'parquet', '.pq': 'parquet',
});
const FORMATS: readonly EventFormat[] = ['hdf5', 'npy', 'csv', 'arrow', 'parquet'];
const WRITABLE: readonly WritableFormat[] = ['hdf5', 'csv', 'arrow', 'parquet'];

/** The format of `path` from its extension (case-insensitive). @throws ConfigError for an unknown extension. */
export function formatOf(path: string): EventFormat {
  const ext = extname(path).toLowerCase();
  const f = BY_EXTENSION[ext];
  if (!f)
    throw new ConfigError(
      `${path}: cannot tell the format from the extension "${ext}"; use one of ${Object.keys(BY_EXTENSION).join(' ')} or pass { format: ${FORMATS.map((x) => `'${x}'`).join(' | ')} }`,
    );
  return f;
}

/**
 * Read events from a file into an {@link EventTable}.
 *
 * Format from `options.format` or the extension: pandas HDF5 (`to_hdf`, fixed or table format),
 * NumPy `.npy`, CSV with a header, Arrow IPC / Feather v2, Parquet. Units: stored in the file when
 * sidewinder wrote it, else known ones for the LHCO layouts (raw LHCO columns in GeV, LHCO-SR `.npy`
 * in TeV), overridden by `options.units`.
 *
 * @example
 * const sr = await readEvents('innerdata_train.npy');                  // mJJ, mJ1, deltaMJ, tau21J1, tau21J2, label (TeV)
 * const lhco = await readEvents('events_anomalydetection_v2.features.h5'); // key 'df' picked, GeV
 * @throws InputError for unreadable, empty, truncated or malformed files (naming the file), a missing
 *   selected or weight column (with close names), or a negative/non-finite weight (naming the row).
 * @throws ConfigError for an unknown format or extension.
 */
export async function readEvents(path: string, options: ReadOptions = {}): Promise<EventTable> {
  const format = options.format ?? formatOf(path);
  if (!FORMATS.includes(format)) throw new ConfigError(`readEvents: format "${format}" unknown${didYouMean(format, FORMATS)}; use ${FORMATS.join(', ')}`);
  // A directory or a missing path fails inside the readers without the path in Node's message.
  const info = await stat(path).catch((err: unknown) => {
    throw new InputError(`${path}: cannot read the file: ${systemErrorText(err) ?? (err as Error).message}`, { cause: err });
  });
  if (info.isDirectory()) throw new InputError(`${path}: is a directory, expected an events file (${FORMATS.join(', ')})`);
  let table: EventTable;
  switch (format) {
    case 'hdf5': table = await readHdf5(path, { key: options.key }); break;
    case 'npy': table = await readNpy(path, { columns: options.columns }); break;
    case 'csv': table = await readCsv(path); break;
    case 'arrow': table = await readArrow(path); break;
    case 'parquet': table = await readParquet(path); break;
  }
  if (options.columns && format !== 'npy') {
    for (const c of options.columns)
      if (!table.has(c)) throw new InputError(`${path}: no column "${c}"${didYouMean(c, table.columnNames)}; columns are ${table.columnNames.join(', ')}`);
    table = table.select(options.columns);
  }
  if (options.units) {
    for (const [name, unit] of Object.entries(options.units)) {
      if (!table.has(name)) throw new ConfigError(`readEvents: units given for "${name}", which ${path} does not have${didYouMean(name, table.columnNames)}`);
      table = table.withColumn(name, table.column(name), unit);
    }
  }
  if (options.weight !== undefined) {
    const w = options.weight;
    if (!table.has(w)) throw new InputError(`${path}: no weight column "${w}"${didYouMean(w, table.columnNames)}; columns are ${table.columnNames.join(', ')}`);
    const c = table.column(w);
    for (let i = 0; i < c.length; i++)
      if (!(c[i] >= 0 && c[i] < Infinity)) throw new InputError(`${path}: weight column "${w}", row ${i}: ${c[i]}; expected a finite weight ≥ 0`);
  }
  return table;
}

/**
 * Write events: pandas-compatible HDF5 (fixed format, `pd.read_hdf` reads it), Arrow IPC (Feather v2),
 * Parquet (snappy) or CSV (`name [unit]` header). Format from `options.format` or the extension.
 * Units are stored (HDF5 group attr, Arrow/Parquet field metadata, CSV header). Atomic: temp file + rename.
 * @throws ConfigError for an unknown or read-only format (`.npy`).
 */
export async function writeEvents(table: EventTable, path: string, options: WriteOptions = {}): Promise<void> {
  const format = options.format ?? formatOf(path);
  if (!WRITABLE.includes(format as WritableFormat))
    throw new ConfigError(`writeEvents: cannot write format "${format}" (${path}); writable formats are ${WRITABLE.join(', ')}`);
  const c = options.compression;
  const check = (allowed: readonly string[]) => {
    if (c !== undefined && !allowed.includes(c)) throw new ConfigError(`writeEvents: compression "${c}" not available for ${format}; use ${allowed.join(', ')}`);
  };
  switch (format as WritableFormat) {
    case 'hdf5': check(['none']); return writeHdf5(table, path, { key: options.key });
    case 'csv': check(['none']); return writeCsv(table, path);
    case 'arrow': check(['none', 'lz4']); return writeArrow(table, path, { compression: c as 'none' | 'lz4' | undefined });
    case 'parquet': check(['none', 'snappy', 'zstd']); return writeParquet(table, path, { compression: c as 'none' | 'snappy' | 'zstd' | undefined });
  }
}
