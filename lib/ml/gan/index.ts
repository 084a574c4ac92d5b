/** Conditional GAN background generator and sample-quality metrics. */
export { fitConditionalGan, loadGan, FittedGan, GAN_DEFAULTS, GAN_OPTIONS, GAN_DOC_VERSION } from './cgan.js';
export type { GanOptions, GanEpoch, GanDocument } from './cgan.js';
export { kdeMeanLogLikelihood, kdeMeanLogLikelihoodGroups, scottBandwidth, ksDistance, correlationMatrix, compareSamples } from './metrics.js';
export type { SampleComparison } from './metrics.js';
