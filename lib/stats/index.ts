/**
 * Statistics layer: cut-and-count working points, expected background, significances, δsys,
 * run summaries, ROC/SIC and the look-elsewhere effect. Pure functions over numbers and typed arrays.
 */
export {
  lnGamma, gammaP, gammaQ, erf, erfc, normalPdf, normalCdf, normalSf, normalIsf, normalQuantile,
  significanceFromPValue, oneSidedSignificance, pValueFromSignificance, poissonUpperTail, poissonLowerTail, chi2Sf,
} from '../util/special.js';
export { roundHalfEven, nearestRankIndex, quantileNearest, quantileLinear, sortedFinite } from './quantile.js';
export { zSimple, zSimpleOneSided, zCowan, zCowanOneSided, zCowanAbsolute, significances } from './significance.js';
export type { Significances } from './significance.js';
export { expectedBackground, effectiveCount } from './expectedBackground.js';
export type { ExpectedBackground, ExpectedBackgroundInput } from './expectedBackground.js';
export { checkEpsilonB, logSpacedEpsilonB, thresholdsFromSorted, foldWorkingPoints, workingPoints, templateResolution, templateEventsNeeded, DEFAULT_MIN_TEMPLATE_PASS } from './workingPoints.js';
export type { FoldScores, FoldWorkingPoints, FoldLabels, SummedWorkingPoints, WorkingPointOptions, TemplateRefusal } from './workingPoints.js';
export { cutAndCount, passingEvents } from './cutAndCount.js';
export type { CutAndCountInput, CutAndCountOptions, CutAndCountRow } from './cutAndCount.js';
export { deltaOfWindow, deltaSysByEpsilonB, combineDeltaSys, deltaSysStatError, significantShift, appliedSystematics, intrinsicSpread, combinedShift, sharedPassCount } from './dsys.js';
export type { ControlCount, DeltaSysEstimate, DeltaSysCombination, DeltaSysOptions, DeltaSysUncertainty, MeasuredShift } from './dsys.js';
export { summarizeRuns } from './runs.js';
export type { RunSummary } from './runs.js';
export { rocCurve, areaUnderRoc, aucStandardError, sicCurve, maxSic, SIC_MIN_BACKGROUND_DEFAULT } from './roc.js';
export type { RocCurve, RocOptions, SicCurve, SicOptions } from './roc.js';
export {
  sidakGlobalPValue, poissonBootstrapWeights, binomialUpperLimit, globalSignificance, cutAndCountLocalZ, reportedGlobalPValue,
  windowCorrelations, bivariateNormalUpperTail, correlatedMaxGlobalPValue, pseudoExperimentGlobalPValue, ksUniformTest,
} from './lookElsewhere.js';
export type { GlobalSignificance, GlobalSignificanceOptions, WindowCut } from './lookElsewhere.js';
// Classical tools (seeds 000, 001, 004), each with its own explicit barrel.
export { distanceCorrelation, distanceCorrelationExact, distanceCorrelationTest, DCOR_DEFAULTS } from './dcor.js';
export type { DistanceCorrelation, DistanceCorrelationTest, DcorOptions } from './dcor.js';
export * from './fit/index.js';
export * from './background/index.js';
export * from './bumphunter/index.js';
