import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomicSync } from '../util/atomicWrite.js';
import { InputError } from '../util/errors.js';

/** Arrays a task result may carry beside its JSON (scores, weights): stored as raw little-endian bytes. */
export type CachedArrays = Record<string, Float32Array | Float64Array | Uint8Array | Uint32Array>;

/** One cached task result: its JSON summary and named arrays. */
export interface CacheEntry<T = unknown> {
  key: string;
  value: T;
  arrays: CachedArrays;
}

/**
 * What the cache holds under a key. `damaged`: a manifest exists but the entry cannot be trusted
 * (unparsable manifest, an array file missing, truncated or not matching its checksum, or a
 * version-1 manifest written without checksums — `legacy`). A damaged entry counts as absent:
 * callers recompute it and say so with `reason`.
 */
export type CacheLookup<T = unknown> =
  | { readonly status: 'hit'; readonly entry: CacheEntry<T> }
  | { readonly status: 'absent' }
  | { readonly status: 'damaged'; readonly reason: string; readonly legacy: boolean };

const ARRAY_TYPES = { Float32Array, Float64Array, Uint8Array, Uint32Array } as const;
type ArrayTypeName = keyof typeof ARRAY_TYPES;

/** Manifest version: 2 added the SHA-256 of each array file and of the JSON value. */
export const CACHE_ENTRY_VERSION = 2;

interface Manifest {
  schema: 'sidewinder/cache-entry';
  version: typeof CACHE_ENTRY_VERSION;
  key: string;
  value: unknown;
  /** SHA-256 (hex) of `JSON.stringify(value)`. */
  valueSha256: string;
  arrays: { name: string; type: ArrayTypeName; length: number; file: string; sha256: string }[];
}

const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/**
 * Content-addressed cache of task results. A key is a hash of everything a result depends on
 * (dataset hash, window, method, configuration, seed). An entry is complete when its manifest
 * exists: array files are written first, the manifest last, each atomically (temp file + rename),
 * so a scan killed at any moment never reads a half-written result and resumes from what finished.
 *
 * Integrity: the manifest records the SHA-256 of every array file and of the JSON value, and every
 * read verifies them ({@link lookup}). An entry damaged after it was written (a file deleted,
 * truncated, zeroed or with a flipped bit, a garbled manifest) is reported as `damaged` and never
 * returned: the scan recomputes it. Entries of cache-entry version 1 carry no checksums and are
 * treated as damaged too (recomputed once, then stored with checksums).
 */
export class ResultCache {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  private entryDir(key: string): string {
    if (!/^[0-9a-f]{16,}$/.test(key)) throw new InputError(`cache: key "${key}" is not a hex digest`);
    return join(this.dir, key.slice(0, 2), key);
  }

  /** True when an intact (checksum-verified) entry exists. */
  has(key: string): boolean {
    return this.lookup(key).status === 'hit';
  }

  /** The entry when present and intact; undefined when absent or damaged (see {@link lookup} for why). */
  get<T>(key: string): CacheEntry<T> | undefined {
    const r = this.lookup<T>(key);
    return r.status === 'hit' ? r.entry : undefined;
  }

