/** Trees: histogram gradient-boosted trees (ours) and exact CART (ml-cart), plus their kernels. */
export { HistGradientBoosting, FittedHistGradientBoosting, HGB_DEFAULTS, resolveHgbOptions, meanLogLoss, stratifiedSplit } from './hgb.js';
export type { HgbOptions, HgbFitInfo } from './hgb.js';
export { CartClassifier, FittedCart, CART_DEFAULTS } from './cart.js';
export type { CartOptions, CartTree } from './cart.js';
export { fitBinEdges, binOf, binRowsInto, BIN_STRIDE } from './binning.js';
export type { BinEdges } from './binning.js';
export { rootHistogramInto, rootCountsInto, nodeHistogramInto, subtractHistogramInPlace, histogramLength } from './histogram.js';
export { TreeGrower, findBestSplitInto, partitionInto } from './grower.js';
export type { GrowerOptions, GrownTree } from './grower.js';
export { buildBitmaskTables, bitmaskRawInto, traverseRawInto, leafCount } from './predictor.js';
export type { BinnedTree, BitmaskTables } from './predictor.js';
