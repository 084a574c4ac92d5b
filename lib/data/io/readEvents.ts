import { extname } from 'node:path';
import { ConfigError, InputError, SidewinderError, didYouMean } from '../../util/errors.js';
import { EventTable } from '../eventTable.js';
import { readArrow, writeArrow } from './arrow.js';
import { readCsv, writeCsv } from './csv.js';
import { readHdf5, writeHdf5 } from './hdf5.js';
import { readNpy } from './npy.js';
import type { EventFormat, ReadOptions, WritableFormat, WriteOptions } from './options.js';
import { readParquet, writeParquet } from './parquet.js';
import { DECOMPRESS, isCompression, sniffFile, type SniffedKind } from './sniff.js';

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

const LABEL: Readonly<Record<EventFormat, string>> = Object.freeze({ hdf5: 'HDF5', npy: 'NumPy .npy', csv: 'CSV', arrow: 'Arrow IPC/Feather', parquet: 'Parquet' });

/**
 * The format of the file at `path` from its content: magic bytes (HDF5, Parquet, Arrow/Feather, NPY),
 * text → CSV; the extension (or `requested`) only decides for an empty file or binary content without
 * a known magic (e.g. a legacy Arrow stream).
 * @throws InputError naming the path for a missing, unreadable or directory path, for a compressed
 *   file (gzip, bzip2, xz, zstd, zip: the message names the command that decompresses it), for binary
 *   content of no known format, or when `requested` contradicts the magic bytes.
 */
export async function detectFormat(path: string, requested?: EventFormat): Promise<EventFormat> {
  return (await resolveFormat(path, requested)).format;
}

async function resolveFormat(path: string, requested?: EventFormat): Promise<{ format: EventFormat; kind: SniffedKind }> {
  const { kind } = await sniffFile(path);
  return { format: formatFor(path, kind, requested), kind };
}

function formatFor(path: string, kind: SniffedKind, requested?: EventFormat): EventFormat {
  const ext = BY_EXTENSION[extname(path).toLowerCase()];
  const hint = requested ?? ext;
  if (kind === 'empty') {
    if (hint) return hint; // its reader says "empty file (0 bytes); expected …"
    throw new InputError(`${path}: empty file (0 bytes); expected an event file`);
  }
  if (isCompression(kind)) {
    const { label, command } = DECOMPRESS[kind];
    throw new InputError(`${path}: the file is ${label}; sidewinder reads uncompressed files only: decompress it first (${command} ${path})`);
  }
  // Text under a binary format's name goes to that reader, which says what is missing ("not an HDF5
  // file"); text is too weak a sign to override an extension, unlike magic bytes.
  if (kind === 'text') return hint ?? 'csv';
  if (kind === 'unknown') {
    if (hint && hint !== 'csv') return hint; // its reader names what is missing
    throw new InputError(
      `${path}: binary content of no known format (no HDF5, Parquet, Arrow/Feather or NumPy magic bytes)${hint === 'csv' ? '; expected CSV text' : ''}`,
    );
  }
  if (requested && requested !== kind) throw new InputError(`${path}: the file is ${LABEL[kind]} (from its magic bytes), not ${LABEL[requested]} as requested (format "${requested}")`);
  return kind;
}

/**
 * Read events from a file into an {@link EventTable}.
 *
 * Format from the file's content ({@link detectFormat}: magic bytes, the extension or `options.format`
 * only as a hint; an HDF5 file named `.csv` is read as HDF5): pandas HDF5 (`to_hdf`, fixed or table format),
 * NumPy `.npy`, CSV with a header, Arrow IPC / Feather v2, Parquet. Units: stored in the file when
 * sidewinder wrote it, else known ones for the LHCO layouts (raw LHCO columns in GeV, LHCO-SR `.npy`
 * in TeV), overridden by `options.units`.
 *
 * @example
 * const sr = await readEvents('innerdata_train.npy');                  // mJJ, mJ1, deltaMJ, tau21J1, tau21J2, label (TeV)
 * const lhco = await readEvents('events_anomalydetection_v2.features.h5'); // key 'df' picked, GeV
 * @throws InputError for unreadable, empty, truncated or malformed files (naming the file), a missing
 *   selected or weight column (with close names), or a negative/non-finite weight (naming the row).
 *   Decoder failures on damaged bytes (any error type) become an InputError naming the file.
 * @throws ConfigError for an unknown `options.format`.
 *
 * Values are read as stored: the checks of finite and physical values (and of an empty table) are
 * `checkEvents` in lib/data/validate.ts, which the scan loader and the commands apply where data enter.
 */
export async function readEvents(path: string, options: ReadOptions = {}): Promise<EventTable> {
  if (options.format !== undefined && !FORMATS.includes(options.format))
    throw new ConfigError(`readEvents: format "${options.format}" unknown${didYouMean(options.format, FORMATS)}; use ${FORMATS.join(', ')}`);
  const { format, kind } = await resolveFormat(path, options.format);
  const ext = BY_EXTENSION[extname(path).toLowerCase()];
  let table: EventTable;
  try {
    switch (format) {
      case 'hdf5': table = await readHdf5(path, { key: options.key }); break;
      case 'npy': table = await readNpy(path, { columns: options.columns }); break;
      case 'csv': table = await readCsv(path); break;
      case 'arrow': table = await readArrow(path); break;
      case 'parquet': table = await readParquet(path); break;
    }
  } catch (err) {
    // A damaged file can make a decoder fail in its own terms (TypeError, RangeError, a WebAssembly
    // trap): report it as bad input naming the file, never as a crash.
    const misnamed =
      ext && ext !== format && !options.format ? ` (read as ${LABEL[format]} from its content; the extension says ${LABEL[ext]})`
      : kind === 'text' && format !== 'csv' ? ' (the file is text; a CSV file must be named .csv)' : '';
    if (err instanceof SidewinderError && !(err instanceof InputError || err instanceof ConfigError)) {
      // e.g. a ShapeError from columns of different lengths in a damaged file: name the file.
      throw new InputError(`${path}: ${err.message}${misnamed}`, { cause: err });
    }
    if (err instanceof SidewinderError) {
      if (!misnamed) throw err;
      throw new (err.constructor as typeof SidewinderError)(`${err.message}${misnamed}`, { cause: err });
    }
    throw new InputError(`${path}: not a readable ${LABEL[format]} file${misnamed} (${(err as Error)?.message ?? String(err)})`, { cause: err });
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
