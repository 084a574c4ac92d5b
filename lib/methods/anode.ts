/**
 * ANODE (Nachman & Shih, arXiv:2001.04990): anomaly detection by density ratio. A conditional
 * density p_SR(x | m) is trained on the SR data itself (background + any signal); the sideband
 * density p_SB(x | m) — CATHODE's flow, trained outside the SR — is interpolated into the SR as the
 * background density. The anomaly score of an event is the log likelihood ratio
 *
 *   R(x | m) = log p_SR(x | m) − log p_SB(x | m),
 *
 * large where the SR data are denser than the background model predicts (a localised signal).
 * No classifier is trained: the score is the ratio of two density estimates.
 *
 * Cross-fitting. p_SR is trained k times (k folds of the SR data); fold f's density trains on the
 * SR events outside fold f and scores the events of fold f, so every data event is scored by a
 * density that never saw it (a density evaluated on its own training events overestimates p_SR
 * there — a false excess at every threshold). Each fold's training is a pure function of
 * (SR events, fold, options, seed) returning a versioned JSON document ({@link trainAnodeFold}),
 * so a scan can cache it; {@link scoreAnode} combines the k documents with the sideband density.
 *
 * Background template (cut-and-count as for the other methods: the threshold at ε_B is the
 * (1 − ε_B) quantile of the template's scores). The template is CATHODE's: events drawn from p_SB
 * at SR masses from the KDE of the SR data (oversampling × N_SR), each assigned to a fold and
 * scored by that fold's R. Why this template:
 *  - Under the background hypothesis the SR data follow p_SB (that is what ANODE assumes when it
 *    reads R as a likelihood ratio), so N_SR · P_{x∼p_SB}(R ≥ t) is the expected background count
 *    above the cut — the integral ANODE's own background estimate needs, here by Monte Carlo. Its
 *    statistical error (1/N_template,pass) enters σ_exp, and mismodelling of p_SB enters δsys
 *    exactly as for CATHODE.
 *  - Template events never trained p_SR, like the data events they are compared with, and are scored
 *    by the same mixture of fold densities (fold shares equal), so a fixed p_SR selects both at the
 *    same rate when p_SB is right: no false excess from overfitting.
 *  - Not the SR data themselves (quantiles of R on the data: N_exp would contain the signal and
 *    ε_eff ≡ ε_B, no test); not the sideband data (a different m_JJ range, where R is not defined
 *    — p_SR is only trained inside the SR); not a fit of m_JJ after the cut (a different statistic
 *    from the other methods' cut-and-count).
 *
 * Support. Both densities are zero outside their training ranges (the flows' min–max + logit
 * preprocessing; FittedFlow.logProb gives −∞ there). An event outside p_SR's or p_SB's support gets
 * R = −∞ and is never selected: the ratio is undefined or rests on an extrapolation the background
 * model cannot check. Template events lie inside p_SB's support by construction and fall outside
 * p_SR's at the same rate as background data do, so this does not bias the comparison; the counts
 * are reported, and more than `maxOutOfSupportFraction` of either sample is refused. NaN or +∞
 * log-densities are refused with the window, fold and count.
 *
 * Cost (window 5 of the default generated dataset, 122k SR events, flow `default` preset, measured on
 * the shared 2-core machine at load ≈ 13–18, scripts/measure-anode.ts): the five SR flows 170–250 s
 * of training in total (≈ 35–57 s each), scoring (template draw of 4 × N_SR from p_SB, log p_SB and
 * log p_SR of data and template) 40–85 s; on top of the sideband flow, which it shares with CATHODE.
 * No classifier is trained.
 */
import type { EventTable } from '../data/eventTable.js';
import type { Matrix } from '../ml/matrix.js';
import { takeRows } from '../ml/matrix.js';
import { createRng } from '../util/rng.js';
import { ConfigError, InputError, ShapeError, didYouMean } from '../util/errors.js';
import { registerTaskHandler } from '../ml/pool/registry.js';
import { kFoldAssignment } from '../ml/crossFit.js';
import {
  FlowEnsemble, loadFlowEnsemble, sampleIntoWindow, resolveFlowOptions,
  type ConditionalDensity, type FitFlowOptions, type FlowEnsembleDocument, type MassWindow, type SampleCheck,
} from '../ml/flows/index.js';
import { countMask, roundEdge, signalRegionMask, type Window, SIGNAL_REGION_AND_SHORT_SIDEBANDS } from '../windows/index.js';
import { featureMatrix, maskedColumn } from './features.js';
import type { MethodScores, MethodSettings } from './types.js';
import type { MethodDescriptor, ScoresSummary } from './method.js';
import { CATHODE, SIDEBAND_DENSITY_STAGE, loadSidebandGenerator, type SidebandGeneratorResult } from './cathode.js';
import { toShared } from '../ml/pool/pool.js';

