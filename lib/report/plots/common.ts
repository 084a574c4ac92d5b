/** Shared pieces of the plot spec builders: the plot record, colours, labels and the Vega-Lite config. */
import type { TopLevelSpec } from 'vega-lite';
import { METHOD_LABELS, METHOD_NAMES, type MethodName, type ResultsDocument, type SignificanceKind } from '../../scan/results.js';
import { REPORT_FONT_FAMILY } from '../render.js';

/** One plot: an id (its file name stem), a title, a caption for the HTML, and its Vega-Lite spec. */
export interface PlotSpec {
  id: string;
  title: string;
  caption: string;
  spec: TopLevelSpec;
}

/** A plot the report could not draw, and why (shown in the HTML). */
export interface MissingPlot {
  id: string;
  title: string;
  reason: string;
}

/** A builder returns its plots, or the reason there is nothing to draw. */
export type PlotResult = { plots: PlotSpec[] } | { missing: MissingPlot };

/** Options shared by the builders. */
export interface PlotOptions {
  /** Which significance the significance plot and the table show. */
  statistic: SignificanceKind;
}

export const PLOT_DEFAULTS: Readonly<PlotOptions> = Object.freeze({ statistic: 'cowan' });

/**
 * Display label of a method. The report draws whatever methods the results hold: one this version has
 * no label for is shown by its name in capitals (e.g. "anode" → "ANODE").
 */
export const methodLabel = (method: string): string => (METHOD_LABELS as Readonly<Record<string, string>>)[method] ?? method.toUpperCase();

