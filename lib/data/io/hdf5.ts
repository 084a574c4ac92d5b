/**
 * pandas HDF5 (PyTables) reader and writer via h5wasm.
 *
 * Fixed format (`df.to_hdf(path, key='df')`, the LHCO R&D layout): group `/<key>` with attrs
 * `pandas_type = 'frame'`, `nblocks`; datasets `axis0` (column names), `axis1` (row index), and per
 * dtype block k `block{k}_items` (names) + `block{k}_values` (rows × n_k, row-major, attr `transposed`).
 * Table format (`format='table'`): a compound dataset `/<key>/table` with `values_block_{k}` arrays,
 * column names pickled (protocol 0) in the attr `values_block_{k}_kind`.
 */
import type { Dataset, Group } from 'h5wasm/node';
import { open, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError, InputError, didYouMean } from '../../util/errors.js';
import { produceFileAtomic } from '../../util/atomicWrite.js';
import { EventTable, type Column, type Unit } from '../eventTable.js';
import { splitColumnMajor, splitRowMajor, toFloatColumn } from './columns.js';
import { unitsFor } from './units.js';

/** HDF5 filters h5wasm decodes: deflate (zlib), shuffle, fletcher32. Others (e.g. Blosc 32001) read as garbage. */
const SUPPORTED_FILTERS = new Map<number, string>([[1, 'deflate'], [2, 'shuffle'], [3, 'fletcher32']]);
/** Group attribute where sidewinder stores column units (JSON); pandas ignores it. */
const UNITS_ATTR = 'sidewinder_units';
const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

type H5wasm = typeof import('h5wasm/node').default;
/**
 * h5wasm, loaded by {@link h5} on first use: importing it costs ≈ 0.2 s, which every CLI command and
 * Slurm task would otherwise pay. The synchronous helpers below run only after `await h5()`.
 */
let h5wasm: H5wasm;
/** The emscripten module under h5wasm (its HDF5 error handler switches, see {@link quietHdf5}). */
let h5module: Awaited<H5wasm['ready']>;
let ready: Promise<H5wasm> | undefined;
async function h5(): Promise<H5wasm> {
  ready ??= import('h5wasm/node').then(async (m) => {
    h5module = await m.default.ready;
    return (h5wasm = m.default);
  });
  return ready;
}

/** The innermost cause in an HDF5 error stack (`HDF5-DIAG: … #012: … in H5O__prefix_deserialize(): bad object header version number`). */
export function hdf5Cause(diag: string): string | undefined {
  const causes = [...diag.matchAll(/#\d+: .* in [\w.]+\(\): (.+)$/gm)].map((m) => m[1].trim());
  return causes.at(-1);
}

/**
 * Run `read` (synchronous h5wasm calls) with HDF5 errors thrown instead of printed. By default
 * HDF5 prints its error stack (`HDF5-DIAG: …`, ≈ 50 lines for a damaged object header) on stderr
 * and h5wasm then fails with "error - name not defined!"; h5wasm's throwing handler (since 0.7.2)
 * makes the stack the message of a JS error, condensed here to one line naming the file and the
 * innermost cause. The default handler is restored afterwards (writing keeps it).
 * @throws InputError `<path>: not a readable HDF5 file (HDF5: <cause>)` for an HDF5 library error.
 */
function quietHdf5<T>(path: string, read: () => T): T {
  h5module.activate_throwing_error_handler();
  try {
    return read();
  } catch (err) {
    const cause = err instanceof Error && err.message.includes('HDF5-DIAG') ? hdf5Cause(err.message) : undefined;
    if (cause !== undefined) throw new InputError(`${path}: not a readable HDF5 file (HDF5: ${cause})`, { cause: err });
    throw err;
  } finally {
    h5module.deactivate_throwing_error_handler();
  }
}

/**
 * Check that `path` is a complete HDF5 file before h5wasm opens it (h5wasm prints HDF5 diagnostics
 * and fails obscurely otherwise): the signature at offset 0, 512, 1024, … and the superblock's
 * end-of-file address within the file size (catches truncated downloads).
 */
export async function checkHdf5File(path: string): Promise<void> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    throw new InputError(`${path}: cannot read the file (${(err as Error).message}); expected an HDF5 file`, { cause: err });
  }
  if (size === 0) throw new InputError(`${path}: empty file (0 bytes); expected an HDF5 file`);
  const fh = await open(path, 'r');
  try {
    for (let base = 0; base < size; base = base === 0 ? 512 : base * 2) {
      const head = Buffer.alloc(64);
      const { bytesRead } = await fh.read(head, 0, 64, base);
      if (bytesRead < 8 || !SIGNATURE.every((b, i) => head[i] === b)) continue;
      const version = head[8];
      let offsetSize: number, eofAt: number, baseAt: number;
      if (version === 0 || version === 1) {
        offsetSize = head[13];
        baseAt = 24 + (version === 1 ? 4 : 0);
        eofAt = baseAt + 2 * offsetSize;
      } else {
        offsetSize = head[9];
        baseAt = 12;
        eofAt = baseAt + 2 * offsetSize;
      }
      if (offsetSize !== 8 && offsetSize !== 4) return; // unusual layout: let HDF5 itself judge
      if (bytesRead < eofAt + offsetSize) throw new InputError(`${path}: truncated HDF5 file (superblock cut off at ${size} bytes)`);
      const read = (at: number) => (offsetSize === 8 ? Number(head.readBigUInt64LE(at)) : head.readUInt32LE(at));
      const eof = read(baseAt) + read(eofAt);
      if (eof > size)
        throw new InputError(`${path}: truncated HDF5 file: ${size} bytes on disk, the superblock says ${eof}`);
      return;
    }
  } finally {
    await fh.close();
  }
  throw new InputError(`${path}: not an HDF5 file (no HDF5 signature); expected a pandas to_hdf file`);
}

