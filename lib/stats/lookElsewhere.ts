/**
 * Look-elsewhere effect for a scan over several (overlapping) signal-region windows
 * (Gross & Vitells, arXiv:1005.1891: the global p-value is the probability, under background only,
 * that the *maximum* local significance over the search range reaches the observed one).
 *
 * Pseudo-experiments resample *events*, not window counts, so the correlations that overlapping
 * windows induce are kept: each toy draws one weight per event of the background-only event list
 * (default: Poisson(1), the Poisson bootstrap), the caller's function recomputes every window's local
 * Z from that weight vector with the same procedure as on data, and the toy's statistic is the
 * maximum over windows. The Šidák bound 1 − (1 − p_local)^N (exact for N independent windows,
 * conservative for positively correlated ones) is reported for comparison.
 */
import type { Rng } from '../util/rng.js';
import type { Reporter } from '../util/reporter.js';
import { silent } from '../util/reporter.js';
import { ConfigError, InputError, ShapeError } from '../util/errors.js';
import { lnGamma, normalIsf, normalSf } from '../util/special.js';
import { cholesky } from './fit/linalg.js';
import { zCowan, zSimple } from './significance.js';
import { sharedPassCount } from './dsys.js';
import { kolmogorovQ, stephensLambda } from './ks.js';

/**
 * Šidák global p-value 1 − (1 − p_local)^N, computed as −expm1(N·log1p(−p)) so that it stays
 * accurate (≈ N·p) for tiny p_local. Exact when the N windows are independent.
 */
export function sidakGlobalPValue(pLocal: number, nTrials: number): number {
  if (!(pLocal >= 0 && pLocal <= 1)) throw new ConfigError(`sidakGlobalPValue: pLocal must be in [0, 1], got ${pLocal}`);
  if (!(Number.isInteger(nTrials) && nTrials >= 1)) throw new ConfigError(`sidakGlobalPValue: nTrials must be an integer >= 1, got ${nTrials}`);
  if (pLocal === 1) return 1;
  return -Math.expm1(nTrials * Math.log1p(-pLocal));
}

/** Default event-weight sampler: the Poisson bootstrap, one Poisson(1) weight per event. */
export function poissonBootstrapWeights(rng: Rng, out: Float64Array): void {
  // inversion for mean 1: e^{-1} cumulative table, faster than the general sampler
  for (let i = 0; i < out.length; i++) {
    let u = rng.uniform();
    let k = 0;
    let p = Math.exp(-1);
    while (u > p && k < 30) {
      u -= p;
      k++;
      p /= k;
    }
    out[i] = k;
  }
}

/** Options of {@link globalSignificance}. */
export interface GlobalSignificanceOptions {
  /** Local significances observed on data, one per window (the maximum is the test statistic). */
  readonly observedLocalZ: ArrayLike<number>;
  /** Length of the event-weight vector (the background-only event list). */
  readonly nEvents: number;
  /**
   * Local Z of every window from an event-weight vector (same procedure as on data). Must return
   * one value per window; it may keep the weight vector only during the call (it is reused).
   */
  readonly localZ: (weights: Float64Array) => ArrayLike<number>;
  /** Number of background-only pseudo-experiments. */
  readonly nToys: number;
  /** Seeded generator; toy t uses rng.fork(`toy:${t}`), so results do not depend on evaluation order. */
  readonly rng: Rng;
  /** Fills one weight per event; default {@link poissonBootstrapWeights}. */
  readonly sampleWeights?: (rng: Rng, out: Float64Array) => void;
  readonly reporter?: Reporter;
}

/** Result of {@link globalSignificance}. */
export interface GlobalSignificance {
  readonly nWindows: number;
  /** Maximum observed local Z and the window index where it occurs. */
  readonly observedMaxZ: number;
  readonly windowOfMax: number;
  /** Local p-value Φ̄(observedMaxZ). */
  readonly pLocal: number;
  readonly nToys: number;
  /** Toys with max local Z ≥ observedMaxZ. */
  readonly nExceeding: number;
  /** nExceeding / nToys. */
  readonly pGlobal: number;
  /** Binomial standard error sqrt(p(1 − p)/nToys). */
  readonly pGlobalStdErr: number;
  /** One-sided 95 % Clopper–Pearson upper limit on the global p-value (useful when nExceeding = 0). */
  readonly pGlobalUpper95: number;
  /** Φ̄⁻¹(pGlobal) (∞ when no toy exceeds: then use zGlobalLower95). */
  readonly zGlobal: number;
  /** Φ̄⁻¹(pGlobalUpper95): a 95 % CL lower bound on the global significance. */
  readonly zGlobalLower95: number;
  /** Šidák: 1 − (1 − pLocal)^nWindows, and its Z. */
  readonly sidakPGlobal: number;
  readonly sidakZGlobal: number;
  /** Max local Z of each toy (for plots of the trials-factor distribution). */
  readonly toyMaxZ: Float64Array;
}

