import { describe, expect, it, beforeAll } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { spawnSync } from 'node:child_process';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { syntheticResults, SYNTHETIC_NOTE } from '../helpers/syntheticResults.js';
import { aggregateRuns, type ResultsDocument } from '../../lib/scan/results.js';
import { summarizeRuns } from '../../lib/stats/runs.js';
import { validateResults } from '../../lib/scan/validateResults.js';
import { writeResults } from '../../lib/scan/writeResults.js';
import {
  buildPlots,
  deltaSysPoints,
  featureBins,
  globalZPoints,
  namespaceSvgIds,
  readResults,
  renderSvg,
  reportFontFiles,
  rocPoints,
  thinRocIndices,
  SIGNIFICANCE_POINT_MARK,
  significancePlot,
  significancePoints,
  spectrumPoints,
  svgToPng,
  writeReport,
} from '../../lib/report/index.js';
import { InputError } from '../../lib/util/errors.js';
import { decodePng, pixelStats } from './png.js';

const repoRoot = new URL('../../', import.meta.url).pathname;
const tmp = () => mkdtempSync(join(tmpdir(), 'sidewinder-report-'));
const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

/** A small synthetic document: 3 runs, all optional parts. */
const small = syntheticResults({ nRuns: 3 });
/** Only what every scan writes: no δsys study, LEE, ROC, spectra, features or fits. */
const bare = syntheticResults({
  nRuns: 2,
  include: { deltaSys: false, lookElsewhere: false, roc: false, mjjSpectra: false, featureHistograms: false, bumpHunt: false },
});

/** Tag balance of an HTML document with inline SVG: every non-void element closed, in order. */
function unbalancedTags(html: string): string[] {
  const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
  const stack: string[] = [];
  const problems: string[] = [];
  const body = html.replace(/<!--[\s\S]*?-->/g, '').replace(/<!DOCTYPE[^>]*>/i, '');
  for (const m of body.matchAll(/<(\/?)([a-zA-Z][\w:-]*)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>/g)) {
    const [, closing, rawName, , selfClosing] = m;
    const name = rawName.toLowerCase();
    if (closing) {
      const top = stack.pop();
      if (top !== name) problems.push(`</${name}> closes <${top}>`);
    } else if (!selfClosing && !VOID.has(name)) stack.push(name);
  }
  if (stack.length) problems.push(`unclosed: ${stack.join(' > ')}`);
  return problems;
}

// ---------------------------------------------------------------------------------------------

describe('results document: summaries over runs', () => {
  it('run summaries match the closed forms (mean, ddof-1 std, linear-interpolation quantiles)', () => {
    const s = summarizeRuns([4, 1, 3, 2]);
    expect(s.n).toBe(4);
    expect(s.mean).toBe(2.5);
    expect(s.std).toBeCloseTo(Math.sqrt(5 / 3), 14);
    expect(s.median).toBe(2.5);
    // h = (n − 1) q: q16 → 0.48 → 1 + 0.48; q84 → 2.52 → 3 + 0.52
    expect(s.q16).toBeCloseTo(1.48, 14);
    expect(s.q84).toBeCloseTo(3.52, 14);
    expect(summarizeRuns([7]).std).toBe(0);
    expect(summarizeRuns([4, 1, 3, 2])).toMatchObject({ min: 1, max: 4, stdErr: Math.sqrt(5 / 3) / 2 });
    expect(summarizeRuns([0, 10]).q16).toBeCloseTo(1.6, 14);
    expect(() => summarizeRuns([])).toThrow(/empty/);
  });

  it('aggregateRuns groups runs by (window, method, ε_B) and summarises each quantity', () => {
    const runs = small.runs;
    const aggs = aggregateRuns(runs);
    expect(aggs.length).toBe(9 * 3 * 3);
    for (const a of aggs) {
      const mine = runs.filter((r) => r.windowId === a.windowId && r.method === a.method && r.epsilonB === a.epsilonB);
      expect(a.nRuns).toBe(mine.length);
      expect(a.z.cowan.mean).toBeCloseTo(mine.reduce((s, r) => s + r.zCowan, 0) / mine.length, 12);
      expect(a.nObs.median).toBe(summarizeRuns(mine.map((r) => r.nObs)).median);
    }
  });
});

