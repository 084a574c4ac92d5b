/** Formats from magic bytes (the extension only a hint), and one-line errors for paths that are not event files. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { tableToIPC } from 'apache-arrow';
import { detectFormat, readEvents, toArrow, writeEvents } from '../../lib/data/io/index.js';
import { sniffBytes } from '../../lib/data/io/sniff.js';
import { EventTable } from '../../lib/data/eventTable.js';
import { InputError } from '../../lib/util/errors.js';

let dir: string;
const t = new EventTable({ mJJ: Float64Array.from([3.4, 3.5, 3.6]), mJ1: Float64Array.from([0.1, 0.2, 0.3]) }, { mJJ: 'TeV', mJ1: 'TeV' });
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sw-sniff-'));
  for (const ext of ['h5', 'parquet', 'arrow', 'csv']) await writeEvents(t, join(dir, `a.${ext}`));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('format detection', () => {
  it('magic bytes of each format', () => {
    const b = (s: string) => new Uint8Array([...s].map((c) => c.charCodeAt(0)));
    expect(sniffBytes(b('\x89HDF\r\n\x1a\n....'))).toBe('hdf5');
    expect(sniffBytes(b('PAR1xxxx'))).toBe('parquet');
    expect(sniffBytes(b('ARROW1\0\0'))).toBe('arrow');
    expect(sniffBytes(new Uint8Array([0xff, 0xff, 0xff, 0xff, 8, 0, 0, 0]))).toBe('arrow'); // IPC stream
    expect(sniffBytes(b('\x93NUMPY\x01\x00'))).toBe('npy');
    expect(sniffBytes(b('mJJ,mJ1\n3.5,0.1\n'))).toBe('text');
    expect(sniffBytes(new Uint8Array([1, 0, 2, 3]))).toBe('unknown');
    expect(sniffBytes(new Uint8Array())).toBe('empty');
  });

  it.each(['h5', 'parquet', 'arrow'])('a %s file under a wrong or unknown extension is read as what it is', async (ext) => {
    for (const name of [`as-csv-${ext}.csv`, `as-npy-${ext}.npy`, `no-ext-${ext}.dat`]) {
      const p = join(dir, name);
      copyFileSync(join(dir, `a.${ext}`), p);
      const back = await readEvents(p);
      expect([...back.column('mJ1')]).toEqual([0.1, 0.2, 0.3]);
      expect(await detectFormat(p)).toBe(ext === 'h5' ? 'hdf5' : ext);
    }
  });

  it('an explicit format that contradicts the magic bytes is an error naming both', async () => {
    await expect(readEvents(join(dir, 'a.h5'), { format: 'csv' })).rejects.toThrow(/a.h5: the file is HDF5 \(from its magic bytes\), not CSV as requested/);
  });

  it('text under a binary extension: the reader says what is missing and that the file is text', async () => {
    const p = join(dir, 'text.h5');
    writeFileSync(p, 'mJJ,mJ1\n3.5,0.1\n');
    await expect(readEvents(p)).rejects.toThrow(/text.h5: not an HDF5 file \(no HDF5 signature\).*\(the file is text; a CSV file must be named .csv\)/);
  });

  it('binary content of no known format under .csv or no extension', async () => {
    const p = join(dir, 'junk.csv');
    writeFileSync(p, Buffer.from([0, 1, 2, 3, 4, 5, 6, 7, 8]));
    await expect(readEvents(p)).rejects.toThrow(/junk.csv: binary content of no known format .*; expected CSV text/);
  });

  it('compressed files are recognised and refused naming the file and the command that decompresses them', async () => {
    const b = (s: string) => new Uint8Array([...s].map((c) => c.charCodeAt(0)));
    expect(sniffBytes(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0]))).toBe('gzip');
    expect(sniffBytes(b('BZh91AY&SY\x12\x34'))).toBe('bzip2');
    expect(sniffBytes(b('BZh is a column,x\n1,2\n'))).toBe('text'); // a CSV header, not bzip2
    expect(sniffBytes(new Uint8Array([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0, 4]))).toBe('xz');
    expect(sniffBytes(new Uint8Array([0x28, 0xb5, 0x2f, 0xfd, 0x24, 0]))).toBe('zstd');
    const csv = join(dir, 'a.csv');
    for (const name of ['a.csv.gz', 'a.h5.gz', 'gz-as.h5']) {
      const p = join(dir, name);
      writeFileSync(p, gzipSync(readFileSync(csv)));
      await expect(readEvents(p)).rejects.toThrow(new InputError(`${p}: the file is gzip-compressed; sidewinder reads uncompressed files only: decompress it first (gunzip ${p})`));
    }
  });

  it('directory, missing path: one line naming the path', async () => {
    const d = join(dir, 'x.csv');
    mkdirSync(d);
    await expect(readEvents(d)).rejects.toThrow(new InputError(`${d}: is a directory, not an event file`));
    await expect(readEvents(join(dir, 'none.parquet'))).rejects.toThrow(/none.parquet: cannot read the file \(no such file\)$/);
  });

  it('a truncated Arrow IPC stream (no end-of-stream marker) is refused, not read as its complete batches', async () => {
    const p = join(dir, 'cut.arrows');
    const bytes = tableToIPC(toArrow(t), 'stream');
    writeFileSync(p, bytes);
    expect((await readEvents(p)).length).toBe(3);
    // Cut anywhere before the end-of-stream marker, including right after a complete record batch.
    for (const cut of [bytes.length - 8, bytes.length - 4, bytes.length - 30, 40]) {
      writeFileSync(p, bytes.subarray(0, cut));
      expect(readFileSync(p).length).toBe(cut);
      await expect(readEvents(p)).rejects.toThrow(/cut.arrows: truncated Arrow IPC stream \(no end-of-stream marker; \d+ bytes\)/);
    }
  });
});
