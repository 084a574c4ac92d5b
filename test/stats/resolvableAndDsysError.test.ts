import { describe, expect, it } from 'vitest';
import { cutAndCount } from '../../lib/stats/cutAndCount.js';
import { templateEventsNeeded, templateResolution } from '../../lib/stats/workingPoints.js';
import { appliedSystematics, deltaSysByEpsilonB, deltaSysStatError, significantShift, type ControlCount } from '../../lib/stats/dsys.js';
import { summarizeRuns } from '../../lib/stats/runs.js';
import { createRng } from '../../lib/util/rng.js';
import { ConfigError } from '../../lib/util/errors.js';
import { EventTable } from '../../lib/data/eventTable.js';
import { checkWorkingPointsResolvable, templateSizes } from '../../lib/scan/resolvable.js';
import { presetConfig } from '../../lib/scan/presets.js';
import type { ScanDataset } from '../../lib/scan/dataset.js';
import { validateResults } from '../../lib/scan/validateResults.js';
import { syntheticResults } from '../helpers/syntheticResults.js';
import type { Reporter } from '../../lib/util/reporter.js';
import type { ResultsDocument } from '../../lib/scan/results.js';
import { printScanTable, deltaSysLabel } from '../../scripts/commands/scanTable.js';
import { renderHtml } from '../../lib/report/html.js';

describe('working points the template can resolve', () => {
  it('N_needed = ⌈min/ε_B⌉ without floating-point round-up', () => {
    expect(templateEventsNeeded(1e-3, 10)).toBe(10_000);
    expect(templateEventsNeeded(1e-7, 10)).toBe(100_000_000);
    expect(templateEventsNeeded(0.03, 10)).toBe(334);
    expect(templateEventsNeeded(0.3, 3)).toBe(10);
    expect(() => templateEventsNeeded(1e-3, 0)).toThrow(ConfigError);
  });

  it('the measured case: 2456 template events at ε_B = 1e-7 are refused (ε_eff would be 2.0e-3), 1e-2 is not', () => {
    const rng = createRng(5);
    const t = Float64Array.from({ length: 2456 }, () => rng.uniform());
    const d = Float64Array.from({ length: 3000 }, () => rng.uniform());
    const fold = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => i % 5);
    const rows = cutAndCount({ templateScores: t, dataScores: d, folds: { template: fold(t.length), data: fold(d.length) } }, { epsilonB: [1e-2, 1e-7], deltaSys: 0, minTemplatePass: 10 });
    expect(rows[0].refused).toBeUndefined();
    expect(rows[1].refused).toBeDefined();
    expect(rows[1].epsilonEff).toBeCloseTo(5 / 2456, 12); // the top event of each of five folds
    expect(rows[1].refused!.nTemplateNeeded).toBe(100_000_000);
    expect(rows[1].refused!.reason).toMatch(/2456 template events × ε_B 1e-7/);
    // without the option nothing is refused (the library's old behaviour)
    expect(cutAndCount({ templateScores: t, dataScores: d }, { epsilonB: [1e-7], deltaSys: 0 })[0].refused).toBeUndefined();
  });

  it('a realised pass count below the minimum is refused even when N·ε_B reaches it (weights concentrate the passing template)', () => {
    // 2000 events at ε_B = 1e-2: 21 pass (nearest rank 1979 of 0…1999), one with weight 100 → Kish (Σw)²/Σw² = 120²/(20 + 1e4) ≈ 1.44
    const t = Float64Array.from({ length: 2000 }, (_, i) => i / 2000);
    const w = Float64Array.from({ length: 2000 }, (_, i) => (i === 1999 ? 100 : 1));
    const rows = cutAndCount({ templateScores: t, templateWeights: w, dataScores: t }, { epsilonB: [1e-2], deltaSys: 0, minTemplatePass: 10 });
    expect(rows[0].nTemplatePassEff).toBeCloseTo((120 * 120) / (20 + 10_000), 10);
    expect(rows[0].refused!.reason).toMatch(/only 1\.44 template events pass/);
    expect(templateResolution(2000, 20, 1e-2, 10)).toBeUndefined();
    expect(templateResolution(999, 20, 1e-2, 10)!.nTemplateNeeded).toBe(1000);
  });
});

