/**
 * `npm run bench -- io`: write and read 1M events × 15 float64 columns (the LHCO layout, random values
 * from a seeded Rng) in every writable format, plus .npy reading; prints seconds and MB/s of raw
 * column data (1M × 15 × 8 B = 120 MB), the file size and the RSS after each step.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '../../lib/util/rng.js';
import { EventTable } from '../../lib/data/eventTable.js';
import { LHCO_COLUMNS, readEvents, writeEvents } from '../../lib/data/io/index.js';
import type { WriteOptions } from '../../lib/data/io/index.js';

const ROWS = Number(process.env.SIDEWINDER_BENCH_ROWS ?? 1_000_000);

function makeTable(rows: number): EventTable {
  const rng = createRng(2021);
  const cols = new Map<string, Float64Array>();
  for (const name of LHCO_COLUMNS) {
    const c = new Float64Array(rows);
    const r = rng.fork(name);
    if (name === 'label') for (let i = 0; i < rows; i++) c[i] = r.uniform() < 0.1 ? 1 : 0;
    else if (name.startsWith('tau')) for (let i = 0; i < rows; i++) c[i] = r.uniform();
    else for (let i = 0; i < rows; i++) c[i] = 1000 * r.normal();
    cols.set(name, c);
  }
  return new EventTable(cols);
}

/** A .npy v1 file of the same table (row-major <f8), written directly: sidewinder does not write .npy. */
function writeNpy(t: EventTable, path: string): void {
  const names = t.columnNames, n = t.length, k = names.length;
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${n}, ${k}), }`;
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const data = new Float64Array(n * k);
  names.forEach((name, j) => { const c = t.column(name); for (let i = 0; i < n; i++) data[i * k + j] = c[i]; });
  const pre = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(pre);
  pre.writeUInt16LE(header.length, 8);
  writeFileSync(path, Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(data.buffer)]));
}

async function time<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await f();
  return [r, (performance.now() - t0) / 1000];
}

export default async function bench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sidewinder-bench-io-'));
  try {
    const table = makeTable(ROWS);
    const mb = (ROWS * LHCO_COLUMNS.length * 8) / 1e6;
    console.log(`${ROWS} rows × ${LHCO_COLUMNS.length} float64 columns = ${mb.toFixed(0)} MB of column data`);
    console.log(`${'format'.padEnd(18)} ${'write s'.padStart(8)} ${'MB/s'.padStart(7)} ${'read s'.padStart(8)} ${'MB/s'.padStart(7)} ${'file MB'.padStart(8)} ${'RSS MB'.padStart(7)}`);
    const cases: [string, string, WriteOptions][] = [
      ['hdf5 (pandas)', 'x.h5', {}],
      ['arrow', 'x.arrow', {}],
      ['feather lz4', 'x.feather', { compression: 'lz4' }],
      ['parquet snappy', 'x.parquet', {}],
      ['parquet zstd', 'y.parquet', { compression: 'zstd' }],
      ['csv', 'x.csv', {}],
    ];
    for (const [label, file, opts] of cases) {
      const p = join(dir, file);
      const [, tw] = await time(() => writeEvents(table, p, opts));
      const [back, tr] = await time(() => readEvents(p));
      if (back.length !== ROWS) throw new Error(`${label}: read ${back.length} rows`);
      const size = statSync(p).size / 1e6;
      const rss = process.memoryUsage().rss / 1e6;
      console.log(`${label.padEnd(18)} ${tw.toFixed(2).padStart(8)} ${(mb / tw).toFixed(0).padStart(7)} ${tr.toFixed(2).padStart(8)} ${(mb / tr).toFixed(0).padStart(7)} ${size.toFixed(1).padStart(8)} ${rss.toFixed(0).padStart(7)}`);
      rmSync(p);
    }
    const npy = join(dir, 'x.npy');
    writeNpy(table, npy);
    const [, tr] = await time(() => readEvents(npy, { columns: [...LHCO_COLUMNS] }));
    console.log(`${'npy (read only)'.padEnd(18)} ${'-'.padStart(8)} ${'-'.padStart(7)} ${tr.toFixed(2).padStart(8)} ${(mb / tr).toFixed(0).padStart(7)} ${(statSync(npy).size / 1e6).toFixed(1).padStart(8)} ${(process.memoryUsage().rss / 1e6).toFixed(0).padStart(7)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
