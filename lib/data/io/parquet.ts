/**
 * Parquet reader/writer via parquet-wasm (Rust arrow/parquet in WebAssembly): Parquet ⇄ Arrow IPC
 * stream ⇄ apache-arrow table ⇄ {@link EventTable}. Int64 columns (BigInt) become Float64. Units
 * travel as Arrow field metadata, which parquet-wasm keeps in the embedded Arrow schema.
 * The whole file is held in memory (≈ 1.3 GB peak for 1M × 15 float64).
 */
import { readFile } from 'node:fs/promises';
import { tableFromIPC, tableToIPC } from 'apache-arrow';
import { ConfigError, InputError } from '../../util/errors.js';
import { writeFileAtomic } from '../../util/atomicWrite.js';
import type { EventTable } from '../eventTable.js';
import { fromArrow, registerLz4Codec, toArrow } from './arrow.js';

const PAR1 = 'PAR1';
const READ_BATCH_ROWS = 1 << 20;

/** parquet-wasm, imported on first use (it costs ≈ 0.1 s of start-up to every command otherwise). */
const parquetWasm = () => import('parquet-wasm/node');

/** Read a Parquet file (snappy, zstd, gzip, brotli, lz4 or uncompressed). */
export async function readParquet(path: string): Promise<EventTable> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    throw new InputError(`${path}: cannot read the file (${(err as Error).message}); expected a Parquet file`, { cause: err });
  }
  if (buf.length === 0) throw new InputError(`${path}: empty file (0 bytes); expected a Parquet file`);
  if (buf.length < 12 || buf.subarray(0, 4).toString('latin1') !== PAR1)
    throw new InputError(`${path}: not a Parquet file (no PAR1 magic at the start)`);
  if (buf.subarray(buf.length - 4).toString('latin1') !== PAR1)
    throw new InputError(`${path}: truncated Parquet file (no PAR1 magic at the end; ${buf.length} bytes)`);
  const parquet = await parquetWasm();
  let ipc: Uint8Array;
  try {
    // Large batches: one Arrow record batch per ~1M rows keeps columns zero-copy (the default 1024-row
    // batches cost a concatenation per column and ≈ 4× the time).
    ipc = parquet.readParquet(buf, { batchSize: READ_BATCH_ROWS }).intoIPCStream();
  } catch (err) {
    throw new InputError(`${path}: parquet-wasm could not read the file (${String(err)})`, { cause: err });
  }
  registerLz4Codec();
  return fromArrow(tableFromIPC(ipc), path);
}

/** parquet-wasm's `Compression` member of each codec name. */
const CODECS = { none: 'UNCOMPRESSED', snappy: 'SNAPPY', zstd: 'ZSTD' } as const;

/** Write `table` as Parquet (default snappy, like pandas). Atomic. */
export async function writeParquet(table: EventTable, path: string, options: { compression?: 'none' | 'snappy' | 'zstd' } = {}): Promise<void> {
  const compression = options.compression ?? 'snappy';
  if (!Object.hasOwn(CODECS, compression))
    throw new ConfigError(`writeParquet: compression "${compression}" not supported; use ${Object.keys(CODECS).join(', ')}`);
  const parquet = await parquetWasm();
  const wasmTable = parquet.Table.fromIPCStream(tableToIPC(toArrow(table), 'stream'));
  // No dictionary encoding: continuous physics values rarely repeat, and trying it doubles the write time.
  const props = new parquet.WriterPropertiesBuilder().setCompression(parquet.Compression[CODECS[compression]]).setDictionaryEnabled(false).build();
  const bytes = parquet.writeParquet(wasmTable, props);
  await writeFileAtomic(path, bytes);
}
