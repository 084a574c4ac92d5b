/** Windows layer: window definitions → event masks (SR, SB, short sidebands). */
export type { Window, WindowsConfig, MassUnit } from './window.js';
export { loadWindows, parseWindows, windowLabel, windowInTeV, roundEdge, DEFAULT_WINDOWS_PATH } from './window.js';
export type { MaskOptions } from './masks.js';
export {
  signalRegionMask, sidebandMask, shortSidebandMask, lowerShortSidebandMask, upperShortSidebandMask, countMask,
} from './masks.js';