function refuseUnsupportedFilters(ds: Dataset, path: string): void {
  for (const f of ds.filters) {
    if (!SUPPORTED_FILTERS.has(f.id))
      throw new InputError(
        `${path}: dataset ${ds.path} uses HDF5 filter ${f.id} (${f.name || 'unknown'}), which sidewinder cannot decode ` +
          `(supported: ${[...SUPPORTED_FILTERS.values()].join(', ')}). Rewrite it uncompressed or with zlib, e.g. in pandas ` +
          `df.to_hdf(path, key='df', complib='zlib')`,
      );
  }
}

function attr(node: Group | Dataset, name: string): unknown {
  const a = node.attrs[name];
  return a ? a.value : undefined;
}

function asText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  return undefined;
}

function dataset(g: Group, name: string, path: string): Dataset {
  const d = g.get(name);
  if (!(d instanceof h5wasm.Dataset))
    throw new InputError(`${path}: ${g.path}/${name} missing; expected a pandas fixed-format frame (axis0, block{k}_items, block{k}_values)`);
  refuseUnsupportedFilters(d as Dataset, path);
  return d as Dataset;
}

function stringList(ds: Dataset, path: string): string[] {
  const v = ds.value;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
    throw new InputError(`${path}: ${ds.path} should hold column names (strings), got ${ds.dtype}`);
  return v as string[];
}

/** Column names pickled with protocol 0 (`(lp0\nVname\np1\naVname2…`), as pandas table format stores them. */
function unpickleNames(text: string): string[] {
  return text.split('\n').filter((l) => l.startsWith('V') || l.startsWith('aV')).map((l) => l.slice(l.indexOf('V') + 1));
}

type H5File = InstanceType<typeof h5wasm.File>;

const isFrame = (g: Group): boolean => ['frame', 'frame_table'].includes(asText(attr(g, 'pandas_type')) ?? '');

/**
 * Keys of the pandas DataFrames in `g` and its subgroups (pandas `to_hdf(key='events/df')` nests
 * them), not looking inside a frame; at most `limit` objects are visited.
 */
function frameKeys(g: Group, limit = 500): string[] {
  const found: string[] = [];
  const queue: Group[] = [g];
  let visited = 0;
  while (queue.length && visited < limit) {
    const group = queue.shift()!;
    for (const name of group.keys()) {
      if (++visited > limit) break;
      const child = group.get(name);
      if (!(child instanceof h5wasm.Group)) continue;
      if (isFrame(child as Group)) found.push((child as Group).path.replace(/^\/+/, ''));
      else queue.push(child as Group);
    }
  }
  return found;
}

