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
export { KernelArena, allocateViews, setKernelBackend, kernelBackend, wasmKernelsAvailable } from './ml/kernels/index.js';
export type { KernelBackend } from './ml/kernels/index.js';
export { MlpClassifier, FittedMlp, MLP_DEFAULTS, MLP_FAST } from './ml/nn/index.js';
export type { MlpOptions, MlpBackend, MlpFitOptions, ValidationSet, MlpHistory } from './ml/nn/index.js';
export { resolveMlpBackend, TFJS_NODE_GPU } from './ml/backends/index.js';
export type { TfImporter } from './ml/backends/index.js';
export { exportMlpToOnnx, FittedOnnxClassifier, loadOnnxClassifier } from './ml/onnx/index.js';
export type { OnnxClassifierOptions, OnnxExportOptions } from './ml/onnx/index.js';