/** Options of ANODE's SR density and template. */
export interface AnodeOptions {
  /** Folds k of the SR data (each fold's density trains on the other k − 1). */
  readonly folds: number;
  /** Options of each SR flow (fitConditionalFlow; a preset plus overrides, without seed). */
  readonly flow: Readonly<Omit<FitFlowOptions, 'seed' | 'reporter' | 'xVal' | 'mVal'>>;
  /** Independently trained flows per fold, averaged as an equal-weight mixture (FlowEnsemble). */
  readonly flows: number;
  /** Template events per SR event, drawn from p_SB at KDE masses (CATHODE's 4). */
  readonly oversampling: number;
  /** KDE bandwidth on logit-scaled SR masses (CATHODE's 0.01). */
  readonly bandwidth: number;
  /** Fewest SR events a fold's density may train on (before its own validation split). */
  readonly minTrainEvents: number;
  /** Largest fraction of data or template events allowed outside the densities' support (R = −∞). */
  readonly maxOutOfSupportFraction: number;
}

/**
 * Defaults: k = 5 as for the classifiers; the SR flow at the flow's `default` preset, as CATHODE's
 * sideband flow (same architecture for numerator and denominator, as in the ANODE paper); CATHODE's
 * template settings. 1000 training events is a floor for a 4-feature MAF, not a recommendation.
 */
export const ANODE_DEFAULTS: Readonly<AnodeOptions> = Object.freeze({
  folds: 5, flow: Object.freeze({ preset: 'default' as const }), flows: 1, oversampling: 4, bandwidth: 0.01,
  minTrainEvents: 1000, maxOutOfSupportFraction: 0.01,
});

/** SR data of one window: classifier features, masses, and the SR bounds in the masses' units. */
export interface AnodeSrData {
  readonly windowId: number;
  readonly x: Matrix<Float64Array>;
  readonly m: Float64Array;
  readonly window: MassWindow;
}

/** Persisted SR density of one fold: what {@link trainAnodeFold} returns (JSON-serialisable). */
export interface AnodeFoldDocument {
  readonly schema: 'sidewinder/model';
  readonly version: 1;
  readonly kind: 'anode-sr-density';
  readonly windowId: number;
  readonly fold: number;
  readonly folds: number;
  /** SR events the density trained on (all outside `fold`) and the SR events of the window. */
  readonly nTrain: number;
  readonly nSR: number;
  /** Run seed (it fixes the fold assignment) and a checksum of the SR events: scoring checks both. */
  readonly seed: number;
  readonly srChecksum: string;
  readonly density: FlowEnsembleDocument;
}

/** Out-of-fold ANODE scores of one window, in the shape of the other methods' {@link MethodScores}. */
export interface AnodeScores extends Omit<MethodScores, 'method'> {
  readonly method: 'anode';
  /** log p_SR and log p_SB of each data / template event (R = their difference where both are finite). */
  readonly dataLogPSR: Float64Array;
  readonly dataLogPSB: Float64Array;
  readonly templateLogPSR: Float64Array;
  readonly templateLogPSB: Float64Array;
  /** Events outside a density's support (R = −∞, never selected), by sample and density. */
  readonly outOfSupport: { readonly data: { sr: number; sb: number }; readonly template: { sr: number; sb: number } };
  /** Template: its events and masses, and the flow's boundary check of the draw. */
  readonly template: { readonly x: Matrix<Float64Array>; readonly m: Float64Array; readonly check?: SampleCheck };
}

const OPTION_KEYS = Object.keys(ANODE_DEFAULTS) as (keyof AnodeOptions)[];

