/**
 * The m_JJ summaries of a scan for windows away from the LHCO ones, and the fit-based bump hunt's
 * windows it cannot assess (stress test: windows at 2.0–2.3 TeV kept the spectra at 2.5–4.6 TeV and
 * the fit from 2.8 TeV, reporting Z ≈ −1.5 from a fit entirely above them; a sparse spectrum gave
 * p0 = Infinity, stored as null, and the scan ended with "bad input" and no results.json).
 */
import { describe, expect, it } from 'vitest';
import { deriveSummaryRanges, fitStartAboveTurnOn, niceFloor } from '../../lib/scan/summaryRanges.js';
import { classicalBumpHunt } from '../../lib/scan/classicalBumpHunt.js';
import { checkAssembledResults, InvalidResultsError } from '../../lib/scan/scan.js';
import { loadWindows, type Window } from '../../lib/windows/index.js';
import { fitBumpHunt, histogramFromCounts } from '../../lib/stats/index.js';
import { schemaDefaults } from '../../lib/util/schema.js';
import { ConfigError } from '../../lib/util/errors.js';
import type { ScanSummaries } from '../../lib/scan/config.js';
import { classifyCliError, EXIT } from '../../scripts/cliErrors.js';
import { syntheticResults } from '../helpers/syntheticResults.js';

const DEFAULTS = schemaDefaults<ScanSummaries>('scan-config', '/$defs/summaries');
const win = (id: number, srLow: number, srHigh: number): Window => ({ id, srLow, srHigh, centre: (srLow + srHigh) / 2, units: 'TeV' });
/** Windows 4–6 of `sidewinder windows --from 1.62 --to 2.58 --width 0.24 --step 0.06 --short-sideband 0.12`. */
const LOW = [win(4, 1.92, 2.16), win(5, 1.98, 2.22), win(6, 2.04, 2.28)];
/** The edges the scan stores for a spectrum over [lo, hi] in `bins` bins (lib/stats/fit/histogram.ts fillUniformHistogram). */
const edgesOf = (lo: number, hi: number, bins: number): number[] => Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);

/** countsBeforeCut of `npm start` (1M generated events, 2.5–4.6 TeV, 50 GeV bins): a falling spectrum above the turn-on. */
const DEFAULT_SPECTRUM = [
  40165, 40898, 40501, 39557, 38501, 36907, 35027, 33425, 31767, 30034, 28022, 26483, 24981, 22950, 21868, 20432, 18885, 17978, 16858, 15720, 14624,
  13799, 12746, 11671, 11035, 10412, 9721, 8779, 8464, 7848, 7103, 6810, 6404, 5961, 5622, 5218, 4921, 4461, 4246, 3900, 3768, 3609,
];
/** The stress test's sparse data (generated events with all momenta × 0.35), 2.5–4.6 TeV in 50 GeV bins. */
const SPARSE_SPECTRUM = [89, 97, 75, 58, 55, 43, 48, 42, 24, 31, 26, 19, 13, 17, 13, 17, 12, 8, 12, 5, 9, 6, 3, 4, 6, 6, 4, 2, 1, 0, 0, 2, 1, 0, 4, 1, 1, 0, 0, 0, 0, 0];

