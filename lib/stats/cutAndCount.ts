/**
 * The whole cut-and-count of one window in one call, in the shape results store it: working points
 * (thresholds, counts summed over folds), expected background with its uncertainty, and the simple
 * and Cowan significances, signed and one-sided, per ε_B. Formulas: docs/physics.md (#working-points to #significance) and arXiv:2411.00085;
 * see workingPoints.ts, expectedBackground.ts and significance.ts for each step.
 */
import { ConfigError } from '../util/errors.js';
import { expectedBackground } from './expectedBackground.js';
import { significances } from './significance.js';
import { checkEpsilonB, templateResolution, workingPoints, type FoldLabels, type TemplateRefusal } from './workingPoints.js';

/** Scores of one window. Template weights are optional (CATHODE samples may carry weights). */
export interface CutAndCountInput {
  readonly templateScores: ArrayLike<number>;
  readonly templateWeights?: ArrayLike<number>;
  readonly dataScores: ArrayLike<number>;
  /** Optional data weights (pseudo-experiments); counts become weighted sums. */
  readonly dataWeights?: ArrayLike<number>;
  /** Fold label per event for k-fold cross-fitting; per-fold thresholds, counts summed. Pooled when omitted. */
  readonly folds?: FoldLabels;
}

/** Options of {@link cutAndCount}. */
export interface CutAndCountOptions {
  /** Background efficiencies ε_B, each in (0, 1). */
  readonly epsilonB: readonly number[];
  /** δsys: one value for all ε_B or one per ε_B (0 for IAD). */
  readonly deltaSys: number | readonly number[];
  /** σ_sys: one value or one per ε_B; defaults to |δsys|. */
  readonly sigmaSys?: number | readonly number[];
  /** Drop NaN scores instead of throwing (default false). */
  readonly skipNaN?: boolean;
  /**
   * Minimum number of template events passing a working point (see `templateResolution`); rows
   * below it carry `refused`. Omitted: no row is refused.
   */
  readonly minTemplatePass?: number;
}

/** Every number of one working point. Counts are weighted sums where weights were given. */
export interface CutAndCountRow {
  readonly epsilonB: number;
  /** The threshold when the scores are pooled; null with several folds (see foldThresholds). */
  readonly threshold: number | null;
  /** Per-fold thresholds, in the order of foldIds. */
  readonly foldThresholds: readonly number[];
  readonly foldIds: readonly number[];
  readonly nSR: number;
  readonly nTemplate: number;
  readonly nTemplatePass: number;
  /** Effective number of passing template events (Σw)²/Σw² (= nTemplatePass when unweighted). */
  readonly nTemplatePassEff: number;
  readonly epsilonEff: number;
  readonly nObs: number;
  readonly deltaSys: number;
  readonly sigmaSys: number;
  readonly nExp: number;
  /** Relative uncertainty of N_exp: sqrt(1/nTemplatePassEff + σ_sys²). */
  readonly sigmaExp: number;
  /** Absolute uncertainty of N_exp: nExp·sigmaExp. */
  readonly sigmaB: number;
  readonly zSimple: number;
  readonly zSimpleOneSided: number;
  readonly zCowan: number;
  readonly zCowanOneSided: number;
  /**
   * Set when the template cannot resolve this ε_B (fewer than `minTemplatePass` template events
   * pass): the row's ε_eff is not ε_B and its significances must not be reported.
   */
  readonly refused?: TemplateRefusal;
}

function perEpsilon(value: number | readonly number[] | undefined, m: number, name: string): (number | undefined)[] {
  if (value === undefined) return new Array<undefined>(m).fill(undefined);
  if (typeof value === 'number') return new Array<number>(m).fill(value);
  if (value.length !== m) throw new ConfigError(`cutAndCount: ${name} has ${value.length} entries, epsilonB has ${m}`);
  return [...value];
}

/**
 * Cut-and-count of one window at every ε_B: thresholds from the template scores (per fold),
 * N_template,pass, ε_eff, N_obs, N_SR, N_exp = ε_eff N_SR (1 + δsys), σ_exp = sqrt(1/N_eff + σ_sys²),
 * σ_b = N_exp σ_exp, and Z simple / Cowan (signed and one-sided).
 * @example
 * const rows = cutAndCount({ templateScores, dataScores, folds: { template: tFold, data: dFold } },
 *                          { epsilonB: [1e-2, 1e-3, 1e-4], deltaSys: 0 });
 */
export function cutAndCount(input: CutAndCountInput, options: CutAndCountOptions): CutAndCountRow[] {
  const { epsilonB } = options;
  checkEpsilonB(epsilonB as number[], 'cutAndCount');
  const m = epsilonB.length;
  const deltas = perEpsilon(options.deltaSys, m, 'deltaSys') as number[];
  const sigmas = perEpsilon(options.sigmaSys, m, 'sigmaSys');
  const wp = workingPoints(input, epsilonB, { skipNaN: options.skipNaN, folds: input.folds });
  return epsilonB.map((e, j) => {
    const deltaSys = deltas[j];
    const sigmaSys = sigmas[j] ?? Math.abs(deltaSys);
    const bg = expectedBackground({ epsilonEff: wp.epsilonEff[j], nSR: wp.nSR, nTemplatePassEff: wp.nTemplatePassEff[j], deltaSys, sigmaSys });
    const foldThresholds = wp.perFold.map((f) => f.thresholds[j]);
    const refused = options.minTemplatePass === undefined ? undefined : templateResolution(wp.nTemplateEvents, wp.nTemplatePassEff[j], e, options.minTemplatePass);
    return {
      epsilonB: e,
      threshold: foldThresholds.length === 1 ? foldThresholds[0] : null,
      foldThresholds,
      foldIds: wp.foldIds,
      nSR: wp.nSR,
      nTemplate: wp.nTemplate,
      nTemplatePass: wp.nTemplatePass[j],
      nTemplatePassEff: wp.nTemplatePassEff[j],
      epsilonEff: wp.epsilonEff[j],
      nObs: wp.nObs[j],
      deltaSys,
      sigmaSys,
      nExp: bg.nExp,
      sigmaExp: bg.sigmaExp,
      sigmaB: bg.sigmaB,
      ...significances(wp.nObs[j], bg.nExp, bg.sigmaExp),
      ...(refused ? { refused } : {}),
    };
  });
}

/**
 * Which events pass a working point: each event's score against the threshold of its own fold
 * (`row.foldIds` / `row.foldThresholds`); an event of a fold without a threshold never passes.
 * Used for the SR data (N_obs's events) and for a template's events alike.
 */
export function passingEvents(scores: ArrayLike<number>, folds: ArrayLike<number>, row: Pick<CutAndCountRow, 'foldIds' | 'foldThresholds'>): Uint8Array {
  const thr = new Map<number, number>(row.foldIds.map((f, i) => [f, row.foldThresholds[i]]));
  const out = new Uint8Array(scores.length);
  for (let i = 0; i < out.length; i++) out[i] = scores[i] >= (thr.get(folds[i]) ?? Infinity) ? 1 : 0;
  return out;
}
