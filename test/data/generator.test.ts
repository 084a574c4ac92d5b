import { beforeAll, describe, expect, it } from 'vitest';
import { deriveFeatures, RAW_COLUMNS, FEATURE_SETS } from '../../lib/data/features.js';
import type { EventTable } from '../../lib/data/eventTable.js';
import { generateExtraSrBackground, generateLhcoLike, GENERATOR_DEFAULTS, resolveGeneratorOptions } from '../../lib/data/generate/index.js';
import { ksStatistic } from '../helpers/ks.js';
import { lhcoSrDir, npyColumn, readNpyF64 } from '../helpers/lhcoSr.js';

const BASELINE = FEATURE_SETS.baseline;
const SR = { low: 3.3, high: 3.7 };

/** Rows of a derived-feature table inside the SR (open interval). */
function inSr(f: EventTable): EventTable {
  const m = f.column('mJJ');
  const mask = new Uint8Array(f.length);
  for (let i = 0; i < f.length; i++) mask[i] = m[i] > SR.low && m[i] < SR.high ? 1 : 0;
  return f.filter(mask);
}

const bytes = (t: EventTable): Buffer[] => t.columnNames.map((n) => Buffer.from(t.column(n).buffer, t.column(n).byteOffset, t.column(n).byteLength));

describe('generateLhcoLike: layout, determinism, options', () => {
  const small = { background: 3000, signal: 200, seed: 3 };

  it('writes the raw LHCO columns in GeV with the requested label counts', () => {
    const t = generateLhcoLike(small);
    expect(t.columnNames).toEqual([...RAW_COLUMNS]);
    expect(t.length).toBe(3200);
    expect(t.unit('pxj1')).toBe('GeV');
    expect(t.unit('mj2')).toBe('GeV');
    const label = t.column('label');
    let s = 0;
    for (const l of label) { expect(l === 0 || l === 1).toBe(true); s += l; }
    expect(s).toBe(200);
    // Shuffled: signal is not all at the end.
    expect([...label.subarray(0, 1000)].some((l) => l === 1)).toBe(true);
  });

  it('every event passes the leading-jet trigger, j1 is the pT-leading jet, τ ordering is physical', () => {
    const t = generateLhcoLike(small);
    const c = (n: string) => t.column(n);
    const bad: string[] = [];
    for (let i = 0; i < t.length; i++) {
      const pt1 = Math.hypot(c('pxj1')[i], c('pyj1')[i]), pt2 = Math.hypot(c('pxj2')[i], c('pyj2')[i]);
      if (!(pt1 > 1200)) bad.push(`row ${i}: leading pT ${pt1}`);
      if (!(pt1 >= pt2)) bad.push(`row ${i}: pT1 ${pt1} < pT2 ${pt2}`);
      for (const j of ['1', '2']) {
        const m = c(`mj${j}`)[i], t1 = c(`tau1j${j}`)[i], t2 = c(`tau2j${j}`)[i], t3 = c(`tau3j${j}`)[i];
        if (!(m > 0 && t1 >= t2 && t2 >= t3 && t3 >= 0)) bad.push(`row ${i} jet ${j}: m ${m}, τ ${t1} ${t2} ${t3}`);
      }
    }
    expect(bad.slice(0, 5)).toEqual([]);
  });

  it('the same seed gives byte-identical arrays; another seed differs', () => {
    const a = bytes(generateLhcoLike(small)), b = bytes(generateLhcoLike(small)), c = bytes(generateLhcoLike({ ...small, seed: 4 }));
    a.forEach((col, j) => expect(col.equals(b[j])).toBe(true));
    expect(a.every((col, j) => col.equals(c[j]))).toBe(false);
    expect(a[0].equals(c[0])).toBe(false);
  });

  it('the extra SR background lies in its window, has its own stream and does not change the main sample', () => {
    const extra = generateExtraSrBackground({ ...small, extraSrBackground: { n: 2000, mJJLowTeV: 3.4, mJJHighTeV: 3.6 } });
    expect(extra.length).toBe(2000);
    const f = deriveFeatures(extra);
    for (const m of f.column('mJJ')) { expect(m).toBeGreaterThan(3.4); expect(m).toBeLessThan(3.6); }
    expect([...f.column('label')].every((l) => l === 0)).toBe(true);
    // Main sample independent of the extra-background request.
    const a = bytes(generateLhcoLike(small));
    const b = bytes(generateLhcoLike({ ...small, extraSrBackground: { n: 5000 } }));
    a.forEach((col, j) => expect(col.equals(b[j])).toBe(true));
    // Not a copy of the main sample's SR events.
    const mainSr = inSr(deriveFeatures(generateLhcoLike({ ...small, signal: 0 }))).column('mJ1');
    const extraMj1 = new Set(f.column('mJ1'));
    expect([...mainSr].filter((m) => extraMj1.has(m)).length).toBe(0);
  });

  it('validates options with messages that name the option', () => {
    expect(() => resolveGeneratorOptions({ background: -1 })).toThrow(/"background".*non-negative integer.*-1/);
    expect(() => resolveGeneratorOptions({ signal: 1.5 })).toThrow(/"signal"/);
    expect(() => resolveGeneratorOptions({ backgroundModel: 'alternativ' as 'default' })).toThrow(/backgroundModel.*did you mean "alternative"/);
    expect(() => resolveGeneratorOptions({ sed: 3 } as never)).toThrow(/unknown option "sed".*"seed"/);
    expect(() => resolveGeneratorOptions({ extraSrBackground: { mJJLowTeV: 3.7, mJJHighTeV: 3.3 } })).toThrow(/mJJLowTeV < mJJHighTeV/);
    expect(() => resolveGeneratorOptions({ signalModel: { xMassGeV: 3000, yMassGeV: 600 } })).toThrow(/m_X \+ m_Y < m_W′/);
    expect(() => generateExtraSrBackground({ extraSrBackground: { n: 10, mJJLowTeV: 13.5, mJJHighTeV: 14 } })).toThrow(/no event fell in m_JJ \(13.5, 14\) TeV/);
    expect(Object.isFrozen(GENERATOR_DEFAULTS)).toBe(true);
    expect(GENERATOR_DEFAULTS.background).toBe(1_000_000);
    expect(GENERATOR_DEFAULTS.signal).toBe(1000);
  });

  it('heavier resonances move the signal jet masses', () => {
    const f = deriveFeatures(generateLhcoLike({ background: 0, signal: 3000, seed: 5, signalModel: { xMassGeV: 300, yMassGeV: 200 } }));
    const med = (a: ArrayLike<number>) => Float64Array.from(a).sort()[a.length >> 1];
    const core = inSr(f);
    expect(med(core.column('mJ1'))).toBeGreaterThan(0.19);
    expect(med(core.column('mJ1'))).toBeLessThan(0.23);
    expect(med(core.column('deltaMJ'))).toBeGreaterThan(0.06);
    expect(med(core.column('deltaMJ'))).toBeLessThan(0.14);
  });
});

