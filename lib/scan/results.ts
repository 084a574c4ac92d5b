/**
 * The results document a scan writes and `sidewinder report` reads (`data-schemas/results.schema.json`,
 * schema `sidewinder/results`, version 1). The scan layer owns this type; the report imports it.
 *
 * Conventions: masses in TeV; ε_B is the background efficiency of the working point (the template's
 * pass fraction targeted by the threshold); windows keyed by `windowId` (labelled by their centre in
 * outputs); methods by {@link MethodName}; runs are independent repetitions (seeds) of the whole
 * per-window analysis. Everything the scan may not produce is optional and the report shows a plot
 * only when its data is present.
 */
import type { SampleRole } from './plan.js';
import { summarizeRuns } from '../stats/runs.js';
import { oneSidedSignificance } from '../util/special.js';
import { fillUniformHistogram } from '../stats/fit/histogram.js';

import type { MethodName } from '../methods/types.js';
import type { ReweightingSummary } from '../methods/sidebandReweighting.js';
/** The registered methods (names in display order, labels): lib/methods/registry.ts. */
export { METHOD_NAMES, METHOD_LABELS } from '../methods/registry.js';
export type { MethodName };

/** The `schema` tag of a results document. */
export const RESULTS_SCHEMA = 'sidewinder/results';
/** The results document format version this code writes and reads. */
export const RESULTS_VERSION = 1;

/** One sliding signal region, SR = (srLow, srHigh), open interval. */
export interface WindowRecord {
  /** Window number n; centre c_n = 3.5 + (n − 5)·0.1 TeV in the default nine-window set. */
  id: number;
  srLow: number;
  srHigh: number;
  /** (srLow + srHigh) / 2 — stored so every output can label the window by its centre. */
  centre: number;
  units: 'TeV';
}

/** Settings of a learned component (classifier or density estimator), serialised whole. */
export interface ComponentSettings {
  /** e.g. 'hgb-ensemble', 'mlp', 'maf'. */
  kind: string;
  [option: string]: unknown;
}

/** The full scan configuration, as run (the scan serialises its options object whole). */
export interface ResultsConfig {
  /** Preset name ('fast', 'paper', or a user label). */
  preset: string;
  methods: MethodName[];
  windows: WindowRecord[];
  /** Working points, e.g. [1e-2, 1e-3, 1e-4]. */
  epsilonB: number[];
  /** Number of independent runs per (window, method). */
  nRuns: number;
  /** k of the k-fold cross-fitting. */
  nFolds: number;
  /** Classifier input features, e.g. ['mJ1', 'deltaMJ', 'tau21J1', 'tau21J2']. */
  features: string[];
  classifier: ComponentSettings;
  /** CATHODE's conditional density estimator. */
  densityEstimator?: ComponentSettings;
  /** Root seed and the per-run seeds derived from it. */
  seeds: { root: number; runs?: number[] };
  /** Injected signal, when the scan injected some. */
  signalInjection?: { nSignal: number; [option: string]: unknown };
  [option: string]: unknown;
}

/** The input data set. */
export interface DatasetRecord {
  path: string;
  /** SHA-256 of the file's bytes, lowercase hex. */
  sha256: string;
  nEvents: number;
  /** Number of signal events, if known (generated data, or LHCO labels). */
  nSignal?: number;
  nBackground?: number;
  format?: string;
  description?: string;
  /** Events dropped for invalid values per sample role (data, template, control), when dropInvalid was set. */
  droppedInvalid?: Record<string, number>;
}

/** Versions of the software that wrote the document. */
export interface VersionsRecord {
  sidewinder: string;
  node: string;
  [library: string]: string;
}

/**
 * Cut-and-count result of one (window, method, ε_B, run). Counts are summed over the k folds. The
 * fields are those of `CutAndCountRow` (lib/stats/cutAndCount.ts), so a row stores as
 * `{ windowId, method, run, ...row }`.
 */
