import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * JSON with object keys sorted at every level, so that equal configurations hash equally whatever
 * the order their keys were written in. Typed arrays are not allowed here (hash them with
 * {@link hashArrays}); `undefined` members are dropped as JSON.stringify does.
 */
export function stableStringify(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return JSON.stringify(String(value));
    return JSON.stringify(value) ?? 'null';
  }
  if (ArrayBuffer.isView(value)) throw new TypeError('stableStringify: typed arrays are not hashed as JSON; use hashArrays');
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : stableStringify(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(',')}}`;
}

/** SHA-256 (hex) of a configuration-like value, via {@link stableStringify}. */
export const hashValue = (value: unknown): string => createHash('sha256').update(stableStringify(value)).digest('hex');

/** SHA-256 (hex) of named typed arrays: names, element types, lengths and bytes all enter. */
export function hashArrays(arrays: Record<string, ArrayBufferView>): string {
  const h = createHash('sha256');
  for (const name of Object.keys(arrays).sort()) {
    const a = arrays[name];
    h.update(`${name}:${a.constructor.name}:${a.byteLength};`);
    h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  }
  return h.digest('hex');
}

/** SHA-256 (hex) of a file's bytes, streamed. */
export function hashFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => h.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}