describe('results document: schema and validation', () => {
  it('the synthetic document is valid and survives a JSON round trip', () => {
    expect(small.notes).toContain(SYNTHETIC_NOTE);
    expect(() => validateResults(small, 'small')).not.toThrow();
    expect(() => validateResults(clone(small), 'small')).not.toThrow();
    expect(() => validateResults(bare, 'bare')).not.toThrow();
  });

  const cases: { name: string; mutate: (d: ResultsDocument & Record<string, unknown>) => void; message: RegExp[] }[] = [
    { name: 'wrong schema tag', mutate: (d) => void ((d as { schema: string }).schema = 'sidewinder/model'), message: [/not a results document/, /"sidewinder\/model"/] },
    { name: 'unsupported version', mutate: (d) => void ((d as { version: number }).version = 2), message: [/version 2 is not supported/] },
    { name: 'unknown top-level key', mutate: (d) => void (d.extra = 1), message: [/unknown property "extra"/, /schema #\/additionalProperties/] },
    { name: 'negative count', mutate: (d) => void (d.runs[3].nObs = -1), message: [/at \/runs\/3\/nObs: must be >= 0/, /schema #\/\$defs\/cellRun\/properties\/nObs\/minimum/] },
    { name: 'missing required field', mutate: (d) => void delete (d.aggregates[0] as Partial<typeof d.aggregates[0]>).z, message: [/at \/aggregates\/0: must have required property 'z'/, /#\/\$defs\/cellAggregate\/required/] },
    { name: 'unknown method', mutate: (d) => void ((d.runs[0] as { method: string }).method = 'cwolaa'), message: [/at \/runs\/0\/method: must be one of \["iad","cwola","cathode","anode"\]/] },
    { name: 'bad hash', mutate: (d) => void (d.dataset.sha256 = 'abc'), message: [/at \/dataset\/sha256/] },
    { name: 'window not in config', mutate: (d) => void (d.runs[5].windowId = 42), message: [/inconsistent/, /at \/runs\/5\/windowId: window 42 is not in config.windows/] },
    { name: 'ε_B not in config', mutate: (d) => void (d.aggregates[1].epsilonB = 0.5), message: [/at \/aggregates\/1\/epsilonB: 0.5 is not in config.epsilonB/] },
    { name: 'histogram length', mutate: (d) => void d.mjjSpectra!.afterCut[2].counts.pop(), message: [/at \/mjjSpectra\/afterCut\/2\/counts: 39 bins, but 41 edges make 40/] },
    { name: 'centre not the middle', mutate: (d) => void (d.config.windows[0].centre = 3.0), message: [/at \/config\/windows\/0\/centre: 3 is not \(srLow \+ srHigh\)\/2/] },
    { name: 'ROC lengths', mutate: (d) => void d.roc![0].tpr.pop(), message: [/at \/roc\/0: fpr has 62 points, tpr 61/] },
  ];
  for (const c of cases)
    it(`rejects: ${c.name}`, () => {
      const d = clone(small) as ResultsDocument & Record<string, unknown>;
      c.mutate(d);
      let err: unknown;
      try {
        validateResults(d, 'results/bad.json');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      const msg = (err as Error).message;
      expect(msg.startsWith('results/bad.json: ')).toBe(true);
      for (const re of c.message) expect(msg).toMatch(re);
    });

  it('writeResults → readResults round-trips; an invalid document is refused before anything is written', async () => {
    const dir = tmp();
    const path = join(dir, 'results.json');
    await writeResults(small, path);
    expect(await readResults(path)).toEqual(clone(small));
    const bad = clone(small);
    bad.runs[0].zCowan = Number.NaN; // JSON turns NaN into null: not a number
    await expect(writeResults(bad, join(dir, 'bad.json'))).rejects.toThrow(/results document for .*bad\.json: does not match .*at \/runs\/0\/zCowan: must be number/s);
    expect(readdirSync(dir)).toEqual(['results.json']);
  });

  it('readResults names the file for unreadable and non-JSON input', async () => {
    const dir = tmp();
    await expect(readResults(join(dir, 'absent.json'))).rejects.toThrow(/absent\.json: cannot read the results file/);
    writeFileSync(join(dir, 'broken.json'), '{"schema": ');
    await expect(readResults(join(dir, 'broken.json'))).rejects.toThrow(/broken\.json: not valid JSON/);
  });
});

describe('plot specs are pure functions of the results', () => {
  it('significance points equal the aggregates (mean, mean ± std) for every panel', () => {
    for (const statistic of ['cowan', 'simpleOneSided'] as const) {
      const panels = significancePoints(small, { statistic });
      expect(panels.map((p) => p.epsilonB)).toEqual([1e-2, 1e-3, 1e-4]);
      for (const panel of panels) {
        const aggs = small.aggregates.filter((a) => a.epsilonB === panel.epsilonB);
        expect(panel.points.length).toBe(aggs.length);
        // drawn in display order: IAD, CWoLa, CATHODE, each by window centre
        expect(panel.points.map((p) => p.method)).toEqual(['IAD', 'CWoLa', 'CATHODE'].flatMap((m) => new Array<string>(9).fill(m)));
        expect(panel.points.slice(0, 9).map((p) => p.centre)).toEqual(small.config.windows.map((w) => w.centre));
        for (const a of aggs) {
          const w = small.config.windows.find((x) => x.id === a.windowId)!;
          const p = panel.points.find((q) => q.windowId === a.windowId && q.method.toLowerCase() === a.method)!;
          expect(p.centre).toBe(w.centre);
          expect(p.mean).toBe(a.z[statistic].mean);
          expect(p.lo).toBe(a.z[statistic].mean - a.z[statistic].std);
          expect(p.hi).toBe(a.z[statistic].mean + a.z[statistic].std);
        }
      }
    }
  });

  it('the rendered significance points sit at the pixels of the results’ mean Z', async () => {
    const plot = significancePlot(small);
    if (!('plots' in plot)) throw new Error('significance plot missing');
    const view = new vega.View(vega.parse(vl.compile(plot.plots[0].spec).spec), { renderer: 'none' });
    await view.runAsync();
    const y = view.scale('y') as (v: number) => number;
    const found = new Map<number, { datum: { mean: number; windowId: number; method: string; epsilonB: number }; y: number }[]>();
    const walk = (node: { marktype?: string; name?: string; items?: unknown[] }): void => {
      const m = node.name?.match(new RegExp(`^${SIGNIFICANCE_POINT_MARK}_(\\d+)_marks$`));
      if (m) found.set(Number(m[1]), node.items as never);
      for (const it of node.items ?? []) if (it && typeof it === 'object') walk(it as never);
    };
    walk((view.scenegraph() as unknown as { root: never }).root);
    view.finalize();
    expect([...found.keys()].sort()).toEqual([0, 1, 2]);
    const eps = [1e-2, 1e-3, 1e-4];
    for (const [panel, items] of found) {
      const aggs = small.aggregates.filter((a) => a.epsilonB === eps[panel]);
      expect(items.length).toBe(aggs.length);
      for (const it of items) {
        const a = aggs.find((x) => x.windowId === it.datum.windowId && x.method === it.datum.method.toLowerCase())!;
        expect(a).toBeDefined();
        expect(it.y).toBeCloseTo(y(a.z.cowan.mean), 6);
      }
    }
  });

  it('spectrum, δsys, ROC, feature and look-elsewhere data equal the results JSON', () => {
    const s = small.mjjSpectra!;
    const iad = spectrumPoints(small, 'iad');
    const before = iad.filter((p) => p.selection.startsWith('all events'));
    // one point per non-empty bin at its lower edge, plus the closing upper edge
    expect(before.slice(0, -1).map((p) => p.events)).toEqual(s.countsBeforeCut.filter((c) => c > 0));
    expect(before.slice(0, -1).map((p) => p.mJJ)).toEqual(s.edgesTeV.slice(0, -1).filter((_, i) => s.countsBeforeCut[i] > 0));
    const cut = s.afterCut.find((a) => a.method === 'iad' && a.epsilonB === 1e-3)!;
    const drawn = iad.filter((p) => p.selection === 'ε_B = 10⁻³' && p.kind === 'expected background');
    expect(drawn.slice(0, -1).map((p) => p.events)).toEqual(cut.expectedBackground!.filter((c) => c > 0));

    const d = deltaSysPoints(small);
    expect(d.length).toBe(small.deltaSys!.length);
    for (const st of small.deltaSys!) {
      const p = d.find((q) => q.method.toLowerCase() === st.method && q.epsilonB === st.epsilonB && q.source === st.source)!;
      expect(p.mean).toBe(st.mean);
      expect(p.bandHi - p.mean).toBeCloseTo(st.stdErr!, 12);
    }

    const roc = rocPoints(small);
    const c = small.roc![0];
    const mine = roc.filter((p) => p.method.toLowerCase() === c.method);
    expect(mine.length).toBe(c.fpr.filter((f, i) => f > 0 && c.tpr[i] > 0).length);
    for (const p of mine) expect(p.sic).toBeCloseTo(p.tpr / Math.sqrt(p.fpr), 12);

    for (const h of small.featureHistograms!) {
      const bins = featureBins(h);
      const area = (k: 'data' | 'template') => bins.reduce((a, b, i) => a + b[k] * (h.edges[i + 1] - h.edges[i]), 0);
      expect(area('data')).toBeCloseTo(1, 10);
      expect(area('template')).toBeCloseTo(1, 10);
    }

    const g = globalZPoints(small);
    for (const l of small.lookElsewhere!) {
      const zs = g.filter((p) => p.label.startsWith(l.method === 'iad' ? 'IAD' : l.method === 'cwola' ? 'CWoLa' : 'CATHODE')).map((p) => p.z);
      expect(zs).toEqual([l.localZMax, l.globalZ, l.sidakBound.globalZ]);
    }
  });

  it('thins a full-resolution ROC curve to original points spread over the log ε_B range', () => {
    const n = 100_000;
    const fpr = Array.from({ length: n }, (_, i) => i / (n - 1)); // includes ε_B = 0
    const keep = thinRocIndices(fpr, 400);
    expect(keep.length).toBeLessThanOrEqual(400);
    expect(keep.length).toBeGreaterThan(300);
    expect(keep[0]).toBe(1); // the first ε_B > 0
    expect(keep[keep.length - 1]).toBe(n - 1);
    for (let i = 1; i < keep.length; i++) expect(keep[i]).toBeGreaterThan(keep[i - 1]);
    // roughly uniform in log ε_B: no decade empty between 1e-5 and 1
    for (let e = -4; e <= 0; e++) expect(keep.some((i) => fpr[i] >= 10 ** (e - 1) && fpr[i] < 10 ** e)).toBe(true);
    const short = [0, 0.1, 0.5, 1];
    expect(thinRocIndices(short, 400)).toEqual([1, 2, 3]);
  });

  it('a global Z of ∞ (null: no pseudo-experiment exceeds) is shown as its 95 % CL lower bound', async () => {
    const doc = clone(small);
    const l = doc.lookElsewhere![0];
    Object.assign(l, { globalP: 0, globalZ: null, nExceeding: 0, globalPUpper95: 7.5e-4, globalZLower95: 3.17 });
    expect(() => validateResults(doc, 'doc')).not.toThrow();
    const pts = globalZPoints(doc).filter((p) => p.label.startsWith('IAD'));
    expect(pts.map((p) => p.z)).toEqual([l.localZMax, 3.17, l.sidakBound.globalZ]);
    expect(pts[1].kind).toBe('global Z lower bound (95 % CL)');
    const dir = tmp();
    const page = readFileSync((await writeReport(doc, dir, { formats: [] })).htmlPath, 'utf8');
    expect(page).toContain('<td>&gt; 3.17</td>');
  });

  it('draws every plot for a full document and lists the absent ones for a bare one', () => {
    const full = buildPlots(small);
    expect(full.plots.map((p) => p.id)).toEqual(['significance', 'mjj-spectrum', 'delta-sys', 'roc-sic', 'features-w5', 'global-significance', 'look-elsewhere-toys']);
    expect(full.missing).toEqual([]);
    const b = buildPlots(bare);
    expect(b.plots.map((p) => p.id)).toEqual(['significance']);
    expect(b.missing.map((m) => m.id)).toEqual(['mjj-spectrum', 'delta-sys', 'roc-sic', 'features', 'global-significance']);
  });
});

describe('rendering', () => {
  it('PNG text uses the shipped font: with fonts the image has far more dark (text) pixels', async () => {
    const fonts = reportFontFiles();
    expect(fonts.length, 'no DejaVu Sans found: install dejavu-fonts-ttf').toBeGreaterThan(0);
    const p = buildPlots(bare).plots[0];
    const svg = await renderSvg(p.spec);
    const withText = pixelStats(decodePng(svgToPng(svg, { scale: 1 })));
    const withoutText = pixelStats(decodePng(svgToPng(svg, { scale: 1, fontFiles: [] })));
    expect(withText.darkFraction).toBeGreaterThan(withoutText.darkFraction * 1.5);
  });

  it('regression: extreme data/template ratios (template ≈ 0 in a bin) still rasterise', async () => {
    // resvg 2.6 aborted the process on a point ~46,000 px outside a clipped ratio panel.
    const doc = clone(small);
    const h = doc.featureHistograms![0];
    h.templateCounts[h.templateCounts.length - 2] = 1e-6;
    const plot = buildPlots(doc).plots.find((p) => p.id === 'features-w5')!;
    const png = decodePng(svgToPng(await renderSvg(plot.spec), { scale: 1 }));
    expect(pixelStats(png).colours).toBeGreaterThan(8);
  });
});

describe('writeReport: HTML + SVG + PNG', () => {
  let outDir: string;
  let out: Awaited<ReturnType<typeof writeReport>>;
  let html: string;
  beforeAll(async () => {
    outDir = tmp();
    out = await writeReport(small, outDir);
    html = readFileSync(out.htmlPath, 'utf8');
  });

  it('writes every plot as SVG and PNG and nothing half-written', () => {
    expect(out.plots.length).toBe(7);
    for (const p of out.plots) {
      expect(existsSync(p.svgPath!)).toBe(true);
      expect(existsSync(p.pngPath!)).toBe(true);
      expect(readFileSync(p.svgPath!, 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>$/);
    }
    expect(readdirSync(outDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('PNGs decode, have the SVG size × 2 and are not a single colour', () => {
    for (const p of out.plots) {
      const png = decodePng(readFileSync(p.pngPath!));
      const svg = readFileSync(p.svgPath!, 'utf8');
      const [, w, h] = svg.match(/<svg[^>]*\swidth="([\d.]+)"\s+height="([\d.]+)"/)!;
      expect(png.width).toBe(Math.round(Number(w) * 2));
      expect(png.height).toBe(Math.round(Number(h) * 2));
      const stats = pixelStats(png);
      expect(stats.colours, p.id).toBeGreaterThan(8);
      expect(stats.darkFraction, p.id).toBeGreaterThan(0.002);
    }
  });

  it('the HTML is self-contained: no scripts, no external URLs, links only to files written beside it', () => {
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/<iframe|<object|<embed/i);
    expect(html).not.toMatch(/\b(?:src|href|xlink:href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    expect(html).not.toMatch(/url\(\s*["']?(?:https?:)?\/\//i);
    expect(html).not.toMatch(/@import/i);
    const hrefs = [...html.matchAll(/\bhref="([^"]*)"/g)].map((m) => m[1]);
    expect(hrefs.length).toBe(14);
    for (const h of hrefs) expect(existsSync(join(outDir, h)), h).toBe(true);
  });

  it('the HTML is well formed: tags balanced, ids unique, one inline SVG per plot', () => {
    expect(unbalancedTags(html)).toEqual([]);
    const ids = [...html.matchAll(/<figure id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toEqual(out.plots.map((p) => p.id));
    expect(html.match(/<svg\b/g)!.length).toBe(out.plots.length);
    expect(html).toContain('<meta charset="utf-8">');
  });

  it('inlined SVG ids are unique on the page (vega numbers clip paths clip1, clip2, … per SVG)', () => {
    const svg = '<svg><defs><clipPath id="clip1"><rect/></clipPath></defs><g clip-path="url(#clip1)"><use xlink:href="#clip1"/></g></svg>';
    const a = namespaceSvgIds(svg, 'plot-a');
    expect(a).toBe('<svg><defs><clipPath id="plot-a-clip1"><rect/></clipPath></defs><g clip-path="url(#plot-a-clip1)"><use xlink:href="#plot-a-clip1"/></g></svg>');
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('the comparison table, best window, footer and synthetic label come from the results', () => {
    expect(html).toContain(SYNTHETIC_NOTE.replace(/'/g, '&#39;'));
    expect(html).toContain(small.dataset.sha256);
    expect(html).toContain(`node ${process.versions.node}`);
    expect(html).toContain('&quot;preset&quot;: &quot;synthetic&quot;');
    // one comparison table per working point, plus the δsys, look-elsewhere and bump-hunt tables
    expect(html.match(/<h3>ε_B = /g)!.length).toBe(3);
    expect(html.match(/<table class="cmp">/g)!.length).toBe(6);
    for (const d of small.deltaSys!) expect(html).toContain(`<td>${d.mean.toFixed(3)} <span class="pm">± `);
    // the best window per method is highlighted: its Z cell carries the mean of the best aggregate
    for (const e of small.config.epsilonB)
      for (const m of small.config.methods) {
        const aggs = small.aggregates.filter((a) => a.epsilonB === e && a.method === m);
        const best = aggs.reduce((x, y) => (y.z.cowan.mean > x.z.cowan.mean ? y : x));
        expect(html).toContain(`<td class="best">${best.z.cowan.mean.toFixed(2)} `);
      }
    expect(html.match(/class="bestrow"/g)!.length).toBe(3);
  });

  it('a bare document gets a report that says which plots are missing', async () => {
    const dir = tmp();
    const o = await writeReport(bare, dir, { formats: ['svg'] });
    const page = readFileSync(o.htmlPath, 'utf8');
    expect(o.plots.map((p) => p.id)).toEqual(['significance']);
    expect(o.plots[0].pngPath).toBeUndefined();
    expect(page).toContain('Plots not drawn');
    for (const m of o.missing) expect(page).toContain(m.title.replace(/'/g, '&#39;'));
    expect(page).toContain('m_JJ spectrum before and after the cut');
    expect(unbalancedTags(page)).toEqual([]);
  });
});

describe('sidewinder report (CLI)', () => {
  const cli = (args: string[]) => spawnSync(process.execPath, [join(repoRoot, 'scripts/sidewinder.mjs'), 'report', ...args], { encoding: 'utf8', cwd: repoRoot });

  it('refuses an invalid document, naming the file and the schema path', () => {
    const dir = tmp();
    const bad = clone(bare) as ResultsDocument;
    (bad.runs[0] as { nObs: number }).nObs = -3;
    const file = join(dir, 'bad-results.json');
    writeFileSync(file, JSON.stringify(bad));
    const r = cli([file, '--out', join(dir, 'out')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${file}: does not match data-schemas/results.schema.json`);
    expect(r.stderr).toContain('at /runs/0/nObs: must be >= 0 (schema #/$defs/cellRun/properties/nObs/minimum)');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('writes the report of a valid document', () => {
    const dir = tmp();
    const file = join(dir, 'results.json');
    writeFileSync(file, JSON.stringify(bare));
    const r = cli([file, '--out', join(dir, 'out'), '--formats', 'svg']);
    // stderr is a pipe here: plain progress lines, no bars, no warnings.
    expect(r.stderr).not.toMatch(/\x1b|█|warning/);
    expect(r.stderr).toMatch(/plots: \d+\/\d+ done in/);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(join(dir, 'out', 'report.html'));
    expect(existsSync(join(dir, 'out', 'significance.svg'))).toBe(true);
    expect(existsSync(join(dir, 'out', 'significance.png'))).toBe(false);
  });
});

describe('stored results documents', () => {
  it('a version-1 document written earlier (test/fixtures, SYNTHETIC) still validates and reports', async () => {
    const path = join(repoRoot, 'test/fixtures/results-v1-synthetic.json');
    const doc = await readResults(path);
    expect(doc.notes).toContain(SYNTHETIC_NOTE);
    const { plots, missing } = buildPlots(doc);
    expect(missing).toEqual([]);
    expect(plots.map((p) => p.id)).toContain('significance');
  });
});
