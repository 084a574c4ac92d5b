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
  fitConditionalFlow, FittedFlow, loadFlow, FlowEnsemble, loadFlowEnsemble, sampleIntoWindow, sampleMassesKde,
  FLOW_PRESETS, FLOW_DEFAULTS, WINDOW_SAMPLING_DEFAULTS,
} from './ml/flows/index.js';
export type {
  FitFlowOptions, FlowTrainingOptions, FlowDocument, FlowEnsembleDocument, FlowHistory, ConditionalDensity, MassWindow,
  WindowSamplingOptions,
} from './ml/flows/index.js';
