/** Neural networks on the dense kernels: the MLP classifier and its building blocks. */
export { MlpClassifier, FittedMlp, MLP_DEFAULTS, MLP_OPTIONS, MLP_FAST, resolveMlpOptions } from './mlp.js';
export type { MlpOptions, MlpBackend, MlpFitOptions, ValidationSet, MlpHistory } from './mlp.js';
export { MlpNetwork, paramLayout } from './network.js';
export type { ParamLayout } from './network.js';
export { bceWithLogitsInto, sigmoid, softplus } from './loss.js';
export { fitStandardisation, standardiseRows } from './standardise.js';
export type { Standardisation } from './standardise.js';
export { trainNetwork, evaluateLoss } from './train.js';
export { batchGradient } from './gradient.js';
export type { PreparedSet } from './gradient.js';
export type { EpochSnapshot, TrainResult, TrainSettings } from './train.js';
export { predictEnsemble, predictRowsInto, standardiseInto } from './predict.js';
