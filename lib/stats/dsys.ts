/**
 * Systematic bias of the background estimate, δsys (anchor analysis Das et al., arXiv:2411.00085;
 * docs/physics.md#systematic-uncertainty). On a signal-free control run the method's expected background should equal the
 * observation; the relative shift per window n is
 *   δ_n = (N_obs,n − ε_eff N_SR,n) / (ε_eff N_SR,n),
 * and δsys is the mean of δ_n over windows (and runs), reported with its spread (std, ddof = 1),
 * separately per ε_B. Independent sources (MC: an alternative background sample; data-driven:
 * CATHODE sampled in the sideband vs sideband data) are combined in quadrature, or by `max`.
 *
 * δsys is itself a counting measurement (docs/physics.md, systematic uncertainty): {@link deltaSysByEpsilonB} gives its
 * statistical error σ_δsys, {@link significantShift} applies a δsys only when it exceeds that error,
 * and {@link appliedSystematics} puts the error into σ_b.
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
  /**
   * Effective number of template events passing (N_template,pass; (Σw)²/Σw² when weighted): the
   * template's counting error of ε_eff. Omitted: the error of ε_eff is neglected.
   */
  readonly nTemplatePassEff?: number;
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
  /**
   * Counting (statistical) error σ_δsys of δsys from the control counts, propagated through the
   * mean (see {@link deltaSysStatError}).
   */
  readonly statError: number;
}

/** Options of {@link deltaSysByEpsilonB}. */
export interface DeltaSysOptions {
  /**
   * N_obs,ab: control events passing the cuts of both measurements a and b (same ε_B); they share
   * events when windows overlap or runs reuse the control sample. Omitted: 0 (independent counts).
   */
  readonly sharedPass?: (a: ControlCount, b: ControlCount) => number;
}

/**
 * Counting error of δsys = (1/n) Σ_i δ_i, δ_i = N_obs,i/B_i − 1, B_i = ε_eff,i N_SR,i (the
 * background the template predicts before any shift). To first order (delta method), with the
 * control counts Poisson (Var N_obs,i = N_obs,i), ε_eff,i binomial (Var ε_eff/ε_eff² =
 * (1 − ε_eff)/N_tp,i ≤ 1/N_tp,i, the bound kept: conservative), and template counts of different
 * measurements independent:
 *   Var δ_i        = N_obs,i/B_i² + (N_obs,i/B_i)²/N_tp,i,
 *   Cov(δ_i, δ_j)  = N_obs,ij/(B_i B_j)  (i ≠ j),
 *   σ_δsys²        = (1/n²) Σ_i Σ_j Cov(δ_i, δ_j),
 * where N_obs,ij counts the control events passing both cuts — under Poisson resampling of the
 * control events Cov(N_obs,i, N_obs,j) = N_obs,ij exactly. Overlapping windows (and runs on the same
 * control sample) share passing events, so their δ_i are positively correlated and σ_δsys lies
 * between the independent value sqrt(Σ Var δ_i)/n and the fully correlated (1/n) Σ σ_i.
 * Neglected: the correlation of a CWoLa template (short sidebands) with a neighbouring window's SR
 * count. N_tp,i omitted (no `nTemplatePassEff`) drops the template term.
 * @param sharedPass N_obs,ij for i ≠ j (default 0).
 */
export function deltaSysStatError(counts: readonly ControlCount[], sharedPass?: (a: ControlCount, b: ControlCount) => number): number {
  const n = counts.length;
  if (n === 0) throw new InputError('deltaSysStatError: counts is empty; need control measurements');
  const b = counts.map((c) => c.epsilonEff * c.nSR);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const c = counts[i];
    const r = c.nObs / b[i];
    const tp = c.nTemplatePassEff;
    if (tp !== undefined && !(tp > 0)) throw new ConfigError(`deltaSysStatError: counts[${i}].nTemplatePassEff must be > 0, got ${tp}`);
    sum += c.nObs / (b[i] * b[i]) + (tp === undefined ? 0 : (r * r) / tp);
    if (!sharedPass) continue;
    for (let j = i + 1; j < n; j++) {
      const shared = sharedPass(c, counts[j]);
      if (!(shared >= 0 && shared <= Math.min(c.nObs, counts[j].nObs)))
        throw new InputError(`deltaSysStatError: ${shared} events shared by counts[${i}] and counts[${j}], which pass ${c.nObs} and ${counts[j].nObs}`);
      sum += (2 * shared) / (b[i] * b[j]);
    }
  }
  return Math.sqrt(sum) / n;
}

