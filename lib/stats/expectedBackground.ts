/**
 * Expected background of a cut-and-count and its uncertainty (docs/physics.md#expected-background; anchor analysis
 * Das et al., arXiv:2411.00085):
 *   N_exp = ε_eff · N_SR · (1 + δsys),
 *   σ_exp = sqrt(1/N_template,pass + σ_sys²)  (relative; σ_sys = δsys by default, IAD: δsys = 0),
 *   σ_b   = N_exp · σ_exp.
 * For weighted templates (CATHODE samples may carry weights) N_template,pass in σ_exp is the
 * effective number of passing events (Σw)²/Σw² (Kish), which equals the raw count for unit weights.
 */
import { ConfigError, ShapeError } from '../util/errors.js';

/** Inputs of {@link expectedBackground}. */
export interface ExpectedBackgroundInput {
  /** ε_eff = N_template,pass / N_template, in [0, 1]. */
  readonly epsilonEff: number;
  /** N_SR: number (or weighted sum) of SR data events, ≥ 0. */
  readonly nSR: number;
  /** Effective number of passing template events (Σw)²/Σw² (the raw count when unweighted), ≥ 0. */
  readonly nTemplatePassEff: number;
  /** Relative systematic shift δsys of the template efficiency (0 for IAD). */
  readonly deltaSys: number;
  /** Relative systematic uncertainty σ_sys; defaults to |δsys|. */
  readonly sigmaSys?: number;
}

/** Expected background, its relative (σ_exp) and absolute (σ_b) uncertainty. */
export interface ExpectedBackground {
  readonly nExp: number;
  readonly sigmaExp: number;
  readonly sigmaB: number;
}

/**
 * N_exp = ε_eff N_SR (1 + δsys); σ_exp = sqrt(1/N_eff + σ_sys²); σ_b = N_exp σ_exp
 * (arXiv:2411.00085; docs/physics.md#expected-background). N_eff = 0 (no passing template weight) gives σ_exp = ∞.
 */
export function expectedBackground(input: ExpectedBackgroundInput): ExpectedBackground {
  const { epsilonEff, nSR, nTemplatePassEff, deltaSys } = input;
  const sigmaSys = input.sigmaSys ?? Math.abs(deltaSys);
  if (!(epsilonEff >= 0 && epsilonEff <= 1)) throw new ConfigError(`expectedBackground: epsilonEff must be in [0, 1], got ${epsilonEff}`);
  if (!(nSR >= 0) || !Number.isFinite(nSR)) throw new ConfigError(`expectedBackground: nSR must be a finite count >= 0, got ${nSR}`);
  if (!(nTemplatePassEff >= 0)) throw new ConfigError(`expectedBackground: nTemplatePassEff must be >= 0, got ${nTemplatePassEff}`);
  if (!(deltaSys > -1) || !Number.isFinite(deltaSys)) throw new ConfigError(`expectedBackground: deltaSys must be finite and > -1, got ${deltaSys}`);
  if (!(sigmaSys >= 0) || !Number.isFinite(sigmaSys)) throw new ConfigError(`expectedBackground: sigmaSys must be finite and >= 0, got ${sigmaSys}`);
  const nExp = epsilonEff * nSR * (1 + deltaSys);
  const sigmaExp = nTemplatePassEff === 0 ? Infinity : Math.sqrt(1 / nTemplatePassEff + sigmaSys * sigmaSys);
  // 0·∞: no expected background and no template statistics → σ_b undefined; report 0 rather than NaN
  // only when N_exp = 0 exactly (the significance functions treat b = 0 by its limit anyway).
  const sigmaB = nExp === 0 ? 0 : nExp * sigmaExp;
  return { nExp, sigmaExp, sigmaB };
}

/**
 * Kish effective number of events (Σw)²/Σw² of the weights selected by `mask` (all when omitted).
 * Equals the count for unit weights; 0 when the selected weights sum to 0.
 */
export function effectiveCount(weights: ArrayLike<number>, mask?: ArrayLike<boolean | number>): number {
  if (mask && mask.length !== weights.length)
    throw new ShapeError(`effectiveCount: mask has ${mask.length} entries, weights has ${weights.length}`);
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < weights.length; i++) {
    if (mask && !mask[i]) continue;
    const w = weights[i];
    s += w;
    s2 += w * w;
  }
  return s2 === 0 ? 0 : (s * s) / s2;
}
