import { describe, expect, it } from 'vitest';
import { EventTable } from '../../lib/data/eventTable.js';
import {
  FEATURE_SETS, RAW_COLUMNS, deltaPhi, deltaR, deriveFeatures, dijetMass, eventFeatures, pseudorapidity, tauRatio,
  type RawJet,
} from '../../lib/data/features.js';

const jet = (pT: number, eta: number, phi: number, m: number, tau1 = 0.3, tau2 = 0.2, tau3 = 0.1): RawJet =>
  ({ px: pT * Math.cos(phi), py: pT * Math.sin(phi), pz: pT * Math.sinh(eta), m, tau1, tau2, tau3 });

/** A raw LHCO table from jet pairs (GeV). */
function rawTable(pairs: [RawJet, RawJet][], labels?: number[]): EventTable {
  const cols: Record<string, Float64Array> = {};
  for (const name of RAW_COLUMNS) cols[name] = new Float64Array(pairs.length);
  pairs.forEach(([a, b], i) => {
    for (const [j, s] of [[a, '1'], [b, '2']] as const) {
      cols[`pxj${s}`][i] = j.px; cols[`pyj${s}`][i] = j.py; cols[`pzj${s}`][i] = j.pz; cols[`mj${s}`][i] = j.m;
      cols[`tau1j${s}`][i] = j.tau1; cols[`tau2j${s}`][i] = j.tau2; cols[`tau3j${s}`][i] = j.tau3;
    }
    cols.label[i] = labels?.[i] ?? 0;
  });
  if (!labels) delete cols.label;
  return new EventTable(cols, Object.fromEntries(Object.keys(cols).filter((k) => /^(p|m)/.test(k)).map((k) => [k, 'GeV'])));
}

describe('per-event features against hand-computed 4-vectors', () => {
  it('massless back-to-back jets at η = 0: m_JJ = pT1 + pT2, ΔR = π', () => {
    expect(dijetMass(1000, 0, 0, 0, -1000, 0, 0, 0)).toBeCloseTo(2000, 9);
    expect(deltaR(1000, 0, 0, -1000, 0, 0)).toBeCloseTo(Math.PI, 12);
  });

  it('massless jets: m_JJ² = 2 pT1 pT2 (cosh Δη − cos Δφ)', () => {
    const a = jet(1200, 1, 0.3, 0), b = jet(1000, -0.5, 0.3 + 2.5, 0);
    const expected = Math.sqrt(2 * 1200 * 1000 * (Math.cosh(1.5) - Math.cos(2.5)));
    expect(dijetMass(a.px, a.py, a.pz, 0, b.px, b.py, b.pz, 0)).toBeCloseTo(expected, 8);
    expect(deltaR(a.px, a.py, a.pz, b.px, b.py, b.pz)).toBeCloseTo(Math.hypot(2.5, 1.5), 12);
  });

  it('massive back-to-back jets: m_JJ = E1 + E2, η = asinh(pz/pT)', () => {
    // |p| = 500, m = 100 → E = sqrt(260000) each; total 3-momentum zero.
    expect(dijetMass(300, 0, 400, 100, -300, 0, -400, 100)).toBeCloseTo(2 * Math.sqrt(260000), 9);
    expect(pseudorapidity(300, 0, 400)).toBeCloseTo(Math.log(3), 12); // asinh(4/3) = ln 3
    expect(deltaR(300, 0, 400, -300, 0, -400)).toBeCloseTo(Math.hypot(Math.PI, 2 * Math.log(3)), 12);
  });

  it('massive jets along the same direction: m_JJ² = m1² + m2² + 2(E1E2 − p1·p2)', () => {
    const e1 = Math.sqrt(100 ** 2 + 50 ** 2), e2 = Math.sqrt(300 ** 2 + 80 ** 2);
    const expected = Math.sqrt(50 ** 2 + 80 ** 2 + 2 * (e1 * e2 - 100 * 300));
    expect(dijetMass(100, 0, 0, 50, 300, 0, 0, 80)).toBeCloseTo(expected, 9);
  });

  it('Δφ across ±π is the short way round', () => {
    const a = jet(1000, 0.2, Math.PI - 0.05, 50), b = jet(900, -0.3, -Math.PI + 0.05, 80);
    expect(deltaPhi(a.px, a.py, b.px, b.py)).toBeCloseTo(0.1, 10);
    expect(deltaR(a.px, a.py, a.pz, b.px, b.py, b.pz)).toBeCloseTo(Math.hypot(0.1, 0.5), 10);
    // (Anti)parallel jets: rounding must not push arccos out of its domain.
    expect(deltaPhi(3, 4, 6, 8)).toBe(0);
    expect(deltaPhi(3, 4, -6, -8)).toBeCloseTo(Math.PI, 12);
  });

  it('τ1 = 0 gives a finite τ21 = τ2 / 1e-5', () => {
    expect(tauRatio(0.2, 0)).toBeCloseTo(0.2 / 1e-5, 6);
    expect(tauRatio(0, 0)).toBe(0);
    const f = eventFeatures(jet(1000, 0, 0, 10, 0, 0.001, 0.0005), jet(1000, 0, Math.PI, 200, 0.4, 0.1, 0.05));
    expect(f.tau21J1).toBeCloseTo(0.001 / 1e-5, 6);
    expect(Number.isFinite(f.tau21J1)).toBe(true);
  });

  it('jets are ordered by mass: the lighter is J1, its τ ratios follow it', () => {
    const heavy = jet(1500, 0.1, 0, 500, 0.5, 0.1, 0.08);
    const light = jet(1400, -0.4, Math.PI, 100, 0.2, 0.15, 0.09);
    const f = eventFeatures(heavy, light);
    const g = eventFeatures(light, heavy);
    expect(f).toEqual(g);
    expect(f.mJ1).toBe(100);
    expect(f.deltaMJ).toBe(400);
    expect(f.tau21J1).toBeCloseTo(0.15 / (0.2 + 1e-5), 12);
    expect(f.tau21J2).toBeCloseTo(0.1 / (0.5 + 1e-5), 12);
    expect(f.tau32J1).toBeCloseTo(0.09 / (0.15 + 1e-5), 12);
    expect(f.tau32J2).toBeCloseTo(0.08 / (0.1 + 1e-5), 12);
  });
});

