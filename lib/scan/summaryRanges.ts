/**
 * The m_JJ ranges of a scan's summaries: the stored spectra (before and after the cuts) and the start
 * of the classical dijet fit. A range the config leaves unset keeps the schema's default (the LHCO
 * selection: spectra over 2.5–4.6 TeV in 50 GeV bins, the fit from 2.8 TeV, above its trigger
 * turn-on) when that covers the windows, and is derived from the windows otherwise
 * (docs/config.md, `summaries`). Masses in TeV.
 */
import { roundEdge, type Window } from '../windows/index.js';
import { FIT_BUMP_HUNT_DEFAULTS } from '../stats/index.js';
import { ConfigError } from '../util/errors.js';
import type { ScanSummaries } from './config.js';

/** Where a range came from: the scan config, the schema's default (it covers the windows), or the windows. */
export type SummaryRangeSource = 'config' | 'default' | 'windows';

/** The spectra's range and binning and the dijet fit's start, each with its source. */
export interface SummaryRanges {
  readonly spectrumTeV: readonly [number, number];
  readonly spectrumBins: number;
  readonly fitFromTeV: number;
  readonly spectrumSource: SummaryRangeSource;
  readonly fitFromSource: SummaryRangeSource;
}

/** A derived spectrum reaches this fraction beyond the masses the windows read (the defaults: 2.5–4.6 TeV around 2.7–4.3). */
export const SPECTRUM_MARGIN = 0.1;
/** A derived fit starts this fraction below the lowest window's lower short sideband, for a lever arm below the windows. */
export const FIT_START_MARGIN = 0.05;
/**
 * A derived fit starts at least this fraction above the top of a rise of the spectrum below the
 * windows (a trigger turn-on): the LHCO selection's spectrum peaks in 2.55–2.6 TeV and its fit starts at 2.8.
 */
export const TURN_ON_MARGIN = 0.075;
/** Bins per signal width (the fit's Gaussian, 5 % of the mass) of a derived spectrum: 50 GeV at the lowest LHCO window, 3.1 TeV. */
const BINS_PER_SIGNAL_WIDTH = 3;
/** The schema's bound on `summaries.spectrumBins`. */
const MAX_SPECTRUM_BINS = 10_000;

type WindowBounds = Pick<Window, 'srLow' | 'srHigh'>;

/** The largest of 1, 2, 2.5 and 5 × 10^k that is not above `x` (> 0): a bin width a plot can label. */
export function niceFloor(x: number): number {
  if (!(x > 0 && Number.isFinite(x))) throw new ConfigError(`niceFloor: need a finite x > 0, got ${x}`);
  const p = 10 ** Math.floor(Math.log10(x));
  const f = [5, 2.5, 2, 1].find((m) => roundEdge(m * p) <= x * (1 + 1e-12)) ?? 1;
  return roundEdge(f * p);
}

/**
 * The summaries' ranges for `windows`. Set in `configured` (the scan config's `summaries`), a value is
 * used as given. Unset, the spectrum range is `defaults.spectrumTeV` when the windows and their short
 * sidebands lie inside it, else the masses they read widened by {@link SPECTRUM_MARGIN}, on a grid of a
 * third of the signal width at the lowest window (so the bump keeps a few bins at any mass); the fit
 * start is `defaults.bumpHuntFitFromTeV` when it lies in the spectrum and at or below every window,
 * else {@link FIT_START_MARGIN} below the lowest window's lower short sideband (see
 * {@link fitStartAboveTurnOn} for the spectrum's turn-on). The nine LHCO windows, and any subset, keep
 * the defaults.
 * @throws ConfigError when `windows` is empty.
 */
