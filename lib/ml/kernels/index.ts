/**
 * Dense kernels used by the MLP and the flows. Import kernels from here, never from a backend
 * file: this module chooses the implementation (currently the plain-TypeScript reference).
 */
export {
  gemmNNInto,
  gemmNTInto,
  gemmTNInto,
  biasActivationInto,
  reluBackwardBiasGradInto,
  biasGradInto,
  adamStepInto,
} from './dense.js';
