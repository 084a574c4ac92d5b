/** Minimal typings for lz4js 0.2 (LZ4 frame format, pure JS). */
declare module 'lz4js' {
  /** Decompress one LZ4 frame; `maxSize` defaults to a bound read from the frame. */
  export function decompress(src: Uint8Array, maxSize?: number): Uint8Array;
  /** Compress into one LZ4 frame. */
  export function compress(src: Uint8Array, maxSize?: number): Uint8Array;
}
