/**
 * Signal-region windows over the dijet mass, declared in `windows/*.json` (schema
 * `data-schemas/windows.schema.json`) by their bounds and units.
 */
import { ConfigError } from '../util/errors.js';
import { validateSchema } from '../util/schema.js';
import { readJsonFile } from '../util/json.js';
import { packageFile } from '../util/packageRoot.js';

/** Units windows may be declared in. */
export type MassUnit = 'TeV' | 'GeV';

/** One signal region: the open interval (srLow, srHigh) of the window variable, in `units`. */
export interface Window {
  readonly id: number;
  readonly srLow: number;
  readonly srHigh: number;
  /** (srLow + srHigh) / 2; windows are labelled by their centre in outputs. */
  readonly centre: number;
  readonly units: MassUnit;
}

/** The m_JJ regions of a window a method can read: the SR and the short sidebands either side. */
export type MassRegion = 'signal-region' | 'lower-short-sideband' | 'upper-short-sideband';

/** The SR with a sideband on either side: what a method reads that interpolates from the sidebands. */
export const SIGNAL_REGION_AND_SHORT_SIDEBANDS: readonly MassRegion[] = Object.freeze(['lower-short-sideband', 'signal-region', 'upper-short-sideband']);

/**
 * A validated windows config, in TeV whatever units the file declared (`declaredUnits`): masses
 * are converted once, here, so nothing downstream sees a GeV edge.
 */
export interface WindowsConfig {
  readonly name: string;
  readonly description?: string;
  readonly units: 'TeV';
  /** The units the file was written in. */
  readonly declaredUnits: MassUnit;
  /** The column the windows cut on: the dijet mass `mJJ` (the only one the scan supports; the schema refuses others). */
  readonly variable: 'mJJ';
  /** Width of each short sideband, TeV. */
  readonly shortSidebandWidth: number;
  readonly windows: readonly Window[];
}

const PER_TEV: Readonly<Record<MassUnit, number>> = Object.freeze({ TeV: 1, GeV: 1000 });

/** A window with its edges in TeV (edges rounded to 12 digits: 3300 GeV → 3.3 TeV exactly). */
export function windowInTeV(w: Window): Window {
  if (w.units === 'TeV') return w;
  const d = PER_TEV[w.units];
  if (d === undefined) throw new ConfigError(`window ${w.id}: units "${String(w.units)}"; expected TeV or GeV`);
  return Object.freeze({ id: w.id, srLow: roundEdge(w.srLow / d), srHigh: roundEdge(w.srHigh / d), centre: roundEdge(w.centre / d), units: 'TeV' as const });
}

/** The default nine-window config (centres 3.1 … 3.9 TeV, width 0.4 TeV). */
export const DEFAULT_WINDOWS_PATH = packageFile('windows/lhco-nine.json');

/**
 * Round to 12 significant digits: window edges are decimals (3.3, 0.2), and sums such as 3.3 − 0.2 =
 * 3.0999999999999996 in binary would move an edge by an ulp and flip events sitting exactly on it.
 */
export function roundEdge(x: number): number {
  return Number(x.toPrecision(12));
}

interface WindowsDocument {
  name: string;
  description?: string;
  units: MassUnit;
  variable: 'mJJ';
  shortSidebandWidth: number;
  windows: { id: number; srLow: number; srHigh: number; centre?: number }[];
}

/**
 * Validate a parsed windows document (schema, then srLow < srHigh, unique ids, centre consistent)
 * and express it in TeV.
 * @param source names the file in errors.
 * @throws ConfigError naming the source and the offending window.
 */
export function parseWindows(doc: unknown, source = 'windows config'): WindowsConfig {
  const d = validateSchema<WindowsDocument>('windows', doc, source);
  const seen = new Set<number>();
  const windows = d.windows.map((w): Window => {
    if (seen.has(w.id)) throw new ConfigError(`${source}: window id ${w.id} appears twice`);
    seen.add(w.id);
    if (!(w.srLow < w.srHigh)) throw new ConfigError(`${source}: window ${w.id}: srLow ${w.srLow} must be below srHigh ${w.srHigh}`);
    const centre = roundEdge((w.srLow + w.srHigh) / 2);
    if (w.centre !== undefined && roundEdge(w.centre) !== centre)
      throw new ConfigError(`${source}: window ${w.id}: centre ${w.centre} is not (srLow + srHigh) / 2 = ${centre}`);
    return windowInTeV(Object.freeze({ id: w.id, srLow: w.srLow, srHigh: w.srHigh, centre, units: d.units }));
  });
  return Object.freeze({
    name: d.name, description: d.description, units: 'TeV' as const, declaredUnits: d.units, variable: d.variable,
    shortSidebandWidth: roundEdge(d.shortSidebandWidth / PER_TEV[d.units]), windows: Object.freeze(windows),
  });
}