/** Defaults merged with overrides; every option checked, naming the bad one. */
export function resolveAnodeOptions(opts: Partial<AnodeOptions> = {}): AnodeOptions {
  if (opts === null || typeof opts !== 'object') throw new ConfigError('ANODE: options must be an object');
  for (const key of Object.keys(opts))
    if (!(OPTION_KEYS as string[]).includes(key)) throw new ConfigError(`ANODE: unknown option "${key}"${didYouMean(key, OPTION_KEYS)}`);
  const o: AnodeOptions = { ...ANODE_DEFAULTS, ...opts };
  const bad = (name: string, expected: string, v: unknown) => new ConfigError(`ANODE: option ${name} must be ${expected}, got ${String(v)}`);
  if (!Number.isInteger(o.folds) || o.folds < 2 || o.folds > 255) throw bad('folds', 'an integer in [2, 255]', o.folds);
  if (!Number.isInteger(o.flows) || o.flows < 1) throw bad('flows', 'an integer ≥ 1', o.flows);
  if (!(o.oversampling > 0) || !Number.isFinite(o.oversampling)) throw bad('oversampling', 'a number > 0', o.oversampling);
  if (!(o.bandwidth > 0) || !Number.isFinite(o.bandwidth)) throw bad('bandwidth', 'a number > 0', o.bandwidth);
  if (!Number.isInteger(o.minTrainEvents) || o.minTrainEvents < 10) throw bad('minTrainEvents', 'an integer ≥ 10', o.minTrainEvents);
  if (!(o.maxOutOfSupportFraction >= 0 && o.maxOutOfSupportFraction < 1)) throw bad('maxOutOfSupportFraction', 'a number in [0, 1)', o.maxOutOfSupportFraction);
  if (o.flow === null || typeof o.flow !== 'object') throw bad('flow', 'an object of flow options', o.flow);
  resolveFlowOptions({ ...o.flow, seed: 0 }); // names a bad flow option now, not after k − 1 trainings
  return o;
}

/** Mass bounds of a window in the unit of the events' m_JJ column (TeV or GeV). */
function srBounds(events: EventTable, window: Window): MassWindow {
  const unit = events.unit('mJJ');
  const toTeV: Record<string, number> = { TeV: 1, GeV: 1e-3 };
  if (!(unit in toTeV)) throw new InputError(`ANODE, window ${window.id}: column "mJJ" has unit "${unit}"; expected "TeV" or "GeV"`);
  const f = toTeV[window.units] / toTeV[unit];
  return { lo: roundEdge(window.srLow * f), hi: roundEdge(window.srHigh * f) };
}

/** The SR data of a window: features (in `features` order) and m_JJ of the events inside the SR. */
export function anodeSrData(events: EventTable, window: Window, features: readonly string[]): AnodeSrData {
  const sr = signalRegionMask(events, window);
  return { windowId: window.id, x: featureMatrix(events, features, sr), m: maskedColumn(events, 'mJJ', sr), window: srBounds(events, window) };
}

