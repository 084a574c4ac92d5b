/**
 * sidewinder — weakly-supervised anomaly-detection bump hunts.
 * Layers (data flows one way): data → windows → ml → methods → stats → scan → report.
 */
export { Rng, createRng, hashLabel } from './util/rng.js';
export type { Reporter } from './util/reporter.js';
export { silent } from './util/reporter.js';
export { SidewinderError, InputError, ConfigError, ShapeError } from './util/errors.js';
export { writeFileAtomic, writeFileAtomicSync } from './util/atomicWrite.js';
export { EventTable } from './data/eventTable.js';
export type { Column, Unit } from './data/eventTable.js';
export type { Matrix } from './ml/matrix.js';
export { matrix, rowsView, takeRows, fromColumns } from './ml/matrix.js';
export type { Classifier, FittedClassifier, FitOptions, Labels, ModelDocument } from './ml/classifier.js';
export {
  deriveFeatures, eventFeatures, dijetMass, deltaR, deltaPhi, pseudorapidity, tauRatio,
  FEATURE_SETS, FEATURE_NAMES, FEATURE_UNITS, RAW_COLUMNS, RAW_JET_COLUMNS, TAU_RATIO_EPSILON,
} from './data/features.js';
export type { FeatureName, FeatureSetName, EventFeatures, RawJet } from './data/features.js';
export {
  generateLhcoLike, generateExtraSrBackground, generateDataset, resolveGeneratorOptions, GENERATOR_DEFAULTS,
  BACKGROUND_MODELS, DEFAULT_SIGNAL_PARAMS,
} from './data/generate/index.js';
export type {
  GeneratorOptions, GeneratorOptionsInput, ExtraSrBackgroundOptions, BackgroundModelName, BackgroundModelParams, SignalModelParams,
} from './data/generate/index.js';