/** "pass --key a/df ({ key: 'a/df' })", or how to choose among several. */
function keyHint(keys: readonly string[]): string {
  const list = keys.map((k) => `"${k}"`).join(', ');
  return keys.length === 1
    ? `the DataFrame is under the key ${list}: pass --key ${keys[0]} ({ key: '${keys[0]}' })`
    : `DataFrames are under the keys ${list}: choose one with --key ${keys[0]} ({ key: '${keys[0]}' })`;
}

/**
 * What a file without a pandas DataFrame holds when it is a layout h5py writes (one 1-D dataset per
 * column, or one 2-D dataset), and how to convert it; `undefined` for other layouts.
 */
function otherLayout(f: H5File): string | undefined {
  const keys = f.keys();
  const datasets = keys.map((k) => f.get(k)).filter((d): d is Dataset => d instanceof h5wasm.Dataset);
  if (datasets.length !== keys.length || datasets.length === 0) return undefined;
  const shapes = datasets.map((d) => d.shape ?? []);
  let layout: string, convert: string;
  if (datasets.length > 1 && shapes.every((sh) => sh.length === 1 && sh[0] === shapes[0][0])) {
    const names = keys.length > 6 ? `${keys.slice(0, 5).join(', ')}, …` : keys.join(', ');
    layout = `one dataset per column (${keys.length} 1-D datasets of ${shapes[0][0]} rows: ${names})`;
    convert = "pd.DataFrame({c: f[c][:] for c in f}).to_hdf('events.h5', key='df')";
  } else if (datasets.length === 1 && shapes[0].length === 2) {
    layout = `one 2-D dataset "${keys[0]}" (${shapes[0].join(' × ')})`;
    convert = `pd.DataFrame(f['${keys[0]}'][:], columns=[...names]).to_hdf('events.h5', key='df')`;
  } else return undefined;
  return (
    `the file holds ${layout}, not a pandas DataFrame; sidewinder reads HDF5 files holding a pandas DataFrame ` +
    `(df.to_hdf, fixed or table format): convert it, e.g. in Python with f = h5py.File(path): ${convert}`
  );
}

function chooseKey(f: H5File, path: string, key?: string): string {
  const keys = f.keys();
  if (key !== undefined) {
    const k = key.replace(/^\/+/, '');
    if (f.get(k) === null) throw new InputError(`${path}: no object "${key}"${didYouMean(k, keys)}; keys at the root: ${keys.join(', ') || '(none)'}`);
    return k;
  }
  if (keys.length === 0) throw new InputError(`${path}: the HDF5 file is empty (no objects at the root); expected a pandas DataFrame`);
  const only = keys.length === 1 ? f.get(keys[0]) : null;
  if (only instanceof h5wasm.Group && isFrame(only as Group)) return keys[0];
  const layout = otherLayout(f);
  if (layout) throw new InputError(`${path}: ${layout}`);
  const frames = frameKeys(f);
  if (frames.length === 0 && keys.length === 1) return keys[0]; // its reader says what it lacks
  const atRoot = frames.filter((k) => !k.includes('/'));
  if (frames.length === 0)
    throw new InputError(`${path}: ${keys.length} objects at the root (${keys.join(', ')}), none of them or below them a pandas DataFrame (df.to_hdf, fixed or table format)`);
  if (atRoot.length > 0)
    throw new InputError(`${path}: ${keys.length} objects at the root (${keys.join(', ')}); choose one with the key option ({ key: '${atRoot[0]}' }, or --key on the command line)`);
  throw new InputError(`${path}: no pandas DataFrame at the root (objects: ${keys.join(', ')}); ${keyHint(frames)}`);
}