/** P(X ≤ k) for X ~ Binomial(n, p), summing the pmf in log space (k ≪ n in practice). */
function binomialCdf(k: number, n: number, p: number): number {
  if (p <= 0) return 1;
  if (p >= 1) return k >= n ? 1 : 0;
  const lnC = lnGamma(n + 1);
  let s = 0;
  for (let i = 0; i <= k; i++) s += Math.exp(lnC - lnGamma(i + 1) - lnGamma(n - i + 1) + i * Math.log(p) + (n - i) * Math.log1p(-p));
  return Math.min(1, s);
}

/** One-sided Clopper–Pearson upper limit: the p with P(X ≤ k | n, p) = 1 − cl (bisection; closed form for k = 0). */
export function binomialUpperLimit(k: number, n: number, cl = 0.95): number {
  if (k >= n) return 1;
  if (k === 0) return 1 - (1 - cl) ** (1 / n);
  let lo = k / n;
  let hi = 1;
  for (let it = 0; it < 200 && hi - lo > 1e-15; it++) {
    const mid = 0.5 * (lo + hi);
    if (binomialCdf(k, n, mid) > 1 - cl) lo = mid;
    else hi = mid;
  }
  return hi;
}

/**
 * Global significance of the largest local Z over windows from background-only pseudo-experiments
 * that resample events (Gross & Vitells, arXiv:1005.1891), plus the Šidák bound for comparison.
 * Cost: nToys calls of `localZ`.
 */
export function globalSignificance(options: GlobalSignificanceOptions): GlobalSignificance {
  const { observedLocalZ, nEvents, localZ, nToys, rng } = options;
  const sample = options.sampleWeights ?? poissonBootstrapWeights;
  const reporter = options.reporter ?? silent;
  const nWindows = observedLocalZ.length;
  if (nWindows === 0) throw new InputError('globalSignificance: observedLocalZ is empty; need one local Z per window');
  let observedMaxZ = -Infinity;
  let windowOfMax = -1;
  for (let w = 0; w < nWindows; w++) {
    const z = observedLocalZ[w];
    if (Number.isNaN(z)) throw new InputError(`globalSignificance: observedLocalZ[${w}] is NaN`);
    if (z > observedMaxZ) {
      observedMaxZ = z;
      windowOfMax = w;
    }
  }
  if (!(Number.isInteger(nEvents) && nEvents >= 1)) throw new ConfigError(`globalSignificance: nEvents must be an integer >= 1, got ${nEvents}`);
  if (!(Number.isInteger(nToys) && nToys >= 1)) throw new ConfigError(`globalSignificance: nToys must be an integer >= 1, got ${nToys}`);
  const weights = new Float64Array(nEvents);
  const toyMaxZ = new Float64Array(nToys);
  let nExceeding = 0;
  reporter.progress('look-elsewhere toys', 0, nToys);
  for (let t = 0; t < nToys; t++) {
    sample(rng.fork(`toy:${t}`), weights);
    const z = localZ(weights);
    if (z.length !== nWindows) throw new ShapeError(`globalSignificance: localZ returned ${z.length} values in toy ${t}, observedLocalZ has ${nWindows} windows`);
    let m = -Infinity;
    for (let w = 0; w < nWindows; w++) {
      if (Number.isNaN(z[w])) throw new InputError(`globalSignificance: localZ returned NaN for window ${w} in toy ${t}`);
      if (z[w] > m) m = z[w];
    }
    toyMaxZ[t] = m;
    if (m >= observedMaxZ) nExceeding++;
    if ((t & 63) === 63 || t === nToys - 1) reporter.progress('look-elsewhere toys', t + 1, nToys);
  }
  const pLocal = normalSf(observedMaxZ);
  const pGlobal = nExceeding / nToys;
  const pGlobalUpper95 = binomialUpperLimit(nExceeding, nToys, 0.95);
  const sidakPGlobal = sidakGlobalPValue(pLocal, nWindows);
  return {
    nWindows,
    observedMaxZ,
    windowOfMax,
    pLocal,
    nToys,
    nExceeding,
    pGlobal,
    pGlobalStdErr: Math.sqrt((pGlobal * (1 - pGlobal)) / nToys),
    pGlobalUpper95,
    zGlobal: normalIsf(pGlobal),
    zGlobalLower95: normalIsf(pGlobalUpper95),
    sidakPGlobal,
    sidakZGlobal: normalIsf(sidakPGlobal),
    toyMaxZ,
  };
}

