import { describe, expect, it, beforeAll, afterAll, vi } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync, truncateSync, statSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compressionRegistry, CompressionType } from 'apache-arrow';
import { EventTable } from '../../lib/data/eventTable.js';
import {
  readEvents, writeEvents, readNpy, readCsv, registerLz4Codec, toArrow, fromArrow, formatOf, LHCO_COLUMNS,
  readDataset, writeDatasetManifest, type DatasetManifest,
} from '../../lib/data/io/index.js';
import { InputError, ConfigError } from '../../lib/util/errors.js';

const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));
const fx = (name: string) => join(fixtures, name);
const ref = JSON.parse(readFileSync(fx('lhco-small.json'), 'utf8')) as {
  columns: string[]; rows: number; data: Record<string, number[]>; dtypes: Record<string, string>; mixedDtypes: Record<string, string>;
};

/** `<repo>/../shared/data/lhco-sr/`, else /work/shared/data/lhco-sr/ (worktrees live one level deeper). */
function sharedSr(): string | undefined {
  for (const u of [new URL('../../../shared/data/lhco-sr/', import.meta.url), new URL('file:///work/shared/data/lhco-sr/')]) {
    const p = fileURLToPath(u);
    if (existsSync(join(p, 'innerdata_train.npy'))) return p;
  }
  return undefined;
}
const SR = sharedSr();

function python(): boolean {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import pandas, tables'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function sum(c: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < c.length; i++) s += c[i];
  return s;
}

function expectSameAsPandas(t: EventTable): void {
  expect(t.columnNames).toEqual(ref.columns);
  expect(t.length).toBe(ref.rows);
  for (const c of ref.columns) {
    const got = t.column(c);
    ref.data[c].forEach((v, i) => {
      if (!Object.is(got[i], v)) throw new Error(`column ${c} row ${i}: got ${got[i]}, pandas ${v}`);
    });
  }
}

function expectIdentical(a: EventTable, b: EventTable): void {
  expect(b.columnNames).toEqual(a.columnNames);
  expect(b.columnNames.map((c) => b.unit(c))).toEqual(a.columnNames.map((c) => a.unit(c)));
  expect(b.length).toBe(a.length);
  for (const c of a.columnNames) {
    const x = a.column(c), y = b.column(c);
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) throw new Error(`column ${c} row ${i}: wrote ${x[i]}, read ${y[i]}`);
  }
}

let tmp: string;
beforeAll(() => { tmp = mkdtempSync(join(tmpdir(), 'sidewinder-io-')); });
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('LHCO fixtures: every reader gives pandas\' values', () => {
  const gev = Object.fromEntries(LHCO_COLUMNS.map((c) => [c, /^(p[xyz]|m)j[12]$/.test(c) ? 'GeV' : '']));

  it.each([
    ['lhco-small.h5', 'pandas fixed format, one float64 block'],
    ['lhco-mixed.h5', 'pandas fixed format, float64 + int64 blocks'],
    ['lhco-table.h5', 'pandas table format'],
    ['lhco-small.feather', 'Feather v2 with LZ4-frame buffers'],
    ['lhco-small.parquet', 'Parquet, snappy'],
  ])('%s (%s)', async (name) => {
    const t = await readEvents(fx(name));
    expectSameAsPandas(t);
    expect(t.units).toEqual(gev);
  });

  it('the mixed-dtype fixture really has two blocks, int64 label', () => {
    expect(ref.mixedDtypes.label).toBe('int64');
    expect(ref.dtypes.label).toBe('float64');
  });

  it('an explicit key and a column selection', async () => {
    const t = await readEvents(fx('lhco-two-keys.h5'), { key: 'sig', columns: ['mj1', 'label'] });
    expect(t.columnNames).toEqual(['mj1', 'label']);
    const nSig = ref.data.label.filter((v) => v === 1).length;
    expect(t.length).toBe(nSig);
    expect([...t.column('label')].every((v) => v === 1)).toBe(true);
    const sigMj1 = ref.data.mj1.filter((_, i) => ref.data.label[i] === 1);
    expect([...t.column('mj1')]).toEqual(sigMj1);
  });

  it('the LZ4 codec decodes a frame made by the reference liblz4 (python3-lz4, content checksum on)', () => {
    registerLz4Codec();
    const codec = compressionRegistry.get(CompressionType.LZ4_FRAME)!;
    const out = codec.decode!(new Uint8Array(readFileSync(fx('lz4-frame.bin'))));
    expect(Buffer.from(out).equals(readFileSync(fx('lz4-frame.raw')))).toBe(true);
  });
});

