/** PNG decoding for the report tests (signature, IHDR, IDAT inflate + scanline unfiltering), enough to look at pixels. */
import { expect } from 'vitest';
import { inflateSync } from 'node:zlib';

// ---------------------------------------------------------------------------------------------
// PNG decoding (signature, IHDR, IDAT inflate + scanline unfiltering), enough to look at pixels.

export interface DecodedPng {
  width: number;
  height: number;
  channels: number;
  pixels: Uint8Array;
}

export function decodePng(png: Uint8Array): DecodedPng {
  const sig = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  sig.forEach((b, i) => expect(png[i], `PNG signature byte ${i}`).toBe(b));
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let off = 8;
  let width = 0;
  let height = 0;
  let colourType = -1;
  const idat: Uint8Array[] = [];
  while (off < png.length) {
    const len = view.getUint32(off);
    const type = String.fromCharCode(...png.subarray(off + 4, off + 8));
    const data = png.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = view.getUint32(off + 8);
      height = view.getUint32(off + 12);
      expect(data[8], 'bit depth').toBe(8);
      colourType = data[9];
      expect(data[12], 'interlace').toBe(0);
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    off += 12 + len;
  }
  const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[colourType as 0 | 2 | 4 | 6];
  expect(channels, `colour type ${colourType}`).toBeDefined();
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels!;
  expect(raw.length).toBe(height * (stride + 1));
  const pixels = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= channels! ? pixels[y * stride + i - channels!] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + i] : 0;
      const c = y > 0 && i >= channels! ? pixels[(y - 1) * stride + i - channels!] : 0;
      let pred = 0;
      if (filter === 1) pred = a;
      else if (filter === 2) pred = b;
      else if (filter === 3) pred = (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      pixels[y * stride + i] = (line[i] + pred) & 0xff;
    }
  }
  return { width, height, channels: channels!, pixels };
}

/** Number of distinct colours, and the fraction of dark pixels (text, lines). */
export function pixelStats(img: DecodedPng): { colours: number; darkFraction: number } {
  const seen = new Set<number>();
  let dark = 0;
  const n = img.width * img.height;
  for (let p = 0; p < n; p++) {
    const o = p * img.channels;
    const r = img.pixels[o];
    const g = img.channels >= 3 ? img.pixels[o + 1] : r;
    const b = img.channels >= 3 ? img.pixels[o + 2] : r;
    seen.add((r << 16) | (g << 8) | b);
    if (0.299 * r + 0.587 * g + 0.114 * b < 96) dark++;
  }
  return { colours: seen.size, darkFraction: dark / n };
}

