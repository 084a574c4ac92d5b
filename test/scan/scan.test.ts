import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScan } from '../../lib/scan/scan.js';
import { presetConfig } from '../../lib/scan/presets.js';
import { validateResults } from '../../lib/scan/validateResults.js';
import { UNAPPLIED_GENERATED_SHIFT, unappliedShiftNotes } from '../../lib/scan/assemble.js';
import type { ScanConfig } from '../../lib/scan/config.js';
import { lhcoSrDir } from '../helpers/lhcoSr.js';
import { smallCathodeConfig } from '../helpers/smallCathodeScan.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'sw-scan-'));

/** The CI preset on three windows around the signal (3.4–3.6 TeV), IAD and CWoLa. */
function smallConfig(signal: number): ScanConfig {
  const cfg = presetConfig('ci');
  cfg.windows.ids = [4, 5, 6];
  cfg.methods = ['iad', 'cwola'];
  cfg.dataset.generate!.signal = signal;
  cfg.lookElsewhere = { pseudoExperiments: 40 };
  return cfg;
}

describe('scan end to end (small generated data)', () => {
  it('with injected signal: IAD finds it in the window centred on 3.5 TeV; results validate; a rerun is served from the cache', async () => {
    const out = tmp();
    const cfg = smallConfig(600);
    const first = await runScan(cfg, { outDir: out, cacheDir: join(out, 'cache') });
    expect(() => validateResults(first.results, 'scan')).not.toThrow();
    expect(first.computed).toBe(3 * 2 + 3); // data: IAD + CWoLa per window; control: CWoLa per window
    const z = (w: number, m: string, e: number) => first.results.aggregates.find((a) => a.windowId === w && a.method === m && a.epsilonB === e)!.z.cowan.mean;
    expect(z(5, 'iad', 1e-3)).toBeGreaterThan(5);
    // The signal is centred in window 5 (most truth signal there); the overlapping neighbours hold
    // 0.9× as much, so IAD's Z there is comparable, not necessarily smaller (run-to-run spread).
    const sig = (w: number) => first.results.runs.find((r) => r.windowId === w && r.method === 'iad')!.nSignalSR!;
    expect(sig(5)).toBeGreaterThan(Math.max(sig(4), sig(6)));
    expect(z(5, 'iad', 1e-3)).toBeGreaterThan(0.7 * Math.max(z(4, 'iad', 1e-3), z(6, 'iad', 1e-3)));
    // Truth bookkeeping: signal in the SR and passing the cut are reported and consistent.
    for (const r of first.results.runs) {
      expect(r.nSignalPass!).toBeLessThanOrEqual(r.nSignalSR!);
      expect(r.nSignalPass!).toBeLessThanOrEqual(r.nObs);
    }
    // MC-based δsys of CWoLa was measured on the control sample and applied; IAD has none.
    expect(first.results.deltaSys!.filter((d) => d.method === 'cwola' && d.source === 'mc')).toHaveLength(cfg.epsilonB.length);
    expect(first.results.runs.filter((r) => r.method === 'iad').every((r) => r.deltaSys === 0)).toBe(true);
    expect(first.results.lookElsewhere!.length).toBe(2 * cfg.epsilonB.length);
    // The classical comparison: a fit-based bump hunt per window on the inclusive spectrum, with a sane fit.
    expect(first.results.bumpHunt!.map((b) => b.windowId)).toEqual([4, 5, 6]);
    for (const b of first.results.bumpHunt!) expect(b.chi2! / b.ndf!).toBeLessThan(3);

    const again = await runScan(cfg, { outDir: out, cacheDir: join(out, 'cache') });
    expect(again.computed).toBe(0);
    expect(again.cached).toBe(first.computed);
    expect(again.results.runs).toEqual(first.results.runs);
  });

  it('without signal: no window exceeds Z = 3 for IAD or δsys-corrected CWoLa', async () => {
    const out = tmp();
    const cfg = smallConfig(0);
    cfg.lookElsewhere = { pseudoExperiments: 0 };
    const { results } = await runScan(cfg, { outDir: out, cacheDir: join(out, 'cache') });
    const worst = Math.max(...results.runs.map((r) => r.zCowan));
    expect(worst).toBeLessThan(3);
    // The truth says so too: no signal events anywhere.
    expect(results.runs.every((r) => r.nSignalSR === 0)).toBe(true);
  });

  it('unappliedShiftNotes: one note per measured and unapplied shift, none for an applied or unmeasured one', () => {
    expect(unappliedShiftNotes('cathode', [
      { epsilonB: 1e-2, measured: true, applied: 0.08 },
      { epsilonB: 1e-3, measured: true, applied: 0 },
      { epsilonB: 1e-4, measured: false, applied: 0 },
    ])).toEqual([`cathode, ε_B=0.001: ${UNAPPLIED_GENERATED_SHIFT}`]);
  });

  it('CATHODE with a control: a note on every MC δsys compatible with zero (not applied), none on an applied one', async () => {
    const out = tmp();
    const cfg = presetConfig('ci');
    cfg.windows.ids = [5];
    cfg.methods = ['cathode'];
    cfg.dataset.generate!.background = 120_000;
    const { results } = await runScan(cfg, { outDir: out, cacheDir: join(out, 'cache') });
    expect(() => validateResults(results, 'scan')).not.toThrow();
    const mc = results.deltaSys!.filter((d) => d.method === 'cathode' && d.source === 'mc');
    expect(mc).toHaveLength(2);
    for (const d of mc) {
      expect(results.notes!.includes(`cathode, ε_B=${d.epsilonB}: ${UNAPPLIED_GENERATED_SHIFT}`)).toBe(!d.significant);
      const cell = results.runs.find((r) => r.method === 'cathode' && r.epsilonB === d.epsilonB)!;
      expect(cell.deltaSys).toBe(d.significant ? d.mean : 0);
    }
  });

  it('CATHODE: the flow samples oversampling × N_SR events into the SR and the cell validates', async () => {
    const out = tmp();
    const cfg = smallCathodeConfig();
    const { results } = await runScan(cfg, { outDir: out, cacheDir: join(out, 'cache') });
    expect(() => validateResults(results, 'scan')).not.toThrow();
    const r = results.runs[0];
    expect(r.nTemplate).toBe(Math.round(cfg.cathode.oversampling * r.nSR));
    expect(results.notes!.some((n) => /no control sample.*cathode/.test(n))).toBe(true);
    expect(results.featureHistograms!.filter((h) => h.method === 'cathode')).toHaveLength(4);
    // Template quality (issue 21): the draw's boundary check and the validation log-likelihood per epoch.
    const q = results.templateQuality!;
    expect(q).toHaveLength(1);
    expect(q[0]).toMatchObject({ windowId: 5, run: 0, sample: 'data', requested: r.nTemplate, dropped: 0 });
    expect(q[0].redrawn).toBe(q[0].nonFinite! + q[0].outOfRange!);
    expect(q[0].validationLogLikelihood).toHaveLength(1);
    expect(q[0].validationLogLikelihood![0]).toHaveLength(2);
    expect(q[0].validationNonFinite).toBeUndefined(); // every validation event had a finite log p
    expect(q[0].closureAuc).toBeUndefined(); // no sideband closure in this configuration
    expect(q[0].reweighting).toBeUndefined();

    // Reweighted in the sidebands: the flow comes from the cache, the scores are new, the weights are recorded.
    cfg.cathode.reweighting = { sidebandWidthTeV: 0.6 };
    const rw = await runScan(cfg, { outDir: out, cacheDir: join(out, 'cache') });
    expect(() => validateResults(rw.results, 'scan')).not.toThrow();
    expect(rw.cached).toBe(1);
    expect(rw.computed).toBe(1);
    const [w] = rw.results.templateQuality![0].reweighting!;
    expect(w).toMatchObject({ run: 0, clipped: expect.any(Number) });
    expect(w.generatorEvents).toBe(2 * w.sidebandEvents);
    expect(w.weightQuantiles[0]).toBeLessThanOrEqual(w.weightQuantiles[2]);
    expect(w.weightQuantiles[4]).toBeGreaterThan(w.weightQuantiles[0]);
    expect(rw.results.config.densityEstimator).toMatchObject({ reweighting: { sidebandWidthTeV: 0.6, oversampling: 2 } });
    // The template histograms are drawn with the weights: they differ from the unweighted ones.
    const hist = (res: typeof results) => JSON.stringify(res.featureHistograms!.filter((h) => h.method === 'cathode'));
    expect(hist(rw.results)).not.toBe(hist(results));
  });

  it('CATHODE with independent calibration: two flows on sideband halves; each cut is set on the half its classifier did not learn against', async () => {
    const out = tmp();
    const cfg = smallCathodeConfig();
    cfg.cathode = { ...cfg.cathode, flows: 2, independentCalibration: true };
    const { results } = await runScan(cfg, { outDir: out, cacheDir: join(out, 'cache') });
    expect(() => validateResults(results, 'scan')).not.toThrow();
    const r = results.runs[0];
    const drawn = Math.round(cfg.cathode.oversampling * r.nSR);
    // The cut-and-count reads the calibration half only: about half the template, each fold's other half.
    expect(r.nTemplate).toBeGreaterThan(0.45 * drawn);
    expect(r.nTemplate).toBeLessThan(0.55 * drawn);
    expect(results.config.densityEstimator).toMatchObject({ flows: 2, independentCalibration: true });
    // The template's plots still show every drawn event.
    const h = results.featureHistograms!.find((x) => x.method === 'cathode')!;
    expect(h.templateCounts.reduce((a, b) => a + b, 0)).toBeGreaterThan(0.98 * drawn);
    expect(results.templateQuality![0].validationLogLikelihood).toHaveLength(2);
  });
});

