import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, rmSync, statSync } from 'node:fs';
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

  it('leaves no temporary files behind', () => {
    const d = dir();
    const c = new ResultCache(d);
    c.put(key, {}, { a: new Float64Array(10) });
    const entry = join(d, key.slice(0, 2), key);
    expect(readdirSync(entry).some((f) => f.endsWith('.tmp'))).toBe(false);
  });

  // Each way an entry can be damaged after it was written: never returned, reported with a reason.
  const damage: [string, (entry: string) => void, RegExp, boolean?][] = [
    ['one byte flipped', (e) => { const b = readFileSync(join(e, 'scores.bin')); b[13] ^= 0x01; writeFileSync(join(e, 'scores.bin'), b); }, /scores\.bin does not match its SHA-256 checksum/],
    ['zeroed in place (same size)', (e) => writeFileSync(join(e, 'scores.bin'), new Uint8Array(statSync(join(e, 'scores.bin')).size)), /scores\.bin does not match its SHA-256/],
    ['array file deleted', (e) => rmSync(join(e, 'scores.bin')), /scores\.bin is missing/],
    ['truncated', (e) => writeFileSync(join(e, 'scores.bin'), readFileSync(join(e, 'scores.bin')).subarray(0, 12)), /scores\.bin has 12 bytes, expected 4 × 8 = 32/],
    ['garbage manifest', (e) => writeFileSync(join(e, 'manifest.json'), '{"schema": "sidewinder/cache-entry", "vers\u0000'), /manifest\.json is not valid JSON/],
    ['value edited in the manifest', (e) => { const m = JSON.parse(readFileSync(join(e, 'manifest.json'), 'utf8')); m.value.nSR = 5; writeFileSync(join(e, 'manifest.json'), JSON.stringify(m)); }, /value in manifest\.json does not match its SHA-256/],
    ['a path outside the entry in the manifest', (e) => { const m = JSON.parse(readFileSync(join(e, 'manifest.json'), 'utf8')); m.arrays[0].file = '../../x.bin'; writeFileSync(join(e, 'manifest.json'), JSON.stringify(m)); }, /malformed array record/],
    ['version-1 manifest (no checksums)', (e) => { const m = JSON.parse(readFileSync(join(e, 'manifest.json'), 'utf8')); m.version = 1; delete m.valueSha256; for (const a of m.arrays) delete a.sha256; writeFileSync(join(e, 'manifest.json'), JSON.stringify(m)); }, /without checksums \(cache-entry version 1\)/, true],
  ];
  it.each(damage)('a damaged entry (%s) is reported, never returned, and can be rewritten', (_what, corrupt, reason, legacy = false) => {
    const d = dir();
    const c = new ResultCache(d);
    const scores = new Float64Array([0.25, 0.5, 0.75, 1]);
    c.put(key, { nSR: 4 }, { scores, folds: new Uint8Array([0, 1, 0, 1]) });
    expect(c.lookup(key).status).toBe('hit');
    corrupt(join(d, key.slice(0, 2), key));
    const found = c.lookup(key);
    expect(found.status).toBe('damaged');
    if (found.status !== 'damaged') return;
    expect(found.reason).toMatch(reason);
    expect(found.legacy).toBe(legacy);
    expect(c.has(key)).toBe(false);
    expect(c.get(key)).toBeUndefined();
    c.delete(key);
    expect(c.lookup(key).status).toBe('absent');
    c.put(key, { nSR: 4 }, { scores, folds: new Uint8Array([0, 1, 0, 1]) });
    expect(c.get<{ nSR: number }>(key)!.arrays.scores).toEqual(scores);
  });

  it('keys must be hex digests', () => {
    expect(() => new ResultCache(dir()).has('../etc')).toThrow(/not a hex digest/);
  });
});