/** FNV-1a (32 bit) over the bytes of the SR features and masses, as 8 hex digits. */
export function srChecksum(sr: AnodeSrData): string {
  let h = 0x811c9dc5;
  for (const a of [sr.x.data, sr.m]) {
    const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

function checkSrData(sr: AnodeSrData): void {
  if (sr.m.length !== sr.x.rows) throw new ShapeError(`ANODE, window ${sr.windowId}: ${sr.m.length} masses for ${sr.x.rows} SR events`);
  if (sr.x.data.length !== sr.x.rows * sr.x.cols) throw new ShapeError(`ANODE, window ${sr.windowId}: SR features hold ${sr.x.data.length} values, shape says ${sr.x.rows} × ${sr.x.cols}`);
}

/** Fold of each SR data event (seeded; fold sizes differ by at most one). Same for every fold's task. */
export function anodeDataFolds(nSR: number, folds: number, seed: number, windowId = -1): Uint8Array {
  if (nSR < folds) throw new InputError(`ANODE, window ${windowId}: ${nSR} SR events cannot fill ${folds} folds`);
  return kFoldAssignment(nSR, folds, createRng(seed).fork('anode/folds/data'));
}

/** Seed of fold f's SR density, derived by label from the run seed. */
export const anodeFoldSeed = (seed: number, fold: number): number => createRng(seed).fork(`anode/sr-density/fold:${fold}`).nextUint32();

/**
 * Train the SR density of one fold: a conditional flow (ensemble of `flows`) on the SR events
 * outside `fold`. A pure function of (SR events, fold, options, seed): the cacheable unit of work
 * (≈ (k − 1)/k · N_SR events × epochs of flow training).
 */
export async function trainAnodeFold(sr: AnodeSrData, fold: number, options: Partial<AnodeOptions>, seed: number): Promise<AnodeFoldDocument> {
  const o = resolveAnodeOptions(options);
  checkSrData(sr);
  if (!Number.isInteger(fold) || fold < 0 || fold >= o.folds) throw new ConfigError(`ANODE, window ${sr.windowId}: fold must be an integer in [0, ${o.folds - 1}], got ${fold}`);
  if (!Number.isFinite(seed)) throw new ConfigError(`ANODE, window ${sr.windowId}: seed must be a finite number, got ${String(seed)}`);
  const folds = anodeDataFolds(sr.x.rows, o.folds, seed, sr.windowId);
  const rows: number[] = [];
  for (let i = 0; i < folds.length; i++) if (folds[i] !== fold) rows.push(i);
  if (rows.length < o.minTrainEvents)
    throw new InputError(`ANODE, window ${sr.windowId}, fold ${fold}: only ${rows.length} SR events to train the SR density on (${sr.x.rows} in the SR, ${o.folds} folds); need at least ${o.minTrainEvents}`);
  const density = await FlowEnsemble.fit(takeRows(sr.x, rows), Float64Array.from(rows, (i) => sr.m[i]), { ...o.flow, size: o.flows, seed: anodeFoldSeed(seed, fold) });
  return {
    schema: 'sidewinder/model', version: 1, kind: 'anode-sr-density', windowId: sr.windowId, fold, folds: o.folds,
    nTrain: rows.length, nSR: sr.x.rows, seed, srChecksum: srChecksum(sr), density: density.toJSON(),
  };
}

/**
 * The template: oversampling × N_SR events from p_SB at masses from the KDE of the SR masses (CATHODE's
 * sampleIntoWindow; invalid draws redrawn and counted), seeded by label from the run seed.
 */
export function anodeTemplate(sbDensity: ConditionalDensity, sr: AnodeSrData, options: Partial<AnodeOptions>, seed: number): { x: Matrix<Float64Array>; m: Float64Array; check?: SampleCheck } {
  const o = resolveAnodeOptions(options);
  checkSrData(sr);
  if (sbDensity.dims !== sr.x.cols) throw new ShapeError(`ANODE, window ${sr.windowId}: the sideband density models ${sbDensity.dims} features, the SR data have ${sr.x.cols}`);
  return sampleIntoWindow(sbDensity, sr.m, sr.window, { oversampling: o.oversampling, bandwidth: o.bandwidth, seed: createRng(seed).fork('anode/template').nextUint32() });
}

/** log-densities → R, refusing NaN and +∞, counting −∞ (outside the support). */
function ratio(logSR: Float64Array, logSB: Float64Array, what: string): { r: Float64Array; outSR: number; outSB: number } {
  const r = new Float64Array(logSR.length);
  let outSR = 0, outSB = 0;
  for (let i = 0; i < r.length; i++) {
    const a = logSR[i], b = logSB[i];
    if (Number.isNaN(a) || a === Infinity) throw new InputError(`${what}: log p_SR of event ${i} is ${a}; the SR density is invalid (diverged training?)`);
    if (Number.isNaN(b) || b === Infinity) throw new InputError(`${what}: log p_SB of event ${i} is ${b}; the sideband density is invalid (diverged training?)`);
    if (a === -Infinity) outSR++;
    if (b === -Infinity) outSB++;
    r[i] = a === -Infinity || b === -Infinity ? -Infinity : a - b;
  }
  return { r, outSR, outSB };
}

/**
 * ANODE's out-of-fold scores of one window from the k fold documents and the sideband density:
 * R of every SR data event (by the fold density that did not train on it) and of the template
 * (each template event assigned a fold by a seeded permutation and scored by that fold's density).
 */
export function scoreAnode(
  sr: AnodeSrData, sbDensity: ConditionalDensity, foldDocs: readonly AnodeFoldDocument[], options: Partial<AnodeOptions>,
  opts: { seed: number; run?: number },
): AnodeScores {
  const o = resolveAnodeOptions(options);
  checkSrData(sr);
  const where = `ANODE, window ${sr.windowId}`;
  if (foldDocs.length !== o.folds) throw new InputError(`${where}: ${foldDocs.length} fold densities given, options say ${o.folds} folds`);
  const checksum = srChecksum(sr);
  foldDocs.forEach((d, f) => {
    if (d?.kind !== 'anode-sr-density') throw new InputError(`${where}: fold document ${f} has kind ${JSON.stringify(d?.kind)}, expected "anode-sr-density"`);
    if (d.fold !== f || d.folds !== o.folds || d.nSR !== sr.x.rows || d.windowId !== sr.windowId)
      throw new InputError(`${where}: fold document ${f} is for window ${d.windowId}, fold ${d.fold} of ${d.folds}, ${d.nSR} SR events; expected window ${sr.windowId}, fold ${f} of ${o.folds}, ${sr.x.rows} SR events`);
    // Another seed means another fold assignment: data events would be scored by densities that trained on them.
    if (d.seed !== opts.seed || d.srChecksum !== checksum)
      throw new InputError(`${where}: fold document ${f} was trained with seed ${d.seed} on SR events with checksum ${d.srChecksum}; scoring uses seed ${opts.seed} and SR events with checksum ${checksum}`);
  });
  const densities = foldDocs.map((d) => loadFlowEnsemble(d.density));
  const dataFold = anodeDataFolds(sr.x.rows, o.folds, opts.seed, sr.windowId);
  const template = anodeTemplate(sbDensity, sr, o, opts.seed);
  if (template.x.rows < o.folds) throw new InputError(`${where}: the template has ${template.x.rows} events after sampling; it cannot fill ${o.folds} folds`);
  const templateFold = kFoldAssignment(template.x.rows, o.folds, createRng(opts.seed).fork('anode/folds/template'));

  const byFold = (x: Matrix<Float64Array>, m: Float64Array, fold: Uint8Array): Float64Array => {
    const out = new Float64Array(x.rows);
    for (let f = 0; f < o.folds; f++) {
      const rows: number[] = [];
      for (let i = 0; i < fold.length; i++) if (fold[i] === f) rows.push(i);
      const lp = densities[f].logProb(takeRows(x, rows), Float64Array.from(rows, (i) => m[i]));
      rows.forEach((i, r) => { out[i] = lp[r]; });
    }
    return out;
  };
  const dataLogPSR = byFold(sr.x, sr.m, dataFold);
  const dataLogPSB = sbDensity.logProb(sr.x, sr.m);
  const templateLogPSR = byFold(template.x, template.m, templateFold);
  const templateLogPSB = sbDensity.logProb(template.x, template.m);
  const d = ratio(dataLogPSR, dataLogPSB, `${where}, SR data`);
  const t = ratio(templateLogPSR, templateLogPSB, `${where}, template`);
  for (const [name, s, n] of [['SR data', d, sr.x.rows], ['template', t, template.x.rows]] as const) {
    const out = s.r.reduce((c, v) => c + (v === -Infinity ? 1 : 0), 0);
    if (out > o.maxOutOfSupportFraction * n)
      throw new InputError(`${where}: ${out} of ${n} ${name} events lie outside the densities' support (${s.outSR} outside p_SR's training range, ${s.outSB} outside p_SB's); at most ${o.maxOutOfSupportFraction} of them may (option maxOutOfSupportFraction)`);
  }
  return {
    method: 'anode', windowId: sr.windowId, run: opts.run ?? 0,
    dataScores: d.r, dataFold, templateScores: t.r, templateFold,
    dataLogPSR, dataLogPSB, templateLogPSR, templateLogPSB,
    outOfSupport: { data: { sr: d.outSR, sb: d.outSB }, template: { sr: t.outSR, sb: t.outSB } },
    template,
  };
}

/**
 * All of ANODE in one window, in this thread: the k SR densities one after another, then the scores.
 * A scan runs {@link trainAnodeFold} as k cached tasks (e.g. {@link ANODE_FOLD_TASK} in the pool) and
 * then {@link scoreAnode}; both give the same numbers as this.
 */
export async function runAnode(sr: AnodeSrData, sbDensity: ConditionalDensity, options: Partial<AnodeOptions>, opts: { seed: number; run?: number }): Promise<AnodeScores> {
  const o = resolveAnodeOptions(options);
  const docs: AnodeFoldDocument[] = [];
  for (let f = 0; f < o.folds; f++) docs.push(await trainAnodeFold(sr, f, o, opts.seed));
  return scoreAnode(sr, sbDensity, docs, o, opts);
}

/** Worker-pool task kind: one fold's SR density. */
export const ANODE_FOLD_TASK = 'methods.anode.fold';

/** Payload of {@link ANODE_FOLD_TASK} (structured-clonable; pass shared arrays to avoid copies). */
export interface AnodeFoldPayload {
  readonly windowId: number;
  readonly x: Float64Array;
  readonly rows: number;
  readonly cols: number;
  readonly m: Float64Array;
  readonly window: MassWindow;
  readonly fold: number;
  readonly options: Partial<AnodeOptions>;
  readonly seed: number;
}

registerTaskHandler<AnodeFoldPayload, AnodeFoldDocument>(ANODE_FOLD_TASK, import.meta.url, (p) =>
  trainAnodeFold({ windowId: p.windowId, x: { data: p.x, rows: p.rows, cols: p.cols }, m: p.m, window: p.window }, p.fold, p.options, p.seed));

/** ANODE's options in a scan: its own folds, and CATHODE's flow recipe and template settings (numerator and denominator alike). */
function scanAnodeOptions(settings: MethodSettings): AnodeOptions {
  const c = settings.cathode;
  return resolveAnodeOptions({ flow: c.flow as AnodeOptions['flow'], flows: c.flows, oversampling: c.oversampling, bandwidth: c.bandwidth });
}

/**
 * ANODE in a scan: the sideband density (shared with CATHODE: one task when both run), then one task
 * that trains the k SR densities (in parallel in the pool) and stores the out-of-fold R of the SR
 * data and of the p_SB template, cut and counted like every method's scores. Runs on the control
 * sample too, for its MC δsys (the template is a density estimate, as CATHODE's).
 */
export const ANODE: MethodDescriptor = {
  name: 'anode',
  label: 'ANODE',
  stages: [
    SIDEBAND_DENSITY_STAGE,
    {
      kind: 'anode-scores', role: 'scores', usesClassifier: false, dependsOn: ['flow'],
      seedLabel: () => 'anode-scores',
      runsOn: () => true,
      keyInputs: (settings) => ({ anode: scanAnodeOptions(settings) }),
      checkSettings: (settings) => {
        if (settings.cathode.generator === 'gan') throw new ConfigError('ANODE needs the sideband density p_SB(x|m) of a flow; the conditional GAN (cathode.generator "gan") has none');
        scanAnodeOptions(settings);
      },
      templateSize: ({ events, window, settings }) => Math.round(settings.cathode.oversampling * countMask(signalRegionMask(events, window))),
      run: async ({ events, window, settings, seed, dependency, pool }) => {
        const options = scanAnodeOptions(settings);
        const flow = dependency<SidebandGeneratorResult>('flow').value.flow;
        if (flow.kind !== 'conditional-maf-ensemble') throw new ConfigError(`ANODE, window ${window.id}: the sideband density is a ${flow.kind}, which has no log-density; use the flow`);
        const sr = anodeSrData(events, window, settings.features);
        const shared = { windowId: sr.windowId, x: toShared(sr.x.data), rows: sr.x.rows, cols: sr.x.cols, m: toShared(sr.m), window: sr.window, options, seed };
        const docs = await Promise.all(Array.from({ length: options.folds }, (_, fold) =>
          pool ? pool.run<AnodeFoldDocument>(ANODE_FOLD_TASK, { ...shared, fold }) : trainAnodeFold(sr, fold, options, seed)));
        const s = scoreAnode(sr, loadSidebandGenerator(flow), docs, options, { seed });
        const value: ScoresSummary = { nSR: sr.x.rows, nTemplate: s.templateScores.length, meta: { nTemplate: s.templateScores.length, oversampling: options.oversampling, folds: options.folds, outOfSupport: s.outOfSupport } };
        return { store: { value, arrays: { dataScores: s.dataScores, dataFold: s.dataFold, templateScores: s.templateScores, templateFold: s.templateFold } } };
      },
    },
  ],
  massRegions: { own: SIGNAL_REGION_AND_SHORT_SIDEBANDS },
  deltaSys: true,
  lookElsewhereNull: { sample: 'control' },
  generatedTemplate: true,
  // p_SB's samples in the SR, as the sideband-density task stored them (ANODE scores its own draw of the same density).
  templateEvents: (input) => CATHODE.templateEvents(input),
};