/** One window's fixed cut, for {@link cutAndCountLocalZ}. */
export interface WindowCut {
  /** Indices (into the event-weight vector) of the SR data events of this window. */
  readonly eventIndex: ArrayLike<number>;
  /** Whether each of those events passes its (per-fold) threshold, aligned with eventIndex. */
  readonly pass: ArrayLike<boolean | number>;
  /** ε_eff of the template at this working point (held fixed across toys). */
  readonly epsilonEff: number;
  /** Effective number of passing template events (for σ_exp). */
  readonly nTemplatePassEff: number;
  readonly deltaSys?: number;
  /** Defaults to |deltaSys|. */
  readonly sigmaSys?: number;
}

/**
 * A `localZ` function for {@link globalSignificance} built from fixed per-window cuts: with event
 * weights w, N_SR = Σ_window w, N_obs = Σ_pass w, N_exp = ε_eff N_SR (1 + δsys),
 * σ_exp = sqrt(1/N_eff + σ_sys²), Z = zCowan (default) or zSimple, one-sided by default.
 * Thresholds and template efficiencies are held at their data values (the classifier is not
 * retrained per toy); a scan that retrains passes its own `localZ`.
 */
export function cutAndCountLocalZ(
  windows: readonly WindowCut[],
  { statistic = 'cowan', oneSided = true }: { statistic?: 'cowan' | 'simple'; oneSided?: boolean } = {},
): (weights: Float64Array) => Float64Array {
  if (windows.length === 0) throw new InputError('cutAndCountLocalZ: windows is empty');
  const prepared = windows.map((w, k) => {
    if (w.pass.length !== w.eventIndex.length) throw new ShapeError(`cutAndCountLocalZ: windows[${k}].pass has ${w.pass.length} entries, eventIndex has ${w.eventIndex.length}`);
    if (!(w.epsilonEff >= 0 && w.epsilonEff <= 1)) throw new ConfigError(`cutAndCountLocalZ: windows[${k}].epsilonEff must be in [0, 1], got ${w.epsilonEff}`);
    if (!(w.nTemplatePassEff >= 0)) throw new ConfigError(`cutAndCountLocalZ: windows[${k}].nTemplatePassEff must be >= 0, got ${w.nTemplatePassEff}`);
    const deltaSys = w.deltaSys ?? 0;
    const sigmaSys = w.sigmaSys ?? Math.abs(deltaSys);
    const all = Uint32Array.from(w.eventIndex);
    const passing = Uint32Array.from(all.filter((_, i) => Boolean(w.pass[i])));
    const sigmaExp = w.nTemplatePassEff === 0 ? Infinity : Math.sqrt(1 / w.nTemplatePassEff + sigmaSys * sigmaSys);
    return { all, passing, scale: w.epsilonEff * (1 + deltaSys), sigmaExp };
  });
  const z = statistic === 'simple' ? zSimple : statistic === 'cowan' ? zCowan : null;
  if (!z) throw new ConfigError(`cutAndCountLocalZ: statistic must be "cowan" or "simple", got "${String(statistic)}"`);
  return (weights: Float64Array): Float64Array => {
    const out = new Float64Array(prepared.length);
    prepared.forEach((p, k) => {
      let nSR = 0;
      for (let i = 0; i < p.all.length; i++) nSR += weights[p.all[i]];
      let nObs = 0;
      for (let i = 0; i < p.passing.length; i++) nObs += weights[p.passing[i]];
      const v = z(nObs, p.scale * nSR, p.sigmaExp);
      out[k] = oneSided ? Math.max(0, v) : v;
    });
    return out;
  };
}

