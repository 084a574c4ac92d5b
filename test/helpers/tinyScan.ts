/** A scan small enough to run several times in a test (≈ 5 s): one window (5, 3.5 TeV), IAD and CWoLa, no control sample. */
import type { ScanConfig } from '../../lib/scan/config.js';
import { presetConfig } from '../../lib/scan/presets.js';
import type { Reporter } from '../../lib/util/reporter.js';

export function tinyScanConfig(seed = 1): ScanConfig {
  const cfg = presetConfig('ci');
  cfg.windows.ids = [5];
  cfg.methods = ['iad', 'cwola'];
  delete cfg.control;
  cfg.dataset.generate!.background = 60_000;
  cfg.template.generate!.background = 30_000;
  cfg.classifier.options = { ...cfg.classifier.options, maxIter: 20 };
  cfg.lookElsewhere = { pseudoExperiments: 0 };
  // ≈ 9k template events in window 5 cannot resolve ε_B = 1e-3 (fewer than minTemplatePass = 10 would pass).
  cfg.epsilonB = [1e-2];
  cfg.seed = seed;
  return cfg;
}

/** A reporter that keeps the warnings and info lines. */
export function recordingReporter(): Reporter & { warnings: string[]; infos: string[] } {
  const warnings: string[] = [];
  const infos: string[] = [];
  return {
    warnings, infos, progress() {},
    log(level, msg) {
      if (level === 'warn') warnings.push(msg);
      if (level === 'info') infos.push(msg);
    },
  };
}