describe('.npy', () => {
  const vals = JSON.parse(readFileSync(fx('npy/values.json'), 'utf8')) as { f8: number[][]; f4: number[][] };
  it.each(['v1', 'v2', 'v3'])('format version %s, <f8', async (v) => {
    const t = await readNpy(fx(`npy/${v}.npy`), { columns: ['a', 'b', 'c'] });
    expect(t.column('a')).toBeInstanceOf(Float64Array);
    expect([0, 1, 2].map((j) => [...t.column('abc'[j])])).toEqual([0, 1, 2].map((j) => vals.f8.map((r) => r[j])));
  });
  it('<f4 stays float32', async () => {
    const t = await readNpy(fx('npy/f4.npy'), { columns: ['a', 'b', 'c'] });
    expect(t.column('b')).toBeInstanceOf(Float32Array);
    expect([...t.column('b')]).toEqual(vals.f4.map((r) => r[1]));
  });
  it('1-D array is one column; default names col0…', async () => {
    const t = await readEvents(fx('npy/one-column.npy'));
    expect(t.columnNames).toEqual(['col0']);
    expect([...t.column('col0')]).toEqual(vals.f8.map((r) => r[0]));
  });
  it.each([
    ['big-endian.npy', /dtype '>f8' is not supported; expected little-endian/],
    ['int64.npy', /dtype '<i8' is not supported/],
    ['three-d.npy', /shape \(2, 2, 2\); expected 1-D or 2-D/],
  ])('refuses %s', async (name, msg) => {
    const err = await readEvents(fx(`npy/${name}`)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(msg);
    expect((err as Error).message).toContain(name);
  });
  it('a Fortran-ordered array (written by NumPy) reads as the same values as the C-ordered one', async () => {
    const t = await readNpy(fx('npy/fortran.npy'), { columns: ['a', 'b', 'c'] });
    expect([0, 1, 2].map((j) => [...t.column('abc'[j])])).toEqual([0, 1, 2].map((j) => vals.f8.map((r) => r[j])));
  });
  it('wrong number of column names', async () => {
    await expect(readNpy(fx('npy/v1.npy'), { columns: ['a', 'b'] })).rejects.toThrow(/has 3 columns, but 2 column names/);
  });
});

describe.skipIf(!SR)('.npy: real LHCO signal-region files (README figures)', () => {
  it.each([
    ['innerdata_train.npy', 60000, 395],
    ['innerdata_test.npy', 62124, 377],
    ['extrabkg_sr.npy', 40000, 0],
    ['innerdata_extrasig.npy', 74527, 74527],
  ])('%s: %i rows, %i signal; LHCO-SR columns in TeV', async (name, rows, signal) => {
    const t = await readEvents(join(SR!, name));
    expect(t.length).toBe(rows);
    expect(t.columnNames).toEqual(['mJJ', 'mJ1', 'deltaMJ', 'tau21J1', 'tau21J2', 'label']);
    expect(t.unit('mJJ')).toBe('TeV');
    expect(t.unit('tau21J1')).toBe('');
    expect(sum(t.column('label'))).toBe(signal);
    const mjj = t.column('mJJ');
    expect(Math.min(...mjj)).toBeGreaterThan(3.3);
    expect(Math.max(...mjj)).toBeLessThan(3.7);
  });

  const mean = (c: ArrayLike<number>) => sum(c) / c.length;
  it('background feature means (extrabkg_sr) match the README: m_J1 ≈ 0.135, Δm_J ≈ 0.173, τ21 ≈ 0.578 / 0.479', async () => {
    const t = await readEvents(join(SR!, 'extrabkg_sr.npy'));
    // README quotes 3 decimals over background of several files; ±0.002 covers rounding and file-to-file spread.
    expect(Math.abs(mean(t.column('mJ1')) - 0.135)).toBeLessThan(0.002);
    expect(Math.abs(mean(t.column('deltaMJ')) - 0.173)).toBeLessThan(0.002);
    expect(Math.abs(mean(t.column('tau21J1')) - 0.578)).toBeLessThan(0.002);
    expect(Math.abs(mean(t.column('tau21J2')) - 0.479)).toBeLessThan(0.002);
  });
  it('signal feature means (innerdata_extrasig) match the README: 0.127, 0.360, 0.391, 0.230', async () => {
    const t = await readEvents(join(SR!, 'innerdata_extrasig.npy'));
    expect(Math.abs(mean(t.column('mJ1')) - 0.127)).toBeLessThan(0.001);
    expect(Math.abs(mean(t.column('deltaMJ')) - 0.360)).toBeLessThan(0.001);
    expect(Math.abs(mean(t.column('tau21J1')) - 0.391)).toBeLessThan(0.001);
    expect(Math.abs(mean(t.column('tau21J2')) - 0.230)).toBeLessThan(0.001);
  });
});

describe('round trips: write → read gives identical columns, values (bits) and units', () => {
  // float64 with awkward values and a float32 column; units on some columns only.
  const n = 257;
  const mJJ = Float64Array.from({ length: n }, (_, i) => 2.5 + i / 97);
  const edge = Float64Array.from({ length: n }, (_, i) => [0, -0, 1e-300, 5e-324, -1.7976931348623157e308, 0.1 + 0.2, NaN, Infinity, -Infinity][i % 9] ?? i);
  const f32 = Float32Array.from({ length: n }, (_, i) => Math.fround(Math.sin(i) * 100));
    const label = Float64Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 1 : 0));
  // mj1 is declared dimensionless although its LHCO name is known as GeV: the stored "" must win.
  const table = new EventTable({ mJJ, edge, tau21J1: f32, label, mj1: mJJ }, { mJJ: 'TeV', mj1: '' });

  it.each([
    ['x.h5', {}],
    ['x.arrow', {}],
    ['x.feather', { compression: 'lz4' as const }],
    ['x.parquet', {}],
    ['x.parquet', { compression: 'zstd' as const }],
    ['x.parquet', { compression: 'none' as const }],
  ])('%s %o', async (name, opts) => {
    const p = join(tmp, name);
    await writeEvents(table, p, opts);
    const back = await readEvents(p);
    expectIdentical(table, back);
    expect(back.column('tau21J1')).toBeInstanceOf(Float32Array);
    expect(back.column('mJJ')).toBeInstanceOf(Float64Array);
  });

  it('x.csv (float32 column reads back as float64 with the same values)', async () => {
    const p = join(tmp, 'x.csv');
    await writeEvents(table, p);
    const back = await readEvents(p);
    expect(readFileSync(p, 'utf8').split('\n')[0]).toBe('mJJ [TeV],edge,tau21J1,label,mj1 []');
    const as64 = new EventTable({ mJJ, edge, tau21J1: Float64Array.from(f32), label, mj1: mJJ }, { mJJ: 'TeV', mj1: '' });
    expectIdentical(as64, back);
  });

  it('LHCO fixture through every writer and back equals pandas', async () => {
    const t = await readEvents(fx('lhco-small.h5'));
    for (const ext of ['h5', 'arrow', 'parquet', 'csv']) {
      const p = join(tmp, `lhco.${ext}`);
      await writeEvents(t, p);
      const back = await readEvents(p);
      expectSameAsPandas(back);
      expect(back.units).toEqual(t.units);
    }
  });

  it('toArrow / fromArrow share the column buffers (zero-copy)', () => {
    const back = fromArrow(toArrow(table));
    expect(back.column('mJJ').buffer).toBe(mJJ.buffer);
    expect(back.column('tau21J1').buffer).toBe(f32.buffer);
    expect(back.unit('mJJ')).toBe('TeV');
    expect(back.unit('mj1')).toBe('');
  });

  it('writes are atomic: no temp file left beside the target', async () => {
    const dir = mkdtempSync(join(tmp, 'atomic-'));
    await writeEvents(table, join(dir, 'a.parquet'));
    await writeEvents(table, join(dir, 'a.h5'));
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(dir).sort()).toEqual(['a.h5', 'a.parquet']);
  });
});