/**
 * The global p-value to report from event-resampling pseudo-experiments. The toys keep every
 * window's classifier and threshold fixed and resample events, so they miss the retraining spread;
 * a global p below the local p (trials factor < 1) is then an artefact of that approximation, and
 * the local p is the honest bound (`capped`).
 */
export function reportedGlobalPValue(pGlobalToys: number, pLocal: number): { globalP: number; capped: boolean } {
  const capped = pGlobalToys < pLocal;
  return { globalP: capped ? pLocal : pGlobalToys, capped };
}

/**
 * Correlation of the windows' count fluctuations under background only, from the events they
 * share: two overlapping windows observe N_i and N_j with Cov(N_i, N_j) = N_ij (the events passing
 * both cuts, Poisson), so corr = N_ij / sqrt(V_i V_j) with V ≥ N the variance of each window's
 * N_obs − N_exp (N_exp + σ_b²: the template's error is not shared). V is taken as max(V, N_obs):
 * the matrix is then f_i f_j × the cosine similarity of the windows' event sets (f ≤ 1) plus a
 * non-negative diagonal, hence always positive semi-definite.
 * @param windows per window: the ascending sample rows of its passing events and V.
 */
export function windowCorrelations(windows: readonly { readonly passRows: ArrayLike<number>; readonly variance: number }[]): number[][] {
  windows.forEach((w, k) => {
    if (!(w.variance > 0 && Number.isFinite(w.variance))) throw new ConfigError(`windowCorrelations: windows[${k}].variance must be a positive number, got ${w.variance}`);
  });
  const v = windows.map((w) => Math.max(w.variance, w.passRows.length));
  return windows.map((a, i) => windows.map((b, j) => (i === j ? 1 : Math.min(1, sharedPassCount(a.passRows, b.passRows) / Math.sqrt(v[i] * v[j])))));
}

/** P(X > z, Y > z) for standard bivariate normal X, Y with correlation ρ: ∫_z^∞ φ(x) Φ̄((z − ρx)/√(1 − ρ²)) dx (Simpson). */
export function bivariateNormalUpperTail(z: number, rho: number): number {
  if (!(rho >= -1 && rho <= 1)) throw new ConfigError(`bivariateNormalUpperTail: rho must be in [-1, 1], got ${rho}`);
  if (rho >= 1 - 1e-12) return normalSf(z);
  const s = Math.sqrt(1 - rho * rho);
  const hi = Math.max(z, 0) + 12, n = 800, h = (hi - z) / n;
  let sum = 0;
  for (let k = 0; k <= n; k++) {
    const x = z + k * h;
    const f = Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI) * normalSf((z - rho * x) / s);
    sum += (k === 0 || k === n ? 1 : k % 2 ? 4 : 2) * f;
  }
  return Math.max(0, (sum * h) / 3);
}

/** Options of {@link correlatedMaxGlobalPValue}. */
export interface CorrelatedMaxOptions {
  readonly rng: Rng;
  /** Gaussian draws of the Monte Carlo (default 200 000). */
  readonly draws?: number;
  /** Fewer exceeding draws than this: the tail bound is used instead (default 50, ≈ 14 % precision). */
  readonly minExceeding?: number;
}

/**
 * Global p-value of the largest of M correlated local significances, in the Gaussian approximation:
 * P(max_i Z_i ≥ z) for Z ~ N(0, C) with the windows' correlation C (e.g. {@link windowCorrelations}).
 * By Monte Carlo (Cholesky of C, `draws` vectors) while enough draws exceed z; in the far tail by
 * the Hunter–Worsley bound Σ_i Φ̄(z) − Σ_(i,j)∈T P(Z_i > z, Z_j > z) over the maximum spanning tree T
 * of C, which is tight there. Costs milliseconds; it knows nothing of retraining (see `sidewinder lee`).
 * @returns the global p and how it was obtained.
 */
