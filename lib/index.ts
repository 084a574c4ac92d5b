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
// Classical background estimation and fit-based bump hunts (binned fits, BumpHunter, ABCD, Matrix Method, Fake Factor, GP)
export * from './stats/fit/index.js';
export * from './stats/background/index.js';
export * from './stats/bumphunter/index.js';
