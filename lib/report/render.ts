/**
 * Vega-Lite spec → SVG (vega, headless) → PNG (resvg). PNG text needs font files: resvg is given
 * DejaVu Sans explicitly and never the system's font list, so PNGs look the same on every machine.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';

// vega, vega-lite (≈ 0.4 s to import together) and resvg load on first use, so commands that draw
// nothing do not pay for them. resvg is CommonJS: a synchronous require keeps svgToPng synchronous.
type ResvgModule = typeof import('@resvg/resvg-js');
let resvgModule: ResvgModule | undefined;
const resvg = (): ResvgModule => (resvgModule ??= createRequire(import.meta.url)('@resvg/resvg-js') as ResvgModule);

/** The font family every plot uses (its files are passed to resvg). */
export const REPORT_FONT_FAMILY = 'DejaVu Sans';

const FONT_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'];

/**
 * Font files for PNG text, first match wins: the `dejavu-fonts-ttf` npm package (a dependency),
 * then Debian's fonts-dejavu-core, then files committed under lib/report/fonts/. Empty when none
 * is found (PNGs then have no text; SVGs are unaffected).
 */
export function reportFontFiles(): string[] {
  const dirs: string[] = [];
  try {
    const require = createRequire(import.meta.url);
    dirs.push(join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf'));
  } catch {
    // not installed: fall through to the system fonts
  }
  dirs.push('/usr/share/fonts/truetype/dejavu', new URL('./fonts/', import.meta.url).pathname);
  for (const dir of dirs) {
    const files = FONT_FILES.map((f) => join(dir, f)).filter((f) => existsSync(f));
    if (files.length) return files;
  }
  return [];
}

/** Render a Vega-Lite spec to an SVG string (no browser, no network). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(vl.compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Options of {@link svgToPng}. */
export interface PngOptions {
  /** Pixel scale relative to the SVG's size (2 = "retina"). */
  scale: number;
  /** Font files; defaults to {@link reportFontFiles}. */
  fontFiles?: string[];
}

export const PNG_DEFAULTS: Readonly<PngOptions> = Object.freeze({ scale: 2 });

/** Rasterise an SVG to PNG bytes with resvg, using only the given font files. */
export function svgToPng(svg: string, options: Partial<PngOptions> = {}): Uint8Array {
  const { scale, fontFiles = reportFontFiles() } = { ...PNG_DEFAULTS, ...options };
  const image = new (resvg().Resvg)(svg, {
    background: 'white',
    fitTo: { mode: 'zoom', value: scale },
    font: {
      fontFiles,
      loadSystemFonts: false,
      defaultFontFamily: REPORT_FONT_FAMILY,
      sansSerifFamily: REPORT_FONT_FAMILY,
    },
  });
  return image.render().asPng();
}