describe('plan-time check of the working points', () => {
  const table = (masses: number[]): ScanDataset => ({ role: 'x', events: new EventTable({ mJJ: Float64Array.from(masses) }, { mJJ: 'TeV' }), sha256: '0', rowsFingerprint: '0', path: 'mem', nEvents: masses.length, description: '' });
  // 600 events in window 5's SR (3.3, 3.7), 150 in each 0.2 TeV short sideband; IAD template 2000 SR events
  const data = table([...Array(600).fill(3.5), ...Array(150).fill(3.2), ...Array(150).fill(3.8)]);
  const template = table(Array(2000).fill(3.5));
  const windows = [{ id: 5, srLow: 3.3, srHigh: 3.7, centre: 3.5, units: 'TeV' as const }];
  const recorder = (): { reporter: Reporter; warnings: string[] } => {
    const warnings: string[] = [];
    return { warnings, reporter: { progress() {}, log(level, msg) { if (level === 'warn') warnings.push(msg); } } };
  };

  it('template sizes: IAD template SR, CWoLa short sidebands, CATHODE oversampling × N_SR', () => {
    const cfg = presetConfig('ci');
    const sizes = templateSizes(cfg, windows, 0.2, { data, template, control: data });
    const of = (sample: string, method: string): number => sizes.find((s) => s.sample === sample && s.method === method)!.nTemplate;
    expect(of('data', 'iad')).toBe(2000);
    expect(of('data', 'cwola')).toBe(300);
    expect(of('data', 'cathode')).toBe(2400);
    expect(sizes.some((s) => s.sample === 'control' && s.method === 'iad')).toBe(false);
  });

  it('warns per window and method with the size needed; refuses a scan whose ε_B no data cell resolves', () => {
    const cfg = { ...presetConfig('ci'), epsilonB: [1e-2, 5e-3] };
    const { reporter, warnings } = recorder();
    // ε_B = 5e-3 needs 2000 events: IAD (2000) resolves it, CWoLa (300) and CATHODE (2400 ok) — only CWoLa warns
    const u = checkWorkingPointsResolvable(cfg, windows, 0.2, { data, template }, reporter);
    expect(u.map((x) => `${x.method}@${x.epsilonB}`)).toEqual(['cwola@0.01', 'cwola@0.005']);
    expect(warnings[0]).toMatch(/ε_B 0\.01: window 5, CWoLa \(data sample\): the template has 300 events, 10 passing events need ≥ 1000/);
    // an ε_B no data cell resolves: one warning, every cell refused, the scan goes on at 1e-2
    const some = { ...cfg, epsilonB: [1e-2, 1e-7] };
    const r = recorder();
    const refused = checkWorkingPointsResolvable(some, windows, 0.2, { data, template }, r.reporter);
    expect(refused.filter((x) => x.epsilonB === 1e-7).map((x) => x.method).sort()).toEqual(['cathode', 'cwola', 'iad']);
    expect(r.warnings.filter((w) => /1e-7/.test(w))).toEqual([expect.stringMatching(/^ε_B 1e-7 cannot be resolved in any window: the largest template has 2400 events.*need ≥ 100000000; every cell at this working point will be refused/)]);
    // no ε_B resolvable anywhere: nothing to report, refused
    const none = { ...cfg, epsilonB: [1e-7, 1e-8] };
    expect(() => checkWorkingPointsResolvable(none, windows, 0.2, { data, template }, recorder().reporter)).toThrow(/ε_B 1e-7 cannot be resolved in any window: the largest template has 2400 events.*need ≥ 100000000; ε_B 1e-8 cannot/);
    // a smaller minimum resolves more
    expect(checkWorkingPointsResolvable({ ...cfg, minTemplatePass: 1 }, windows, 0.2, { data, template }, recorder().reporter)).toEqual([]);
  });
});

