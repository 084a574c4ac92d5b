/**
 * The ℓℓJ generator, the search config rules, the sample reader's errors and a small end-to-end search.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateLlj, LLJ_COLUMNS, LLJ_PROCESSES } from '../../lib/data/generate/llj.js';
import { readEvents, writeEvents } from '../../lib/data/io/index.js';
import { EventTable } from '../../lib/data/eventTable.js';
import { checkSearchConfig, LLJ_PRESET, parseSearchConfig, type SearchConfig } from '../../lib/search/config.js';
import { processSample } from '../../lib/search/samples.js';
import { runSearch } from '../../lib/search/run.js';
import { validateSearchResults } from '../../lib/search/results.js';
import { formatSearchTable, writeSearchReport } from '../../lib/report/search.js';
import { runGenerateLlj } from '../../scripts/commands/generate.js';
import { resolveSearchConfig } from '../../scripts/commands/search.js';

const small = { signal: 3000, zjets: 30_000, ttbar: 8000, diboson: 8000 };

describe('ℓℓJ generator', () => {
  const a = generateLlj({ seed: 4, entries: small });

  it('writes the course layout: columns, MeV, Σw = σL per process, NLO negative weights in Z+jets', () => {
    for (const [name, t] of a) {
      expect(t.columnNames).toEqual([...LLJ_COLUMNS]);
      const w = t.column('FullEventWeight');
      let sw = 0, neg = 0;
      for (const v of w) { sw += v; if (v < 0) neg++; }
      expect(sw).toBeCloseTo(LLJ_PROCESSES[name].expectedEvents, 6);
      expect(neg / w.length).toBeCloseTo(LLJ_PROCESSES[name].negativeFraction, 1);
      expect([...t.column('isSignal')].every((v) => v === (name === 'signal' ? 1 : 0))).toBe(true);
    }
    // entries ≠ events: the weights vary within a background sample
    const wz = [...a.get('zjets')!.column('FullEventWeight')].map(Math.abs);
    expect(Math.max(...wz) / Math.min(...wz)).toBeGreaterThan(10);
    // a narrow 1 TeV peak in MeV
    const m = [...a.get('signal')!.column('reco_zv_mass')].sort((x, y) => x - y);
    expect(m[m.length >> 1]).toBeGreaterThan(985_000);
    expect(m[m.length >> 1]).toBeLessThan(1_005_000);
  });

  it('is deterministic for a seed, and the CSV round trip leaves the file layout as the real files have it', async () => {
    const b = generateLlj({ seed: 4, entries: { diboson: 8000 } });
    expect(b.get('diboson')!.column('fatjet_pt')).toEqual(a.get('diboson')!.column('fatjet_pt'));
    const dir = mkdtempSync(join(tmpdir(), 'sw-llj-'));
    try {
      const path = join(dir, 'diboson.csv');
      await writeEvents(b.get('diboson')!, path, { format: 'csv' });
      const back = await readEvents(path);
      expect(back.columnNames).toEqual([...LLJ_COLUMNS]);
      expect(back.column('reco_zv_mass')).toEqual(b.get('diboson')!.column('reco_zv_mass'));
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});

describe('CLI plumbing', () => {
  it('generate --process llj writes one CSV per process, --background split 150 : 60 : 40', async () => {
    const written: [string, number][] = [];
    const msgs: string[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'sw-llj-'));
    try {
      const { paths } = await runGenerateLlj({ seed: 3, out: dir, background: 2500, signal: 100 }, async (t, p) => { written.push([p, t.length]); }, (m) => msgs.push(m));
      expect(written).toEqual([[join(dir, 'signal.csv'), 100], [join(dir, 'zjets.csv'), 1500], [join(dir, 'ttbar.csv'), 600], [join(dir, 'diboson.csv'), 400]]);
      expect(paths).toHaveLength(4);
      expect(msgs[1]).toMatch(/Σw = 180000\.0 expected events/);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
  it('search options: preset with --data, overrides checked', () => {
    const c = resolveSearchConfig({ preset: 'llj', data: '/d', seeds: '4,5', trainingSample: 'after-cuts', scoreCut: '0.7' }, '/out/samples');
    expect(c.samples.map((s) => s.path)).toEqual(['/d/signal.csv', '/d/zjets.csv', '/d/ttbar.csv', '/d/diboson.csv']);
    expect([c.classifier!.seeds, c.classifier!.trainingSample, c.classifier!.scoreCut]).toEqual([[4, 5], 'after-cuts', 0.7]);
    expect(() => resolveSearchConfig({ preset: 'llj', trainingSample: 'all' }, '/o')).toThrow(/--training-sample: expected one of before-cuts, after-cuts, loose-cuts, got "all"/);
    expect(() => resolveSearchConfig({ preset: 'llj', seeds: '1,x' }, '/o')).toThrow(/--seeds/);
    expect(() => resolveSearchConfig({ preset: 'zz' }, '/o')).toThrow(/unknown preset "zz"/);
  });
});

describe('search config and samples', () => {
  const base: SearchConfig = { ...LLJ_PRESET, samples: [{ name: 'signal', path: 's.csv' }, { name: 'zjets', path: 'z.csv' }] };
  it('refuses square cuts on the fit variable, and the mass as a classifier feature', () => {
    expect(() => checkSearchConfig({ ...base, cuts: [...base.cuts, { variable: 'reco_zv_mass', min: 900_000 }] })).toThrow(/cuts\[5\] cuts on the fit variable "reco_zv_mass"/);
    expect(() => parseSearchConfig({ preset: 'llj', samples: base.samples, looseCuts: [{ variable: 'reco_zv_mass', max: 2e6 }] }, 'x.json')).toThrow(/x\.json: looseCuts\[0\] cuts on the fit variable/);
    expect(() => checkSearchConfig({ ...base, classifier: { ...base.classifier!, features: ['fatjet_pt', 'reco_zv_mass'] } })).toThrow(/classifier.features holds "reco_zv_mass"/);
    expect(() => parseSearchConfig({ preset: 'lljj', samples: base.samples }, 'x.json')).toThrow(/unknown preset "lljj" \(did you mean "llj"\?\)/);
    expect(() => parseSearchConfig({ preset: 'llj', samples: base.samples, cuts: [{ variable: 'MET', below: 3 }] }, 'x.json')).toThrow(/x\.json: does not match schema/);
  });
  it('names the file, row and column of bad input', async () => {
    const t = new EventTable({ reco_zv_mass: Float64Array.of(1e6, 2e6), FullEventWeight: Float64Array.of(1, 1), isSignal: Float64Array.of(0, 1) });
    expect(() => processSample('mixed', t, LLJ_PRESET, 'mixed.csv')).toThrow(/mixed\.csv: row 2, column "isSignal" is 1 but row 1 is 0/);
    const dir = mkdtempSync(join(tmpdir(), 'sw-llj-'));
    try {
      const p = join(dir, 'bad.csv');
      writeFileSync(p, 'reco_zv_mass,FullEventWeight,isSignal\n1e6,0.5,0\n2e6,abc,0\n');
      await expect(readEvents(p)).rejects.toThrow(/bad\.csv: line 3, column "FullEventWeight": "abc" is not a number/);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});

describe('runSearch end to end (small samples, one seed)', () => {
  it('unit weights: the Poisson likelihood instead of the weighted χ²', async () => {
    const gen = generateLlj({ seed: 8, entries: { signal: 2000, zjets: 30_000 } });
    const samples = [...gen].map(([name, t]) => processSample(name, t.withColumn('FullEventWeight', new Float64Array(t.length).fill(1)), LLJ_PRESET, `unit:${name}`));
    const r = await runSearch(samples, { ...LLJ_PRESET, samples: [], classifier: null, sculpting: { ...LLJ_PRESET.sculpting, enabled: false } });
    validateSearchResults(r, 'unit-weight results');
    expect(r.square.method).toBe('poisson');
    expect(r.square.Z).toBeGreaterThan(5); // 1000+ signal entries on a few hundred background entries
    expect(r.seeds).toEqual([]);
  });

  it('square cuts, classifier, mass-aware sculpting and the decorrelated classifier; results match the schema', async () => {
    const gen = generateLlj({ seed: 7, entries: small });
    const samples = [...gen].map(([name, t]) => processSample(name, t, LLJ_PRESET, `generated:${name}`));
    const cfg: SearchConfig = {
      ...LLJ_PRESET, samples: [],
      classifier: { ...LLJ_PRESET.classifier!, options: { maxIter: 60 }, seeds: [1] },
      sculpting: { ...LLJ_PRESET.sculpting, ddtMassBins: 15, dcorEvents: 5000 },
      histogram: { low: 300, high: 2500, bins: 44 }, // 50 GeV: enough entries per bin for the shape ratio of 30k Z+jets entries
    };
    const r = await runSearch(samples, cfg);
    validateSearchResults(r, 'test results');
    expect(r.square.method).toBe('chi2');
    expect(Number.isFinite(r.square.Z) && Number.isFinite(r.square.signalYieldError)).toBe(true);
    expect(r.processes.find((p) => p.name === "zjets")!.negativeWeightEntries).toBeGreaterThan(0);
    const v = r.seeds[0].variants;
    // the mass-aware score is the most mass-dependent; DDT removes most of the classifier's dependence
    expect(v.massAware!.dCorScoreMass!).toBeGreaterThan(v.classifier!.dCorScoreMass!);
    expect(v.decorrelated!.dCorScoreMass!).toBeLessThan(0.1);
    expect(v.decorrelated!.dCorScoreMass!).toBeLessThan(v.classifier!.dCorScoreMass! / 2);
    // the mass-aware cut turns the background into a peak; the decorrelated one keeps its shape
    const flat = (x: typeof v.classifier) => x!.shapeRatio!.chi2Flat / x!.shapeRatio!.ndf;
    expect(flat(v.massAware)).toBeGreaterThan(4);
    expect(flat(v.massAware)).toBeGreaterThan(flat(v.classifier));
    expect(flat(v.decorrelated)).toBeLessThan(2);
    expect(flat(v.decorrelated)).toBeLessThan(flat(v.classifier));
    // the DDT cut keeps the classifier's background fraction
    expect(v.decorrelated!.backgroundEfficiency).toBeCloseTo(v.classifier!.backgroundEfficiency, 1);
    expect(v.classifier!.auc).toBeGreaterThan(0.8);
    expect(formatSearchTable(r)).toMatch(/square cuts \+ decorrelated \(DDT\) classifier/);
    const dir = mkdtempSync(join(tmpdir(), 'sw-search-report-'));
    try {
      const out = await writeSearchReport(r, dir);
      const html = readFileSync(out.html, 'utf8');
      expect(html).toContain('square cuts (held-out entries)');
      expect(out.svgs.map((f) => f.slice(dir.length + 1))).toEqual(expect.arrayContaining(['search-spectra-square.svg', 'search-fit-square.svg', 'search-significance.svg', 'search-roc.svg', 'search-sculpting.svg', 'search-fit-massAware.svg']));
      expect(out.svgs.every((f) => existsSync(f))).toBe(true);
      expect((html.match(/<svg/g) ?? []).length).toBe(out.svgs.length);
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});
