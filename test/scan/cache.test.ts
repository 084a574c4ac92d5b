import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, writeFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResultCache } from '../../lib/scan/cache.js';
import { hashValue, stableStringify, hashArrays } from '../../lib/scan/hash.js';

const dir = (): string => mkdtempSync(join(tmpdir(), 'sw-cache-'));

describe('stable hashing', () => {
  it('key order does not matter; values and nesting do', () => {
    expect(stableStringify({ b: 1, a: { d: [1, 2], c: 'x' } })).toBe('{"a":{"c":"x","d":[1,2]},"b":1}');
    expect(hashValue({ a: 1, b: 2 })).toBe(hashValue({ b: 2, a: 1 }));
    expect(hashValue({ a: 1, b: 2 })).not.toBe(hashValue({ a: 1, b: 3 }));
    expect(hashValue({ a: [1, 2] })).not.toBe(hashValue({ a: [2, 1] }));
    expect(hashValue({ a: 1, b: undefined })).toBe(hashValue({ a: 1 }));
  });
  it('array hashes depend on names, types and bytes', () => {
    const x = new Float64Array([1, 2, 3]);
    expect(hashArrays({ x })).toBe(hashArrays({ x: new Float64Array([1, 2, 3]) }));
    expect(hashArrays({ x })).not.toBe(hashArrays({ y: x }));
    expect(hashArrays({ x })).not.toBe(hashArrays({ x: new Float32Array([1, 2, 3]) }));
    expect(hashArrays({ x })).not.toBe(hashArrays({ x: new Float64Array([1, 2, 4]) }));
  });
});

describe('ResultCache', () => {
  const key = hashValue({ task: 1 });

  it('round-trips JSON values and typed arrays exactly', () => {
    const c = new ResultCache(dir());
    const scores = new Float64Array([0.1, Math.PI, -0, 1e-300]);
    const folds = new Uint8Array([0, 4, 2, 1]);
    c.put(key, { nSR: 4, meta: { m: 'iad' } }, { scores, folds, f32: new Float32Array([1.5, 2.5]) });
    const e = c.get<{ nSR: number }>(key)!;
    expect(e.value.nSR).toBe(4);
    expect(e.arrays.scores).toEqual(scores);
    expect(Object.is((e.arrays.scores as Float64Array)[2], -0)).toBe(true);
    expect(e.arrays.folds).toEqual(folds);
    expect(e.arrays.f32).toBeInstanceOf(Float32Array);
    expect(c.keys()).toEqual([key]);
  });

  it('an entry without its manifest (a killed write) counts as absent and is recomputed', () => {
    const d = dir();
    const c = new ResultCache(d);
    c.put(key, { ok: true }, { a: new Float64Array([1]) });
    rmSync(join(d, key.slice(0, 2), key, 'manifest.json'));
    expect(c.has(key)).toBe(false);
    expect(c.get(key)).toBeUndefined();
    c.put(key, { ok: 2 }, { a: new Float64Array([2]) });
    expect(c.get<{ ok: number }>(key)!.value.ok).toBe(2);
  });

  it('leaves no temporary files behind and refuses truncated arrays with a clear error', () => {
    const d = dir();
    const c = new ResultCache(d);
    c.put(key, {}, { a: new Float64Array(10) });
    const entry = join(d, key.slice(0, 2), key);
    expect(readdirSync(entry).some((f) => f.endsWith('.tmp'))).toBe(false);
    writeFileSync(join(entry, 'a.bin'), new Uint8Array(12));
    expect(() => c.get(key)).toThrow(/a\.bin has 12 bytes, expected 10 × 8/);
    expect(existsSync(entry)).toBe(true);
  });

  it('keys must be hex digests', () => {
    expect(() => new ResultCache(dir()).has('../etc')).toThrow(/not a hex digest/);
  });
});