describe('δsys with its own error', () => {
  const count = (nObs: number, b: number, nTp?: number, window = 1): ControlCount => ({ epsilonB: 0.01, nObs, epsilonEff: 0.01, nSR: b / 0.01, nTemplatePassEff: nTp, window });

  it('closed forms: one window, independent windows, fully shared windows', () => {
    const v = 100 / 80 ** 2 + (100 / 80) ** 2 / 50; // N_obs/B² + (N_obs/B)²/N_tp = 0.046875
    expect(deltaSysStatError([count(100, 80, 50)])).toBeCloseTo(Math.sqrt(v), 12);
    const two = [count(100, 80, 50, 1), count(100, 80, 50, 2)];
    expect(deltaSysStatError(two)).toBeCloseTo(Math.sqrt(2 * v) / 2, 12);
    // every passing event shared: Var = (v + v + 2·100/80²)/4
    expect(deltaSysStatError(two, () => 100)).toBeCloseTo(Math.sqrt(2 * v + (2 * 100) / 6400) / 2, 12);
    // without the template count only the Poisson term
    expect(deltaSysStatError([count(100, 80)])).toBeCloseTo(Math.sqrt(100) / 80, 12);
    expect(() => deltaSysStatError(two, () => 101)).toThrow(/101 events shared/);
    const est = deltaSysByEpsilonB(two);
    expect(est[0].deltaSys).toBeCloseTo(0.25, 12);
    expect(est[0].statError).toBeCloseTo(Math.sqrt(2 * v) / 2, 12);
  });

  it('toy: the predicted error matches the spread of δsys over overlapping windows (events shared, templates binomial)', () => {
    // Three disjoint m_JJ segments A, B, C; window 1 = A ∪ B, window 2 = B ∪ C (they share B).
    // Signal-free control: each segment's passing count is Poisson(μ); the template's pass count is Binomial(N_t, ε).
    const rng = createRng(11);
    const mu = { A: 60, B: 90, C: 40 };
    const nT = 20_000, eps = 0.01, nSRTrue = { w1: (mu.A + mu.B) / eps, w2: (mu.B + mu.C) / eps };
    const deltas: number[] = [], predicted: number[] = [];
    for (let toy = 0; toy < 4000; toy++) {
      const a = rng.poisson(mu.A), b = rng.poisson(mu.B), c = rng.poisson(mu.C);
      const binom = (): number => { let k = 0; for (let i = 0; i < nT; i++) if (rng.uniform() < eps) k++; return k; };
      const tp1 = toy < 400 ? binom() : Math.round(rng.normal() * Math.sqrt(nT * eps * (1 - eps)) + nT * eps);
      const tp2 = toy < 400 ? binom() : Math.round(rng.normal() * Math.sqrt(nT * eps * (1 - eps)) + nT * eps);
      const c1: ControlCount = { epsilonB: eps, nObs: a + b, epsilonEff: tp1 / nT, nSR: nSRTrue.w1, nTemplatePassEff: tp1 };
      const c2: ControlCount = { epsilonB: eps, nObs: b + c, epsilonEff: tp2 / nT, nSR: nSRTrue.w2, nTemplatePassEff: tp2 };
      const e = deltaSysByEpsilonB([c1, c2], { sharedPass: () => b })[0];
      deltas.push(e.deltaSys);
      predicted.push(e.statError);
    }
    const spread = summarizeRuns(deltas).std;
    const meanPredicted = summarizeRuns(predicted).mean;
    console.log(`δsys toy: spread ${spread.toFixed(4)}, mean predicted error ${meanPredicted.toFixed(4)}, mean δsys ${summarizeRuns(deltas).mean.toFixed(4)}`);
    // 4000 toys: the std's own relative error is ≈ 1/√(2·4000) ≈ 1.1 %; the delta method is good to a few % here
    expect(meanPredicted / spread).toBeGreaterThan(0.93);
    expect(meanPredicted / spread).toBeLessThan(1.07);
    // ignoring the shared events would underestimate it clearly
    const independent = deltaSysStatError([
      { epsilonB: eps, nObs: mu.A + mu.B, epsilonEff: eps, nSR: nSRTrue.w1, nTemplatePassEff: nT * eps },
      { epsilonB: eps, nObs: mu.B + mu.C, epsilonEff: eps, nSR: nSRTrue.w2, nTemplatePassEff: nT * eps },
    ]);
    expect(independent / spread).toBeLessThan(0.9);
  });

  it('1σ rule: a δsys within its error does not shift N_exp; its error always enters σ_sys', () => {
    expect(significantShift({ value: 0.1, statError: 0.05 })).toBe(0.1);
    expect(significantShift({ value: -0.04, statError: 0.05 })).toBe(0);
    expect(significantShift({ value: 0.05, statError: 0.05 })).toBe(0);
    const sig = appliedSystematics({ value: 0.1, statError: 0.05 });
    expect(sig.deltaSys).toBe(0.1);
    expect(sig.sigmaSys).toBeCloseTo(Math.sqrt(0.01 + 0.0025), 15);
    const ns = appliedSystematics({ value: 0.04, statError: 0.05 });
    expect(ns).toEqual({ deltaSys: 0, sigmaSys: 0.05 });
    // MC (applied) ⊕ data-driven (significant: only in σ_sys)
    const both = appliedSystematics({ value: 0.1, statError: 0.05 }, [{ value: 0.3, statError: 0.1 }]);
    expect(both.deltaSys).toBe(0.1);
    expect(both.sigmaSys).toBeCloseTo(Math.sqrt(0.01 + 0.0025 + 0.09 + 0.01), 15);
    expect(appliedSystematics(undefined, [{ value: 0.02, statError: 0.1 }])).toEqual({ deltaSys: 0, sigmaSys: 0.1 });
    expect(() => appliedSystematics({ value: 0.1, statError: -1 })).toThrow(ConfigError);
  });

  it('σ_exp² = 1/N_template,pass + δsys² + σ_δsys² in the cut-and-count', () => {
    const t = Float64Array.from({ length: 10_000 }, (_, i) => i / 10_000);
    const a = appliedSystematics({ value: 0.2, statError: 0.05 });
    const [row] = cutAndCount({ templateScores: t, dataScores: t }, { epsilonB: [1e-2], deltaSys: a.deltaSys, sigmaSys: a.sigmaSys });
    expect(row.nTemplatePass).toBe(101); // nearest rank round(9999 · 0.99) = 9899
    expect(row.nExp).toBeCloseTo(101 * 1.2, 9);
    expect(row.sigmaExp).toBeCloseTo(Math.sqrt(1 / 101 + 0.04 + 0.0025), 12);
  });
});

