import type { Matrix } from '../ml/matrix.js';
import type { Window } from '../windows/index.js';

/** The three weakly-supervised methods (docs/physics.md#methods). */
export type MethodName = 'iad' | 'cwola' | 'cathode';

/**
 * A method's background template for one window: the events the classifier separates from SR
 * data (label 0), their per-event weights, and how classes are weighted in the fit.
 */
export interface BackgroundTemplate {
  readonly method: MethodName;
  readonly window: Window;
  /** Template events × classifier features, row-major. */
  readonly x: Matrix<Float64Array>;
  /** Per-event weights (CWoLa's sideband balancing); absent = all 1. */
  readonly weights?: Float64Array;
  /** Class weighting inside each fit. */
  readonly classWeight: 'balanced' | 'none';
  /** What the template is made of (event counts per part, flow settings, …), for the results. */
  readonly meta: Record<string, unknown>;
}

/** Out-of-fold scores of one (window, method, run): the input of the cut-and-count statistics. */
export interface MethodScores {
  readonly method: MethodName;
  readonly windowId: number;
  readonly run: number;
  /** Score of each SR data event, by the fold model that never saw it. */
  readonly dataScores: Float64Array;
  readonly dataFold: Uint8Array;
  readonly templateScores: Float64Array;
  readonly templateFold: Uint8Array;
  readonly templateWeights?: Float64Array;
}
