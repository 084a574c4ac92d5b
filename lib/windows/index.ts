/** Windows layer: window definitions → event masks (SR, SB, short sidebands). */
export type { Window, WindowsConfig, MassUnit, MassRegion, SlidingWindowsSpec } from './window.js';
export { SIGNAL_REGION_AND_SHORT_SIDEBANDS, slidingWindowsDocument, formatMass, massDecimals, loadWindows, parseWindows, windowLabel, windowInTeV, roundEdge, DEFAULT_WINDOWS_PATH } from './window.js';
export type { MaskOptions } from './masks.js';
export {
  signalRegionMask, sidebandMask, shortSidebandMask, lowerShortSidebandMask, upperShortSidebandMask, countMask,
} from './masks.js';
export type { RegionCoverage } from './coverage.js';
export { sortedMassesTeV, regionCoverage, windowCoverage, describeCoverage, MASS_REGION_LABELS, EDGE_GAP_EXPECTED_EVENTS, EDGE_EVENTS } from './coverage.js';
