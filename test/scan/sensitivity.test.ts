/**
 * The sensitivity sweep (issue 17, item 3): the threshold interpolation against hand-computed numbers,
 * a tiny generated sweep (IAD + CWoLa, window 5, ε_B = 1e-2, levels 0/1000, 2 runs, 60k events) whose
 * signal-window Z must rise with the injected signal and whose document must match its schema and be
 * reused on a rerun, a tiny file-injection sweep whose truth counts are checked against the draw, and
 * the refusals (a level larger than the signal file, bad levels).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  parseLevels, runSensitivity, signalForZ, summariseSensitivity, validateSensitivity, writeSensitivity, type SensitivityDocument,
} from '../../lib/scan/sensitivity.js';
import { generateLhcoLike } from '../../lib/data/generate/index.js';
import { writeEvents } from '../../lib/data/io/index.js';
import { deriveFeatures } from '../../lib/data/features.js';
import { createRng } from '../../lib/util/rng.js';
import { ConfigError, InputError } from '../../lib/util/errors.js';
import { formatSensitivityTable, sensitivityPlots } from '../../lib/report/sensitivity.js';
import { parseSignalLevels } from '../../scripts/commands/sensitivity.js';
import { tinyScanConfig } from '../helpers/tinyScan.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'sw-sens-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('signal needed for Z', () => {
  // Median curve (0, 0.2), (300, 2.0), (1000, 4.0): Z = 3 lies between 300 and 1000,
  // 300 + (3 − 2.0) · (1000 − 300) / (4.0 − 2.0) = 650; Z = 5 is never reached.
  const curve = [{ signal: 0, z: 0.2 }, { signal: 300, z: 2.0 }, { signal: 1000, z: 4.0 }];
  it('interpolates linearly between the levels around the threshold', () => {
    expect(signalForZ(curve, 3)).toEqual({ signal: 650, status: 'interpolated' });
    expect(signalForZ(curve, 2)).toEqual({ signal: 300, status: 'interpolated' });
    // 0 + (1 − 0.2) · 300 / 1.8 = 133.33…
    expect(signalForZ(curve, 1).signal).toBeCloseTo(400 / 3, 10);
  });
  it('says "not reached" above the curve and flags a curve that starts above the threshold', () => {
    expect(signalForZ(curve, 5)).toEqual({ signal: null, status: 'not reached' });
    expect(signalForZ(curve, 0.1)).toEqual({ signal: 0, status: 'at or below the lowest level' });
  });
  it('takes the first crossing and skips levels without a significance (all runs refused)', () => {
    const bumpy = [{ signal: 0, z: 0 }, { signal: 100, z: NaN }, { signal: 200, z: 3.5 }, { signal: 300, z: 2.5 }, { signal: 400, z: 6 }];
    expect(signalForZ(bumpy, 3).signal).toBeCloseTo((3 / 3.5) * 200, 10);
  });
});

describe('injection levels', () => {
  it('are sorted event counts, each once', () => {
    expect(parseLevels([1000, 0, 300])).toEqual([0, 300, 1000]);
    expect(() => parseLevels([0, 300, 300])).toThrow(/level 300 appears twice/);
    expect(() => parseLevels([])).toThrow(ConfigError);
    expect(() => parseSignalLevels('0,1.5')).toThrow(/"1.5" is not an event count/);
    expect(() => parseSignalLevels('0,-100')).toThrow(ConfigError);
  });
});

describe('sensitivity sweep on generated data (tiny)', () => {
  let doc: SensitivityDocument;
  const out = tmp();
  it('Z of the signal window rises with the injected signal; the document matches its schema', async () => {
    const base = tinyScanConfig(1);
    doc = await runSensitivity({ base, levels: [1000, 0], runs: 2, source: { kind: 'generated' }, outDir: out });
    expect(doc.levels).toEqual([0, 1000]);
    expect(doc.signalWindow.id).toBe(5);
    expect(doc.signalWindow.reason).toMatch(/nearest the generated W′ mass 3.5 TeV/);
    expect(doc.variants.map((v) => v.id)).toEqual(['signal-0-run-0', 'signal-1000-run-0', 'signal-0-run-1', 'signal-1000-run-1']);
    // Run r moves every seed by 1000·r; levels of one run share them.
    expect(doc.variants.map((v) => v.seed)).toEqual([1, 1, 1001, 1001]);
    const [c0, c1] = doc.counts;
    expect(c0.nSignalSR.values).toEqual([0, 0]);
    // ≈ 75 % of the W′ signal falls in 3.3–3.7 TeV; the background of a run does not depend on the level.
    for (const s of c1.nSignalSR.values) {
      expect(s).toBeGreaterThan(600);
      expect(s).toBeLessThan(900);
    }
    expect(c1.nBackgroundSR.values).toEqual(c0.nBackgroundSR.values);
    expect(c1.sOverSqrtB.median).toBeCloseTo(c1.nSignalSR.median / Math.sqrt(c1.nBackgroundSR.median), 1);
    for (const m of ['iad', 'cwola'] as const) {
      const z = (level: number) => doc.points.find((p) => p.method === m && p.epsilonB === 0.01 && p.signal === level)!.zCowan!;
      expect(z(0).values).toHaveLength(2);
      expect(z(1000).median).toBeGreaterThan(z(0).median + 3);
      expect(Math.abs(z(0).median)).toBeLessThan(3);
      const sic = doc.sic.find((s) => s.method === m && s.signal === 1000)!.maxSic!;
      expect(sic.median).toBeGreaterThan(1);
      expect(doc.sic.find((s) => s.method === m && s.signal === 0)!.maxSic).toBeUndefined();
    }
    // With two levels the 3σ signal is interpolated between 0 and 1000 (IAD reaches it).
    const iad3 = doc.signalForZ.find((t) => t.method === 'iad' && t.z === 3)!;
    expect(iad3.status).toBe('interpolated');
    expect(iad3.signal!).toBeGreaterThan(0);
    expect(iad3.signal!).toBeLessThan(1000);
    const path = await writeSensitivity(doc, out);
    expect(path).toBe(join(out, 'sensitivity.json'));
    expect(formatSensitivityTable(doc)).toMatch(/IAD\s+0.01/);
    expect(sensitivityPlots(doc).map((p) => p.id)).toEqual(['sensitivity-z-vs-signal', 'sensitivity-z-vs-sOverB', 'sensitivity-z-vs-sOverSqrtB', 'sensitivity-sic']);
  }, 90_000);

  it('a rerun reuses every scan and gives the same numbers', async () => {
    const reused: boolean[] = [];
    const again = await runSensitivity({ base: tinyScanConfig(1), levels: [0, 1000], runs: 2, source: { kind: 'generated' }, outDir: out, onVariant: (_i, _n, _id, r) => reused.push(r) });
    expect(reused).toEqual([true, true, true, true]);
    expect(again.points).toEqual(doc.points);
  }, 30_000);

  it('the schema refuses a malformed document', () => {
    const bad = structuredClone(doc) as unknown as Record<string, unknown>;
    delete bad.signalWindow;
    expect(() => validateSensitivity(bad, 'bad doc')).toThrow(/bad doc: does not match schema sensitivity-results.*signalWindow/);
    const bad2 = structuredClone(doc);
    bad2.points[0].signal = -5;
    expect(() => validateSensitivity(bad2, 'bad doc')).toThrow(/\/points\/0\/signal/);
  });

  it('refuses results without the signal window', () => {
    const results = { runs: [{ windowId: 4 }] } as never;
    expect(() => summariseSensitivity([{ id: 'x', signal: 0, run: 0, seed: 1, results }], {
      levels: [0], runs: 1, methods: ['iad'], epsilonB: [0.01], windows: [4], preset: 'ci',
      signalWindow: { id: 5, srLow: 3.3, srHigh: 3.7, centre: 3.5, units: 'TeV', reason: 'test' },
    })).toThrow(/x: results have no cell of the signal window 5; scanned windows: 4/);
  });
});

describe('sensitivity sweep with a background file and a signal file', () => {
  const dir = tmp();
  const bkgFile = join(dir, 'bkg.arrow'), sigFile = join(dir, 'sig.arrow');
  const files = async (nSignal: number) => {
    await writeEvents(generateLhcoLike({ background: 60_000, signal: 0, seed: 41 }), bkgFile);
    await writeEvents(generateLhcoLike({ background: 0, signal: nSignal, seed: 42 }), sigFile);
  };

  it('refuses a level larger than the signal file, before any scan', async () => {
    await files(500);
    const out = join(dir, 'refused');
    const err = await runSensitivity({
      base: tinyScanConfig(1), levels: [0, 300, 800], runs: 1, outDir: out,
      source: { kind: 'files', backgroundFiles: [bkgFile], signalFile: sigFile },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe(`${sigFile}: holds 500 signal events; injection level 800 needs at least that many (events are drawn without replacement)`);
  });

  it('injects seeded draws without replacement; S in the SR matches the drawn events', async () => {
    await files(1500);
    const out = join(dir, 'sweep');
    const base = tinyScanConfig(1);
    base.methods = ['iad'];
    const doc = await runSensitivity({ base, levels: [0, 1000], runs: 1, outDir: out, source: { kind: 'files', backgroundFiles: [bkgFile], signalFile: sigFile } });
    validateSensitivity(doc, 'file sweep');
    expect(doc.signalWindow.id).toBe(5);
    expect(doc.signalWindow.reason).toMatch(/most of the signal file's events/);
    const v = doc.variants.find((x) => x.signal === 1000)!;
    expect(v.injectedFile).toBe(join('injected', 'signal-1000-run-0.arrow'));
    // Recount the drawn events' m_JJ in the SR from the seed: the scan's labels must agree.
    const sig = deriveFeatures(generateLhcoLike({ background: 0, signal: 1500, seed: 42 })).column('mJJ');
    const rows = createRng(v.injectionSeed!).permutation(1500).subarray(0, 1000);
    expect(new Set(rows).size).toBe(1000);
    let inSR = 0;
    for (const i of rows) if (sig[i] > 3.3 && sig[i] < 3.7) inSR++;
    expect(doc.counts[1].nSignalSR.values).toEqual([inSR]);
    expect(doc.counts[1].nBackgroundSR.values).toEqual(doc.counts[0].nBackgroundSR.values);
    const z = (l: number) => doc.points.find((p) => p.signal === l)!.zCowan!.median;
    expect(z(1000)).toBeGreaterThan(z(0) + 3);
  }, 60_000);
});