export function correlatedMaxGlobalPValue(zObserved: number, correlation: readonly (readonly number[])[], options: CorrelatedMaxOptions): { globalP: number; via: 'monte-carlo' | 'tail-bound' } {
  const m = correlation.length;
  if (m === 0) throw new InputError('correlatedMaxGlobalPValue: no windows');
  correlation.forEach((row, i) => {
    if (row.length !== m) throw new ShapeError(`correlatedMaxGlobalPValue: row ${i} has ${row.length} entries, expected ${m}`);
  });
  const pLocal = normalSf(zObserved);
  if (m === 1) return { globalP: pLocal, via: 'monte-carlo' };
  const draws = options.draws ?? 200_000, minExceeding = options.minExceeding ?? 50;
  // Cholesky of C with a little jitter: overlap correlations estimated from counts need not be exactly positive definite.
  let l: Float64Array | null = null;
  for (let jitter = 0; !l && jitter <= 1e-2; jitter = jitter === 0 ? 1e-10 : jitter * 10) {
    const a = new Float64Array(m * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) a[i * m + j] = (correlation[i][j] + correlation[j][i]) / 2 + (i === j ? jitter : 0);
    l = cholesky(a, m);
  }
  if (!l) throw new InputError('correlatedMaxGlobalPValue: the window correlation matrix is not positive definite');
  const u = new Float64Array(m);
  let k = 0;
  for (let d = 0; d < draws; d++) {
    for (let i = 0; i < m; i++) u[i] = options.rng.normal();
    for (let i = 0; i < m; i++) {
      let x = 0;
      for (let j = 0; j <= i; j++) x += l[i * m + j] * u[j];
      if (x >= zObserved) { k++; break; }
    }
  }
  if (k >= minExceeding) return { globalP: k / draws, via: 'monte-carlo' };
  // Far tail: Hunter–Worsley over the maximum spanning tree (Prim), never below the largest single term.
  const inTree = new Array<boolean>(m).fill(false);
  const best = new Float64Array(m).fill(-Infinity);
  inTree[0] = true;
  for (let j = 1; j < m; j++) best[j] = correlation[0][j];
  let bound = m * pLocal;
  for (let step = 1; step < m; step++) {
    let next = -1;
    for (let j = 0; j < m; j++) if (!inTree[j] && (next < 0 || best[j] > best[next])) next = j;
    inTree[next] = true;
    bound -= bivariateNormalUpperTail(zObserved, Math.max(-1, Math.min(1, best[next])));
    for (let j = 0; j < m; j++) if (!inTree[j]) best[j] = Math.max(best[j], correlation[next][j]);
  }
  return { globalP: Math.min(1, Math.max(pLocal, bound)), via: 'tail-bound' };
}

/**
 * Global p-value of an observed maximum local Z from background-only pseudo-experiments that
 * repeat the whole procedure (retraining): (1 + #{toys with max Z ≥ observed}) / (1 + N), the
 * unbiased-at-the-edge estimate that never reports p = 0 from finitely many toys.
 */
export function pseudoExperimentGlobalPValue(observedMaxZ: number, toyMaxZ: ArrayLike<number>): { globalP: number; nExceeding: number } {
  if (toyMaxZ.length === 0) throw new InputError('pseudoExperimentGlobalPValue: no pseudo-experiments');
  let k = 0;
  for (let i = 0; i < toyMaxZ.length; i++) if (toyMaxZ[i] >= observedMaxZ) k++;
  return { globalP: (1 + k) / (1 + toyMaxZ.length), nExceeding: k };
}

/**
 * One-sample Kolmogorov–Smirnov test of p-values (or any values) against the uniform distribution
 * on [0, 1]: D = sup |F_n(x) − x| and its asymptotic p-value Q_KS(λ) = 2 Σ_k (−1)^(k−1) e^(−2k²λ²)
 * with Stephens' small-sample correction λ = (√n + 0.12 + 0.11/√n) D.
 */
export function ksUniformTest(values: ArrayLike<number>): { d: number; pValue: number; n: number } {
  const n = values.length;
  if (n === 0) throw new InputError('ksUniformTest: no values');
  const x = Float64Array.from(values).sort();
  let d = 0;
  for (let i = 0; i < n; i++) {
    if (!(x[i] >= 0 && x[i] <= 1)) throw new InputError(`ksUniformTest: value ${x[i]} is outside [0, 1]`);
    d = Math.max(d, (i + 1) / n - x[i], x[i] - i / n);
  }
  return { d, pValue: kolmogorovQ(stephensLambda(d, n)), n };
}
