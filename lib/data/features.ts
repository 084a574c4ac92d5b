/**
 * Derived dijet features of the LHCO R&D analyses (docs/physics.md#data-and-features), computed from the raw LHCO
 * columns `pxj1 pyj1 pzj1 mj1 tau1j1 tau2j1 tau3j1 pxj2 pyj2 pzj2 mj2 tau1j2 tau2j2 tau3j2 [label]`.
 *
 * Jets are ordered by mass (J1 = lighter), so the features do not depend on the pT ordering of the
 * input file. Masses come out in TeV.
 */
import { EventTable, type Column } from './eventTable.js';
import { InputError } from '../util/errors.js';
import { MASS_UNIT_NAMES, unitsPerTeV } from './units.js';

/** Raw LHCO jet columns, in file order (all GeV; τ_N dimensionless). */
export const RAW_JET_COLUMNS = Object.freeze([
  'pxj1', 'pyj1', 'pzj1', 'mj1', 'tau1j1', 'tau2j1', 'tau3j1',
  'pxj2', 'pyj2', 'pzj2', 'mj2', 'tau1j2', 'tau2j2', 'tau3j2',
] as const);

/**
 * The raw jet columns a file must hold: all but τ3, which only τ32 (the `extended` feature set) needs —
 * files of other generators may lack it.
 */
export const RAW_REQUIRED_JET_COLUMNS = Object.freeze(RAW_JET_COLUMNS.filter((c) => c !== 'tau3j1' && c !== 'tau3j2'));

/** Raw LHCO columns including the truth label (0 background, 1 signal). */
export const RAW_COLUMNS = Object.freeze([...RAW_JET_COLUMNS, 'label'] as const);

/** Names of the derived features, in output order. */
export const FEATURE_NAMES = Object.freeze([
  'mJJ', 'mJ1', 'deltaMJ', 'tau21J1', 'tau21J2', 'tau32J1', 'tau32J2', 'deltaRJJ',
] as const);
export type FeatureName = (typeof FEATURE_NAMES)[number];

/** Units of the derived features. */
export const FEATURE_UNITS: Readonly<Record<FeatureName, string>> = Object.freeze({
  mJJ: 'TeV', mJ1: 'TeV', deltaMJ: 'TeV',
  tau21J1: '', tau21J2: '', tau32J1: '', tau32J2: '', deltaRJJ: '',
});

/**
 * Classifier input sets. m_JJ is never a classifier input (it defines the windows).
 * - `baseline`: (m_J1, Δm_J, τ21_J1, τ21_J2), the CATHODE / LHCO standard;
 * - `deltaR`: baseline + ΔR_JJ, the stress test correlated with m_JJ;
 * - `extended`: baseline + τ32 of both jets.
 */
export const FEATURE_SETS = Object.freeze({
  baseline: Object.freeze(['mJ1', 'deltaMJ', 'tau21J1', 'tau21J2'] as const),
  deltaR: Object.freeze(['mJ1', 'deltaMJ', 'tau21J1', 'tau21J2', 'deltaRJJ'] as const),
  extended: Object.freeze(['mJ1', 'deltaMJ', 'tau21J1', 'tau21J2', 'tau32J1', 'tau32J2'] as const),
});
export type FeatureSetName = keyof typeof FEATURE_SETS;

/** Regulator of N-subjettiness ratios, τ_N / (τ_{N−1} + ε), as in the LHCO feature scripts. */
export const TAU_RATIO_EPSILON = 1e-5;

/** Dijet invariant mass of two massive jets, sqrt((E1+E2)² − |p1+p2|²), with E = sqrt(|p|² + m²). Same units as the inputs. */
export function dijetMass(
  px1: number, py1: number, pz1: number, m1: number,
  px2: number, py2: number, pz2: number, m2: number,
): number {
  const e1 = Math.sqrt(px1 * px1 + py1 * py1 + pz1 * pz1 + m1 * m1);
  const e2 = Math.sqrt(px2 * px2 + py2 * py2 + pz2 * pz2 + m2 * m2);
  const e = e1 + e2, px = px1 + px2, py = py1 + py2, pz = pz1 + pz2;
  // Rounding can make m² slightly negative for collinear massless jets: clamp at 0.
  return Math.sqrt(Math.max(e * e - px * px - py * py - pz * pz, 0));
}

