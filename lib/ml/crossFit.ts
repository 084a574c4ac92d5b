/**
 * k-fold cross-fitting of "SR data (label 1) vs background template (label 0)": every data event
 * and every template event is scored exactly once, by models that never saw it. Folds are
 * assigned per set (so stratified by label) from seeded permutations; for each fold k and ensemble
 * member m a model is trained on all events outside fold k and scores the events of fold k; the
 * members' scores are averaged. Each (fold, member) task has its own seed derived by label from
 * the root seed, and writes its own slice of a shared output, so the scores do not depend on the
 * pool size or on scheduling: the same seed gives identical scores on 0, 1 or 2 workers.
 *
 * Ensembles of histogram trees (kind 'hgb', members > 1) share each fold's binning: one task per
 * fold fits the bin edges with member 0's recipe (quantiles of member 0's training half of the
 * fold's training rows — never of the fold's own events) and bins every event once into shared
 * memory; every member of the fold then trains and scores on those bins. Member 0 is therefore
 * bit-identical to an unshared fit (and so is every ensemble of one); members m ≥ 1 differ from an
 * unshared fit only in using member 0's edges instead of edges from their own training half.
 */
import type { Matrix } from './matrix.js';
import type { Reporter } from '../util/reporter.js';
import { modelModules } from './classifier.js';
import { createRng, type Rng } from '../util/rng.js';
import { ConfigError, ShapeError, InputError } from '../util/errors.js';
import { WorkerPool, sharedArray } from './pool/pool.js';
import { CROSS_FIT_BIN_TASK, CROSS_FIT_FOLD_TASK, type CrossFitFoldPayload, type CrossFitFoldResult, type SharedFoldBins } from './crossFitTask.js';

/** Which classifier to cross-fit: a registered model kind and its options. */
export interface ClassifierSpec {
  kind: string;
  options?: Record<string, unknown>;
}

export interface CrossFitOptions {
  /** Number of folds (default 5). */
  k?: number;
  /** Ensemble members per fold, averaged (default 1). */
  members?: number;
  /** Root seed of this run; independent runs use different seeds. */
  seed: number;
  /** Per-event weights of the data / template events (default 1). */
  dataWeight?: Float64Array;
  templateWeight?: Float64Array;
  /** Class weights applied inside each fit (default 'none'). */
  classWeight?: 'balanced' | 'none';
  /**
   * Independent template groups (0 … G − 1, G ≥ 2; e.g. templates of density estimators trained on
   * disjoint halves of the sideband): the model of fold f trains on the data and on the template
   * events of group f mod G only, and `templateCalibration` marks the template events a cut of fold f
   * should be set on — those of the other groups — so the cut cannot select fluctuations of the
   * template the model learned against.
   */
  templateGroups?: Uint8Array;
  /**
   * Share each fold's binning across its ensemble members (kind 'hgb' without standardize,
   * members > 1; see the module doc). Default true; false bins per member (the slower, older path).
   */
  shareBinning?: boolean;
  /** Where tasks run: a WorkerPool (e.g. sharedPool()), or inline when absent. */
  pool?: WorkerPool;
  reporter?: Reporter;
}

export interface CrossFitResult {
  /** Out-of-fold score of each data event (member average). */
  dataScores: Float64Array;
  /** Out-of-fold score of each template event (member average). */
  templateScores: Float64Array;
  /** Fold of each data / template event (the model of that fold never saw it). */
  dataFold: Uint8Array;
  templateFold: Uint8Array;
  /** Scores of each member: member m of data event i at [m · nData + i] (likewise template). */
  dataMemberScores: Float64Array;
  templateMemberScores: Float64Array;
  k: number;
  members: number;
  /** With `templateGroups`: 1 for a template event whose group its fold's model did not train on. */
  templateCalibration?: Uint8Array;
}

/**
 * Fold ids 0..k−1 for n events from a seeded permutation: event perm[j] gets fold j mod k, so fold
 * sizes differ by at most one.
 */
export function kFoldAssignment(n: number, k: number, rng: Rng): Uint8Array {
  if (!Number.isInteger(k) || k < 2 || k > 255) throw new ConfigError(`kFoldAssignment: k must be an integer in [2, 255], got ${k}`);
  if (n < k) throw new InputError(`kFoldAssignment: ${n} events cannot fill ${k} folds`);
  const perm = rng.permutation(n);
  const fold = new Uint8Array(n);
  for (let j = 0; j < n; j++) fold[perm[j]] = j % k;
  return fold;
}

/** Root seed of independent run r (r = 0, 1, …) of an analysis seeded with `seed`. */
export function runSeed(seed: number, run: number): number {
  return createRng(seed).fork(`run:${run}`).nextUint32();
}