describe.skipIf(!lhcoSrDir)('scan on the real LHCO signal-region files', () => {
  it('window-5 IAD: SR data = innerdata_train + innerdata_test (concatenated), template = extrabkg_sr', async () => {
    const out = tmp();
    const cfg = presetConfig('ci');
    cfg.dataset = { paths: [`${lhcoSrDir}innerdata_train.npy`, `${lhcoSrDir}innerdata_test.npy`] };
    cfg.template = { paths: [`${lhcoSrDir}extrabkg_sr.npy`] };
    delete cfg.control;
    cfg.windows.ids = [5];
    cfg.methods = ['iad'];
    cfg.lookElsewhere = { pseudoExperiments: 0 };
    const { results } = await runScan(cfg, { outDir: out, cacheDir: join(out, 'cache') });
    expect(() => validateResults(results, 'real-data scan')).not.toThrow();
    const r = results.runs[0];
    // The README's counts: 60,000 + 62,124 SR events with 395 + 377 signal; 40,000 template events.
    expect([r.nSR, r.nTemplate, r.nSignalSR]).toEqual([122_124, 40_000, 772]);
    expect(r.nSignalPass!).toBeGreaterThan(0);
    // Only SR events in these files: no sidebands for the classical dijet fit, which says so.
    expect(results.bumpHunt).toBeUndefined();
    expect(results.notes!.some((n) => /fit-based bump hunt skipped/.test(n))).toBe(true);
  });
});