describe('generator physics', () => {
  let bkg: EventTable;
  beforeAll(() => { bkg = deriveFeatures(generateLhcoLike({ background: 200_000, signal: 0, seed: 101 })); });

  it('the m_JJ spectrum turns on near 2.6 TeV and falls smoothly from 2.8 to 5 TeV', () => {
    const m = bkg.column('mJJ');
    const lo = 2.0, width = 0.1, nb = 30;
    const h = new Array<number>(nb).fill(0);
    for (const x of m) { const k = Math.floor((x - lo) / width); if (k >= 0 && k < nb) h[k]++; }
    const peak = h.indexOf(Math.max(...h));
    expect(lo + peak * width).toBeGreaterThanOrEqual(2.4);
    expect(lo + peak * width).toBeLessThan(2.8);
    for (let k = 8; k < nb - 1; k++) expect(h[k + 1] - h[k]).toBeLessThan(3 * Math.sqrt(h[k] + h[k + 1])); // 2.8 → 5.0 TeV
    // Falling, not flat: the 4.9–5.0 TeV bin holds far fewer events than 2.8–2.9 TeV.
    expect(h[nb - 1]).toBeLessThan(0.2 * h[8]);
  });

  it('jet masses grow with m_JJ (mass ∝ pT), τ21 falls with jet mass', () => {
    const m = bkg.column('mJJ'), mj = bkg.column('mJ1'), t21 = bkg.column('tau21J2'), dm = bkg.column('deltaMJ');
    const mean = (sel: (i: number) => boolean, a: ArrayLike<number>) => { let s = 0, n = 0; for (let i = 0; i < a.length; i++) if (sel(i)) { s += a[i]; n++; } return s / n; };
    expect(mean((i) => m[i] > 3.8 && m[i] < 4.2, mj)).toBeGreaterThan(1.05 * mean((i) => m[i] > 2.9 && m[i] < 3.3, mj));
    const heavy = (i: number) => mj[i] + dm[i] > 0.3, light = (i: number) => mj[i] + dm[i] < 0.15;
    expect(mean(heavy, t21)).toBeLessThan(mean(light, t21) - 0.05);
  });

  it('the alternative background model differs visibly but modestly (KS 0.02–0.08 in the SR)', () => {
    const alt = inSr(deriveFeatures(generateLhcoLike({ background: 200_000, signal: 0, seed: 101, backgroundModel: 'alternative' })));
    const def = inSr(bkg);
    const ks = BASELINE.map((k) => ksStatistic(alt.column(k), def.column(k)));
    expect(Math.max(...ks)).toBeGreaterThan(0.02);
    expect(Math.max(...ks)).toBeLessThan(0.08);
  });
});

