/**
 * Mass and momentum units of event files. One table serves the feature derivation, the input checks
 * and the window masks, so a unit is either understood everywhere or refused everywhere.
 */
import type { Unit } from './eventTable.js';

/**
 * How many of each unit make one TeV. Values are converted by division (x / n), which keeps decimal
 * GeV edges and masses exact where multiplying by 1e-3 would not.
 */
export const UNITS_PER_TEV: Readonly<Record<string, number>> = Object.freeze({ TeV: 1, GeV: 1e3, MeV: 1e6 });

/** The mass units sidewinder reads, for messages: "TeV", "GeV" or "MeV". */
export const MASS_UNIT_NAMES = Object.freeze(Object.keys(UNITS_PER_TEV));

/** Units of `unit` per TeV, or undefined for a unit that is not a known mass unit ("" included). */
export function unitsPerTeV(unit: Unit): number | undefined {
  return Object.hasOwn(UNITS_PER_TEV, unit) ? UNITS_PER_TEV[unit] : undefined;
}
