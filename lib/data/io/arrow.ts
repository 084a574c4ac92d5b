/**
 * Arrow IPC (file and stream) and Feather v2 reader/writer via apache-arrow, and the zero-copy
 * conversion between an {@link EventTable} and an Arrow table. Units travel as field metadata `unit`.
 * An LZ4-frame codec (lz4js) is registered so pandas `to_feather()` files (LZ4 by default) read.
 */
import { readFile } from 'node:fs/promises';
import {
  CompressionType, Field, Float32, Float64, Message, RecordBatchFileWriter, Schema, Table, Type, compressionRegistry, makeVector,
  tableFromIPC, tableToIPC, type DataType, type Vector,
} from 'apache-arrow';
import { ByteBuffer } from 'flatbuffers';
import { compress, decompress } from 'lz4js';
import { ConfigError, InputError } from '../../util/errors.js';
import { writeFileAtomic } from '../../util/atomicWrite.js';
import { EventTable, type Column, type Unit } from '../eventTable.js';
import { toFloatColumn } from './columns.js';
import { unitsFor } from './units.js';

/** Field-metadata key holding a column's unit. */
export const UNIT_METADATA_KEY = 'unit';

let codecRegistered = false;
/** Register the LZ4-frame codec with apache-arrow (idempotent). Called by the readers and writers here. */
export function registerLz4Codec(): void {
  if (codecRegistered) return;
  compressionRegistry.set(CompressionType.LZ4_FRAME, {
    decode: (data: Uint8Array) => decompress(data),
    encode: (data: Uint8Array) => compress(data),
  });
  codecRegistered = true;
}

/**
 * An Arrow table sharing the table's column buffers (zero-copy: `makeVector` wraps each typed array);
 * each field carries its unit as metadata `unit` ("" included).
 */
export function toArrow(table: EventTable): Table {
  const fields: Field[] = [];
  const vectors: Record<string, Vector> = {};
  for (const name of table.columnNames) {
    const c = table.column(name);
    const unit = table.unit(name);
    const type: DataType = c instanceof Float32Array ? new Float32() : new Float64();
    // Always stored, even "": otherwise a reader would fall back to the known LHCO unit for the name.
    fields.push(new Field(name, type, false, new Map([[UNIT_METADATA_KEY, unit]])));
    vectors[name] = makeVector(c);
  }
  const t = new Table(vectors);
  return new Table(new Schema(fields), t.batches);
}

const INDEX_COLUMN = /^__index_level_\d+__$/;

/**
 * An {@link EventTable} from an Arrow table: Float64/Float32 columns of a single record batch are
 * shared (zero-copy); several batches are concatenated, integers/BigInt/bools converted to Float64.
 * pandas index columns (`__index_level_k__`) are dropped. `source` names the file in errors.
 * @throws InputError for a non-numeric column or null values (naming the column and first null row).
 */
export function fromArrow(arrow: Table, source = 'arrow table'): EventTable {
  const cols = new Map<string, Column>();
  const stored: Record<string, Unit> = {};
  for (const field of arrow.schema.fields) {
    if (INDEX_COLUMN.test(field.name)) continue;
    const vec = arrow.getChild(field.name)!;
    const t = field.type.typeId;
    const numeric = t === Type.Float || t === Type.Int || t === Type.Bool || t === Type.Decimal;
    if (!numeric)
      throw new InputError(`${source}: column "${field.name}" has Arrow type ${String(field.type)}; sidewinder reads numeric columns only`);
    if (vec.nullCount > 0) {
      let row = 0;
      while (row < vec.length && vec.isValid(row)) row++;
      throw new InputError(`${source}: column "${field.name}" has ${vec.nullCount} null values (first at row ${row}); expected numbers in every row`);
    }
    const values = t === Type.Bool ? Float64Array.from(vec.toArray() as Iterable<boolean>, Number) : vec.toArray();
    cols.set(field.name, toFloatColumn(values, `${source}: column "${field.name}"`));
    const unit = field.metadata.get(UNIT_METADATA_KEY);
    if (unit !== undefined) stored[field.name] = unit;
  }
  return new EventTable(cols, unitsFor([...cols.keys()], stored));
}