describe('results documents with refused cells', () => {
  it('validate when the refused cell has no runs; a refused cell that also reports a Z is inconsistent', () => {
    const doc = syntheticResults({ nRuns: 1 });
    const victim = doc.runs[0];
    const refused = {
      windowId: victim.windowId, method: victim.method, epsilonB: victim.epsilonB, reason: 'r', minTemplatePass: 10,
      nTemplate: 2456, nTemplatePass: 5, epsilonEff: 5 / 2456, nTemplateNeeded: 100_000_000, runs: [0],
    };
    expect(() => validateResults({ ...doc, refusedCells: [refused] }, 'doc')).toThrow(/refused but also has runs/);
    const key = (r: { windowId: number; method: string; epsilonB: number }): string => `${r.windowId}/${r.method}/${r.epsilonB}`;
    const ok = { ...doc, runs: doc.runs.filter((r) => key(r) !== key(victim)), aggregates: doc.aggregates.filter((a) => key(a) !== key(victim)), refusedCells: [refused] };
    expect(validateResults(JSON.parse(JSON.stringify(ok)), 'doc').refusedCells).toHaveLength(1);
    expect(() => validateResults({ ...ok, refusedCells: [{ ...refused, nTemplateNeeded: 0 }] }, 'doc')).toThrow(/nTemplateNeeded/);
  });
});