/** Seed of the model of fold k, member m, derived by label (independent of scheduling). */
export function foldMemberSeed(seed: number, fold: number, member: number): number {
  return createRng(seed).fork(`crossfit/fold:${fold}/member:${member}`).nextUint32();
}

/**
 * Cross-fit a classifier on data (label 1) vs template (label 0) and return out-of-fold scores.
 * Inputs are copied once into SharedArrayBuffers that all tasks read. The model kind must be
 * registered on the calling thread (import its module, e.g. `lib/ml/trees/hgb.js`).
 *
 * @example
 * // IAD in one window: 5 folds × 10 boosted-tree members, on the process-wide pool
 * const r = await crossFit({ kind: 'hgb', options: {} }, srData, simulatedBkg,
 *   { k: 5, members: 10, seed: runSeed(1234, run), classWeight: 'balanced', pool: sharedPool() });
 * // r.dataScores[i], r.templateScores[j]: out-of-fold P(data | x), member-averaged
 */
export async function crossFit(spec: ClassifierSpec, data: Matrix, template: Matrix, opts: CrossFitOptions): Promise<CrossFitResult> {
  const k = opts.k ?? 5;
  const members = opts.members ?? 1;
  if (!Number.isInteger(members) || members < 1) throw new ConfigError(`crossFit: members must be an integer ≥ 1, got ${members}`);
  if (data.cols !== template.cols) throw new ShapeError(`crossFit: data has ${data.cols} features, template has ${template.cols}`);
  for (const [name, m] of [['data', data], ['template', template]] as const)
    if (m.data.length !== m.rows * m.cols) throw new ShapeError(`crossFit: ${name} data has ${m.data.length} entries, shape says ${m.rows} × ${m.cols}`);
  if (opts.dataWeight && opts.dataWeight.length !== data.rows) throw new ShapeError(`crossFit: dataWeight has ${opts.dataWeight.length} entries, data has ${data.rows} rows`);
  if (opts.templateWeight && opts.templateWeight.length !== template.rows) throw new ShapeError(`crossFit: templateWeight has ${opts.templateWeight.length} entries, template has ${template.rows} rows`);
  const groups = opts.templateGroups ? templateGroupCount(opts.templateGroups, template.rows, k) : 0;
  const modules = modelModules(spec.kind, spec.options ?? {}); // fails early on an unknown kind
  const root = createRng(opts.seed);
  const dataFold = kFoldAssignment(data.rows, k, root.fork('folds/data'));
  const templateFold = kFoldAssignment(template.rows, k, root.fork('folds/template'));

  // Stack data then template into shared arrays.
  const nD = data.rows, nT = template.rows, n = nD + nT, cols = data.cols;
  const f32 = data.data instanceof Float32Array && template.data instanceof Float32Array;
  const X = f32 ? sharedArray(Float32Array, n * cols) : sharedArray(Float64Array, n * cols);
  X.set(data.data, 0);
  X.set(template.data, nD * cols);
  const y = sharedArray(Uint8Array, n);
  y.fill(1, 0, nD);
  const fold = sharedArray(Uint8Array, n);
  fold.set(dataFold, 0);
  fold.set(templateFold, nD);
  let weight: Float64Array | null = null;
  if (opts.dataWeight || opts.templateWeight) {
    weight = sharedArray(Float64Array, n);
    if (opts.dataWeight) weight.set(opts.dataWeight, 0);
    else weight.fill(1, 0, nD);
    if (opts.templateWeight) weight.set(opts.templateWeight, nD);
    else weight.fill(1, nD, n);
  }
  const out = sharedArray(Float64Array, members * n).fill(NaN);
  let group: Uint8Array | null = null;
  if (opts.templateGroups) {
    group = sharedArray(Uint8Array, n);
    group.set(opts.templateGroups, nD);
  }
  const trainGroup = (f: number): number | undefined => (group ? f % groups : undefined);

  const pool = opts.pool ?? new WorkerPool({ size: 0 });
  const model = { kind: spec.kind, options: spec.options ?? {}, modules };
  const task = (f: number, m: number, shared?: SharedFoldBins): CrossFitFoldPayload => ({
    model, X, rows: n, cols, y, fold, weight, group, trainGroup: trainGroup(f), out, foldIndex: f, member: m,
    classWeight: opts.classWeight ?? 'none',
    seed: foldMemberSeed(opts.seed, f, m),
    shared,
  });
  const share = (opts.shareBinning ?? true) && members > 1 && spec.kind === 'hgb' && spec.options?.standardize !== true;
  const nTasks = k * members;
  let done = 0;
  const run = (t: CrossFitFoldPayload) =>
    pool.run<CrossFitFoldResult>(CROSS_FIT_FOLD_TASK, t).then((r) => {
      opts.reporter?.progress('cross-fit models', ++done, nTasks);
      return r;
    });
  const folds = Array.from({ length: k }, (_, f) => f);
  if (share) {
    const bins = sharedArray(Uint8Array, k * n * cols);
    await Promise.all(
      folds.map(async (f) => {
        const binsOut = bins.subarray(f * n * cols, (f + 1) * n * cols);
        const { edges } = await pool.run<{ edges: number[][] }>(CROSS_FIT_BIN_TASK, {
          options: model.options, X, rows: n, cols, y, fold, foldIndex: f, group, trainGroup: trainGroup(f), seed: foldMemberSeed(opts.seed, f, 0), binsOut,
        });
        await Promise.all(Array.from({ length: members }, (_, m) => run(task(f, m, { bins: binsOut, edges }))));
      }),
    );
  } else {
    await Promise.all(folds.flatMap((f) => Array.from({ length: members }, (_, m) => run(task(f, m)))));
  }

  const dataMemberScores = new Float64Array(members * nD), templateMemberScores = new Float64Array(members * nT);
  const dataScores = new Float64Array(nD), templateScores = new Float64Array(nT);
  for (let m = 0; m < members; m++) {
    const o = m * n;
    for (let i = 0; i < nD; i++) {
      const s = out[o + i];
      if (Number.isNaN(s)) throw new Error(`crossFit: data event ${i} was not scored by member ${m} (internal error)`);
      dataMemberScores[m * nD + i] = s;
      dataScores[i] += s;
    }
    for (let i = 0; i < nT; i++) {
      const s = out[o + nD + i];
      if (Number.isNaN(s)) throw new Error(`crossFit: template event ${i} was not scored by member ${m} (internal error)`);
      templateMemberScores[m * nT + i] = s;
      templateScores[i] += s;
    }
  }
  for (let i = 0; i < nD; i++) dataScores[i] /= members;
  for (let i = 0; i < nT; i++) templateScores[i] /= members;
  const templateCalibration = opts.templateGroups
    ? Uint8Array.from(opts.templateGroups, (g, i) => (g !== templateFold[i] % groups ? 1 : 0))
    : undefined;
  return { dataScores, templateScores, dataFold, templateFold, dataMemberScores, templateMemberScores, k, members, ...(templateCalibration ? { templateCalibration } : {}) };
}