describe.skipIf(!python())('pandas reads what sidewinder writes', () => {
  it('pd.read_hdf of our HDF5 gives the same frame (columns, dtypes, values, default index)', async () => {
    const t = await readEvents(fx('lhco-small.h5'));
    const withF32 = t.withColumn('f32', Float32Array.from(t.column('mj1'), (v) => v / 1000), 'TeV');
    const p = join(tmp, 'for-pandas.h5');
    await writeEvents(withF32, p);
    const out = execFileSync('/usr/bin/python3', ['-c', `
import json, sys, pandas as pd
d = pd.read_hdf(sys.argv[1])
print(json.dumps({'columns': list(d.columns), 'dtypes': {c: str(t) for c, t in d.dtypes.items()},
  'index': [int(d.index[0]), int(d.index[-1])], 'indexName': d.index.name,
  'data': {c: [float(v) for v in d[c]] for c in d.columns}}))
`, p], { encoding: 'utf8' });
    const got = JSON.parse(out) as { columns: string[]; dtypes: Record<string, string>; index: number[]; indexName: null; data: Record<string, number[]> };
    expect(got.columns).toEqual([...ref.columns, 'f32']);
    expect(got.dtypes.f32).toBe('float32');
    expect(got.dtypes.pxj1).toBe('float64');
    expect(got.index).toEqual([0, ref.rows - 1]);
    expect(got.indexName).toBeNull();
    for (const c of ref.columns) expect(got.data[c]).toEqual(ref.data[c]);
    expect(got.data.f32).toEqual([...withF32.column('f32')]);
  });
});