/** Pseudorapidity η = asinh(pz / pT). */
export function pseudorapidity(px: number, py: number, pz: number): number {
  return Math.asinh(pz / Math.hypot(px, py));
}

/** Azimuthal separation Δφ = arccos(p̂T1 · p̂T2) ∈ [0, π] (no wrap-around needed). */
export function deltaPhi(px1: number, py1: number, px2: number, py2: number): number {
  const c = (px1 * px2 + py1 * py2) / (Math.hypot(px1, py1) * Math.hypot(px2, py2));
  // Clamp: rounding can push |cos| a hair above 1 for (anti)parallel jets.
  return Math.acos(Math.min(1, Math.max(-1, c)));
}

/** ΔR = sqrt(Δφ² + Δη²) between two jets. */
export function deltaR(px1: number, py1: number, pz1: number, px2: number, py2: number, pz2: number): number {
  const dphi = deltaPhi(px1, py1, px2, py2);
  const deta = pseudorapidity(px1, py1, pz1) - pseudorapidity(px2, py2, pz2);
  return Math.sqrt(dphi * dphi + deta * deta);
}

/** N-subjettiness ratio τ_N / (τ_{N−1} + 1e-5) (finite for τ_{N−1} = 0). */
export function tauRatio(tauN: number, tauNminus1: number): number {
  return tauN / (tauNminus1 + TAU_RATIO_EPSILON);
}

/** Derived features of one event (masses in the input unit). */
export interface EventFeatures {
  mJJ: number; mJ1: number; deltaMJ: number;
  tau21J1: number; tau21J2: number; tau32J1: number; tau32J2: number;
  deltaRJJ: number;
}

/** One jet's raw quantities. */
export interface RawJet {
  px: number; py: number; pz: number; m: number;
  tau1: number; tau2: number; tau3: number;
}

/** Derived features of one event from its two jets (in any order; masses in the input unit). */
export function eventFeatures(a: RawJet, b: RawJet): EventFeatures {
  const [light, heavy] = a.m <= b.m ? [a, b] : [b, a];
  return {
    mJJ: dijetMass(a.px, a.py, a.pz, a.m, b.px, b.py, b.pz, b.m),
    mJ1: light.m,
    deltaMJ: heavy.m - light.m,
    tau21J1: tauRatio(light.tau2, light.tau1),
    tau21J2: tauRatio(heavy.tau2, heavy.tau1),
    tau32J1: tauRatio(light.tau3, light.tau2),
    tau32J2: tauRatio(heavy.tau3, heavy.tau2),
    deltaRJJ: deltaR(a.px, a.py, a.pz, b.px, b.py, b.pz),
  };
}

/** Units per TeV of a raw mass/momentum column ("" means GeV, as in the LHCO files). */
function unitsPerTeVOf(table: EventTable, name: string, source: string): number {
  const u = table.unit(name);
  const n = unitsPerTeV(u === '' ? 'GeV' : u);
  if (n === undefined) throw new InputError(`${source}: column "${name}" has unit "${u}", expected ${MASS_UNIT_NAMES.join(', ')} (no unit: GeV)`);
  return n;
}

/**
 * Derived features of every event of a raw LHCO table: `mJJ mJ1 deltaMJ` (TeV), `tau21J1 tau21J2
 * deltaRJJ`, `tau32J1 tau32J2` when it has `tau3j1 tau3j2`, and `label` when it has one. Momentum columns are read as GeV
 * unless their unit says "TeV" or "MeV" (a missing unit means GeV, as in the LHCO files).
 * Returns new Float64 columns; the input is not modified.
 * @param options.source the file the table comes from, named in errors (default "deriveFeatures").
 */