describe('summaries: spectrum range and fit start', () => {
  it('the nine LHCO windows, and each alone, keep the defaults exactly (npm start unchanged)', async () => {
    const { windows, shortSidebandWidth } = await loadWindows();
    for (const ws of [windows, ...windows.map((w) => [w])])
      expect(deriveSummaryRanges(ws, shortSidebandWidth, undefined, DEFAULTS)).toEqual({
        spectrumTeV: [2.5, 4.6], spectrumBins: 42, fitFromTeV: 2.8, spectrumSource: 'default', fitFromSource: 'default',
      });
  });

  it('windows at 2 TeV: the spectrum covers them in 25 GeV bins, the fit starts below their short sidebands', () => {
    // Reads 1.80–2.40 TeV; ×0.9 / ×1.1 on a 25 GeV grid (5 % of 2.04 TeV / 3 = 34 GeV → 25).
    expect(deriveSummaryRanges(LOW, 0.12, undefined, DEFAULTS)).toEqual({
      spectrumTeV: [1.6, 2.65], spectrumBins: 42, fitFromTeV: 1.71, spectrumSource: 'windows', fitFromSource: 'windows',
    });
  });

  it('windows at 4.4 TeV: 50 GeV bins, the fit from 3.8 TeV', () => {
    expect(deriveSummaryRanges([win(1, 4.2, 4.6), win(2, 4.3, 4.7), win(3, 4.4, 4.8)], 0.2, {}, DEFAULTS)).toEqual({
      spectrumTeV: [3.6, 5.5], spectrumBins: 38, fitFromTeV: 3.8, spectrumSource: 'windows', fitFromSource: 'windows',
    });
  });

  it('configured values are used as given, even when they miss the windows', () => {
    expect(deriveSummaryRanges(LOW, 0.12, { spectrumTeV: [2.5, 4.6], bumpHuntFitFromTeV: 2.8 }, DEFAULTS)).toMatchObject({
      spectrumTeV: [2.5, 4.6], spectrumBins: 42, fitFromTeV: 2.8, spectrumSource: 'config', fitFromSource: 'config',
    });
    // Only the range set: the fit start still follows the windows, inside the spectrum.
    expect(deriveSummaryRanges(LOW, 0.12, { spectrumTeV: [1.5, 3], spectrumBins: 30 }, DEFAULTS)).toMatchObject({
      spectrumTeV: [1.5, 3], spectrumBins: 30, fitFromTeV: 1.71, fitFromSource: 'windows',
    });
  });

  it.each([[0.0517, 0.05], [0.034, 0.025], [0.0249, 0.02], [0.0199, 0.01], [0.05, 0.05], [7.3, 5]])('niceFloor(%f) = %f', (x, want) => expect(niceFloor(x)).toBe(want));

  it('a derived fit start moves above a rise of the spectrum, not above noise', () => {
    const edges = edgesOf(1.6, 3.0, 14);
    const turnOn = [50, 120, 300, 700, 1500, 2600, 3900, 5200, 6100, 6300, 5600, 4800, 4000, 3300]; // fullest bin 2.5–2.6 TeV
    expect(fitStartAboveTurnOn(edges, turnOn, 1.71)).toEqual({ fitFromTeV: 2.795, risesToTeV: 2.6 });
    const falling = [6300, 5600, 4800, 4000, 3300, 2700, 2200, 1800, 1500, 1200, 1000, 800, 650, 520];
    expect(fitStartAboveTurnOn(edges, falling, 1.6)).toEqual({ fitFromTeV: 1.6 });
    const flat = [100, 104, 98, 112, 95, 90, 85, 80, 75, 70, 66, 62, 58, 55]; // +12 on 100: within 2σ
    expect(fitStartAboveTurnOn(edges, flat, 1.6)).toEqual({ fitFromTeV: 1.6 });
  });
});