describe('summary table and report with refused cells and δsys ± error', () => {
  const doc = syntheticResults({ nRuns: 1 });
  const victim = doc.aggregates.find((a) => a.method === 'cwola')!;
  const key = (r: { windowId: number; method: string; epsilonB: number }): string => `${r.windowId}/${r.method}/${r.epsilonB}`;
  const refused = {
    windowId: victim.windowId, method: victim.method, epsilonB: victim.epsilonB, minTemplatePass: 10, nTemplate: 2456, nTemplatePass: 5,
    epsilonEff: 5 / 2456, nTemplateNeeded: 100_000_000, runs: [0], reason: '2456 template events × ε_B 1e-7 = 0.000246 expected to pass, below the minimum of 10',
  };
  const other = doc.aggregates.find((a) => a.method === 'cathode')!;
  const withSys = doc.aggregates.map((a) =>
    a === other ? { ...a, deltaSys: 0, deltaSysMeasured: 0.042, deltaSysStatError: 0.05 } : a.method === 'cwola' ? { ...a, deltaSys: 0.12, deltaSysMeasured: 0.12, deltaSysStatError: 0.03 } : a,
  );
  const shown: ResultsDocument = { ...doc, runs: doc.runs.filter((r) => key(r) !== key(victim)), aggregates: withSys.filter((a) => key(a) !== key(victim)), refusedCells: [refused] };

  it('the scan table shows "—" with a numbered footnote, never a Z, and δsys ± error (parenthesised when not applied)', () => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (s: string) => lines.push(s);
    try {
      printScanTable(shown);
    } finally {
      console.log = log;
    }
    const row = lines.find((l) => l.includes('—[1]'))!;
    expect(row).toMatch(new RegExp(`^${victim.windowId}\\s.*CWoLa`));
    expect(lines.some((l) => l.startsWith('[1] window') && l.includes('2456 template events') && l.includes('ε_eff would be 0.0020'))).toBe(true);
    expect(lines.some((l) => l.includes('(0.042±0.050)'))).toBe(true);
    expect(lines.some((l) => l.includes(' 0.120±0.030 '))).toBe(true);
    expect(deltaSysLabel({ deltaSys: 0.3 })).toBe('0.300');
  });

  it('the HTML comparison table shows the refusal as a footnote, not a number', () => {
    const html = renderHtml(shown, [], []);
    expect(html).toMatch(/<td colspan="4" title="2456 template events[^"]*">—<sup>1<\/sup><\/td>/);
    expect(html).toMatch(/<sup>1<\/sup> CWoLa, window \d+: refused, no significance — 2456 template events/);
    expect(html).toContain('(0.042 <span class="pm">± 0.05</span>)');
  });
});

describe('a scan whose ε_B no window can resolve', () => {
  it('is refused after loading the data and before any training when no ε_B is resolvable, naming ε_B and the template size needed', async () => {
    const { runScan } = await import('../../lib/scan/scan.js');
    const { mkdtempSync, existsSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const cfg = presetConfig('ci');
    cfg.windows.ids = [5];
    cfg.dataset.generate = { background: 20_000, signal: 0, seed: 1 };
    cfg.template.generate = { ...cfg.template.generate!, background: 10_000 };
    delete cfg.control;
    cfg.epsilonB = [1e-7];
    const out = mkdtempSync(join(tmpdir(), 'sw-refuse-'));
    await expect(runScan(cfg, { outDir: out, cacheDir: join(out, 'cache') })).rejects.toThrow(/ε_B 1e-7 cannot be resolved in any window: the largest template has \d+ events.* need ≥ 100000000/);
    expect(existsSync(join(out, 'cache'))).toBe(false); // no task ran

    // with a resolvable ε_B beside it the scan runs: cells at 1e-7 refused, 1e-2 reported
    cfg.epsilonB = [1e-2, 1e-7];
    cfg.methods = ['iad'];
    const out2 = mkdtempSync(join(tmpdir(), 'sw-refuse-'));
    const { results } = await runScan(cfg, { outDir: out2, cacheDir: join(out2, 'cache') });
    expect((results.refusedCells ?? []).map((c) => `${c.windowId}/${c.method}/${c.epsilonB}`)).toEqual(['5/iad/1e-7']);
    expect(results.aggregates.map((a) => `${a.windowId}/${a.method}/${a.epsilonB}`)).toEqual(['5/iad/0.01']);
    expect(Number.isFinite(results.aggregates[0].z.cowan.mean)).toBe(true);
  }, 120_000);
});
