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

const ARRAY_TYPES = { Float32Array, Float64Array, Uint8Array, Uint32Array } as const;
type ArrayTypeName = keyof typeof ARRAY_TYPES;

interface Manifest {
  schema: 'sidewinder/cache-entry';
  version: 1;
  key: string;
  value: unknown;
  arrays: { name: string; type: ArrayTypeName; length: number; file: string }[];
}

/**
 * Content-addressed cache of task results. A key is a hash of everything a result depends on
 * (dataset hash, window, method, configuration, seed). An entry is complete when its manifest
 * exists: array files are written first, the manifest last, each atomically (temp file + rename),
 * so a scan killed at any moment never reads a half-written result and resumes from what finished.
 */
export class ResultCache {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  private entryDir(key: string): string {
    if (!/^[0-9a-f]{16,}$/.test(key)) throw new InputError(`cache: key "${key}" is not a hex digest`);
    return join(this.dir, key.slice(0, 2), key);
  }

  has(key: string): boolean {
    return existsSync(join(this.entryDir(key), 'manifest.json'));
  }

  /** The entry, or undefined when absent or incomplete. */
  get<T>(key: string): CacheEntry<T> | undefined {
    const dir = this.entryDir(key);
    const manifestPath = join(dir, 'manifest.json');
    if (!existsSync(manifestPath)) return undefined;
    let manifest: Manifest;
    try {
      manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
    } catch (err) {
      throw new InputError(`cache: entry ${manifestPath} is not valid JSON (${(err as Error).message}); delete it to recompute`);
    }
    const arrays: CachedArrays = {};
    for (const a of manifest.arrays) {
      const bytes = readFileSync(join(dir, a.file));
      const Ctor = ARRAY_TYPES[a.type];
      if (bytes.byteLength !== a.length * Ctor.BYTES_PER_ELEMENT)
        throw new InputError(`cache: ${join(dir, a.file)} has ${bytes.byteLength} bytes, expected ${a.length} × ${Ctor.BYTES_PER_ELEMENT}`);
      // Copy into an aligned buffer: Buffer slices may not be aligned for Float64Array.
      const out = new Ctor(a.length);
      new Uint8Array(out.buffer).set(bytes);
      arrays[a.name] = out;
    }
    return { key, value: manifest.value as T, arrays };
  }

  /** Store a result: arrays first, then the manifest that marks the entry complete. */
  put<T>(key: string, value: T, arrays: CachedArrays = {}): void {
    const dir = this.entryDir(key);
    mkdirSync(dir, { recursive: true });
    const list: Manifest['arrays'] = [];
    for (const [name, a] of Object.entries(arrays)) {
      const type = a.constructor.name as ArrayTypeName;
      if (!(type in ARRAY_TYPES)) throw new TypeError(`cache.put: array "${name}" has unsupported type ${type}`);
      const file = `${name}.bin`;
      writeFileAtomicSync(join(dir, file), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
      list.push({ name, type, length: a.length, file });
    }
    const manifest: Manifest = { schema: 'sidewinder/cache-entry', version: 1, key, value, arrays: list };
    writeFileAtomicSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  }

  /** Keys of all complete entries. */
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
