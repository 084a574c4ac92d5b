/** Column buffers of the raw LHCO layout, filled event by event by the generators. */
import { RAW_COLUMNS } from '../features.js';
import { EventTable } from '../eventTable.js';

export type RawColumnName = (typeof RAW_COLUMNS)[number];
export type RawColumns = Record<RawColumnName, Float64Array>;

export function allocateRawColumns(n: number): RawColumns {
  const out = {} as RawColumns;
  for (const name of RAW_COLUMNS) out[name] = new Float64Array(n);
  return out;
}

/** Units of the raw columns: momenta and masses in GeV, τ_N and label dimensionless. */
export const RAW_UNITS: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(RAW_COLUMNS.filter((c) => /^(p[xyz]|m)j/.test(c)).map((c) => [c, 'GeV'])),
);

export const rawColumnsToTable = (cols: RawColumns): EventTable => new EventTable({ ...cols }, RAW_UNITS);

/** Write one jet (slot 1 = leading pT, 2 = subleading) of event `i`. */
export function writeJet(
  out: RawColumns, slot: 1 | 2, i: number,
  px: number, py: number, pz: number, m: number, tau1: number, tau2: number, tau3: number,
): void {
  if (slot === 1) {
    out.pxj1[i] = px; out.pyj1[i] = py; out.pzj1[i] = pz; out.mj1[i] = m;
    out.tau1j1[i] = tau1; out.tau2j1[i] = tau2; out.tau3j1[i] = tau3;
  } else {
    out.pxj2[i] = px; out.pyj2[i] = py; out.pzj2[i] = pz; out.mj2[i] = m;
    out.tau1j2[i] = tau1; out.tau2j2[i] = tau2; out.tau3j2[i] = tau3;
  }
}