/** The methods among `methods`, each once, in display order: the known ones first (IAD, CWoLa, CATHODE), then the others by name. */
export function methodOrder(methods: Iterable<string>): string[] {
  const rank = (m: string): number => {
    const i = (METHOD_NAMES as readonly string[]).indexOf(m);
    return i < 0 ? METHOD_NAMES.length : i;
  };
  return [...new Set(methods)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** Display-order rank of a method label ('IAD' → 0, 'CWoLa' → 1, 'CATHODE' → 2, others after them). */
export const methodLabelRank = (label: string): number => {
  const i = METHOD_NAMES.findIndex((m) => METHOD_LABELS[m] === label);
  return i < 0 ? METHOD_NAMES.length : i;
};

/** Okabe–Ito colours (distinguishable with colour-vision deficiencies). */
export const METHOD_COLOURS: Readonly<Record<MethodName, string>> = Object.freeze({ iad: '#0072B2', cwola: '#D55E00', cathode: '#009E73', anode: '#CC79A7' });

/** Colours, in order, of methods without their own (further Okabe–Ito colours). */
const EXTRA_METHOD_COLOURS = ['#CC79A7', '#E69F00', '#56B4E9', '#000000'];

/** Colour scale of the methods, restricted to those present, in display order. */
export function methodColourScale(methods: readonly string[]): { domain: string[]; range: string[] } {
  const present = methodOrder(methods);
  let extra = 0;
  const colour = (m: string): string => (METHOD_COLOURS as Readonly<Record<string, string>>)[m] ?? EXTRA_METHOD_COLOURS[extra++ % EXTRA_METHOD_COLOURS.length];
  return { domain: present.map(methodLabel), range: present.map(colour) };
}

/**
 * Widest a figure may be (CSS px) to show at its natural size in the report's text column
 * (max-width 1280 px less the padding): wider ones are scaled down, and their text with them.
 */
export const PAGE_WIDTH = 1200;

/** Colours for the working points, loosest first. */
export const EPSILON_COLOURS = ['#56B4E9', '#E69F00', '#CC79A7', '#009E73', '#F0E442', '#0072B2'];

const SUPERSCRIPT: Record<string, string> = { '-': '⁻', '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹' };

/** 1e-3 → "10⁻³", 5e-3 → "5×10⁻³", 0.25 → "0.25". */
export function formatPowerOfTen(x: number): string {
  if (x === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(x)) + 1e-12);
  const mant = x / 10 ** exp;
  if (exp >= -1 && exp <= 2) return String(Number(x.toPrecision(3)));
  const sup = String(exp).split('').map((c) => SUPERSCRIPT[c]).join('');
  const m = Number(mant.toPrecision(3));
  return m === 1 ? `10${sup}` : `${m}×10${sup}`;
}

/** "ε_B = 10⁻³" */
export const epsilonLabel = (epsilonB: number): string => `ε_B = ${formatPowerOfTen(epsilonB)}`;

/** Working points sorted loosest (largest ε_B) first. */
export const sortedEpsilons = (results: ResultsDocument): number[] => [...results.config.epsilonB].sort((a, b) => b - a);

/** Human labels of the significance definitions. */
export const SIGNIFICANCE_LABELS: Readonly<Record<SignificanceKind, string>> = Object.freeze({
  simple: 'simple Z (signed)',
  simpleOneSided: 'simple Z (one-sided)',
  cowan: 'Cowan Z (signed)',
  cowanOneSided: 'Cowan Z (one-sided)',
});

/** Display names of the usual classifier features (unknown names are shown as they are). */
const FEATURE_LABELS: Record<string, string> = {
  mJ1: 'm_J1',
  mJ2: 'm_J2',
  deltaMJ: 'Δm_J',
  tau21J1: 'τ21 (J1)',
  tau21J2: 'τ21 (J2)',
  tau32J1: 'τ32 (J1)',
  tau32J2: 'τ32 (J2)',
  deltaRJJ: 'ΔR_JJ',
  mJJ: 'm_JJ',
};

/** "m_J1 [TeV]", "τ21 (J1)". */
export function featureAxisTitle(feature: string, unit: string): string {
  const name = FEATURE_LABELS[feature] ?? feature;
  return unit ? `${name} [${unit}]` : name;
}

/** Vega-Lite's config type. */
export type VlConfig = NonNullable<TopLevelSpec['config']>;

/** The Vega-Lite config every plot shares: one font, readable sizes. */
export const BASE_CONFIG: VlConfig = {
  font: REPORT_FONT_FAMILY,
  background: 'white',
  padding: 8,
  view: { stroke: '#999', continuousWidth: 300, continuousHeight: 220 },
  axis: { labelFontSize: 12, titleFontSize: 13, titleFontWeight: 'normal', gridColor: '#e8e8e8', tickColor: '#888', domainColor: '#888' },
  legend: { labelFontSize: 12, titleFontSize: 12, titleFontWeight: 'bold', symbolStrokeWidth: 2, labelLimit: 0 },
  header: { labelFontSize: 13, titleFontSize: 13 },
  title: { fontSize: 15, anchor: 'start', subtitleFontSize: 12, subtitleColor: '#555', offset: 10 },
  concat: { spacing: 28 },
  facet: { spacing: 14 },
};

/** Window centre of each window id. */
export function centresById(results: ResultsDocument): Map<number, number> {
  return new Map(results.config.windows.map((w) => [w.id, w.centre]));
}

/** Bin-width phrase for an axis title: "0.05 TeV" when all bins have one width, else null. */
export function uniformWidth(edges: readonly number[]): number | null {
  const w0 = edges[1] - edges[0];
  for (let i = 2; i < edges.length; i++) if (Math.abs(edges[i] - edges[i - 1] - w0) > 1e-9 * Math.max(1, Math.abs(w0))) return null;
  return w0;
}

/** Points for a step histogram drawn with `interpolate: 'step-after'`: each lower edge, then the last upper edge. */
export function stepPoints(edges: readonly number[], values: readonly number[]): { x: number; y: number }[] {
  const pts = values.map((y, i) => ({ x: edges[i], y }));
  pts.push({ x: edges[edges.length - 1], y: values[values.length - 1] });
  return pts;
}

/** Axis of a log scale with a tick per decade labelled 10ⁿ (and 0.1, 1, 10 written out). */
export function logDecadeAxis(min: number, max: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const lo = Math.floor(Math.log10(min) + 1e-9);
  const hi = Math.ceil(Math.log10(max) - 1e-9);
  const values: number[] = [];
  for (let e = lo; e <= hi; e++) values.push(Number(`1e${e}`));
  const labels: Record<string, string> = {};
  for (const v of values) labels[String(v)] = v >= 0.1 && v <= 10 ? String(v) : formatPowerOfTen(v);
  return { values, labelExpr: `(${JSON.stringify(labels)})[toString(datum.value)] || ''`, ...extra };
}

/** [min, max] of the positive entries of `values` (for log-scale domains). */
export function positiveRange(values: Iterable<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values)
    if (v > 0) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  return [lo, hi];
}
