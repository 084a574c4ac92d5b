/** Binned fits: weighted histograms, LM and Migrad minimisers, dijet/Gaussian models, fit-based bump hunt. */
export type { Histogram } from './histogram.js';
export { fillHistogram, fillUniformHistogram, histogramFromCounts, binCentres, binWidths, isUnweighted, histogramSum } from './histogram.js';
export type { LmOptions, LmResult } from './levenbergMarquardt.js';
export { levenbergMarquardt, LM_DEFAULTS } from './levenbergMarquardt.js';
export type { MigradOptions, MigradResult } from './migrad.js';
export { migrad, numericalHessian, MIGRAD_DEFAULTS } from './migrad.js';
export type { SpectrumModel } from './models.js';
export { dijetModel, gaussianModel, backgroundPlusSignal, backgroundPlusShape, crystalBallModel, polynomialModel, expectedCounts, SQRT_S_TEV } from './models.js';
export type { FitMethod, BinnedFitOptions, FitResult } from './binnedFit.js';
export { fitHistogram, poissonDeviance, BINNED_FIT_DEFAULTS } from './binnedFit.js';
export type { BumpWindow, FitBumpHuntOptions, FitBumpWindowResult, FitBumpHuntResult } from './bumpHunt.js';
export { fitBumpHunt, fitSignalShape, toySignificance, FIT_BUMP_HUNT_DEFAULTS } from './bumpHunt.js';
export type { SpectrumRow, ParsedSpectra } from './spectrumText.js';
export { parseSpectrumText, selectSpectrum } from './spectrumText.js';
export { levenbergMarquardtPoisson } from './levenbergMarquardt.js';