/** Read an Arrow IPC file or stream, or a Feather v2 file (LZ4/ZSTD-compressed: LZ4 supported). */
export async function readArrow(path: string): Promise<EventTable> {
  registerLz4Codec();
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (err) {
    throw new InputError(`${path}: cannot read the file (${(err as Error).message}); expected an Arrow IPC/Feather file`, { cause: err });
  }
  if (buf.length === 0) throw new InputError(`${path}: empty file (0 bytes); expected an Arrow IPC/Feather file`);
  if (buf.subarray(0, 4).toString('latin1') === 'FEA1')
    throw new InputError(`${path}: Feather v1 file; expected Feather v2 / Arrow IPC (re-save with pandas ≥ 1.0 to_feather)`);
  checkArrowComplete(buf, path);
  guardFlatbufferLengths();
  let arrow: Table;
  try {
    messageBudget = buf.length / 8 + 16;
    arrow = tableFromIPC(buf);
  } catch (err) {
    throw new InputError(`${path}: not a readable Arrow IPC/Feather file (${(err as Error).message})`, { cause: err });
  } finally {
    messageBudget = Infinity;
  }
  if (arrow.schema.fields.length === 0) throw new InputError(`${path}: no columns found; expected an Arrow IPC/Feather file`);
  return fromArrow(arrow, path);
}

let flatbufferGuard = false;
/** Messages apache-arrow may still decode in the current {@link readArrow} (Infinity outside it). */
let messageBudget = Infinity;
/**
 * Make apache-arrow's FlatBuffers decoding refuse impossible vector lengths. A damaged Arrow file can
 * declare e.g. 4 billion schema fields; apache-arrow (which does not bound-check) then builds objects
 * until the process runs out of memory (found by test/data/fuzz-readers.test.ts). A vector cannot hold
 * more elements than its buffer has bytes, so such a length is corruption: throw, and the reader turns
 * it into an InputError. `flatbuffers` is apache-arrow's own dependency; this patches the instance it uses.
 * Also bounds the number of IPC messages decoded per file (see below).
 */
function guardFlatbufferLengths(): void {
  if (flatbufferGuard) return;
  const proto = ByteBuffer.prototype as unknown as { __vector_len(offset: number): number; __vector(offset: number): number; bytes(): Uint8Array };
  const vectorLen = proto.__vector_len;
  proto.__vector_len = function (this: ByteBuffer, offset: number): number {
    const n = vectorLen.call(this, offset);
    const size = this.bytes().length;
    if (!(n >= 0 && n <= size)) throw new RangeError(`corrupt FlatBuffers metadata: a vector of ${n} elements in ${size} bytes`);
    return n;
  };
  // apache-arrow's file reader re-reads a record-batch block forever when the message found there is of
  // another type (a damaged footer): every IPC message takes ≥ 8 bytes, so a file of n bytes holds at
  // most n / 8 of them — more decodes than that is such a loop.
  const decode = Message.decode.bind(Message);
  Message.decode = (buf) => {
    if (--messageBudget < 0) throw new RangeError('corrupt Arrow IPC metadata: the reader loops over the same message');
    return decode(buf);
  };
  flatbufferGuard = true;
}

/**
 * Refuse a cut-off Arrow file before decoding (apache-arrow would fail with "Cannot read properties of
 * null", or read a cut stream's complete batches as if they were all): an IPC file / Feather v2 ends
 * with the `ARROW1` magic after its footer, a stream with the end-of-stream marker.
 */
function checkArrowComplete(buf: Buffer, path: string): void {
  const tail = (s: string) => buf.length >= 8 + s.length && buf.subarray(buf.length - s.length).toString('latin1') === s;
  if (buf.subarray(0, 6).toString('latin1') === 'ARROW1') {
    if (!tail('ARROW1')) throw new InputError(`${path}: truncated Arrow IPC/Feather file (no ARROW1 magic at the end; ${buf.length} bytes)`);
  } else if (buf.length >= 4 && buf.readUInt32LE(0) === 0xffffffff) {
    // A stream in the current format (it starts with the continuation marker) ends with 0xFFFFFFFF 0x00000000.
    if (buf.length < 16 || buf.readUInt32LE(buf.length - 8) !== 0xffffffff || buf.readUInt32LE(buf.length - 4) !== 0)
      throw new InputError(`${path}: truncated Arrow IPC stream (no end-of-stream marker; ${buf.length} bytes)`);
  }
}

/**
 * Write `table` as an Arrow IPC file (readable as Feather v2 by pandas/pyarrow), optionally with
 * LZ4-frame-compressed buffers. Atomic.
 */
export async function writeArrow(table: EventTable, path: string, options: { compression?: 'none' | 'lz4' } = {}): Promise<void> {
  const compression = options.compression ?? 'none';
  if (compression !== 'none' && compression !== 'lz4') throw new ConfigError(`writeArrow: compression "${compression}" not supported; use "none" or "lz4"`);
  registerLz4Codec();
  const arrow = toArrow(table);
  const bytes = compression === 'lz4' ? tableToIPCCompressed(arrow) : tableToIPC(arrow, 'file');
  await writeFileAtomic(path, bytes);
}

function tableToIPCCompressed(arrow: Table): Uint8Array {
  // tableToIPC has no compression option; the file writer has.
  return new RecordBatchFileWriter({ compressionType: CompressionType.LZ4_FRAME }).writeAll(arrow).toUint8Array(true);
}