export interface CellRun {
  windowId: number;
  method: MethodName;
  epsilonB: number;
  run: number;
  seed?: number;
  /** N_SR: data events in the signal region (a weighted sum for weighted, e.g. bootstrap, data). */
  nSR: number;
  /** N_template: template events (weighted sum for weighted templates). */
  nTemplate: number;
  /** N_template,pass: template events with score ≥ t (weighted sum for weighted templates). */
  nTemplatePass: number;
  /** Kish effective size (Σw)²/Σw² of the template, for weighted templates. */
  nTemplateEff?: number;
  /** Kish effective size of the passing template events (= nTemplatePass when unweighted). */
  nTemplatePassEff?: number;
  /** The score threshold t, the (1 − ε_B) quantile of the template's out-of-fold scores; null with per-fold thresholds. */
  threshold?: number | null;
  /** Per-fold thresholds, in the order of foldIds. */
  foldThresholds?: number[];
  foldIds?: number[];
  /** ε_eff = N_template,pass / N_template. */
  epsilonEff: number;
  /** N_obs = #(SR data with score ≥ t) (a weighted sum for weighted data). */
  nObs: number;
  /** N_exp = ε_eff · N_SR · (1 + δsys). */
  nExp: number;
  /** δsys used for this cell (0 for IAD). */
  deltaSys: number;
  /** σ_sys entering σ_exp: sqrt(δsys² + σ_δsys²) for a measured δsys (lib/stats/dsys.ts `appliedSystematics`); |δsys| when configured. */
  sigmaSys?: number;
  /** The δsys measured on the control sample (MC), before the 1σ rule: applied only when |δ| > σ_δsys, else deltaSys = 0. */
  deltaSysMeasured?: number;
  /** Counting error σ_δsys of the measured MC δsys: the error the 1σ rule compared it with (the data-driven error when only that source exists); every source's error enters σ_sys. */
  deltaSysStatError?: number;
  /** Relative uncertainty of N_exp: σ_exp = sqrt(1/N_template,pass(eff) + σ_sys²). */
  sigmaExp: number;
  /** σ_b = N_exp · σ_exp. */
  sigmaB: number;
  /** Simple significance (N_obs − N_exp)/sqrt(N_exp + σ_b²), signed. */
  zSimple: number;
  /** max(0, zSimple). */
  zSimpleOneSided: number;
  /** Cowan asymptotic significance with a relative background uncertainty, signed. */
  zCowan: number;
  /** max(0, zCowan): deficits count as Z = 0. */
  zCowanOneSided: number;
  /** Truth: signal events in the SR (generated data). */
  nSignalSR?: number;
  /** Truth: signal events in the SR passing the cut. */
  nSignalPass?: number;
}

/**
 * Summary of a quantity over runs; the same fields and conventions as `RunSummary` of
 * lib/stats/runs.ts (`summarizeRuns`), so the scan can store it as it is.
 */
export interface Summary {
  n: number;
  mean: number;
  /** Sample standard deviation (ddof = 1); 0 for a single run. */
  std: number;
  /** std/√n. */
  stdErr?: number;
  median: number;
  /** 16 % and 84 % quantiles (linear interpolation between order statistics, numpy's default). */
  q16: number;
  q84: number;
  min?: number;
  max?: number;
}

/** The four significance definitions a cell carries. */
export type SignificanceKind = 'simple' | 'simpleOneSided' | 'cowan' | 'cowanOneSided';
/** All significance definitions. */
export const SIGNIFICANCE_KINDS: readonly SignificanceKind[] = Object.freeze(['simple', 'simpleOneSided', 'cowan', 'cowanOneSided'] as const);

/** One (window, method, ε_B) aggregated over its runs. */
export interface CellAggregate {
  windowId: number;
  method: MethodName;
  epsilonB: number;
  nRuns: number;
  nObs: Summary;
  nExp: Summary;
  sigmaB: Summary;
  epsilonEff: Summary;
  /** δsys used for the cell (the same in every run). */
  deltaSys: number;
  /** The measured δsys and its counting error (as in {@link CellRun}), when δsys was measured. */
  deltaSysMeasured?: number;
  deltaSysStatError?: number;
  z: Record<SignificanceKind, Summary>;
}