/**
 * δsys per ε_B from signal-free control counts (windows × runs, any order), sorted by ε_B descending.
 * ε_B values are grouped by exact equality (use the same list for every window and run).
 */
export function deltaSysByEpsilonB(counts: readonly ControlCount[], options: DeltaSysOptions = {}): DeltaSysEstimate[] {
  if (counts.length === 0) throw new InputError('deltaSysByEpsilonB: counts is empty; need control measurements');
  const groups = new Map<number, number[]>();
  const members = new Map<number, ControlCount[]>();
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
    const m = members.get(c.epsilonB) ?? [];
    m.push(c);
    members.set(c.epsilonB, m);
  });
  return [...groups.entries()]
    .sort((a, b) => b[0] - a[0])
    .map(([epsilonB, deltas]) => {
      const s = summarizeRuns(deltas, `δ at ε_B = ${epsilonB}`);
      const statError = deltaSysStatError(members.get(epsilonB)!, options.sharedPass);
      return { epsilonB, deltaSys: s.mean, std: s.std, stdErr: s.stdErr, n: s.n, deltas, statError };
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

/** A measured shift with its statistical error (δsys ± σ_δsys of one source). */
export interface MeasuredShift {
  readonly value: number;
  readonly statError: number;
  /** Window-to-window spread of the bias beyond counting noise ({@link intrinsicSpread}); 0 if unknown. */
  readonly spread?: number;
}

/**
 * How σ_sys covers a measured δsys:
 * - `anchor` (arXiv:2411.00085): σ_sys² = δsys² + σ_δ² — the applied shift is also kept whole as its own
 *   systematic. Conservative: a method with a real, well-measured bias gets Z narrower than N(0, 1).
 * - `residual`: σ_sys² = σ_δ² + τ² — the error of the mean shift plus how far one window's bias can sit from
 *   the mean (τ, {@link intrinsicSpread}). Calibrated when the control sample models the data: background-only
 *   toys give Z ≈ N(0, 1) for every method (docs/physics.md, background-only toys).
 */
export type DeltaSysUncertainty = 'anchor' | 'residual';

/**
 * τ, the spread of a method's bias between windows beyond their counting noise. With s² the sample
 * variance (ddof = 1) of the per-window δ_i, σ_i their counting errors and σ_δ the counting error of their
 * mean (which holds the covariance of overlapping windows, {@link deltaSysStatError}),
 * E[s²] = n/(n − 1) (mean σ_i² − σ_δ²) + τ², so τ² = max(0, s² − n/(n − 1) (mean σ_i² − σ_δ²)).
 * Without `meanError` the windows are taken as independent (σ_δ² = mean σ_i² / n: the noise term is
 * mean σ_i²); overlapping windows share events, their δ_i move together and that would overstate the
 * noise, hence understate τ. One window (or none): 0 — a window corrected by its own δ has no such residual.
 */
export function intrinsicSpread(perWindow: readonly { readonly value: number; readonly statError: number }[], meanError?: number): number {
  const n = perWindow.length;
  if (n < 2) return 0;
  perWindow.forEach((w, i) => {
    if (!Number.isFinite(w.value) || !(w.statError >= 0)) throw new ConfigError(`intrinsicSpread: perWindow[${i}] needs a finite value and statError >= 0, got ${w.value} ± ${w.statError}`);
  });
  if (meanError !== undefined && !(meanError >= 0)) throw new ConfigError(`intrinsicSpread: meanError must be >= 0, got ${meanError}`);
  const mean = perWindow.reduce((a, w) => a + w.value, 0) / n;
  const s2 = perWindow.reduce((a, w) => a + (w.value - mean) ** 2, 0) / (n - 1);
  const meanVar = perWindow.reduce((a, w) => a + w.statError ** 2, 0) / n;
  const noise = meanError === undefined ? meanVar : (n / (n - 1)) * Math.max(0, meanVar - meanError ** 2);
  return Math.sqrt(Math.max(0, s2 - noise));
}

/**
 * The shift a measurement supports: δ when |δ| > σ_δ, else 0. A δsys within one standard error of
 * zero is not evidence of a bias; applying it would move N_exp by noise. The 1σ rule (rather than,
 * say, 2σ) is chosen so that a shift left unapplied is never larger than the σ_δ that
 * {@link appliedSystematics} adds to σ_b for it: the neglected bias stays covered.
 */
export function significantShift(m: MeasuredShift): number {
  checkShift(m, 'significantShift');
  return Math.abs(m.value) > m.statError ? m.value : 0;
}

function checkShift(m: MeasuredShift, fn: string): void {
  if (!Number.isFinite(m.value)) throw new ConfigError(`${fn}: δsys must be finite, got ${m.value}`);
  if (!(m.statError >= 0) || !Number.isFinite(m.statError)) throw new ConfigError(`${fn}: σ_δsys must be finite and >= 0, got ${m.statError}`);
}

/**
 * δsys and σ_sys to apply to a cut-and-count (N_exp = ε_eff N_SR (1 + δsys),
 * σ_exp² = 1/N_template,pass + σ_sys²) from the measured sources:
 *   δsys    = significantShift(shift)  (only the `shift` source moves N_exp: the MC control),
 *   σ_sys²  = Σ_s [ significantShift(s)² + σ_δ,s² ]  over `shift` and every `others` source (`anchor`),
 *             τ² + σ_δ² for the `shift` source with `uncertainty: 'residual'` ({@link DeltaSysUncertainty}),
 * so σ_exp² = 1/N_template,pass + δsys² + σ_δsys² for one source: a significant shift is applied and
 * also kept as its own systematic (docs/physics.md, expected background: σ_sys = δsys), and the counting error of every
 * δsys always enters σ_b. Sources are independent measurements, so they add in quadrature.
 */
export function appliedSystematics(
  shift: MeasuredShift | undefined, others: readonly MeasuredShift[] = [], { uncertainty = 'anchor' }: { uncertainty?: DeltaSysUncertainty } = {},
): { deltaSys: number; sigmaSys: number } {
  const all = shift ? [shift, ...others] : [...others];
  let v = 0;
  for (const s of all) {
    checkShift(s, 'appliedSystematics');
    // Only the applied shift leaves a residual; a source that never moves N_exp (the sideband closure)
    // keeps its significant part whole in either mode.
    v += (uncertainty === 'residual' && s === shift ? (s.spread ?? 0) ** 2 : significantShift(s) ** 2) + s.statError ** 2;
  }
  return { deltaSys: shift ? significantShift(shift) : 0, sigmaSys: Math.sqrt(v) };
}

/**
 * Two δsys sources of one working point (MC-based `mc`, data-driven `dataDriven`) combined as
 * |(δ_MC, δ_dd)| = sqrt(δ_MC² + δ_dd²) ({@link combineDeltaSys}), with the error propagated:
 * σ² = ((δ_MC σ_MC)² + (δ_dd σ_dd)²) / (δ_MC² + δ_dd²), or σ_MC ⊕ σ_dd when both shifts are 0.
 */
export function combinedShift(mc: MeasuredShift, dataDriven: MeasuredShift): { mean: number; statError: number; significant: boolean } {
  const mean = combineDeltaSys([mc.value, dataDriven.value]);
  const statError = mean === 0 ? Math.hypot(mc.statError, dataDriven.statError) : Math.hypot(mc.value * mc.statError, dataDriven.value * dataDriven.statError) / mean;
  return { mean, statError, significant: mean > statError };
}

/**
 * N_obs,ab of {@link DeltaSysOptions.sharedPass}: how many events pass both cuts, from the
 * ascending sample rows of the events passing each.
 */
export function sharedPassCount(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let i = 0, j = 0, n = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) { n++; i++; j++; } else if (a[i] < b[j]) i++; else j++;
  }
  return n;
}