function readFixed(g: Group, path: string): { names: string[]; cols: Column[] } {
  const names = stringList(dataset(g, 'axis0', path), path);
  const nblocks = Number(attr(g, 'nblocks') ?? NaN);
  if (!Number.isInteger(nblocks) || nblocks < 1) throw new InputError(`${path}: ${g.path} has no valid "nblocks" attribute (got ${String(attr(g, 'nblocks'))})`);
  const byName = new Map<string, Column>();
  let rows = -1;
  for (let k = 0; k < nblocks; k++) {
    const items = stringList(dataset(g, `block${k}_items`, path), path);
    const values = dataset(g, `block${k}_values`, path);
    const shape = values.shape ?? [];
    if (shape.length !== 2) throw new InputError(`${path}: ${values.path} has shape [${shape.join(', ')}], expected 2-D`);
    // pandas writes the (items × rows) block transposed, i.e. as rows × items row-major, and flags it.
    const transposed = Number(attr(values, 'transposed') ?? 0) !== 0;
    const [n, nk] = transposed ? shape : [shape[1], shape[0]];
    if (nk !== items.length) throw new InputError(`${path}: ${values.path} has ${nk} columns but block${k}_items names ${items.length}`);
    if (rows >= 0 && n !== rows) throw new InputError(`${path}: ${values.path} has ${n} rows, earlier blocks ${rows}`);
    rows = n;
    const where = `${path}: ${values.path}`;
    const cols = transposed ? splitRowMajor(values.value, n, nk, where) : splitColumnMajor(toFloatColumn(values.value, where), n, nk, where);
    items.forEach((name, j) => byName.set(name, cols[j]));
  }
  const missing = names.filter((n) => !byName.has(n));
  if (missing.length) throw new InputError(`${path}: columns ${missing.join(', ')} of ${g.path}/axis0 are in no block`);
  return { names, cols: names.map((n) => byName.get(n)!) };
}

function readTable(g: Group, path: string): { names: string[]; cols: Column[] } {
  const ds = dataset(g, 'table', path);
  const meta = ds.metadata as { compound_type?: { members: { name: string; array_type?: { shape: number[] } }[] } };
  const members = meta.compound_type?.members ?? [];
  const rows = (ds.value ?? []) as unknown[][];
  const n = rows.length;
  const names: string[] = [];
  const cols: Column[] = [];
  members.forEach((m, mi) => {
    if (m.name === 'index') return;
    const width = m.array_type ? m.array_type.shape.reduce((a, b) => a * b, 1) : 1;
    const kind = asText(attr(ds, `${m.name}_kind`));
    const memberNames = m.array_type ? (kind ? unpickleNames(kind) : []) : [m.name];
    if (memberNames.length !== width)
      throw new InputError(`${path}: ${ds.path} member ${m.name} has ${width} values per row but ${memberNames.length} names`);
    const block = memberNames.map(() => new Float64Array(n));
    for (let i = 0; i < n; i++) {
      const cell = rows[i][mi];
      for (let j = 0; j < width; j++) {
        const v = Array.isArray(cell) || ArrayBuffer.isView(cell) ? (cell as ArrayLike<number | bigint>)[j] : (cell as number | bigint);
        block[j][i] = Number(v);
      }
    }
    names.push(...memberNames);
    cols.push(...block);
  });
  return { names, cols };
}

/**
 * Read a pandas DataFrame stored with `to_hdf` (fixed or table format). Integer and bool columns become
 * Float64Array. Units: those stored by {@link writeHdf5}, else "GeV" for LHCO momenta/masses and "" otherwise.
 * @throws InputError for a missing, empty, truncated or non-HDF5 file, an ambiguous or unknown key
 *   (DataFrames in subgroups, as pandas' `key='events/df'` writes them, are named with the key to
 *   pass), a file without a DataFrame (h5py's one dataset per column or 2-D dataset, said so), or an
 *   unsupported compression filter (e.g. Blosc).
 */
export async function readHdf5(path: string, options: { key?: string } = {}): Promise<EventTable> {
  await checkHdf5File(path);
  const lib = await h5();
  return quietHdf5(path, () => {
    let f: InstanceType<typeof lib.File>;
    try {
      f = new lib.File(resolve(path), 'r');
    } catch (err) {
      throw new InputError(`${path}: HDF5 could not open the file (${hdf5Cause(String(err)) ?? String(err)})`, { cause: err });
    }
    try {
      return readFrame(f, path, options.key);
    } finally {
      f.close();
    }
  });
}