/** Out-of-fold template scores with their folds and (optional) weights. */
export interface TemplateScores {
  readonly templateScores: Float64Array;
  readonly templateFold: Uint8Array;
  readonly templateWeights?: Float64Array;
}

/**
 * The template events the cuts are set on: all of them, or with template groups (`calibration` =
 * CrossFitResult.templateCalibration) only those whose fold's model did not learn against their group.
 */
export function calibrationTemplate(t: TemplateScores, calibration?: Uint8Array): TemplateScores {
  if (!calibration) return { templateScores: t.templateScores, templateFold: t.templateFold, ...(t.templateWeights ? { templateWeights: t.templateWeights } : {}) };
  if (calibration.length !== t.templateScores.length) throw new ShapeError(`calibrationTemplate: calibration has ${calibration.length} entries, the template ${t.templateScores.length}`);
  const keep: number[] = [];
  calibration.forEach((c, i) => { if (c) keep.push(i); });
  const w = t.templateWeights;
  return {
    templateScores: Float64Array.from(keep, (i) => t.templateScores[i]), templateFold: Uint8Array.from(keep, (i) => t.templateFold[i]),
    ...(w ? { templateWeights: Float64Array.from(keep, (i) => w[i]) } : {}),
  };
}

/**
 * Number of template groups G (largest label + 1), checked: one label per template event, G ≥ 2, at
 * most k (each group trains some fold's model), every group present.
 */
function templateGroupCount(groups: Uint8Array, rows: number, k: number): number {
  if (groups.length !== rows) throw new ShapeError(`crossFit: templateGroups has ${groups.length} entries, template has ${rows} rows`);
  const size = new Array<number>(256).fill(0);
  for (const g of groups) size[g]++;
  const G = size.findLastIndex((c) => c > 0) + 1;
  if (G < 2 || G > k) throw new ConfigError(`crossFit: templateGroups needs 2 to k = ${k} groups, got ${G}`);
  const empty = size.slice(0, G).findIndex((c) => c === 0);
  if (empty >= 0) throw new InputError(`crossFit: template group ${empty} of 0…${G - 1} has no events; every group trains a fold's model and calibrates the others`);
  return G;
}
