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
export { validateSchema, schemaValidator, formatSchemaErrors } from './util/schema.js';
export {
  readEvents, writeEvents, formatOf, readHdf5, writeHdf5, readNpy, readCsv, writeCsv, readArrow, writeArrow,
  readParquet, writeParquet, toArrow, fromArrow, LHCO_COLUMNS, LHCO_SR_COLUMNS,
} from './data/io/index.js';
export type { EventFormat, WritableFormat, ReadOptions, WriteOptions } from './data/io/index.js';
export { validateEvents, requireColumns, requireFinite, requireDtypes } from './data/validate.js';
export type { ValidateOptions, Dtype } from './data/validate.js';
export {
  loadWindows, parseWindows, windowLabel, DEFAULT_WINDOWS_PATH, signalRegionMask, sidebandMask, shortSidebandMask,
  lowerShortSidebandMask, upperShortSidebandMask, countMask,
} from './windows/index.js';
export type { Window, WindowsConfig, MassUnit, MaskOptions } from './windows/index.js';
export * from './stats/index.js';
export {
  fitConditionalFlow, FittedFlow, loadFlow, FlowEnsemble, loadFlowEnsemble, sampleIntoWindow, sampleMassesKde,
  FLOW_PRESETS, FLOW_DEFAULTS, WINDOW_SAMPLING_DEFAULTS,
} from './ml/flows/index.js';
export type {
  FitFlowOptions, FlowTrainingOptions, FlowDocument, FlowEnsembleDocument, FlowHistory, ConditionalDensity, MassWindow,
  WindowSamplingOptions,
} from './ml/flows/index.js';
