/** A CATHODE-only scan small enough for a test: the `ci` preset, window 5, no control, 120k events, a tiny flow. */
import { presetConfig } from '../../lib/scan/presets.js';
import type { ScanConfig } from '../../lib/scan/config.js';

export function smallCathodeConfig(): ScanConfig {
  const cfg = presetConfig('ci');
  cfg.windows.ids = [5];
  cfg.methods = ['cathode'];
  delete cfg.control;
  cfg.dataset.generate!.background = 120_000;
  cfg.cathode.flow = { preset: 'default', epochs: 2, maxEvents: 20_000, blocks: 2, hidden: 16 };
  return cfg;
}
