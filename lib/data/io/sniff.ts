/**
 * What a file is, from its first bytes: HDF5 (signature at 0, 512, 1024, … for files with a user
 * block), Parquet `PAR1`, Arrow IPC file / Feather v2 `ARROW1`, Arrow IPC stream (continuation marker
 * 0xFFFFFFFF), Feather v1 `FEA1`, NumPy `\x93NUMPY`, else text (a CSV candidate) or unknown binary.
 * Compressed files (gzip, bzip2, xz, zstd, zip) are recognised so that the reader can say so.
 * Also turns a missing path, a directory or an unreadable file into an InputError naming the path.
 */
import { open, stat } from 'node:fs/promises';
import { InputError } from '../../util/errors.js';
import type { EventFormat } from './options.js';

const HDF5 = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
const NPY = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
const SNIFF_BYTES = 4096;

/** Compressions and archives recognised by their magic bytes; sidewinder reads none of them. */
export type Compression = 'gzip' | 'bzip2' | 'xz' | 'zstd' | 'zip';

/** How to decompress each {@link Compression}, and the command that does it. */
export const DECOMPRESS: Readonly<Record<Compression, { label: string; command: string }>> = Object.freeze({
  gzip: { label: 'gzip-compressed', command: 'gunzip' },
  bzip2: { label: 'bzip2-compressed', command: 'bunzip2' },
  xz: { label: 'xz-compressed', command: 'unxz' },
  zstd: { label: 'zstd-compressed', command: 'unzstd' },
  zip: { label: 'a zip archive', command: 'unzip' },
});

/**
 * The outcome of {@link sniffFile}: a format, a compression, or `text`/`unknown` for files without a
 * known magic; `empty` for 0 bytes.
 */
export type SniffedKind = EventFormat | Compression | 'text' | 'unknown' | 'empty';

/** Whether a sniffed kind is a compression (see {@link DECOMPRESS}). */
export const isCompression = (kind: SniffedKind): kind is Compression => Object.hasOwn(DECOMPRESS, kind);

const startsWith = (b: Uint8Array, magic: readonly number[], at = 0): boolean => b.length >= at + magic.length && magic.every((x, i) => b[at + i] === x);
const ascii = (b: Uint8Array, s: string, at = 0): boolean => startsWith(b, [...s].map((c) => c.charCodeAt(0)), at);

/** The kind of a file from its leading bytes (see the module comment). */
export function sniffBytes(head: Uint8Array): SniffedKind {
  if (head.length === 0) return 'empty';
  if (startsWith(head, HDF5)) return 'hdf5';
  if (startsWith(head, NPY)) return 'npy';
  if (ascii(head, 'PAR1')) return 'parquet';
  if (ascii(head, 'ARROW1') || ascii(head, 'FEA1')) return 'arrow';
  if (head.length >= 4 && head[0] === 0xff && head[1] === 0xff && head[2] === 0xff && head[3] === 0xff) return 'arrow';
  const compression = compressionOf(head);
  if (compression) return compression;
  // Text: no NUL byte and valid UTF-8 (a multi-byte character may be cut at the end of the sample).
  if (head.includes(0)) return 'unknown';
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head.length === SNIFF_BYTES ? head.subarray(0, head.length - 4) : head);
    return 'text';
  } catch {
    return 'unknown';
  }
}

/** The compression whose magic bytes `head` starts with, if any. */
function compressionOf(head: Uint8Array): Compression | undefined {
  if (startsWith(head, [0x1f, 0x8b])) return 'gzip';
  if (startsWith(head, [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return 'xz';
  if (startsWith(head, [0x28, 0xb5, 0x2f, 0xfd])) return 'zstd';
  if (startsWith(head, [0x50, 0x4b, 0x03, 0x04])) return 'zip';
  // "BZh" + block size 1–9 + a block ("1AY&SY", ASCII) or the end of an empty stream: all ASCII for a
  // block, so checked in full rather than letting a CSV header starting "BZh" pass as bzip2.
  if (ascii(head, 'BZh') && head.length >= 10 && head[3] >= 0x31 && head[3] <= 0x39
      && (ascii(head, '1AY&SY', 4) || startsWith(head, [0x17, 0x72, 0x45, 0x38, 0x50, 0x90], 4))) return 'bzip2';
  return undefined;
}

/**
 * Check that `path` is a readable regular file and read its leading bytes (and those at 512, 1024, …
 * for an HDF5 user block).
 * @throws InputError naming the path for a missing file, a directory, or an unreadable file.
 */
export async function sniffFile(path: string): Promise<{ kind: SniffedKind; size: number }> {
  let size: number;
  try {
    const s = await stat(path);
    if (s.isDirectory()) throw new InputError(`${path}: is a directory, not an event file`);
    if (!s.isFile()) throw new InputError(`${path}: not a regular file`);
    size = s.size;
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? `${path}: cannot read the file (no such file)` : `${path}: cannot read the file (${(err as Error).message})`, { cause: err });
  }
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(`${path}: cannot read the file (${code === 'EACCES' ? 'permission denied' : (err as Error).message})`, { cause: err });
  }
  try {
    const head = new Uint8Array(Math.min(SNIFF_BYTES, size));
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    const kind = sniffBytes(head.subarray(0, bytesRead));
    if (kind !== 'unknown') return { kind, size };
    // HDF5 allows a user block before the superblock: the signature may sit at 512, 1024, 2048, …
    const sig = new Uint8Array(HDF5.length);
    for (let at = 512; at + HDF5.length <= size; at *= 2) {
      await fh.read(sig, 0, sig.length, at);
      if (startsWith(sig, HDF5)) return { kind: 'hdf5', size };
    }
    return { kind, size };
  } catch (err) {
    throw new InputError(`${path}: cannot read the file (${(err as Error).message})`, { cause: err });
  } finally {
    await fh.close();
  }
}
