import { ConfigError, didYouMean } from '../util/errors.js';
import type { ScanConfig } from './config.js';
import { DEFAULT_METHODS } from '../methods/registry.js';

/**
 * Scan presets. `default` is sized for a laptop: the generated LHCO-like dataset (1M background +
 * 1000 signal), an independent background sample for IAD over the windows' m_JJ range, a
 * signal-free control sample from the alternative background model (MC-based δsys and
 * look-elsewhere pseudo-experiments), two runs of five-member gradient-boosted ensembles per fold
 * (one per fold for CATHODE), the flow's `default` preset and the template's sideband reweighting.
 * `paper` is the anchor analysis' setting (arXiv:2411.00085): 50-member ensembles, 10 runs, the full
 * CATHODE flow recipe — days of CPU; send it to a cluster.
 */
const DEFAULT_PRESET: ScanConfig = {
  schema: 'sidewinder/scan-config', version: 1, preset: 'default',
  dataset: { generate: { background: 1_000_000, signal: 1000, seed: 1 } },
  template: { generate: { background: 400_000, signal: 0, seed: 2, mJJRangeTeV: [2.9, 4.1] } },
  control: { generate: { background: 1_000_000, signal: 0, seed: 3, backgroundModel: 'alternative' } },
  windows: { file: 'windows/lhco-nine.json' },
  methods: [...DEFAULT_METHODS],
  features: 'baseline',
  epsilonB: [1e-2, 1e-3, 1e-4],
  classifier: { kind: 'hgb', options: { maxIter: 200, maxLeafNodes: 31, learningRate: 0.1, earlyStopping: true, validationFraction: 0.5 } },
  // Five boosted-tree members per fold (docs/stability.md): one member's training noise decided the
  // result (real LHCO window-5 IAD at ε_B = 1e-3: 2.28 ± 1.19 over 10 seeds with 1 member, 5.17 ± 0.98 with 5).
  // Two runs (mean ± std in every table); each run retrains every classifier, the flows are shared.
  folds: 5, ensemble: 5, runs: 2, seed: 1,
  // A smaller scan spends the same classifier work on more members and runs (lib/scan/budget.ts): the
  // nine-window scan (2.31M SR events in data and control, 11 members per run) stays at 5 × 2; one
  // window of the real LHCO SR (122k events, IAD) gets 50 × 5, where ten seeds of window-5 IAD at
  // ε_B = 1e-3 give 6.02 ± 0.20 (min 5.65) against 5.26 ± 0.48 (min 4.65) with 5 × 2 (docs/stability.md).
  ensembleBudget: { srEventFits: 5.5e7 },
  // CATHODE: one classifier per fold on 10 × the SR's events sampled from a flow trained 12 epochs with
  // a cosine-decaying learning rate (docs/benchmarks.md, CATHODE sensitivity study: three seeds on
  // windows 4–6, MC δsys 0.08 / 0.08 / 0.20 at ε_B = 1e-2 / 1e-3 / 1e-4, against 0.20 / 0.43 / 0.73
  // with the 8-epoch constant-rate flow, four-fold oversampling and five members). 18 flows (data and
  // control, nine windows), two at a time, each of 6 × 32 hidden units on ≤ 550k sideband events. The
  // template is reweighted by a classifier of sideband data vs flow samples within 0.5 TeV of the SR: on
  // three datasets it lowered every MC δsys (mean 0.065 / 0.101 / 0.177 → 0.046 / 0.069 / 0.069) and the
  // background-only cells above Z = 3 with δsys = 0 from 18 to 11 of 108 (docs/benchmarks.md, template
  // bias with no δsys).
  ensembleByMethod: { cathode: 1 },
  cathode: { flow: { preset: 'default' }, flows: 1, oversampling: 10, bandwidth: 0.01, reweighting: {} },
  deltaSys: {},
  // Pseudo-experiments of `sidewinder lee` (each a whole background-only scan: a cluster job).
  lookElsewhere: { pseudoExperiments: 50 },
};

// `paper` and `ci` keep one ensemble size for every method, as configured.
const { ensembleByMethod: _perMethod, ensembleBudget: _budget, ...SAME_ENSEMBLES } = DEFAULT_PRESET;

export const SCAN_PRESETS: Readonly<Record<'default' | 'paper' | 'ci', ScanConfig>> = Object.freeze({
  default: DEFAULT_PRESET,
  paper: {
    ...SAME_ENSEMBLES, preset: 'paper',
    template: { generate: { background: 600_000, signal: 0, seed: 2, mJJRangeTeV: [2.9, 4.1] } },
    ensemble: 50, runs: 10,
    cathode: { flow: { preset: 'paper' }, flows: 1, oversampling: 4, bandwidth: 0.01 },
    lookElsewhere: { pseudoExperiments: 1000 },
  },
  /** A small scan for tests: 200k events, short classifiers, a quick flow. */
  ci: {
    ...SAME_ENSEMBLES, preset: 'ci', runs: 1,
    dataset: { generate: { background: 200_000, signal: 600, seed: 11 } },
    template: { generate: { background: 80_000, signal: 0, seed: 12, mJJRangeTeV: [2.9, 4.1] } },
    control: { generate: { background: 200_000, signal: 0, seed: 13, backgroundModel: 'alternative' } },
    epsilonB: [1e-2, 1e-3],
    ensemble: 1,
    classifier: { kind: 'hgb', options: { maxIter: 60, maxLeafNodes: 15, learningRate: 0.1, earlyStopping: true, validationFraction: 0.3 } },
    // A quick flow (constant rate: a cosine over 4 epochs leaves it less trained; 64 hidden units, the
    // calibrated toy study's), as before the default grew.
    cathode: { flow: { preset: 'default', hidden: 64, epochs: 4, maxEvents: 60_000, learningRateSchedule: 'constant' }, flows: 1, oversampling: 4, bandwidth: 0.01 },
    lookElsewhere: { pseudoExperiments: 12 },
  },
});

export type PresetName = keyof typeof SCAN_PRESETS;

/** A deep copy of a preset's configuration. */
export function presetConfig(name: string): ScanConfig {
  const p = (SCAN_PRESETS as Record<string, ScanConfig>)[name];
  if (!p) throw new ConfigError(`unknown scan preset "${name}"${didYouMean(name, Object.keys(SCAN_PRESETS))}; presets are ${Object.keys(SCAN_PRESETS).join(', ')}`);
  return structuredClone(p);
}