/** The DataFrame under `key` (or the root's only object) of an open file. */
function readFrame(f: H5File, path: string, key?: string): EventTable {
  key = chooseKey(f, path, key);
  const g = f.get(key);
  if (!(g instanceof h5wasm.Group)) {
    const layout = otherLayout(f);
    throw new InputError(`${path}: "${key}" is ${layout ? `a dataset: ${layout}` : 'not a group; expected a pandas DataFrame written by to_hdf'}`);
  }
  const group = g as Group;
  const kind = asText(attr(group, 'pandas_type'));
  let data: { names: string[]; cols: Column[] };
  if (kind === 'frame') data = readFixed(group, path);
  else if (kind === 'frame_table') data = readTable(group, path);
  else {
    const below = kind === undefined ? frameKeys(group) : [];
    throw new InputError(
      `${path}: "${key}" has pandas_type ${kind === undefined ? '(none)' : `"${kind}"`}; expected a DataFrame ("frame" or "frame_table")` +
        (below.length ? `; it is a group: ${keyHint(below)}` : ''),
    );
  }
  const unitsText = asText(attr(group, UNITS_ATTR));
  const stored = unitsText ? (JSON.parse(unitsText) as Record<string, Unit>) : {};
  return new EventTable(new Map(data.names.map((n, i) => [n, data.cols[i]])), unitsFor(data.names, stored, 'lhco'));
}

/**
 * Write `table` in pandas' fixed HDF5 layout (`pd.read_hdf(path, key)` reads it back): one block per
 * dtype (float64, float32), column names as fixed-length ASCII, a 0…N−1 int64 index, units as JSON
 * in the group attr `sidewinder_units`. Atomic (temp file + rename).
 */
export async function writeHdf5(table: EventTable, path: string, options: { key?: string } = {}): Promise<void> {
  const key = options.key ?? 'df';
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new ConfigError(`writeHdf5: key "${key}" must be a plain identifier (pandas/PyTables natural naming)`);
  const names = table.columnNames;
  if (names.length === 0) throw new ConfigError(`writeHdf5: ${path}: the table has no columns`);
  const lib = await h5();
  await produceFileAtomic(path, (tmp) => {
    const f = new lib.File(resolve(tmp), 'w');
    try {
      const g = f.create_group(key);
      const blocks: { dtype: '<d' | '<f'; names: string[] }[] = [];
      for (const n of names) {
        const dtype = table.column(n) instanceof Float32Array ? '<f' : '<d';
        let b = blocks.find((x) => x.dtype === dtype);
        if (!b) blocks.push((b = { dtype, names: [] }));
        b.names.push(n);
      }
      for (const [k, v] of Object.entries({
        pandas_type: 'frame', pandas_version: '0.15.2', encoding: 'UTF-8', errors: 'strict',
        axis0_variety: 'regular', axis1_variety: 'regular',
      })) g.create_attribute(k, v);
      g.create_attribute('ndim', 2);
      g.create_attribute('nblocks', blocks.length);
      g.create_attribute(UNITS_ATTR, JSON.stringify(Object.fromEntries(names.map((n) => [n, table.unit(n)]))));
      const strings = (name: string, values: string[]) => {
        const width = Math.max(1, ...values.map((s) => Buffer.byteLength(s)));
        const ds = g.create_dataset({ name, data: values, shape: [values.length], dtype: `A${width}` });
        ds.create_attribute('kind', 'string'); // no 'name' attr: pandas then reads the index name as None
        ds.create_attribute('transposed', 1);
      };
      strings('axis0', names);
      const index = new BigInt64Array(table.length);
      for (let i = 0; i < index.length; i++) index[i] = BigInt(i);
      const ax1 = g.create_dataset({ name: 'axis1', data: index, shape: [table.length], dtype: '<q' });
      ax1.create_attribute('kind', 'integer');
      ax1.create_attribute('transposed', 1);
      blocks.forEach((b, k) => {
        g.create_attribute(`block${k}_items_variety`, 'regular');
        strings(`block${k}_items`, b.names);
        const nk = b.names.length, n = table.length;
        const flat = b.dtype === '<f' ? new Float32Array(n * nk) : new Float64Array(n * nk);
        b.names.forEach((name, j) => {
          const c = table.column(name);
          for (let i = 0, o = j; i < n; i++, o += nk) flat[o] = c[i];
        });
        const ds = g.create_dataset({ name: `block${k}_values`, data: flat, shape: [n, nk], dtype: b.dtype });
        ds.create_attribute('transposed', 1);
      });
    } finally {
      f.close();
    }
  });
}