export function deriveSummaryRanges(
  windows: readonly WindowBounds[], shortSidebandWidth: number, configured: Partial<ScanSummaries> | undefined, defaults: ScanSummaries,
): SummaryRanges {
  if (windows.length === 0) throw new ConfigError('summaries: no windows to derive the spectrum range from');
  const lo = Math.min(...windows.map((w) => w.srLow)), hi = Math.max(...windows.map((w) => w.srHigh));
  const readLo = Math.max(lo - shortSidebandWidth, 0), readHi = hi + shortSidebandWidth;
  // 1e-9: edges such as 2.9 − 0.2 are compared as the decimals they were written as.
  const within = (x: number, a: number, b: number): boolean => x >= a - 1e-9 && x <= b + 1e-9;

  let spectrumTeV: readonly [number, number], spectrumBins: number, spectrumSource: SummaryRangeSource;
  if (configured?.spectrumTeV) {
    [spectrumTeV, spectrumBins, spectrumSource] = [configured.spectrumTeV, configured.spectrumBins ?? defaults.spectrumBins, 'config'];
  } else if (within(readLo, ...defaults.spectrumTeV) && within(readHi, ...defaults.spectrumTeV)) {
    [spectrumTeV, spectrumBins, spectrumSource] = [defaults.spectrumTeV, configured?.spectrumBins ?? defaults.spectrumBins, 'default'];
  } else {
    // Mass resolution, and so the signal's width, grows with the mass: 50 GeV bins would hide a
    // 0.5 TeV resonance in one bin and cut a 6 TeV one into twenty.
    const lowestCentre = Math.min(...windows.map((w) => (w.srLow + w.srHigh) / 2));
    const width = niceFloor((FIT_BUMP_HUNT_DEFAULTS.relativeWidth * lowestCentre) / BINS_PER_SIGNAL_WIDTH);
    const a = roundEdge(Math.floor((readLo * (1 - SPECTRUM_MARGIN)) / width) * width);
    const b = roundEdge(Math.ceil((readHi * (1 + SPECTRUM_MARGIN)) / width) * width);
    spectrumTeV = [a, b];
    spectrumBins = configured?.spectrumBins ?? Math.min(Math.max(Math.round((b - a) / width), 1), MAX_SPECTRUM_BINS);
    spectrumSource = 'windows';
  }

  let fitFromTeV: number, fitFromSource: SummaryRangeSource;
  if (configured?.bumpHuntFitFromTeV !== undefined) [fitFromTeV, fitFromSource] = [configured.bumpHuntFitFromTeV, 'config'];
  else if (within(defaults.bumpHuntFitFromTeV, spectrumTeV[0], lo)) [fitFromTeV, fitFromSource] = [defaults.bumpHuntFitFromTeV, 'default'];
  else [fitFromTeV, fitFromSource] = [Math.max(spectrumTeV[0], roundEdge(readLo * (1 - FIT_START_MARGIN))), 'windows'];
  return { spectrumTeV, spectrumBins, fitFromTeV, spectrumSource, fitFromSource };
}

/**
 * A derived fit start moved above a rise of the spectrum. The dijet function only falls; where the
 * spectrum still rises (a trigger turn-on: the LHCO selection's, up to 2.6 TeV) it cannot describe
 * it, and a fit there would turn the mismatch into significances. The rise ends at the fullest bin
 * from `fitFromTeV` on, when that exceeds the first of those bins by more than 2σ (Poisson); the fit
 * then starts {@link TURN_ON_MARGIN} above that bin's upper edge.
 * @returns the start, and the mass up to which the spectrum rises when it moved.
 */
export function fitStartAboveTurnOn(edgesTeV: readonly number[], counts: readonly number[], fitFromTeV: number): { fitFromTeV: number; risesToTeV?: number } {
  let first = -1, top = -1;
  for (let i = 0; i < counts.length; i++) {
    if (edgesTeV[i] < fitFromTeV - 1e-9) continue;
    if (first < 0) first = i;
    if (counts[i] > counts[top] || top < 0) top = i;
  }
  if (first < 0 || top === first) return { fitFromTeV };
  const a = counts[first], b = counts[top];
  if (!(b - a > 2 * Math.sqrt(a + b))) return { fitFromTeV };
  const risesToTeV = roundEdge(edgesTeV[top + 1]);
  return { fitFromTeV: Math.max(fitFromTeV, roundEdge(risesToTeV * (1 + TURN_ON_MARGIN))), risesToTeV };
}
