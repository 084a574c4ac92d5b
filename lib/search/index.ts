/** The supervised resonance search on weighted simulation (seed 004): config, samples, fits, classifier study, sculpting. */
export type { SearchConfig, SquareCut, SampleSpec, ClassifierConfig, SculptingConfig, TrainingSample, SignalModelName, BackgroundModelName } from './config.js';
export { LLJ_PRESET, SEARCH_PRESETS, BACKGROUND_MODEL_NAMES, lljSamples, parseSearchConfig, checkSearchConfig } from './config.js';
export type { ProcessSample } from './samples.js';
export { processSample, passCuts, andMasks, massHistogram, addHistograms, weightedYield } from './samples.js';
export type { SignalShape, HypothesisTest } from './hypothesisTest.js';
export { backgroundModel, fitSignalModel, testSignalHypothesis } from './hypothesisTest.js';
export type { ShapeRatio, DecorrelationMap } from './sculpting.js';
export { shapeRatio, weightedDcor, fitDecorrelationMap, decorrelatedScore } from './sculpting.js';
export type { SearchResults, SelectionResult, SeedResult, Spread, SpectrumRecord, VariantName, SummaryKey } from './run.js';
export { runSearch, spread, VARIANT_NAMES, SEARCH_WRITER } from './run.js';
export { validateSearchResults } from './results.js';
