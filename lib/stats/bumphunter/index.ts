/** BumpHunter-style sliding-window scans with a global p-value from pseudo-experiments. */
export type { BumpHunterOptions, BumpHunterResult, BumpHunterWindow } from './bumpHunter.js';
export { bumpHunter, BUMP_HUNTER_DEFAULTS } from './bumpHunter.js';
