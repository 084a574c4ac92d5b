/** Data-driven background estimates: ABCD, Matrix Method, Fake Factor, GP sideband interpolation. */
export type { AbcdCounts, AbcdEstimate, AbcdClosure } from './abcd.js';
export { abcdEstimate, abcdClosure } from './abcd.js';
export { matrixMethodSingle, matrixMethod, matrixMethodMatrix, matrixMethodEventWeight } from './matrixMethod.js';
export type { FakeFactorMap, ObjectSample, FakeFactorEvents } from './fakeFactor.js';
export { fakeFactorFromRate, measureFakeFactors, fakeFactorAt, fakeFactorSum, fakeFactorEstimate } from './fakeFactor.js';
export type { GpOptions, FittedGp, SidebandInterpolation } from './gaussianProcess.js';
export { fitGaussianProcess, gpInterpolate, GP_DEFAULTS } from './gaussianProcess.js';
export type { ChargeFlipCounts, ChargeFlipPairs, ChargeFlipFitOptions, ChargeFlipRates } from './chargeFlip.js';
export { chargeFlipBin, chargeFlipCounts, fitChargeFlipRates, predictSameSign, sameSignProbability, CHARGE_FLIP_DEFAULTS } from './chargeFlip.js';
export type { FakeFactorModel, FakeFactorModelOptions, FakeFactorModelEvents } from './bdtFakeFactor.js';
export { fitFakeFactorModel, fakeFactorModelEstimate, FAKE_FACTOR_MODEL_DEFAULTS } from './bdtFakeFactor.js';