/**
 * A (window, method, ε_B) whose template cannot resolve ε_B (fewer than `minTemplatePass` template
 * events pass, planned or realised): no significance is reported for it, and it is absent from
 * `runs` and `aggregates`. Numbers are those of the run with the fewest passing template events.
 */
export interface RefusedCell {
  windowId: number;
  method: MethodName;
  epsilonB: number;
  /** One line naming the numbers and the template size needed. */
  reason: string;
  minTemplatePass: number;
  nTemplate: number;
  /** Effective number of passing template events. */
  nTemplatePass: number;
  epsilonEff: number;
  /** ⌈minTemplatePass / ε_B⌉. */
  nTemplateNeeded: number;
  /** Runs refused (a cell is refused when any of its runs is). */
  runs: number[];
}

/** Where a δsys estimate comes from. */
export type DeltaSysSource = 'mc' | 'data-driven' | 'combined';

/** A δsys study of one method at one working point. */
export interface DeltaSysStudy {
  method: MethodName;
  epsilonB: number;
  source: DeltaSysSource;
  /** δsys = mean over windows (and runs) of δ_n = (N_obs,n − ε_eff N_SR,n)/(ε_eff N_SR,n). */
  mean: number;
  /** Spread (ddof = 1) of the δ_n over windows × runs; 0 for a single one (as `DeltaSysEstimate` of lib/stats/dsys.ts). */
  std: number;
  /** Statistical uncertainty of the mean: std/√n (windows overlap, so an underestimate), or from the counts. */
  stdErr?: number;
  /** Number of δ_n values (windows × runs). */
  n?: number;
  /** Counting error σ_δsys of the mean from the control counts (lib/stats/dsys.ts `deltaSysStatError`). */
  statError?: number;
  /** |mean| > statError: only then is the shift applied to N_exp. */
  significant?: boolean;
  /** δ_n averaged over runs, per window. */
  perWindow: { windowId: number; value: number; std?: number; stdErr?: number }[];
  /** τ: spread of the per-window δ beyond their counting errors (lib/stats/dsys.ts `intrinsicSpread`); σ_sys of `deltaSys.uncertainty: residual`. */
  intrinsicSpread?: number;
}

/** Look-elsewhere effect of one method (optionally at one working point), from background-only pseudo-experiments. */
export interface LookElsewhereResult {
  method: MethodName;
  epsilonB?: number;
  /** Which significance the maximum is taken of. */
  statistic: SignificanceKind;
  /** Largest local Z over the windows in the data. */
  localZMax: number;
  localZMaxWindowId?: number;
  /** One-sided p-value of localZMax. */
  localP?: number;
  /**
   * Global p-value of localZMax, obtained as `globalMethod` says: `correlated-gaussian` (the scan's
   * default: P(max Z ≥ localZMax) for Gaussian local Zs correlated as the windows' counts are, from
   * the events they share), `pseudo-experiments` ((1 + nExceeding)/(1 + N) over background-only
   * pseudo-experiments that retrain everything: `sidewinder lee`), or `single-window` (global = local).
   */
  globalP: number;
  globalMethod?: 'correlated-gaussian' | 'pseudo-experiments' | 'single-window';
  /** globalP / localP: the trials factor at the observed Z. */
  trialsFactor?: number;
  /** Φ⁻¹(1 − globalP), one-sided (0 when globalP ≥ 0.5); null when no pseudo-experiment exceeds (Z = ∞: see globalZLower95). */
  globalZ: number | null;
  /** Pseudo-experiments with largest local Z ≥ localZMax. */
  nExceeding?: number;
  /** Binomial standard error of globalP. */
  globalPStdErr?: number;
  /** One-sided 95 % CL upper limit on globalP, and the Z lower bound it gives. */
  globalPUpper95?: number;
  globalZLower95?: number;
  nPseudoExperiments: number;
  nWindows: number;
  /** Šidák bound p ≤ 1 − (1 − p_local)^nWindows (conservative for overlapping windows); Z null when p underflows to 0. */
  sidakBound: { globalP: number; globalZ: number | null };
  /** Histogram of the largest local Z in each pseudo-experiment. */
  maxLocalZHistogram?: { edges: number[]; counts: number[] };
  /**
   * Correlation of the windows' local Zs that the `correlated-gaussian` global p assumes (from the data
   * events the windows' cuts share), so that the trials factor at any Z can be recomputed.
   */
  windowCorrelation?: { windowIds: number[]; matrix: number[][] };
}

