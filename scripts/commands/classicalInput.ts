/**
 * Shared input/output helpers of the classical-statistics commands (fit, bumphunter, gp): read a
 * spectrum file, parse number lists, print JSON with typed arrays as plain arrays.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, didYouMean, InputError, systemErrorText } from '../../lib/util/errors.js';
import { EventTable } from '../../lib/data/eventTable.js';
import { checkEvents } from '../../lib/data/validate.js';
import type { Histogram } from '../../lib/stats/fit/histogram.js';
import { parseSpectrumText, selectSpectrum } from '../../lib/stats/fit/spectrumText.js';

/** Options every spectrum-reading command shares. */
export interface SpectrumCliOptions {
  edges?: string;
  unit: string;
  row?: string;
}

/** "1,2,3" or "1 2 3" → numbers, naming the option on error. */
export function numberList(value: string, option: string): number[] {
  const toks = value.split(/[\s,;]+/).filter((t) => t !== '');
  return toks.map((t) => {
    const v = Number(t);
    if (!Number.isFinite(v)) throw new ConfigError(`${option}: "${t}" is not a number (got "${value}")`);
    return v;
  });
}

/** A finite number from an option string. */
export function numberOption(value: string, option: string): number {
  const v = Number(value);
  if (value.trim() === '' || !Number.isFinite(v)) throw new ConfigError(`${option}: expected a number, got "${value}"`);
  return v;
}

/** Masses in TeV inside the framework: GeV input is scaled by 1e-3. */
export function unitScale(unit: string): number {
  const u = unit.toLowerCase();
  if (u === 'tev') return 1;
  if (u === 'gev') return 1e-3;
  throw new ConfigError(`--unit: expected "TeV" or "GeV", got "${unit}"`);
}

/** Read one spectrum (see lib/stats/fit/spectrumText.ts for the accepted layouts), edges in TeV. */
export function readSpectrum(file: string, o: SpectrumCliOptions): Histogram {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`${file}: cannot read the spectrum file: ${systemErrorText(e) ?? (e as Error).message}`);
  }
  const parsed = parseSpectrumText(text, { source: file, edges: o.edges ? numberList(o.edges, '--edges') : undefined });
  return selectSpectrum(parsed, { row: o.row, source: file, edgeScale: unitScale(o.unit) });
}

/** JSON with typed arrays written as arrays and non-finite numbers as strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
    if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
    return v;
  }, 2);
}

/** A number for tables: fixed with `d` decimals, exponential (≥ 4 significant digits) when very large or small. */
export const fmt = (v: number, d = 4): string => {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 1e6 || (Math.abs(v) < 1e-3 && v !== 0)) return v.toExponential(Math.max(d - 1, 3));
  return v.toFixed(d);
};

/** Read named numeric columns from a CSV file with a header line (comma/semicolon/tab separated). */
export function readCsvColumns(file: string, names: readonly string[]): Record<string, Float64Array> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`${file}: cannot read the CSV file: ${systemErrorText(e) ?? (e as Error).message}`);
  }
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  if (lines.length < 1) throw new InputError(`${file}: empty file`);
  const sep = /[,;\t]/;
  const header = lines[0].split(sep).map((t) => t.trim());
  const idx = names.map((n) => {
    const k = header.indexOf(n);
    if (k < 0) throw new InputError(`${file}: no column "${n}"${didYouMean(n, header)} (columns: ${header.join(', ')})`);
    return k;
  });
  const out: Record<string, Float64Array> = {};
  for (const n of names) out[n] = new Float64Array(lines.length - 1);
  for (let r = 1; r < lines.length; r++) {
    const toks = lines[r].split(sep).map((t) => t.trim());
    if (toks.length !== header.length) throw new InputError(`${file}: row ${r} has ${toks.length} fields, the header has ${header.length}`);
    names.forEach((n, j) => {
      const v = Number(toks[idx[j]]);
      if (toks[idx[j]] === '' || Number.isNaN(v)) throw new InputError(`${file}: row ${r}, column "${n}": "${toks[idx[j]]}" is not a number`);
      out[n][r - 1] = v;
    });
  }
  // "Infinity", "1e999" parse as numbers: the shared entry check refuses non-finite and unphysical values.
  checkEvents(new EventTable(out), { source: file });
  return out;
}
