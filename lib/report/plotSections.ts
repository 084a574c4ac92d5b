/**
 * The plots of a single-page report (search, sensitivity): each rendered to an SVG file in the
 * output directory and inlined as a titled, captioned section of the page.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { escapeHtml, namespaceSvgIds } from './html.js';
import { renderSvg } from './render.js';
import type { PlotSpec } from './plots/common.js';

/** Render `plots` into `<outDir>/<id>.svg` (atomically) and return the page's sections and the SVG paths. */
export async function writePlotSections(plots: readonly PlotSpec[], outDir: string): Promise<{ sections: string[]; svgs: string[] }> {
  mkdirSync(outDir, { recursive: true });
  const sections: string[] = [];
  const svgs: string[] = [];
  for (const p of plots) {
    const svg = await renderSvg(p.spec);
    const path = join(outDir, `${p.id}.svg`);
    await writeFileAtomic(path, svg);
    svgs.push(path);
    sections.push(`<section><h2>${escapeHtml(p.title)}</h2>${namespaceSvgIds(svg, p.id)}<p class="caption">${escapeHtml(p.caption)}</p></section>`);
  }
  return { sections, svgs };
}