/** A ROC curve (truth labels of generated data) of one (window, method), optionally one run. */
export interface RocRecord {
  windowId: number;
  method: MethodName;
  run?: number;
  /** False-positive rate = background efficiency ε_B, ascending. */
  fpr: number[];
  /** True-positive rate = signal efficiency ε_S. */
  tpr: number[];
  auc?: number;
}

/** One m_JJ spectrum after the cut of one method and working point. */
export interface SpectrumAfterCut {
  method: MethodName;
  epsilonB: number;
  /** The window whose classifier made the cut; absent = each SR cut by its own window's classifier. */
  windowId?: number;
  counts: number[];
  expectedBackground?: number[];
}

/** Binned m_JJ spectra, in TeV. */
export interface MjjSpectra {
  /** Bin edges in TeV, ascending; counts have edgesTeV.length − 1 entries. */
  edgesTeV: number[];
  countsBeforeCut: number[];
  afterCut: SpectrumAfterCut[];
}

/**
 * Dependence of a classifier input on the resonant variable in the data: Székely's distance
 * correlation dCor(feature, m_JJ) (0 only for independence). CWoLa Hunting needs it ≈ 0; ΔR_JJ is the
 * classic failure.
 */
export interface FeatureDependence {
  feature: string;
  /** The variable the dependence is measured against (m_JJ). */
  variable: string;
  dCor: number;
  /** Events used (the first nEvents of the data sample). */
  nEvents: number;
}

/**
 * Correlation structure of a generated background template against the SR data it stands in for:
 * dCor of one pair of classifier inputs in each (CATHODE, run 0). A generator that reproduces the
 * marginals but not the dependence between features shows up here.
 */
export interface TemplateCorrelation {
  windowId: number;
  method: MethodName;
  featureA: string;
  featureB: string;
  dCorData: number;
  dCorTemplate: number;
  /** Events used from each (the first ones, up to a cap). */
  nData: number;
  nTemplate: number;
}

/**
 * Quality of one CATHODE template (one flow task: window, run, sample): the boundary check of its
 * draw, the flows' held-out log-likelihood per epoch, and — data sample, with the sideband closure —
 * the out-of-fold AUC of the classifier separating flow samples from short-sideband data (ideal 0.5).
 */
export interface TemplateQuality {
  windowId: number;
  run: number;
  sample: SampleRole;
  /** Template events requested, and the events whose first draw was non-finite / out of the training range (redrawn), and dropped after every redraw failed. */
  requested?: number;
  nonFinite?: number;
  outOfRange?: number;
  redrawn?: number;
  dropped?: number;
  /** Per flow of the ensemble, per epoch: mean log p of the validation events in the flow's preprocessed space. */
  validationLogLikelihood?: number[][];
  /** Per flow, per epoch: validation events with a non-finite log p, left out of the validation loss (only when some were). */
  validationNonFinite?: number[][];
  /** Sideband closure: AUC of short-sideband data (positive) vs flow samples, with its Hanley–McNeil error, and the event counts. */
  closureAuc?: number;
  closureAucStdErr?: number;
  closureNData?: number;
  closureNTemplate?: number;
  /** Per run, the template's sideband reweighting (`cathode.reweighting`; lib/methods/sidebandReweighting.ts). */
  reweighting?: (ReweightingSummary & { run: number })[];
}

/** A classifier-input feature in the SR: data vs the method's background template. */
export interface FeatureHistogram {
  windowId: number;
  method: MethodName;
  feature: string;
  /** '' for dimensionless features. */
  unit: string;
  edges: number[];
  dataCounts: number[];
  /** Weighted template counts (Σw per bin). */
  templateCounts: number[];
  /** Σw² per bin of the template, for error bars. */
  templateSumW2?: number[];
}

