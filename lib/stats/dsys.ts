/**
 * Systematic bias of the background estimate, δsys (anchor analysis Das et al., arXiv:2411.00085;
 * docs/physics.md#systematic-uncertainty). On a signal-free control run the method's expected background should equal the
 * observation; the relative shift per window n is
 *   δ_n = (N_obs,n − ε_eff N_SR,n) / (ε_eff N_SR,n),
 * and δsys is the mean of δ_n over windows (and runs), reported with its spread (std, ddof = 1),
 * separately per ε_B. Independent sources (MC: an alternative background sample; data-driven:
 * CATHODE sampled in the sideband vs sideband data) are combined in quadrature, or by `max`.
 */
import { ConfigError, InputError } from '../util/errors.js';
import { summarizeRuns } from './runs.js';

/**
 * δ_n = (N_obs − ε_eff N_SR)/(ε_eff N_SR) of one signal-free window (arXiv:2411.00085).
 * Requires ε_eff N_SR > 0 (no expected background → δ undefined).
 */
export function deltaOfWindow(nObs: number, epsilonEff: number, nSR: number): number {
  if (!(nObs >= 0) || !Number.isFinite(nObs)) throw new ConfigError(`deltaOfWindow: nObs must be a finite count >= 0, got ${nObs}`);
  if (!(epsilonEff > 0 && epsilonEff <= 1)) throw new ConfigError(`deltaOfWindow: epsilonEff must be in (0, 1], got ${epsilonEff}`);
  if (!(nSR > 0) || !Number.isFinite(nSR)) throw new ConfigError(`deltaOfWindow: nSR must be a finite count > 0, got ${nSR}`);
  const b = epsilonEff * nSR;
  return (nObs - b) / b;
}

/** One control measurement (a window of a run) at one ε_B — e.g. a {@link CutAndCountRow} with labels. */
export interface ControlCount {
  readonly epsilonB: number;
  readonly nObs: number;
  readonly epsilonEff: number;
  readonly nSR: number;
  readonly window?: string | number;
  readonly run?: string | number;
}

/** δsys at one ε_B: mean and spread of δ_n over windows × runs. */
export interface DeltaSysEstimate {
  readonly epsilonB: number;
  /** δsys = mean of δ_n. */
  readonly deltaSys: number;
  /** Standard deviation of δ_n over windows × runs (ddof = 1; 0 for one entry). */
  readonly std: number;
  /** std/√n: the statistical uncertainty of the mean if the δ_n were independent (windows overlap: they are not). */
  readonly stdErr: number;
  readonly n: number;
  readonly deltas: readonly number[];
}

/**
 * δsys per ε_B from signal-free control counts (windows × runs, any order), sorted by ε_B descending.
 * ε_B values are grouped by exact equality (use the same list for every window and run).
 */
export function deltaSysByEpsilonB(counts: readonly ControlCount[]): DeltaSysEstimate[] {
  if (counts.length === 0) throw new InputError('deltaSysByEpsilonB: counts is empty; need control measurements');
  const groups = new Map<number, number[]>();
  counts.forEach((c, i) => {
    if (!(c.epsilonB > 0 && c.epsilonB < 1)) throw new ConfigError(`deltaSysByEpsilonB: counts[${i}].epsilonB must be in (0, 1), got ${c.epsilonB}`);
    let d: number;
    try {
      d = deltaOfWindow(c.nObs, c.epsilonEff, c.nSR);
    } catch (e) {
      throw new InputError(`deltaSysByEpsilonB: counts[${i}] (window ${c.window ?? '?'}, run ${c.run ?? '?'}): ${(e as Error).message}`, { cause: e });
    }
    const g = groups.get(c.epsilonB) ?? [];
    g.push(d);
    groups.set(c.epsilonB, g);
  });
  return [...groups.entries()]
    .sort((a, b) => b[0] - a[0])
    .map(([epsilonB, deltas]) => {
      const s = summarizeRuns(deltas, `δ at ε_B = ${epsilonB}`);
      return { epsilonB, deltaSys: s.mean, std: s.std, stdErr: s.stdErr, n: s.n, deltas };
    });
}

/** How independent δsys sources are combined. */
export type DeltaSysCombination = 'quadrature' | 'max';

/**
 * Combine independent δsys sources (e.g. MC ⊕ data-driven sideband, docs/physics.md#systematic-uncertainty):
 * `quadrature` → sqrt(Σ δ_i²) (independent uncertainties); `max` → max |δ_i| (conservative envelope).
 * The result is a magnitude (≥ 0): signs of the individual biases do not survive a quadrature sum.
 */
export function combineDeltaSys(sources: readonly number[], { mode = 'quadrature' }: { mode?: DeltaSysCombination } = {}): number {
  if (sources.length === 0) throw new ConfigError('combineDeltaSys: sources is empty');
  sources.forEach((d, i) => {
    if (!Number.isFinite(d)) throw new ConfigError(`combineDeltaSys: sources[${i}] must be finite, got ${d}`);
  });
  if (mode === 'max') return Math.max(...sources.map(Math.abs));
  if (mode !== 'quadrature') throw new ConfigError(`combineDeltaSys: mode must be "quadrature" or "max", got "${String(mode)}"`);
  return Math.hypot(...sources);
}