/**
 * Load and validate a windows config file (default: the nine LHCO windows).
 * @throws ConfigError for an unreadable file, invalid JSON or a schema violation, naming the file.
 */
export async function loadWindows(path: string = DEFAULT_WINDOWS_PATH): Promise<WindowsConfig> {
  return parseWindows(readJsonFile(path, 'windows config', ConfigError), path);
}

/** A sliding-window scan over a mass range (all in `units`). */
export interface SlidingWindowsSpec {
  readonly name: string;
  /** Lowest mass any window reads: the lower short sideband of window 1 starts here. */
  readonly from: number;
  /** Highest mass any window reads: the upper short sideband of the last window ends here (or before). */
  readonly to: number;
  /** SR width. */
  readonly width: number;
  /** Distance between consecutive SR centres. */
  readonly step: number;
  readonly shortSidebandWidth: number;
  readonly units: MassUnit;
}

/**
 * A windows document (data-schemas/windows.schema.json) of SRs of `width` every `step`, placed so
 * that every window's short sidebands lie inside [from, to] — the range a sample must cover for
 * CWoLa and CATHODE (lib/windows/coverage.ts). Validated by {@link parseWindows} before it is returned.
 * @throws ConfigError when the range holds no window.
 */
export function slidingWindowsDocument(spec: SlidingWindowsSpec): Record<string, unknown> {
  const { from, to, width, step, shortSidebandWidth: w, units } = spec;
  for (const [k, v] of Object.entries({ width, step, shortSidebandWidth: w }))
    if (!(v > 0 && Number.isFinite(v))) throw new ConfigError(`sliding windows: ${k} must be a positive number, got ${v}`);
  if (!(Number.isFinite(from) && from >= 0 && to > from)) throw new ConfigError(`sliding windows: need 0 ≤ from < to, got from ${from}, to ${to}`);
  const windows: { id: number; srLow: number; srHigh: number }[] = [];
  for (let i = 0; ; i++) {
    const srLow = roundEdge(from + w + i * step), srHigh = roundEdge(srLow + width);
    if (roundEdge(srHigh + w) > roundEdge(to)) break;
    windows.push({ id: i + 1, srLow, srHigh });
  }
  if (windows.length === 0)
    throw new ConfigError(`sliding windows: ${from}–${to} ${units} is narrower than one SR of ${width} with its short sidebands of ${w} on each side (${roundEdge(width + 2 * w)} ${units})`);
  const doc = {
    schema: 'sidewinder/windows', version: 1, name: spec.name,
    description: `${windows.length} sliding signal regions of width ${width} ${units}, one every ${step} ${units}, centres ${roundEdge(windows[0].srLow + width / 2)}–${roundEdge(windows.at(-1)!.srLow + width / 2)} ${units}; short sidebands ${w} ${units} on each side, all inside ${from}–${to} ${units}.`,
    units, variable: 'mJJ', shortSidebandWidth: w, windows,
  };
  parseWindows(doc, 'sliding windows');
  return doc;
}

/**
 * Decimals a mass needs in a label: at least one, at most three (3.1, 4.0, 3.75, 4.125), so windows on
 * a 0.25 TeV grid are not printed as their neighbours' rounded centres.
 */
export function massDecimals(...masses: number[]): number {
  let d = 1;
  for (const m of masses) while (d < 3 && Math.abs(m - Number(m.toFixed(d))) > 1e-9) d++;
  return d;
}

/** A mass for a label, with {@link massDecimals} decimals: "3.1", "4.0", "3.75". */
export function formatMass(m: number): string {
  return m.toFixed(massDecimals(m));
}

/** "window 5 (3.5 TeV)": windows are named by their centre in outputs. */
export function windowLabel(w: Window): string {
  return `window ${w.id} (${w.centre} ${w.units})`;
}
