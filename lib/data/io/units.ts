import type { Unit } from '../eventTable.js';

/** Column names of the LHCO R&D features file (pandas `to_hdf`, key usually `df`); momenta and masses in GeV. */
export const LHCO_COLUMNS = Object.freeze([
  'pxj1', 'pyj1', 'pzj1', 'mj1', 'tau1j1', 'tau2j1', 'tau3j1',
  'pxj2', 'pyj2', 'pzj2', 'mj2', 'tau1j2', 'tau2j2', 'tau3j2', 'label',
] as const);

/**
 * Column names of the 6-column LHCO signal-region `.npy` files (CATHODE layout):
 * m_JJ, m_J1 (lighter jet), Δm_J = m_J2 − m_J1, τ21 of J1 and J2, label — masses in TeV.
 */
export const LHCO_SR_COLUMNS = Object.freeze(['mJJ', 'mJ1', 'deltaMJ', 'tau21J1', 'tau21J2', 'label'] as const);

const LHCO_SR_UNITS: Readonly<Record<string, Unit>> = Object.freeze({
  mJJ: 'TeV', mJ1: 'TeV', deltaMJ: 'TeV', tau21J1: '', tau21J2: '', label: '',
});

/**
 * The unit a column of a known layout carries when the file itself stores none:
 * LHCO raw columns → "GeV" for momenta (`p[xyz]j[12]`) and masses (`mj[12]`), "" for N-subjettiness
 * and `label`; LHCO-SR names → "TeV" for masses, "" otherwise. `undefined` for names of no known layout.
 */
export function knownUnit(name: string, layout: 'lhco' | 'lhco-sr' | 'any' = 'any'): Unit | undefined {
  if (layout !== 'lhco-sr') {
    if (/^(p[xyz]|m)j[12]$/.test(name)) return 'GeV';
    if (/^tau[123]j[12]$/.test(name) || name === 'label') return '';
  }
  if (layout !== 'lhco' && Object.hasOwn(LHCO_SR_UNITS, name)) return LHCO_SR_UNITS[name];
  return undefined;
}

/** Units for `names`: stored units first, then the known layout's, else "" (dimensionless/unknown). */
export function unitsFor(names: readonly string[], stored: Readonly<Record<string, Unit>> = {}, layout: 'lhco' | 'lhco-sr' | 'any' = 'any'): Record<string, Unit> {
  const out: Record<string, Unit> = {};
  for (const n of names) out[n] = Object.hasOwn(stored, n) ? stored[n] : (knownUnit(n, layout) ?? '');
  return out;
}