  /** Read and verify an entry: its manifest, each array's size and SHA-256, and the value's SHA-256. */
  lookup<T>(key: string): CacheLookup<T> {
    const dir = this.entryDir(key);
    const manifestPath = join(dir, 'manifest.json');
    if (!existsSync(manifestPath)) return { status: 'absent' };
    const damaged = (reason: string, legacy = false): CacheLookup<T> => ({ status: 'damaged', reason, legacy });
    let manifest: Manifest;
    try {
      manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
    } catch (err) {
      return damaged(`manifest.json is not valid JSON (${(err as Error).message})`);
    }
    if (manifest?.schema !== 'sidewinder/cache-entry') return damaged(`manifest.json is not a sidewinder cache entry (schema ${JSON.stringify(manifest?.schema)})`);
    if ((manifest.version as number) === 1) return damaged('written by an older sidewinder without checksums (cache-entry version 1)', true);
    if (manifest.version !== CACHE_ENTRY_VERSION) return damaged(`manifest.json has cache-entry version ${JSON.stringify(manifest.version)}, expected ${CACHE_ENTRY_VERSION}`);
    if (manifest.key !== key) return damaged(`manifest.json belongs to key ${JSON.stringify(manifest.key)}`);
    if (!Array.isArray(manifest.arrays)) return damaged('manifest.json lists no arrays');
    if (sha256(JSON.stringify(manifest.value) ?? '') !== manifest.valueSha256) return damaged('the value in manifest.json does not match its SHA-256');
    const arrays: CachedArrays = {};
    for (const a of manifest.arrays) {
      // The file name is checked too: a garbled manifest must not make us read outside the entry.
      if (!a || !(a.type in ARRAY_TYPES) || !Number.isInteger(a.length) || a.length < 0 || typeof a.file !== 'string' || !/^[\w.-]+\.bin$/.test(a.file))
        return damaged(`manifest.json has a malformed array record ${JSON.stringify(a)}`);
      const Ctor = ARRAY_TYPES[a.type];
      let bytes: Buffer;
      try {
        bytes = readFileSync(join(dir, a.file));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        return damaged(code === 'ENOENT' ? `${a.file} is missing` : `${a.file} cannot be read (${code ?? (err as Error).message})`);
      }
      const expected = a.length * Ctor.BYTES_PER_ELEMENT;
      if (bytes.byteLength !== expected) return damaged(`${a.file} has ${bytes.byteLength} bytes, expected ${a.length} × ${Ctor.BYTES_PER_ELEMENT} = ${expected}`);
      if (sha256(bytes) !== a.sha256) return damaged(`${a.file} does not match its SHA-256 checksum`);
      // Copy into an aligned buffer: Buffer slices may not be aligned for Float64Array.
      const out = new Ctor(a.length);
      new Uint8Array(out.buffer).set(bytes);
      arrays[a.name] = out;
    }
    return { status: 'hit', entry: { key, value: manifest.value as T, arrays } };
  }

  /** Store a result: arrays first, then the manifest (with their checksums) that marks the entry complete. */
  put<T>(key: string, value: T, arrays: CachedArrays = {}): void {
    const dir = this.entryDir(key);
    mkdirSync(dir, { recursive: true });
    const list: Manifest['arrays'] = [];
    for (const [name, a] of Object.entries(arrays)) {
      const type = a.constructor.name as ArrayTypeName;
      if (!(type in ARRAY_TYPES)) throw new TypeError(`cache.put: array "${name}" has unsupported type ${type}`);
      if (!/^[\w.-]+$/.test(name)) throw new TypeError(`cache.put: array name "${name}" is not a plain file name`);
      const file = `${name}.bin`;
      const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
      writeFileAtomicSync(join(dir, file), bytes);
      list.push({ name, type, length: a.length, file, sha256: sha256(bytes) });
    }
    const valueJson = JSON.stringify(value) ?? '';
    const manifest: Manifest = {
      schema: 'sidewinder/cache-entry', version: CACHE_ENTRY_VERSION, key, value, valueSha256: sha256(valueJson), arrays: list,
    };
    writeFileAtomicSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  }

  /** Keys of all entries with a manifest (complete when written; {@link lookup} verifies them). */
  keys(): string[] {
    if (!existsSync(this.dir)) return [];
    const out: string[] = [];
    for (const prefix of readdirSync(this.dir)) {
      const sub = join(this.dir, prefix);
      if (prefix.length !== 2) continue;
      for (const key of readdirSync(sub)) if (existsSync(join(sub, key, 'manifest.json'))) out.push(key);
    }
    return out;
  }

  delete(key: string): void {
    rmSync(this.entryDir(key), { recursive: true, force: true });
  }
}
