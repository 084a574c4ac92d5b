/**
 * Parse binned spectra from text (no I/O here: the caller reads the file). Two layouts:
 * 1. Count rows (as the CWoLa Hunting `*_bincounts.dat` files): whitespace-, comma- or
 *    semicolon-separated numbers, one spectrum per row, optionally a leading label column (e.g. the
 *    selection efficiency). Edges come from the caller or a comment line `# edges: e0 e1 …`.
 * 2. A table with a header naming its columns: `low,high,count[,variance]` (aliases: lo/hi,
 *    value/n/sumw, var/sumw2), one bin per row — a single weighted spectrum.
 * Lines starting with `#` are comments; blank lines are skipped.
 */
import { InputError } from '../../util/errors.js';
import type { Histogram } from './histogram.js';
import { histogramFromCounts } from './histogram.js';

export interface SpectrumRow {
  /** Value of the label column, if any (e.g. the efficiency ε). */
  label?: number;
  counts: number[];
}

export interface ParsedSpectra {
  /** Edges from a `# edges:` line or the table's low/high columns; undefined if none. */
  edges?: number[];
  rows: SpectrumRow[];
  /** Variances, only from a table with a variance column. */
  variances?: number[];
}

const SPLIT = /[\s,;]+/;

function parseNumber(tok: string, source: string, line: number, col: number): number {
  const v = Number(tok);
  if (tok === '' || !Number.isFinite(v)) throw new InputError(`${source}: line ${line}, column ${col + 1}: "${tok}" is not a number`);
  return v;
}

/**
 * Parse spectra text. `labelColumn`: 'auto' (a label column when rows have one more value than
 * the edges define bins), true or false.
 */
export function parseSpectrumText(text: string, opts: { source?: string; edges?: readonly number[]; labelColumn?: boolean | 'auto' } = {}): ParsedSpectra {
  const source = opts.source ?? 'spectrum';
  let edges = opts.edges ? [...opts.edges] : undefined;
  const lines = text.split(/\r?\n/);
  const data: { n: number; toks: string[] }[] = [];
  let header: string[] | null = null;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '') continue;
    if (raw.startsWith('#')) {
      const m = /^#\s*edges\s*[:=]\s*(.*)$/i.exec(raw);
      if (m && !edges) edges = m[1].trim().split(SPLIT).map((t, c) => parseNumber(t, source, i + 1, c));
      continue;
    }
    const toks = raw.split(SPLIT).filter((t) => t !== '');
    if (data.length === 0 && header === null && toks.some((t) => /[a-df-z_]/i.test(t) && !Number.isFinite(Number(t)))) { header = toks.map((t) => t.toLowerCase()); continue; }
    data.push({ n: i + 1, toks });
  }
  if (data.length === 0) throw new InputError(`${source}: no data rows`);
  if (header) {
    const find = (names: string[], required: boolean): number => {
      const k = header!.findIndex((h) => names.includes(h));
      if (k < 0 && required) throw new InputError(`${source}: header has no ${names[0]} column (got ${header!.join(', ')}; accepted names: ${names.join(', ')})`);
      return k;
    };
    const lo = find(['low', 'lo', 'xlow', 'edge_low'], true), hi = find(['high', 'hi', 'xhigh', 'edge_high'], true);
    const val = find(['count', 'counts', 'value', 'values', 'n', 'sumw'], true), vr = find(['variance', 'variances', 'var', 'sumw2'], false);
    const lows: number[] = [], highs: number[] = [], counts: number[] = [], vars: number[] = [];
    for (const { n, toks } of data) {
      if (toks.length !== header.length) throw new InputError(`${source}: line ${n} has ${toks.length} fields, the header has ${header.length}`);
      lows.push(parseNumber(toks[lo], source, n, lo)); highs.push(parseNumber(toks[hi], source, n, hi));
      counts.push(parseNumber(toks[val], source, n, val));
      if (vr >= 0) vars.push(parseNumber(toks[vr], source, n, vr));
    }
    for (let k = 1; k < lows.length; k++)
      if (Math.abs(lows[k] - highs[k - 1]) > 1e-9 * Math.max(1, Math.abs(lows[k]))) throw new InputError(`${source}: bin ${k} starts at ${lows[k]} but bin ${k - 1} ends at ${highs[k - 1]}; bins must be contiguous`);
    return { edges: [...lows, highs[highs.length - 1]], rows: [{ counts }], variances: vr >= 0 ? vars : undefined };
  }
  const rows: SpectrumRow[] = [];
  const width = data[0].toks.length;
  let label = opts.labelColumn ?? 'auto';
  if (label === 'auto') label = edges ? width === edges.length : false;
  for (const { n, toks } of data) {
    if (toks.length !== width) throw new InputError(`${source}: line ${n} has ${toks.length} values, the first data line has ${width}`);
    const v = toks.map((t, c) => parseNumber(t, source, n, c));
    rows.push(label ? { label: v[0], counts: v.slice(1) } : { counts: v });
  }
  return { edges, rows };
}

/**
 * Pick one spectrum from parsed text as a Histogram: `row` is a label value (e.g. "0.002") or
 * "#k" for the k-th data row (0-based); default the first row.
 */
export function selectSpectrum(parsed: ParsedSpectra, opts: { row?: string; source?: string; edgeScale?: number } = {}): Histogram {
  const source = opts.source ?? 'spectrum';
  if (!parsed.edges) throw new InputError(`${source}: no bin edges (give them with --edges or a "# edges:" line)`);
  let r: SpectrumRow | undefined;
  const sel = opts.row;
  if (sel === undefined) r = parsed.rows[0];
  else if (sel.startsWith('#')) {
    const k = Number(sel.slice(1));
    r = Number.isInteger(k) ? parsed.rows[k] : undefined;
    if (!r) throw new InputError(`${source}: row ${sel} does not exist (${parsed.rows.length} rows, #0 … #${parsed.rows.length - 1})`);
  } else {
    const v = Number(sel);
    r = parsed.rows.find((x) => x.label !== undefined && Math.abs(x.label - v) <= 1e-12 * Math.max(1, Math.abs(v)));
    if (!r) throw new InputError(`${source}: no row labelled ${sel} (labels: ${parsed.rows.map((x) => x.label).join(', ') || 'none — use #k'})`);
  }
  if (r.counts.length !== parsed.edges.length - 1) throw new InputError(`${source}: ${r.counts.length} counts for ${parsed.edges.length} edges (expected ${parsed.edges.length - 1})`);
  const scale = opts.edgeScale ?? 1;
  return histogramFromCounts(parsed.edges.map((e) => e * scale), r.counts, parsed.variances);
}