describe('fit-based bump hunt of a scan: windows it cannot assess', () => {
  const spectrum = { edgesTeV: edgesOf(2.5, 4.6, 42), countsBeforeCut: DEFAULT_SPECTRUM };

  it('windows below a configured fit start are skipped with a note naming them; the others are fitted', () => {
    const windows = [win(14, 1.92, 2.16), win(15, 1.98, 2.22), win(5, 3.3, 3.7)];
    const r = classicalBumpHunt(spectrum, windows, { fitFromTeV: 2.8, fitFromSource: 'config', sqrtSTeV: 13 });
    expect(r.rows.map((x) => x.windowId)).toEqual([5]);
    expect(r.notes).toEqual([expect.stringMatching(/^fit-based bump hunt: windows 14, 15 skipped, not inside the fitted m_JJ range 2\.8–4\.6 TeV \(it starts at summaries\.bumpHuntFitFromTeV = 2\.8/)]);
  });

  it('a derived fit in a trigger turn-on is not started there: its windows are skipped, with why', () => {
    const edges = edgesOf(1.6, 3.0, 14);
    const turnOn = [50, 120, 300, 700, 1500, 2600, 3900, 5200, 6100, 6300, 5600, 4800, 4000, 3300];
    const r = classicalBumpHunt({ edgesTeV: edges, countsBeforeCut: turnOn }, LOW, { fitFromTeV: 1.71, fitFromSource: 'windows', sqrtSTeV: 13 });
    expect(r.rows).toEqual([]);
    expect(r.notes).toEqual([
      expect.stringMatching(/rises up to 2\.6 TeV \(a trigger turn-on\).*the fit starts at 2\.8 TeV/),
      expect.stringMatching(/^fit-based bump hunt: windows 4, 5, 6 skipped, .*turn-on/),
    ]);
  });

  it('a window whose fit gives a non-finite parameter is dropped with a note, the others kept', async () => {
    const { windows } = await loadWindows();
    const first = 6; // 2.8 TeV
    // The premise: on this spectrum the dijet parameters run away and p0 overflows for window 8.
    const raw = fitBumpHunt(histogramFromCounts(edgesOf(2.5, 4.6, 42).slice(first), SPARSE_SPECTRUM.slice(first)), windows.map((w) => ({ id: w.id, low: w.srLow, high: w.srHigh, mean: w.centre })), { dijetParams: 4, sqrtS: 13 });
    const infinite = raw.windows.filter((w) => !Object.values(w.params).every(Number.isFinite)).map((w) => w.id);
    expect(infinite).toEqual([8]);

    const r = classicalBumpHunt({ edgesTeV: edgesOf(2.5, 4.6, 42), countsBeforeCut: SPARSE_SPECTRUM }, windows, { fitFromTeV: 2.8, fitFromSource: 'default', sqrtSTeV: 13 });
    expect(r.rows.map((x) => x.windowId)).toEqual([1, 2, 3, 4, 5, 6, 7, 9]);
    for (const row of r.rows) for (const v of Object.values(row)) expect(Number.isFinite(v)).toBe(true);
    expect(r.notes).toContainEqual(expect.stringMatching(/^fit-based bump hunt: window 8 dropped, the fit gave non-finite values \(window 8: p0 = Infinity\)/));
  });

  it('fitBumpHunt refuses a window whose signal lies outside the fitted spectrum', () => {
    const h = histogramFromCounts(edgesOf(2.5, 4.6, 42).slice(6), DEFAULT_SPECTRUM.slice(6));
    expect(() => fitBumpHunt(h, [{ id: 5, low: 1.98, high: 2.22 }])).toThrow(ConfigError);
    expect(() => fitBumpHunt(h, [{ id: 5, low: 1.98, high: 2.22 }])).toThrow(/window 5: signal mean 2\.1 lies outside the fitted spectrum 2\.8/);
  });
});

describe('results the scan built that fail their own schema', () => {
  it('are an internal error (exit 70), not bad input', () => {
    expect(() => checkAssembledResults(syntheticResults(), 'out/cache')).not.toThrow();
    const doc = syntheticResults();
    (doc.bumpHunt![0] as unknown as Record<string, unknown>).p0 = null; // what JSON makes of Infinity
    let err: unknown;
    try { checkAssembledResults(doc, 'out/cache'); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(InvalidResultsError);
    expect((err as Error).message).toMatch(/scan results: does not match data-schemas\/results\.schema\.json:.*\/bumpHunt\/0\/p0: must be number.*the task results stay in out\/cache/s);
    expect(classifyCliError(err).code).toBe(EXIT.internal);
  });
});