describe('deriveFeatures', () => {
  const heavy = jet(1500, 0.1, 0, 500, 0.5, 0.1, 0.08);
  const light = jet(1400, -0.4, Math.PI - 0.2, 100, 0.2, 0.15, 0.09);

  it('gives the per-event features in TeV, label carried over, units recorded', () => {
    const t = deriveFeatures(rawTable([[heavy, light], [light, heavy]], [1, 0]));
    expect(t.columnNames).toEqual(['mJJ', 'mJ1', 'deltaMJ', 'tau21J1', 'tau21J2', 'tau32J1', 'tau32J2', 'deltaRJJ', 'label']);
    const f = eventFeatures(heavy, light);
    for (const i of [0, 1]) {
      expect(t.column('mJJ')[i]).toBeCloseTo(f.mJJ / 1000, 12);
      expect(t.column('mJ1')[i]).toBeCloseTo(0.1, 12);
      expect(t.column('deltaMJ')[i]).toBeCloseTo(0.4, 12);
      expect(t.column('tau21J1')[i]).toBeCloseTo(f.tau21J1, 12);
      expect(t.column('tau21J2')[i]).toBeCloseTo(f.tau21J2, 12);
      expect(t.column('tau32J1')[i]).toBeCloseTo(f.tau32J1, 12);
      expect(t.column('tau32J2')[i]).toBeCloseTo(f.tau32J2, 12);
      expect(t.column('deltaRJJ')[i]).toBeCloseTo(f.deltaRJJ, 12);
    }
    expect([...t.column('label')]).toEqual([1, 0]);
    expect(t.unit('mJJ')).toBe('TeV');
    expect(t.unit('mJ1')).toBe('TeV');
    expect(t.unit('deltaMJ')).toBe('TeV');
    expect(t.unit('tau21J1')).toBe('');
  });

  it('without a label column gives no label; TeV inputs are honoured', () => {
    const t = deriveFeatures(rawTable([[heavy, light]]));
    expect(t.has('label')).toBe(false);
    const raw = rawTable([[heavy, light]]);
    const cols: Record<string, Float64Array> = {};
    const units: Record<string, string> = {};
    for (const n of raw.columnNames) {
      const inTeV = /^(p|m)/.test(n);
      cols[n] = Float64Array.from(raw.column(n), (v) => (inTeV ? v / 1000 : v));
      if (inTeV) units[n] = 'TeV';
    }
    const u = deriveFeatures(new EventTable(cols, units));
    expect(u.column('mJJ')[0]).toBeCloseTo(t.column('mJJ')[0], 12);
    expect(u.column('mJ1')[0]).toBeCloseTo(0.1, 12);
  });

  it('names the missing column and rejects unknown units', () => {
    const raw = rawTable([[heavy, light]]);
    const names = raw.columnNames.filter((n) => n !== 'tau2j2');
    expect(() => deriveFeatures(raw.select(names))).toThrow(/tau2j2/);
    const bad = new EventTable(Object.fromEntries(raw.columnNames.map((n) => [n, raw.column(n)])), { ...raw.units, mj1: 'MeV' });
    expect(() => deriveFeatures(bad)).toThrow(/mj1.*MeV/);
  });

  it('feature sets are the documented classifier inputs', () => {
    expect(FEATURE_SETS.baseline).toEqual(['mJ1', 'deltaMJ', 'tau21J1', 'tau21J2']);
    expect(FEATURE_SETS.deltaR).toEqual(['mJ1', 'deltaMJ', 'tau21J1', 'tau21J2', 'deltaRJJ']);
    expect(FEATURE_SETS.extended).toEqual(['mJ1', 'deltaMJ', 'tau21J1', 'tau21J2', 'tau32J1', 'tau32J2']);
    expect(Object.isFrozen(FEATURE_SETS)).toBe(true);
  });
});
