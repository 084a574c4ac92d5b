/**
 * The classical comparison stored beside a scan's cut-and-count results: a fit-based bump hunt
 * (dijet function + Gaussian signal at each window centre, Wilks Z; lib/stats/fit/bumpHunt.ts) on the
 * inclusive m_JJ spectrum. Windows the fit cannot assess are left out with a note, never reported
 * with a number the fit did not measure.
 */
import { histogramFromCounts, fitBumpHunt } from '../stats/index.js';
import { roundEdge, type Window } from '../windows/index.js';
import type { BumpHuntFit, MjjSpectra } from './results.js';
import { fitStartAboveTurnOn, type SummaryRangeSource } from './summaryRanges.js';

/** Where the fit starts and why, and √s of the dijet function (TeV). */
export interface ClassicalBumpHuntOptions {
  readonly fitFromTeV: number;
  /** A start derived from the windows ('windows') is moved above a turn-on of the spectrum; a configured or default one is kept. */
  readonly fitFromSource: SummaryRangeSource;
  readonly sqrtSTeV: number;
}

/** "window 5" or "windows 4, 5, 6". */
const windowList = (ids: readonly number[]): string => `window${ids.length > 1 ? 's' : ''} ${ids.join(', ')}`;

/** The fields of a stored fit that are not finite numbers (JSON would write them as null), as "p0 = Infinity". */
function nonFiniteFields(row: BumpHuntFit): string[] {
  return (['z', 'p0', 'p1', 'p2', 'p3', 'chi2', 'ndf'] as const)
    .filter((k) => row[k] !== undefined && !Number.isFinite(row[k]))
    .map((k) => `${k} = ${row[k]}`);
}

/**
 * The fit-based bump hunt of a scan on `spectrum` (its inclusive counts): one row per window it could
 * assess, and notes naming the windows it left out — those not inside the fitted bins (from the fit
 * start to the spectrum's end), and those whose fit gave a non-finite parameter or Z (a degenerate
 * dijet fit on a sparse spectrum). Empty rows, with a note, when the spectrum around the windows has
 * fewer than 4 non-empty bins (SR-only files).
 */
export function classicalBumpHunt(
  spectrum: Pick<MjjSpectra, 'edgesTeV' | 'countsBeforeCut'>, windows: readonly Window[], options: ClassicalBumpHuntOptions,
): { rows: BumpHuntFit[]; notes: string[] } {
  const notes: string[] = [];
  const { edgesTeV: edges, countsBeforeCut } = spectrum;
  const { sqrtSTeV } = options;
  let fitFrom = options.fitFromTeV;
  let risesTo: number | undefined;
  if (options.fitFromSource === 'windows')
    ({ fitFromTeV: fitFrom, risesToTeV: risesTo } = fitStartAboveTurnOn(edges, countsBeforeCut, fitFrom));
  const first = edges.findIndex((e) => e >= fitFrom);
  // The fitted bins run from the first edge at or above the start to the spectrum's end; none when the start lies beyond it.
  const fitted = first >= 0 && first < edges.length - 1 ? ([roundEdge(edges[first]), roundEdge(edges[edges.length - 1])] as const) : undefined;
  const startText = fitted ? `${fitted[0]} TeV` : `${Number(fitFrom.toFixed(3))} TeV, beyond the stored spectrum's end at ${roundEdge(edges[edges.length - 1])} TeV`;

  // A window outside the fitted bins has no events there for its Gaussian: the fit cannot assess it.
  const inside = fitted ? windows.filter((w) => w.srLow >= fitted[0] - 1e-9 && w.srHigh <= fitted[1] + 1e-9) : [];
  const outside = windows.filter((w) => !inside.includes(w));
  if (risesTo !== undefined)
    notes.push(`fit-based bump hunt: the m_JJ spectrum rises up to ${risesTo} TeV (a trigger turn-on), which the falling dijet function cannot describe: the fit starts at ${startText}`);
  if (outside.length) {
    const why = risesTo !== undefined ? 'in or below the turn-on; set summaries.bumpHuntFitFromTeV to fit there anyway'
      : options.fitFromSource === 'config' ? `it starts at summaries.bumpHuntFitFromTeV = ${options.fitFromTeV} and ends with the stored spectrum` : 'it ends with the stored spectrum';
    notes.push(`fit-based bump hunt: ${windowList(outside.map((w) => w.id))} skipped, ${fitted ? `not inside the fitted m_JJ range ${fitted[0]}–${fitted[1]} TeV` : `the fit would start at ${startText}`} (${why})`);
  }
  if (inside.length === 0) return { rows: [], notes };

  const counts = countsBeforeCut.slice(first);
  // The background fit needs the spectrum around the windows, not just inside them (SR-only files).
  const lo = Math.min(...inside.map((w) => w.srLow)), hi = Math.max(...inside.map((w) => w.srHigh));
  const around = counts.filter((c, i) => c > 0 && (edges[first + i + 1] <= lo || edges[first + i] >= hi)).length;
  if (around < 4) {
    const binGeV = roundEdge((edges[1] - edges[0]) * 1000);
    notes.push(`fit-based bump hunt skipped: the data have ${around} non-empty ${binGeV} GeV bins outside the windows above ${fitFrom} TeV (the dijet fit needs the spectrum around them)`);
    return { rows: [], notes };
  }
  const h = histogramFromCounts(edges.slice(first), counts);
  const fit = fitBumpHunt(h, inside.map((w) => ({ id: w.id, low: w.srLow, high: w.srHigh, mean: w.centre })), { dijetParams: 4, sqrtS: sqrtSTeV });
  if (fit.windows.some((w) => !w.converged)) notes.push('fit-based bump hunt: some window fits did not converge (see bumpHunt)');
  const rows = fit.windows.map((w): BumpHuntFit => ({
    windowId: Number(w.id), z: w.zSigned, p0: w.params.p0, p1: w.params.p1, p2: w.params.p2, p3: w.params.p3, chi2: w.chi2, ndf: w.ndf, sqrtSTeV,
  }));
  // A parameter that overflowed (the dijet parameters trade off almost freely on a sparse spectrum)
  // is no measurement, and JSON would store it as null.
  const bad = rows.map((r) => ({ id: r.windowId, fields: nonFiniteFields(r) })).filter((b) => b.fields.length > 0);
  if (bad.length)
    notes.push(`fit-based bump hunt: ${windowList(bad.map((b) => b.id))} dropped, the fit gave non-finite values (${bad.map((b) => `window ${b.id}: ${b.fields.join(', ')}`).join('; ')}): a degenerate dijet fit, typically too few events above ${fitFrom} TeV`);
  return { rows: rows.filter((r) => !bad.some((b) => b.id === r.windowId)), notes };
}
