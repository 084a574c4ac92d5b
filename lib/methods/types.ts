import type { Matrix } from '../ml/matrix.js';
import type { Window } from '../windows/index.js';

/** The registered weakly-supervised methods (docs/physics.md#methods; lib/methods/registry.ts). */
export type MethodName = 'iad' | 'cwola' | 'cathode' | 'anode';

/**
 * CATHODE's sideband density estimation: the generator (`flow`: the conditional MAF with `flow`
 * options, default; `gan`: the conditional GAN of lib/ml/gan with `gan` options), the number of
 * flows, and how it is sampled into the SR (oversampling × N_SR masses from a KDE of bandwidth).
 */
export interface CathodeSettings {
  flow: Record<string, unknown>;
  oversampling: number;
  bandwidth: number;
  flows: number;
  /**
   * Width in TeV of each sideband the density trains on: events within this distance below and above
   * the SR. Absent: every event outside the SR (the CATHODE reference).
   */
  sidebandWidthTeV?: number;
  /**
   * Reweight the SR template by a classifier of sideband data vs the generator's samples near the SR
   * (lib/methods/sidebandReweighting.ts); fields over their defaults. Absent: the template is used as drawn.
   */
  reweighting?: { sidebandWidthTeV?: number; oversampling?: number; maxWeight?: number; classifier?: Record<string, unknown>; bandWeighting?: 'population' | 'mass-matched'; iterations?: number };
  generator?: 'flow' | 'gan';
  gan?: Record<string, unknown>;
  /**
   * Calibrate each cut on a template the classifier never learned against: the `flows` (≥ 2) train on
   * two disjoint random halves of the sideband (flow k on half k mod 2); the classifier of fold f
   * learns SR data vs half f mod 2's samples and fold f's cut and N_exp come from the other half's.
   * A classifier trained against a finite-sample density finds that density's own fluctuations; an
   * independently trained one does not share them, so the expected background is unbiased.
   */
  independentCalibration?: boolean;
}

/** What a method reads of the scan's configuration. */
export interface MethodSettings {
  /** Classifier inputs (feature names; m_JJ is never one). */
  readonly features: readonly string[];
  /** Width of each short sideband (TeV, the windows' units). */
  readonly shortSidebandWidth: number;
  readonly cathode: CathodeSettings;
  /** CATHODE's sideband closure (data-driven δsys) is requested. */
  readonly dataDrivenDeltaSys: boolean;
}

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
  /**
   * Independent groups of template events (crossFit's `templateGroups`): fold f's classifier trains on
   * group f mod G and its cut is set on the others. Absent: one template, trained on and cut on.
   */
  readonly groups?: Uint8Array;
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
