import { ConfigError, didYouMean } from '../util/errors.js';

/** The three weakly-supervised methods of a scan (DESIGN.md §3). */
import type { MethodName } from '../methods/types.js';
export type { MethodName };
export const METHODS: readonly MethodName[] = Object.freeze(['iad', 'cwola', 'cathode']);

/** Classifier families selectable for every method. */
export type ClassifierKind = 'gbdt' | 'mlp' | 'cart' | 'onnx';

/** Where the events come from: a file, or the embedded generator with its options. */
export interface DatasetSpec {
  /** Path of an LHCO-layout file (h5, parquet, arrow, csv) or a feature .npy; absent → generate. */
  path?: string;
  /** Several files with the same columns, concatenated in order (instead of `path`). */
  paths?: string[];
  /** HDF5 key when the file holds several objects. */
  key?: string;
  /** Generator options when no path is given (background, signal, seed, backgroundModel). */
  generate?: {
    background: number;
    signal: number;
    seed: number;
    backgroundModel?: 'default' | 'alternative';
    /** Generate background only in this m_JJ range (TeV), e.g. an IAD template over the windows. */
    mJJRangeTeV?: [number, number];
  };
}

/** A complete scan configuration (validated against data-schemas/scan-config.schema.json). */
export interface ScanConfig {
  schema: 'sidewinder/scan-config';
  version: 1;
  /** Preset this configuration started from. */
  preset: string;
  /** The analysed dataset ("data": background + any signal). */
  dataset: DatasetSpec;
  /** IAD background template: an independent background-only sample (file or generated). */
  template: DatasetSpec;
  /**
   * Signal-free control sample (the alternative background model, a stand-in for a second MC
   * generator): every method runs on it too, giving the MC-based δsys and the background-only
   * pseudo-experiments of the look-elsewhere correction. Absent: δsys from `deltaSys`, Šidák only.
   */
  control?: DatasetSpec;
  /** Windows config file (relative to the repo root or absolute) and an optional subset of ids. */
  windows: { file: string; ids?: number[] };
  methods: MethodName[];
  /** Classifier inputs: a named feature set (baseline | deltaR | extended). */
  features: string;
  /** Working points ε_B. */
  epsilonB: number[];
  classifier: { kind: ClassifierKind; options: Record<string, unknown>; onnxPath?: string };
  /** k of the k-fold cross-fitting. */
  folds: number;
  /**
   * Minimum number of template events passing a working point (default 10,
   * `DEFAULT_MIN_TEMPLATE_PASS`): a (window, method, ε_B) whose template cannot reach it is refused —
   * no significance, the template size needed ⌈min/ε_B⌉ reported instead (lib/stats `templateResolution`).
   */
  minTemplatePass?: number;
  /** Classifiers averaged per fold. */
  ensemble: number;
  /** Independent runs (different seeds) giving mean ± std. */
  runs: number;
  seed: number;
  /**
   * CATHODE's template generator: `generator` 'flow' (default: the conditional MAF with `flow` options)
   * or 'gan' (the conditional GAN of lib/ml/gan with `gan` options); absent keys keep old plan keys.
   */
  cathode: { flow: Record<string, unknown>; oversampling: number; bandwidth: number; flows: number; maxTrainEvents?: number; generator?: 'flow' | 'gan'; gan?: Record<string, unknown> };
  /**
   * δsys per method and ε_B (keys are ε_B as written, e.g. "0.001"); IAD always 0. Without values,
   * δsys is measured on the control sample (MC-based). `dataDriven` adds CATHODE's sideband closure
   * (flow sampled into the short sidebands vs the data there), combined with the MC value in quadrature.
   */
  deltaSys: { values?: Partial<Record<MethodName, Record<string, number>>>; dataDriven?: boolean };
  lookElsewhere: { pseudoExperiments: number };
}

const REQUIRED: readonly (keyof ScanConfig)[] = [
  'dataset', 'template', 'windows', 'methods', 'features', 'epsilonB', 'classifier', 'folds', 'ensemble', 'runs', 'seed', 'cathode',
];

/** Check the invariants JSON Schema cannot express and name what is wrong. */
export function checkScanConfig(cfg: ScanConfig, source = 'scan config'): ScanConfig {
  for (const k of REQUIRED) if (cfg[k] === undefined) throw new ConfigError(`${source}: missing "${k}"`);
  for (const m of cfg.methods)
    if (!METHODS.includes(m)) throw new ConfigError(`${source}: unknown method "${m}"${didYouMean(m, METHODS)}; methods are ${METHODS.join(', ')}`);
  if (cfg.cathode?.generator !== undefined && cfg.cathode.generator !== 'flow' && cfg.cathode.generator !== 'gan')
    throw new ConfigError(`${source}: cathode.generator must be "flow" or "gan", got ${JSON.stringify(cfg.cathode.generator)}`);
  for (const e of cfg.epsilonB)
    if (!(e > 0 && e < 1)) throw new ConfigError(`${source}: epsilonB must lie in (0, 1), got ${e}`);
  if (cfg.minTemplatePass !== undefined && !(Number.isInteger(cfg.minTemplatePass) && cfg.minTemplatePass >= 1))
    throw new ConfigError(`${source}: minTemplatePass must be an integer ≥ 1, got ${cfg.minTemplatePass}`);
  if (!Number.isInteger(cfg.folds) || cfg.folds < 2) throw new ConfigError(`${source}: folds must be an integer ≥ 2, got ${cfg.folds}`);
  if (!Number.isInteger(cfg.runs) || cfg.runs < 1) throw new ConfigError(`${source}: runs must be an integer ≥ 1, got ${cfg.runs}`);
  if (!Number.isInteger(cfg.ensemble) || cfg.ensemble < 1) throw new ConfigError(`${source}: ensemble must be an integer ≥ 1, got ${cfg.ensemble}`);
  if (!cfg.dataset.path && !cfg.dataset.paths && !cfg.dataset.generate) throw new ConfigError(`${source}: dataset needs "path", "paths" or "generate"`);
  return cfg;
}