/** Classical fit-based bump hunt in one window: dijet function f(x) = p0 (1−x)^p1 / x^(p2 + p3 ln x). */
export interface BumpHuntFit {
  windowId: number;
  z: number;
  p0: number;
  p1: number;
  p2: number;
  p3: number;
  chi2?: number;
  ndf?: number;
  /** √s used for x = m/√s, in TeV. */
  sqrtSTeV?: number;
}

/** The results document (`sidewinder/results`, version 1). */
export interface ResultsDocument {
  schema: typeof RESULTS_SCHEMA;
  version: typeof RESULTS_VERSION;
  /** Writer, e.g. 'sidewinder 0.1.0'. */
  writer: string;
  /** ISO 8601 time of writing. */
  createdAt?: string;
  /** Free-text notes shown at the top of the report (e.g. "synthetic"). */
  notes?: string[];
  config: ResultsConfig;
  dataset: DatasetRecord;
  versions: VersionsRecord;
  runs: CellRun[];
  aggregates: CellAggregate[];
  /** Cells refused because their template cannot resolve ε_B (no Z reported). */
  refusedCells?: RefusedCell[];
  deltaSys?: DeltaSysStudy[];
  lookElsewhere?: LookElsewhereResult[];
  roc?: RocRecord[];
  mjjSpectra?: MjjSpectra;
  featureHistograms?: FeatureHistogram[];
  featureDependence?: FeatureDependence[];
  /** dCor of feature pairs in the SR data vs in the CATHODE template, per window. */
  templateCorrelations?: TemplateCorrelation[];
  /** Per CATHODE flow task: template boundary check, validation log-likelihood per epoch, sideband-closure AUC. */
  templateQuality?: TemplateQuality[];
  bumpHunt?: BumpHuntFit[];
}

/** The key of a (window, method, ε_B) cell. */
export const cellKey = (windowId: number, method: MethodName, epsilonB: number): string => `${windowId}/${method}/${epsilonB}`;

/**
 * Aggregate per-run cells over runs, one {@link CellAggregate} per (window, method, ε_B), in the
 * order the cells first appear.
 */
export function aggregateRuns(runs: readonly CellRun[]): CellAggregate[] {
  const groups = new Map<string, CellRun[]>();
  for (const r of runs) {
    const k = cellKey(r.windowId, r.method, r.epsilonB);
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  return [...groups.values()].map((g) => {
    const pick = (f: (r: CellRun) => number): Summary => summarizeRuns(g.map(f));
    return {
      windowId: g[0].windowId,
      method: g[0].method,
      epsilonB: g[0].epsilonB,
      nRuns: g.length,
      nObs: pick((r) => r.nObs),
      nExp: pick((r) => r.nExp),
      sigmaB: pick((r) => r.sigmaB),
      epsilonEff: pick((r) => r.epsilonEff),
      deltaSys: g[0].deltaSys,
      ...(g[0].deltaSysMeasured !== undefined ? { deltaSysMeasured: g[0].deltaSysMeasured } : {}),
      ...(g[0].deltaSysStatError !== undefined ? { deltaSysStatError: g[0].deltaSysStatError } : {}),
      z: {
        simple: pick((r) => r.zSimple),
        simpleOneSided: pick((r) => r.zSimpleOneSided),
        cowan: pick((r) => r.zCowan),
        cowanOneSided: pick((r) => r.zCowanOneSided),
      },
    };
  });
}

/**
 * A global significance as the results document stores it: one-sided (a p ≥ 0.5, e.g. when every
 * window is a deficit and every toy exceeds, is Z = 0 like a local deficit), and null for Z = ∞ (p
 * underflowed to 0), which JSON cannot hold.
 */
export function resultsZ(p: number): number | null {
  const z = oneSidedSignificance(p);
  return z === Infinity ? null : z;
}

/** An equal-width histogram as the results document stores it (plain arrays: edges and counts, Σw with weights). */
export function resultsHistogram(values: ArrayLike<number>, lo: number, hi: number, bins: number, weights?: ArrayLike<number>): { edges: number[]; counts: number[] } {
  const h = fillUniformHistogram(values, lo, hi, bins, { weights });
  return { edges: Array.from(h.edges), counts: Array.from(h.values) };
}