const dir = lhcoSrDir;
describe.skipIf(!dir)('realism against the LHCO R&D signal region (3.3 < m_JJ < 3.7 TeV)', () => {
  const realCols = (file: string) => { const m = readNpyF64(dir + file); return BASELINE.map((_, j) => npyColumn(m, j + 1)); };

  it('background: 12.1 % ± 1 % of events in the SR; KS ≤ 0.05 per feature vs extrabkg_sr', () => {
    const all = deriveFeatures(generateLhcoLike({ background: 200_000, signal: 0, seed: 2024 }));
    const sr = inSr(all);
    expect(Math.abs(sr.length / all.length - 0.121)).toBeLessThan(0.01);
    const real = realCols('extrabkg_sr.npy');
    BASELINE.forEach((k, j) => expect(ksStatistic(sr.column(k), real[j]), k).toBeLessThanOrEqual(0.05));
  });

  it('signal: ≈ 77 % ± 5 % of events in the SR; KS ≤ 0.08 per feature vs innerdata_extrasig', () => {
    const all = deriveFeatures(generateLhcoLike({ background: 0, signal: 40_000, seed: 2025 }));
    const sr = inSr(all);
    expect(Math.abs(sr.length / all.length - 0.77)).toBeLessThan(0.05);
    const real = realCols('innerdata_extrasig.npy');
    BASELINE.forEach((k, j) => expect(ksStatistic(sr.column(k), real[j]), k).toBeLessThanOrEqual(0.08));
  });

  it('the extra SR background matches the real SR background too', () => {
    const extra = deriveFeatures(generateExtraSrBackground({ seed: 9, extraSrBackground: { n: 30_000 } }));
    const real = realCols('extrabkg_sr.npy');
    BASELINE.forEach((k, j) => expect(ksStatistic(extra.column(k), real[j]), k).toBeLessThanOrEqual(0.05));
  });
});

describe('kinematic samplers', () => {
  it('y* follows e^{2y} cosh(y)^−k on both sampling branches (binned against the integrated density)', async () => {
    const { sampleYStar } = await import('../../lib/data/generate/background.js');
    const { createRng } = await import('../../lib/util/rng.js');
    for (const k of [3, 7.6]) {
      const rng = createRng(17);
      const n = 100_000, edges = [0, 0.25, 0.5, 0.75, 1, 1.5, 2, 3];
      const counts = new Array<number>(edges.length).fill(0);
      for (let i = 0; i < n; i++) {
        const y = sampleYStar(rng, k);
        let b = edges.length - 1;
        while (b > 0 && y < edges[b]) b--;
        counts[b]++;
      }
      // Midpoint-rule integral of the density on a fine grid.
      const f = (y: number) => Math.exp(2 * y) * Math.pow(Math.cosh(y), -k);
      const integral = (lo: number, hi: number) => { let s = 0; const m = 4000, h = (hi - lo) / m; for (let i = 0; i < m; i++) s += f(lo + (i + 0.5) * h) * h; return s; };
      const total = integral(0, 40);
      for (let b = 0; b < edges.length; b++) {
        const p = integral(edges[b], b + 1 < edges.length ? edges[b + 1] : 40) / total;
        expect(Math.abs(counts[b] - n * p), `k=${k} bin ${edges[b]}`).toBeLessThan(5 * Math.sqrt(n * p) + 1);
      }
    }
  });
});