describe('errors name the file, and the row and column where there is one', () => {
  const write = (name: string, data: string | Uint8Array) => {
    const p = join(tmp, name);
    writeFileSync(p, data);
    return p;
  };

  it('truncated HDF5 file', async () => {
    const p = join(tmp, 'truncated.h5');
    copyFileSync(fx('lhco-small.h5'), p);
    truncateSync(p, Math.floor(statSync(p).size / 2));
    await expect(readEvents(p)).rejects.toThrow(new RegExp(`${p}: truncated HDF5 file: \\d+ bytes on disk, the superblock says \\d+`));
  });
  it('truncated HDF5 file written by h5wasm (superblock v2)', async () => {
    const p = join(tmp, 'ours-truncated.h5');
    await writeEvents(await readEvents(fx('lhco-small.h5')), p);
    expect(readFileSync(p)[8]).toBe(2); // superblock version
    truncateSync(p, statSync(p).size - 100);
    await expect(readEvents(p)).rejects.toThrow(/ours-truncated.h5: truncated HDF5 file/);
  });
  it('damaged HDF5 object header: one line naming the file and the cause, no HDF5-DIAG stack on stderr', async () => {
    const p = join(tmp, 'bad-header.h5');
    await writeEvents(await readEvents(fx('lhco-small.h5')), p);
    const bytes = readFileSync(p);
    const root = bytes.indexOf('OHDR'), df = bytes.indexOf('OHDR', root + 4); // object headers v2: the root's, then /df's
    bytes[df + 4] = 9; // its version (2)
    writeFileSync(p, bytes);
    const message = `${p}: not a readable HDF5 file (HDF5: bad object header version number)`;
    await expect(readEvents(p)).rejects.toThrow(new InputError(message));
    // h5wasm prints HDF5's error stack from inside the wasm module: only a separate process shows it.
    const cli = fileURLToPath(new URL('../../scripts/cli.ts', import.meta.url));
    const run = spawnSync(process.execPath, ['--import', 'tsx', cli, 'inspect', p], { encoding: 'utf8' });
    expect(run.stderr).toBe(`sidewinder: ${message}\n`);
    expect(run.status).toBe(1);
    // The default handler is back: a good file reads, and writing works.
    expect((await readEvents(fx('lhco-small.h5'))).length).toBe(300);
  });
  it.each([
    ['empty.h5', '', /empty.h5: empty file \(0 bytes\); expected an HDF5 file/],
    ['text.h5', 'pxj1,pyj1\n1,2\n', /text.h5: not an HDF5 file \(no HDF5 signature\)/],
    ['empty.npy', '', /empty.npy: empty file \(0 bytes\); expected a NumPy .npy file/],
    ['text.npy', 'hello world, not numpy', /text.npy: not a NumPy .npy file/],
    ['empty.csv', '', /empty.csv: empty file \(0 bytes\); expected a CSV file/],
    ['empty.arrow', '', /empty.arrow: empty file \(0 bytes\)/],
    ['text.arrow', 'not arrow at all', /text.arrow: not a readable Arrow IPC\/Feather file/],
    ['empty.parquet', '', /empty.parquet: empty file \(0 bytes\); expected a Parquet file/],
    ['text.parquet', 'PAR1 but cut', /text.parquet: truncated Parquet file/],
    ['bad-cell.csv', 'mJJ,mJ1\n3.5,0.1\n3.6,abc\n', /bad-cell.csv: line 3, column "mJ1": "abc" is not a number/],
    ['empty-cell.csv', 'mJJ,mJ1\n3.5,0.1\n,0.2\n', /empty-cell.csv: line 3, column "mJJ": empty cell/],
    ['short-row.csv', 'mJJ,mJ1\n3.5,0.1\n3.6\n', /short-row.csv: line 3: 1 cells, the header has 2 columns/],
    ['no-header.csv', '3.5,0.1\n3.6,0.2\n', /no-header.csv: line 1 looks like data/],
  ])('%s', async (name, content, msg) => {
    const err = await readEvents(write(name, content)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(msg);
  });
  it('truncated .npy data', async () => {
    const p = join(tmp, 'cut.npy');
    const buf = readFileSync(fx('npy/v1.npy'));
    writeFileSync(p, buf.subarray(0, buf.length - 8));
    await expect(readEvents(p)).rejects.toThrow(/cut.npy: truncated .npy data: shape \(5, 3\) needs 120 bytes, the file has 112/);
  });
  it('several keys and no key given lists the keys', async () => {
    await expect(readEvents(fx('lhco-two-keys.h5'))).rejects.toThrow(/lhco-two-keys.h5: 2 objects at the root \(bkg, sig\); choose one with the key option/);
  });
  describe('HDF5 files whose DataFrame is not at the root, or that hold no DataFrame (h5py layouts)', () => {
    /** An HDF5 file built with h5wasm (pandas is not needed to write these layouts). */
    async function h5File(name: string, build: (f: import('h5wasm/node').File) => void): Promise<string> {
      const { default: h5 } = await import('h5wasm/node');
      await h5.ready;
      const p = join(tmp, name);
      const f = new h5.File(p, 'w');
      try {
        build(f);
      } finally {
        f.close();
      }
      return p;
    }
    const cols = { mJJ: Float64Array.from([3.4, 3.5, 3.6]), mJ1: Float64Array.from([0.1, 0.2, 0.3]) };
    /** pandas' fixed layout, as `df.to_hdf(p, key=<parent>/<name>)` writes it. */
    const frame = (parent: import('h5wasm/node').Group, name: string) => {
      const g = parent.create_group(name);
      g.create_attribute('pandas_type', 'frame');
      g.create_attribute('nblocks', 1);
      for (const n of ['axis0', 'block0_items']) g.create_dataset({ name: n, data: ['mJJ', 'mJ1'], shape: [2], dtype: 'A3' });
      const ds = g.create_dataset({ name: 'block0_values', data: Float64Array.from([3.4, 0.1, 3.5, 0.2, 3.6, 0.3]), shape: [3, 2], dtype: '<d' });
      ds.create_attribute('transposed', 1);
    };

    it('a DataFrame under a subgroup (pandas key "events/df"): the message names the full key to pass, which reads it', async () => {
      const p = await h5File('nested.h5', (f) => frame(f.create_group('events'), 'df'));
      await expect(readEvents(p)).rejects.toThrow(
        new InputError(`${p}: no pandas DataFrame at the root (objects: events); the DataFrame is under the key "events/df": pass --key events/df ({ key: 'events/df' })`),
      );
      await expect(readEvents(p, { key: 'events' })).rejects.toThrow(/"events" has pandas_type \(none\); .*; it is a group: the DataFrame is under the key "events\/df": pass --key events\/df/);
      expect([...(await readEvents(p, { key: 'events/df' })).column('mJ1')]).toEqual([0.1, 0.2, 0.3]);
    });
    it('several nested DataFrames are all named', async () => {
      const p = await h5File('nested2.h5', (f) => {
        frame(f.create_group('sig'), 'df');
        frame(f.create_group('bkg'), 'df');
      });
      await expect(readEvents(p)).rejects.toThrow(/DataFrames are under the keys "(sig|bkg)\/df", "(sig|bkg)\/df": choose one with --key/);
    });
    it('one dataset per column (h5py): said so, and how to convert, without a key hint that cannot work', async () => {
      const p = await h5File('h5pycols.h5', (f) => {
        for (const [n, c] of Object.entries(cols)) f.create_dataset({ name: n, data: c, shape: [3], dtype: '<d' });
      });
      const layout = /h5pycols.h5: .*one dataset per column \(2 1-D datasets of 3 rows: mJ1, mJJ\), not a pandas DataFrame; sidewinder reads HDF5 files holding a pandas DataFrame \(df.to_hdf, fixed or table format\): convert it/;
      const err = await readEvents(p).catch((e: Error) => e);
      expect(err).toBeInstanceOf(InputError);
      expect((err as Error).message).toMatch(layout);
      expect((err as Error).message).not.toMatch(/--key|{ key:/);
      await expect(readEvents(p, { key: 'mJJ' })).rejects.toThrow(/"mJJ" is a dataset: the file holds one dataset per column/);
    });
    it('one 2-D dataset (h5py): said so', async () => {
      const p = await h5File('h5py2d.h5', (f) => {
        f.create_dataset({ name: 'events', data: Float64Array.from([3.4, 0.1, 3.5, 0.2, 3.6, 0.3]), shape: [3, 2], dtype: '<d' });
      });
      await expect(readEvents(p)).rejects.toThrow(/h5py2d.h5: the file holds one 2-D dataset "events" \(3 × 2\), not a pandas DataFrame/);
    });
  });
  it('a key that is a dataset, not a DataFrame group', async () => {
    await expect(readEvents(fx('lhco-small.h5'), { key: 'df/axis0' })).rejects.toThrow(/lhco-small.h5: "df\/axis0" is not a group; expected a pandas DataFrame/);
  });
  it('unknown key suggests close ones', async () => {
    await expect(readEvents(fx('lhco-two-keys.h5'), { key: 'sgi' })).rejects.toThrow(/no object "sgi" \(did you mean "sig"/);
  });
  it('Blosc-compressed HDF5 is refused (h5wasm would return garbage)', async () => {
    await expect(readEvents(fx('lhco-blosc.h5'))).rejects.toThrow(/lhco-blosc.h5: dataset \/df\/\w+ uses HDF5 filter 32001 \(blosc\)/);
  });
  it('missing selected column suggests a close name', async () => {
    await expect(readEvents(fx('lhco-small.h5'), { columns: ['mj1', 'mJ2'] })).rejects.toThrow(/lhco-small.h5: no column "mJ2" \(did you mean "mj2"/);
  });
  it('weight column: missing, negative', async () => {
    const p = write('weights.csv', 'mJJ,w\n3.5,1\n3.6,-0.5\n');
    await expect(readEvents(p, { weight: 'weight' })).rejects.toThrow(/no weight column "weight"/);
    await expect(readEvents(p, { weight: 'w' })).rejects.toThrow(/weights.csv: weight column "w", row 1: -0.5; expected a finite weight ≥ 0/);
    const ok = write('weights-ok.csv', 'mJJ,w\n3.5,1\n3.6,0.5\n');
    expect([...(await readEvents(ok, { weight: 'w' })).column('w')]).toEqual([1, 0.5]);
  });
  it('missing file', async () => {
    await expect(readEvents(join(tmp, 'nope.parquet'))).rejects.toThrow(/nope.parquet: cannot read the file/);
  });
  it('unknown extension and unwritable format', async () => {
    expect(() => formatOf('events.root')).toThrow(ConfigError);
    expect(() => formatOf('events.root')).toThrow(/cannot tell the format from the extension ".root"/);
    const t = new EventTable({ a: new Float64Array(2) });
    await expect(writeEvents(t, join(tmp, 'a.npy'))).rejects.toThrow(/cannot write format "npy"/);
    await expect(writeEvents(t, join(tmp, 'a.h5'), { compression: 'lz4' })).rejects.toThrow(/compression "lz4" not available for hdf5/);
  });
  it('CSV: nan and inf cells are read (validation decides about them); header units parsed', async () => {
    const t = await readCsv(write('special.csv', 'mJJ [TeV],x\n3.5,nan\n3.6,-inf\n'));
    expect(t.unit('mJJ')).toBe('TeV');
    expect([...t.column('x')]).toEqual([NaN, -Infinity]);
  });
  it('CSV: pandas\' unnamed index column and a semicolon-separated file are named as such', async () => {
    await expect(readCsv(write('pandas-index.csv', ',mJJ,mJ1\n0,3.5,0.1\n'))).rejects.toThrow(/header column 1 has no name \(pandas writes its row index as an unnamed first column: save with to_csv\(index=False\)\)/);
    await expect(readCsv(write('semicolons.csv', 'mJJ;mJ1\n3.5;0.1\n'))).rejects.toThrow(/line 1 has one column, "mJJ;mJ1"; columns are separated by commas \(this header uses semicolons\)/);
  });
});

describe('sidewinder inspect (in-process: the command module registered on a fresh program)', () => {
  async function run(args: string[]): Promise<{ out: string; err: string; exitCode: number | undefined }> {
    const { Command } = await import('commander');
    const { register } = await import('../../scripts/commands/inspect.js');
    const program = new Command().exitOverride();
    register(program);
    const out: string[] = [], err: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => { out.push(a.join(' ')); });
    const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => { err.push(a.join(' ')); });
    const before = process.exitCode;
    try {
      await program.parseAsync(['node', 'sidewinder', 'inspect', ...args]);
      return { out: out.join('\n'), err: err.join('\n'), exitCode: process.exitCode as number | undefined };
    } catch (e) {
      // What the CLI does with an error (scripts/cliErrors.ts): one line and the exit code.
      const { reportCliError } = await import('../../scripts/cliErrors.js');
      const exitCode = reportCliError(e, (s) => { err.push(s.trimEnd()); });
      return { out: out.join('\n'), err: err.join('\n'), exitCode };
    } finally {
      log.mockRestore();
      error.mockRestore();
      process.exitCode = before;
    }
  }

  it('prints rows and per-column min/max/mean that agree with pandas', async () => {
    const { out } = await run([fx('lhco-small.h5'), '--json']);
    const s = JSON.parse(out) as { format: string; rows: number; columns: { name: string; unit: string; min: number; max: number; mean: number }[] };
    const pandasMeans = (JSON.parse(readFileSync(fx('lhco-small.json'), 'utf8')) as { means: Record<string, number> }).means;
    expect(s.format).toBe('hdf5');
    expect(s.rows).toBe(300);
    expect(s.columns.map((c) => c.name)).toEqual(ref.columns);
    for (const c of s.columns) {
      expect(c.mean).toBeCloseTo(pandasMeans[c.name], 10);
      expect(c.min).toBe(Math.min(...ref.data[c.name]));
      expect(c.max).toBe(Math.max(...ref.data[c.name]));
    }
    expect(s.columns.find((c) => c.name === 'pxj1')!.unit).toBe('GeV');
  });
  it('the text table names format, rows and units', async () => {
    const { out } = await run([fx('lhco-small.parquet')]);
    expect(out).toMatch(/format parquet, [\d.]+ MB, 300 rows, 15 columns/);
    expect(out).toMatch(/\n  mj1 +GeV +float64 /);
  });
  it('a file a scan would refuse for its layout (a renamed column) is named as such, exit code 1; a good file exits 0', async () => {
    const good = await run([fx('lhco-small.h5')]);
    expect(good.exitCode).toBeUndefined();
    expect(good.out).not.toMatch(/a scan refuses/);
    const t = await readEvents(fx('lhco-small.h5'));
    const renamed = join(tmp, 'renamed-mj2.csv');
    await writeEvents(new EventTable(new Map(t.columnNames.map((n) => [n === 'mj2' ? 'mJ2' : n, t.column(n)])), t.units), renamed);
    const { out, exitCode } = await run([renamed]);
    expect(exitCode).toBe(1);
    expect(out).toMatch(/checks: all values finite and physical\n  a scan refuses this file: .*renamed-mj2.csv: missing column "mj2" \(did you mean "mJ2"/);
  });
  it('sets exit code 1 and prints the message, no stack trace, on bad input', async () => {
    const { err, exitCode } = await run([fx('lhco-two-keys.h5')]);
    expect(exitCode).toBe(1);
    expect(err).toMatch(/^sidewinder: .*lhco-two-keys.h5: 2 objects at the root/);
    expect(err).not.toMatch(/at \w+ \(/);
  });
});

describe('dataset manifests', () => {
  const manifest = (files: unknown[], extra: Record<string, unknown> = {}) => ({
    schema: 'sidewinder/dataset', version: 1, name: 'lhco-small', role: 'data', files, ...extra,
  });
  it('reads and concatenates the listed files (paths relative to the manifest), checking row counts', async () => {
    const dir = mkdtempSync(join(tmp, 'manifest-'));
    copyFileSync(fx('lhco-small.parquet'), join(dir, 'part2.parquet'));
    const p = join(dir, 'dataset.json');
    await writeDatasetManifest(p, manifest([{ path: fx('lhco-small.h5'), rows: 300 }, { path: 'part2.parquet' }], { rows: 600, columns: ['mj1', 'mj2', 'label'], seed: 20201 }) as DatasetManifest);
    const { manifest: m, events } = await readDataset(p);
    expect(m.seed).toBe(20201);
    expect(events.columnNames).toEqual(['mj1', 'mj2', 'label']);
    expect(events.length).toBe(600);
    expect([...events.column('mj2').subarray(300)]).toEqual(ref.data.mj2);
    expect(events.unit('mj1')).toBe('GeV');
  });
  it('a wrong row count names the file and both numbers', async () => {
    const dir = mkdtempSync(join(tmp, 'manifest-'));
    const p = join(dir, 'dataset.json');
    writeFileSync(p, JSON.stringify(manifest([{ path: fx('lhco-small.h5'), rows: 299 }])));
    await expect(readDataset(p)).rejects.toThrow(/lhco-small.h5: 300 rows, the manifest .*dataset.json says 299/);
  });
  it('an invalid manifest is refused before writing', async () => {
    const p = join(tmp, 'never.json');
    await expect(writeDatasetManifest(p, manifest([], { role: 'signal' }) as unknown as DatasetManifest)).rejects.toThrow(/\/role: must be equal to one of the allowed values/);
    expect(existsSync(p)).toBe(false);
  });
});

describe('Arrow/Parquet column types', () => {
  it('Int64 (BigInt), Int32 and Bool columns become Float64; an Arrow stream (.arrows) reads like a file', async () => {
    const { tableFromArrays, tableToIPC } = await import('apache-arrow');
    const parquet = await import('parquet-wasm/node');
    const arrow = tableFromArrays({
      label: BigInt64Array.from([0n, 1n, 0n, 9007199254740993n]),
      count: Int32Array.from([1, -2, 3, 4]),
      mJJ: Float64Array.from([3.1, 3.2, 3.3, 3.4]),
    });
    const pq = join(tmp, 'ints.parquet');
    writeFileSync(pq, parquet.writeParquet(parquet.Table.fromIPCStream(tableToIPC(arrow, 'stream'))));
    const stream = join(tmp, 'ints.arrows');
    writeFileSync(stream, tableToIPC(arrow, 'stream'));
    for (const p of [pq, stream]) {
      const t = await readEvents(p);
      expect(t.column('label')).toBeInstanceOf(Float64Array);
      expect([...t.column('label')]).toEqual([0, 1, 0, 9007199254740992]); // nearest double to 2^53 + 1
      expect([...t.column('count')]).toEqual([1, -2, 3, 4]);
      expect([...t.column('mJJ')]).toEqual([3.1, 3.2, 3.3, 3.4]);
    }
  });
  it('a string column or null values are refused, naming the column (and the first null row)', async () => {
    const { tableFromArrays, tableToIPC, vectorFromArray, Float64, Table } = await import('apache-arrow');
    const withText = tableFromArrays({ mJJ: Float64Array.from([3.5]), run: ['a'] });
    const p1 = join(tmp, 'text.feather');
    writeFileSync(p1, tableToIPC(withText, 'file'));
    await expect(readEvents(p1)).rejects.toThrow(/text.feather: column "run" has Arrow type Dictionary<Int32, Utf8>; sidewinder reads numeric columns only/);
    const withNull = new Table({ mJJ: vectorFromArray([3.5, null, 3.6], new Float64()) });
    const p2 = join(tmp, 'null.arrow');
    writeFileSync(p2, tableToIPC(withNull, 'file'));
    await expect(readEvents(p2)).rejects.toThrow(/null.arrow: column "mJJ" has 1 null values \(first at row 1\)/);
  });
});
