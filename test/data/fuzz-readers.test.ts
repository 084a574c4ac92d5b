/**
 * Fuzzing the event-file readers: ≥ 1000 mutated files per format (truncations, bit flips, random
 * byte runs, random files, huge sizes written into headers) fed to `readEvents`. Each must end in a
 * typed SidewinderError or a valid EventTable, within a time bound: no crash, hang or runaway memory.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEvents, writeEvents } from '../../lib/data/io/index.js';
import { EventTable } from '../../lib/data/eventTable.js';
import { generateLhcoLike } from '../../lib/data/generate/index.js';
import { SidewinderError } from '../../lib/util/errors.js';
import { createRng, type Rng } from '../../lib/util/rng.js';
import { npyBytes } from '../helpers/npyWrite.js';

const PER_FORMAT = 1000;
/** Per file: a corrupted small file must fail (or read) quickly, far below any hang. */
const MAX_MS_PER_FILE = 5000;

let tmp: string;
const seeds: Record<string, Buffer> = {};

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'sw-fuzz-'));
  const raw = generateLhcoLike({ background: 60, signal: 4, seed: 5 });
  for (const ext of ['h5', 'parquet', 'arrow', 'csv']) {
    const p = join(tmp, `seed.${ext}`);
    await writeEvents(raw, p);
    seeds[ext] = readFileSync(p);
  }
  const sr = new EventTable({
    mJJ: Float64Array.from({ length: 40 }, (_, i) => 3.3 + i * 0.01), mJ1: Float64Array.from({ length: 40 }, () => 0.1),
    deltaMJ: Float64Array.from({ length: 40 }, () => 0.2), tau21J1: Float64Array.from({ length: 40 }, () => 0.5),
    tau21J2: Float64Array.from({ length: 40 }, () => 0.4), label: new Float64Array(40),
  });
  seeds.npy = npyBytes(sr); // the LHCO-SR 6-column layout
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const HUGE = [0xffffffff, 0x7fffffff, 0x80000000, 0x40000000, 0xfffffff0];

/** One mutation of `seed`, chosen by `rng`; the kinds cycle so every kind is exercised. */
function mutate(seed: Buffer, rng: Rng, k: number): Buffer {
  const b = Buffer.from(seed);
  switch (k % 6) {
    case 0: // truncation anywhere, including 0 bytes and 1 byte short
      return b.subarray(0, rng.int(b.length));
    case 1: { // 1–16 bit flips
      for (let n = 1 + rng.int(16); n > 0; n--) b[rng.int(b.length)] ^= 1 << rng.int(8);
      return b;
    }
    case 2: { // a run of random bytes, biased to the header and the footer where sizes live
      const len = 1 + rng.int(32);
      const at = rng.uniform() < 0.5 ? rng.int(Math.min(512, b.length)) : Math.max(0, b.length - 1 - rng.int(Math.min(512, b.length)));
      for (let i = at; i < Math.min(b.length, at + len); i++) b[i] = rng.int(256);
      return b;
    }
    case 3: { // a huge 32-bit (or 64-bit) size written at a random 4-aligned offset near either end
      const near = rng.uniform() < 0.5 ? rng.int(Math.min(256, b.length - 8)) : b.length - 8 - rng.int(Math.min(256, b.length - 8));
      const at = Math.max(0, near - (near % 4));
      b.writeUInt32LE(HUGE[rng.int(HUGE.length)], at);
      if (rng.uniform() < 0.3 && at + 8 <= b.length) b.writeUInt32LE(HUGE[rng.int(HUGE.length)], at + 4);
      return b;
    }
    case 4: { // the magic kept, the rest random (the readers get past their first check)
      const out = Buffer.alloc(8 + rng.int(4096));
      for (let i = 0; i < out.length; i++) out[i] = rng.int(256);
      seed.copy(out, 0, 0, Math.min(8, seed.length));
      if (rng.uniform() < 0.5) seed.copy(out, out.length - 8, seed.length - 8); // and the trailing magic (PAR1, ARROW1)
      return out;
    }
    default: { // a truncation combined with bit flips
      const cut = b.subarray(0, Math.max(1, b.length - rng.int(b.length)));
      for (let n = 1 + rng.int(4); n > 0; n--) cut[rng.int(cut.length)] ^= 1 << rng.int(8);
      return cut;
    }
  }
}

/** Format-specific huge declared sizes: the .npy shape, the Parquet and Arrow footer lengths. */
function declaredSize(ext: string, seed: Buffer, rng: Rng): Buffer | undefined {
  const b = Buffer.from(seed);
  if (ext === 'npy') {
    const text = b.toString('latin1');
    const huge = ['99999999999999', '4294967297', '1e9', '-1', String(2 ** 53)][rng.int(5)];
    return Buffer.from(text.replace(/'shape': \(\d+, 6\)/, `'shape': (${huge}, 6)`), 'latin1');
  }
  if (ext === 'parquet' || ext === 'arrow') {
    // Both end with a little-endian int32 footer length followed by the magic.
    const magic = ext === 'parquet' ? 4 : 6;
    b.writeUInt32LE(HUGE[rng.int(HUGE.length)], b.length - magic - 4);
    return b;
  }
  return undefined;
}

describe('readers survive corrupted files (seeded fuzzing)', () => {
  it.each(['npy', 'csv', 'arrow', 'parquet', 'h5'])(`%s: ${PER_FORMAT} mutated files → typed error or a valid table`, async (ext) => {
    const rng = createRng(20261204).fork(ext);
    const seed = seeds[ext];
    const outcomes = { table: 0, error: 0 };
    let slowest = 0;
    // (h5wasm prints the HDF5 error stack of each damaged file to stderr, below the JS layer: expected noise.)
    for (let k = 0; k < PER_FORMAT; k++) {
      const bytes = (k % 10 === 9 ? declaredSize(ext, seed, rng) : undefined) ?? mutate(seed, rng, k);
      const p = join(tmp, `m${k}.${ext}`);
      writeFileSync(p, bytes);
      const t0 = performance.now();
      const result = await readEvents(p).then(
        (t) => t,
        (e: unknown) => e,
      );
      const ms = performance.now() - t0;
      slowest = Math.max(slowest, ms);
      rmSync(p);
      if (result instanceof EventTable) {
        outcomes.table++;
        for (const n of result.columnNames) expect(result.column(n).length).toBe(result.length);
      } else {
        if (!(result instanceof SidewinderError)) throw new Error(`${ext} mutation ${k}: untyped ${String(result)}`);
        outcomes.error++;
        expect(result.message.length).toBeGreaterThan(0);
      }
      expect(ms, `${ext} mutation ${k} took ${ms.toFixed(0)} ms`).toBeLessThan(MAX_MS_PER_FILE);
    }
    // Both outcomes occur: bit flips in the data section give valid (different) tables.
    expect(outcomes.error).toBeGreaterThan(PER_FORMAT / 10);
    expect(outcomes.table + outcomes.error).toBe(PER_FORMAT);
    console.log(`${ext}: ${outcomes.table} tables, ${outcomes.error} typed errors, slowest ${slowest.toFixed(0)} ms`);
  }, 120_000);
});