export function deriveFeatures(raw: EventTable, { source = 'deriveFeatures' }: { source?: string } = {}): EventTable {
  const c = (name: string): Column => raw.column(name);
  const px1 = c('pxj1'), py1 = c('pyj1'), pz1 = c('pzj1'), m1 = c('mj1');
  // τ3 is optional: files of other generators may lack it, and only τ32 (the `extended` set) needs it.
  const hasTau3 = raw.has('tau3j1') && raw.has('tau3j2');
  const t11 = c('tau1j1'), t21 = c('tau2j1'), t31 = hasTau3 ? c('tau3j1') : undefined;
  const px2 = c('pxj2'), py2 = c('pyj2'), pz2 = c('pzj2'), m2 = c('mj2');
  const t12 = c('tau1j2'), t22 = c('tau2j2'), t32 = hasTau3 ? c('tau3j2') : undefined;
  const momentumNames = ['pxj1', 'pyj1', 'pzj1', 'mj1', 'pxj2', 'pyj2', 'pzj2', 'mj2'];
  const scales = momentumNames.map((n) => unitsPerTeVOf(raw, n, source));
  if (scales.some((s) => s !== scales[0]))
    throw new InputError(`${source}: momentum columns ${momentumNames.join(', ')} have mixed units (${momentumNames.map((n) => raw.unit(n) || 'GeV').join(', ')})`);
  const perTeV = scales[0];
  // Multiplied by 1/perTeV (0.001 for GeV), as the features were always derived: the same bits.
  const toTeV = 1 / perTeV;

  const n = raw.length;
  const mJJ = new Float64Array(n), mJ1 = new Float64Array(n), deltaMJ = new Float64Array(n);
  const tau21J1 = new Float64Array(n), tau21J2 = new Float64Array(n);
  const tau32J1 = new Float64Array(n), tau32J2 = new Float64Array(n);
  const deltaRJJ = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    mJJ[i] = dijetMass(px1[i], py1[i], pz1[i], m1[i], px2[i], py2[i], pz2[i], m2[i]) * toTeV;
    const firstLighter = m1[i] <= m2[i];
    const mLight = firstLighter ? m1[i] : m2[i], mHeavy = firstLighter ? m2[i] : m1[i];
    mJ1[i] = mLight * toTeV;
    deltaMJ[i] = (mHeavy - mLight) * toTeV;
    const r21a = tauRatio(t21[i], t11[i]), r21b = tauRatio(t22[i], t12[i]);
    tau21J1[i] = firstLighter ? r21a : r21b;
    tau21J2[i] = firstLighter ? r21b : r21a;
    if (t31 !== undefined && t32 !== undefined) {
      const r32a = tauRatio(t31[i], t21[i]), r32b = tauRatio(t32[i], t22[i]);
      tau32J1[i] = firstLighter ? r32a : r32b;
      tau32J2[i] = firstLighter ? r32b : r32a;
    }
    deltaRJJ[i] = deltaR(px1[i], py1[i], pz1[i], px2[i], py2[i], pz2[i]);
  }
  const cols: Record<string, Column> = hasTau3
    ? { mJJ, mJ1, deltaMJ, tau21J1, tau21J2, tau32J1, tau32J2, deltaRJJ }
    : { mJJ, mJ1, deltaMJ, tau21J1, tau21J2, deltaRJJ };
  const units: Record<string, string> = { ...FEATURE_UNITS };
  if (raw.has('label')) {
    const l = raw.column('label');
    cols.label = Float64Array.from(l);
    units.label = '';
  }
  return new EventTable(cols, units);
}

/** The features that are masses (the rest are dimensionless). */
const MASS_FEATURES = Object.freeze(['mJJ', 'mJ1', 'deltaMJ'] as const);

/**
 * A table of features (not raw columns) with its mass features `mJJ mJ1 deltaMJ` in TeV, the unit every
 * classifier, template and window of a scan compares them in. A column without a unit is TeV (the
 * LHCO-SR `.npy` convention); GeV and MeV are divided down. Without this a file in GeV would be cut in
 * the right windows (the masks read the unit) but trained against a template in TeV.
 * @throws InputError naming the source and column for a unit that is not a mass unit.
 */
export function massFeaturesInTeV(table: EventTable, source: string): EventTable {
  let out = table;
  for (const name of MASS_FEATURES) {
    if (!table.has(name)) continue;
    const u = table.unit(name) || 'TeV';
    const perTeV = unitsPerTeV(u);
    if (perTeV === undefined) throw new InputError(`${source}: column "${name}" has unit "${u}", expected ${MASS_UNIT_NAMES.join(', ')} (no unit: TeV)`);
    if (perTeV === 1) {
      if (table.unit(name) !== 'TeV') out = out.withColumn(name, table.column(name), 'TeV');
      continue;
    }
    // Division, as the window masks divide a GeV m_JJ: decimal masses stay exact.
    out = out.withColumn(name, Float64Array.from(table.column(name), (v) => v / perTeV), 'TeV');
  }
  return out;
}
