/**
 * Does a sample's m_JJ spectrum cover a window's regions? A file cut at 3.05 TeV (a preselection
 * or a trigger threshold) leaves window 1's SR (2.9, 3.3) half empty and its lower sideband empty:
 * an IAD template that does not stop at the same edge would be separated from the data by the
 * mass-correlated features alone (a fake excess), and CWoLa / CATHODE would have no sideband on
 * one side. So the regions a method reads are checked before any training.
 *
 * A region is `empty` (no events), `partial` (the events stop short of an edge where the spectrum
 * next to it predicts many more), or `covered`. The prediction extrapolates the events next to the
 * edge as a tail falling towards it, so a steep spectrum's natural, sparse end is not called a cut.
 */
import type { EventTable } from '../data/eventTable.js';
import { regionEdgesTeV, massesTeV } from './masks.js';
import type { MassRegion, Window } from './window.js';

/** Display names of the regions. */
export const MASS_REGION_LABELS: Readonly<Record<MassRegion, string>> = Object.freeze({
  'signal-region': 'SR',
  'lower-short-sideband': 'lower short sideband',
  'upper-short-sideband': 'upper short sideband',
});

/** How a sample covers one region. Masses in TeV. */
export interface RegionCoverage {
  readonly region: MassRegion;
  readonly low: number;
  readonly high: number;
  readonly nEvents: number;
  readonly status: 'covered' | 'partial' | 'empty';
  /** For `partial`: the lightest event when the sample stops short of the lower edge. */
  readonly firstMass?: number;
  /** For `partial`: the heaviest event when the sample stops short of the upper edge. */
  readonly lastMass?: number;
}

/**
 * A gap at an edge counts as a cut when the spectrum just inside, extrapolated to the edge, predicts
 * more than this many events in it: seeing none then has probability e^(−20) ≈ 2·10⁻⁹.
 */
export const EDGE_GAP_EXPECTED_EVENTS = 20;
/** Events next to an edge that measure the spectrum there (at most); with 200 or fewer in the region only `empty` is judged. */
export const EDGE_EVENTS = 1000;
const MIN_EDGE_EVENTS = 200;

/** The sample's m_JJ values in TeV, ascending, NaN dropped: sort once, then query every region. */
export function sortedMassesTeV(events: EventTable, column = 'mJJ'): Float64Array {
  const m = massesTeV(events, column);
  const finite = m.filter((v) => !Number.isNaN(v));
  return finite.sort();
}

/** First index i with sorted[i] > x (strict) or ≥ x, by binary search. */
function bound(sorted: Float64Array, x: number, strict: boolean): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (strict ? sorted[mid] <= x : sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * How the events `sorted` (TeV, ascending; {@link sortedMassesTeV}) cover the interval (low, high).
 */
export function regionCoverage(sorted: Float64Array, region: MassRegion, low: number, high: number): RegionCoverage {
  const first = bound(sorted, low, true), end = bound(sorted, high, false);
  const n = Math.max(0, end - first);
  if (n === 0) return { region, low, high, nEvents: 0, status: 'empty' };
  if (n <= MIN_EDGE_EVENTS) return { region, low, high, nEvents: n, status: 'covered' };
  const k = Math.min(EDGE_EVENTS, n - 1);
  const lowCut = edgeIsCut(sorted, first, +1, low, high - low, k);
  const highCut = edgeIsCut(sorted, end - 1, -1, high, high - low, k);
  if (!lowCut && !highCut) return { region, low, high, nEvents: n, status: 'covered' };
  return {
    region, low, high, nEvents: n, status: 'partial',
    ...(lowCut ? { firstMass: sorted[first] } : {}),
    ...(highCut ? { lastMass: sorted[end - 1] } : {}),
  };
}

/**
 * Is the gap between the outermost event (`sorted[outer]`) and the edge a cut? The EDGE_EVENTS
 * events next to it are fitted with an exponential tail falling towards the edge (a falling
 * spectrum's end, the most lenient shape: a flat or rising spectrum predicts more) and the fit
 * extrapolated into the gap. `inward` is +1 at a lower edge, −1 at an upper one.
 */
function edgeIsCut(sorted: Float64Array, outer: number, inward: 1 | -1, edge: number, width: number, k: number): boolean {
  const gap = Math.abs(sorted[outer] - edge);
  if (gap <= 1e-3 * width) return false; // float rounding at an edge is no cut
  const threshold = sorted[outer + inward * k];
  let sumDepth = 0;
  for (let j = 0; j < k; j++) sumDepth += Math.abs(sorted[outer + inward * j] - threshold);
  if (!(sumDepth > 0)) return true; // k events at one mass, then nothing up to the edge
  const slope = k / sumDepth, depth = Math.abs(sorted[outer] - threshold);
  const expected = k * (Math.exp(-slope * depth) - Math.exp(-slope * (depth + gap)));
  return expected > EDGE_GAP_EXPECTED_EVENTS;
}

/** Coverage of the named regions of a window (TeV edges; `shortSidebandWidth` in the window's units). */
export function windowCoverage(sorted: Float64Array, window: Window, shortSidebandWidth: number, regions: readonly MassRegion[]): RegionCoverage[] {
  return regions.map((r) => {
    const [low, high] = regionEdgesTeV(window, r, shortSidebandWidth);
    return regionCoverage(sorted, r, low, high);
  });
}

/** One line on a region that is not covered, e.g. "SR (2.9–3.3 TeV) holds no events below 3.051 TeV". */
export function describeCoverage(c: RegionCoverage): string {
  const where = `${MASS_REGION_LABELS[c.region]} (${fmt(c.low)}–${fmt(c.high)} TeV)`;
  if (c.status === 'empty') return `${where} holds no events`;
  const gaps = [
    ...(c.firstMass !== undefined ? [`below ${fmt(c.firstMass)} TeV`] : []),
    ...(c.lastMass !== undefined ? [`above ${fmt(c.lastMass)} TeV`] : []),
  ];
  return c.status === 'partial' ? `${where} holds no events ${gaps.join(' or ')} (${c.nEvents} events inside)` : `${where} is covered`;
}

const fmt = (x: number): string => String(Number(x.toFixed(3)));
