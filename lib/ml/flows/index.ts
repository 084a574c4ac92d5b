/** Conditional density estimation for CATHODE: masked autoregressive flows. */
export { fitConditionalFlow } from './fit.js';
export { FittedFlow, loadFlow, addSampleChecks, FLOW_DOC_VERSION, FLOW_DOC_READABLE, MAX_SAMPLE_REDRAWS } from './fittedFlow.js';
export type { FlowDocument, FlowHistory, FlowMember, SampleCheck, CheckedSample } from './fittedFlow.js';
export { FLOW_PRESETS, FLOW_DEFAULTS, FLOW_OPTIONS, resolveFlowOptions } from './options.js';
export type { FlowTrainingOptions, FitFlowOptions } from './options.js';
export { fitPreprocessing, preprocess, inversePreprocess } from './preprocess.js';
export type { FlowPreprocessing, Preprocessed } from './preprocess.js';
export { MafLayout, AFFINE_MAX_LOG_SCALE, boundedLogScale } from './maf.js';
export type { MafShape, SplineShape } from './maf.js';
export { RqSpline } from './spline.js';
export { FlowEnsemble, loadFlowEnsemble, disjointParts } from './ensemble.js';
export type { ConditionalDensity, FlowEnsembleDocument } from './ensemble.js';
export { sampleIntoWindow, sampleMassesKde, WINDOW_SAMPLING_DEFAULTS } from './window.js';
export type { MassWindow, WindowSamplingOptions } from './window.js';
