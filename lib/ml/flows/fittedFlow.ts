/**
 * A trained conditional flow p(x | m): preprocessing + the MAF snapshots of the best epochs.
 * The density is the equal-weight mixture of the kept epochs (that is what sampling an equal share
 * from each of them draws from); persisted as versioned JSON with exact float32 weights.
 */
import type { Matrix } from '../matrix.js';
import type { Rng } from '../../util/rng.js';
import { InputError, ShapeError } from '../../util/errors.js';
import { checkModelDocument, modelHeader, type ModelHeader } from '../modelDocument.js';
import { MafLayout, type MafShape } from './maf.js';
import { MafEngine } from './engine.js';
import { MafSampler } from './sampler.js';
import {
  preprocess, inversePreprocess, standardiseCondition, type FlowPreprocessing,
} from './preprocess.js';
import { resolveFlowOptions, type FlowTrainingOptions } from './options.js';

/**
 * Current document version (bump on any layout change; keep a reader for old ones).
 * v3: members' bnStats are the full training set's batch-norm statistics (options.batchNormStatistics
 *     'training-set'), affine blocks bound their log-scale (shape.affineMaxLogScale).
 *     v1 and v2 documents read as 'running' statistics and unbounded log-scales (what they were trained with).
 * v2: options.transform / splineBins / splineBound and shape.spline (rq-spline blocks).
 * v1: affine MAF only (no transform options; read as transform 'affine').
 */
export const FLOW_DOC_VERSION = 3;
/** Versions `loadFlow` reads. */
export const FLOW_DOC_READABLE: readonly number[] = Object.freeze([1, 2, 3]);
/** Rows per inner pass in logProb / sample. */
const CHUNK = 2048;

/**
 * Redraws of a sampled event that is non-finite or outside the training range (CATHODE's template
 * keeps its size): up to this many fresh base-space draws, then the event is dropped (and counted).
 */
export const MAX_SAMPLE_REDRAWS = 20;

/** What the boundary check of a checked draw found (counts of events, i.e. rows). */
export interface SampleCheck {
  /** Events requested. */
  readonly requested: number;
  /** First draws that were non-finite in the flow's space (an overflow in the inverse). */
  readonly nonFinite: number;
  /** First draws that were finite but outside the training range of a feature (pinned at its edge). */
  readonly outOfRange: number;
  /** Events redrawn (nonFinite + outOfRange). */
  readonly redrawn: number;
  /** Events still invalid after {@link MAX_SAMPLE_REDRAWS} redraws, left out of the sample. */
  readonly dropped: number;
}

/** A checked draw: only finite events strictly inside the training range, with their masses. */
export interface CheckedSample {
  readonly x: Matrix<Float64Array>;
  /** The mass of each returned row (= the requested masses unless events were dropped). */
  readonly m: Float64Array;
  readonly check: SampleCheck;
  /** Ensembles: rows drawn by each flow, in order (flow k's rows follow flow k − 1's). */
  readonly rowsPerFlow?: readonly number[];
}

/** Sum of checks (ensembles, several windows). */
export function addSampleChecks(a: SampleCheck, b: SampleCheck): SampleCheck {
  return {
    requested: a.requested + b.requested, nonFinite: a.nonFinite + b.nonFinite, outOfRange: a.outOfRange + b.outOfRange,
    redrawn: a.redrawn + b.redrawn, dropped: a.dropped + b.dropped,
  };
}

/** One kept epoch: its weights and batch-norm statistics (the training set's, or running averages for 'running'). */
export interface FlowMember {
  readonly epoch: number;
  readonly validationLoss: number;
  readonly params: Float32Array;
  readonly bnStats: Float32Array;
}

/** Per-epoch losses (mean −log p per event in the flow's preprocessed space). */
export interface FlowHistory {
  readonly trainLoss: number[];
  readonly validationLoss: number[];
  /** Wall-clock seconds of each epoch's training steps (validation excluded; informational). */
  readonly epochSeconds: number[];
  /** Epochs actually run (< options.epochs after early stopping). */
  readonly epochsRun: number;
  /** Events dropped by preprocessing (outside the training range). */
  readonly droppedTrain: number;
  readonly droppedValidation: number;
  /** Per epoch, validation events whose log p was non-finite and left out of its loss (only when some were; fit.ts). */
  readonly nonFiniteValidation?: number[];
  /** Per epoch, the most training events a batch norm left out of its training-set statistics (only when some were; maf.ts). */
  readonly batchNormOutliers?: number[];
  readonly trainEvents: number;
  readonly validationEvents: number;
}

/** Persisted flow document (options.transform and shape.spline say which transform the blocks use). */
export interface FlowDocument extends ModelHeader<'conditional-maf'> {
  options: FlowTrainingOptions;
  shape: MafShape;
  preprocessing: FlowPreprocessing;
  history: FlowHistory;
  members: { epoch: number; validationLoss: number; params: string; bnStats: string }[];
}

const f32ToBase64 = (a: Float32Array): string =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
function base64ToF32(s: string, n: number, what: string): Float32Array {
  const buf = Buffer.from(s, 'base64');
  if (buf.byteLength !== n * 4) throw new InputError(`loadFlow: ${what} holds ${buf.byteLength} bytes, expected ${n * 4} (${n} float32 values)`);
  const out = new Float32Array(n);
  new Uint8Array(out.buffer).set(buf);
  return out;
}

/** A trained conditional MAF (plus preprocessing). */
export class FittedFlow {
  readonly kind = 'conditional-maf';
  readonly options: Readonly<FlowTrainingOptions>;
  readonly shape: MafShape;
  readonly preprocessing: FlowPreprocessing;
  readonly members: readonly FlowMember[];
  readonly history: FlowHistory;
  private readonly layout: MafLayout;
  private engine: MafEngine | null = null;
  private sampler: MafSampler | null = null;

  constructor(args: {
    options: FlowTrainingOptions; shape: MafShape; preprocessing: FlowPreprocessing;
    members: FlowMember[]; history: FlowHistory;
  }) {
    this.options = Object.freeze({ ...args.options });
    this.shape = Object.freeze({ ...args.shape });
    this.preprocessing = args.preprocessing;
    this.members = Object.freeze([...args.members]);
    this.history = args.history;
    this.layout = new MafLayout(this.shape);
    if (this.members.length === 0) throw new InputError('FittedFlow: no members (kept epochs)');
  }

  /** Number of modelled features. */
  get dims(): number {
    return this.shape.dims;
  }

  private getEngine(): MafEngine {
    if (!this.engine)
      this.engine = new MafEngine(this.layout, { eps: this.options.batchNormEps, momentum: this.options.batchNormMomentum }, CHUNK, { optimiser: false });
    return this.engine;
  }

  private loadMember(e: MafEngine, k: number): void {
    e.params.set(this.members[k].params);
    e.bnStats.set(this.members[k].bnStats);
  }

  /**
   * log p(x | m) in the original feature units, per row (float64). Rows outside the training
   * range of any feature have density zero: −Infinity.
   */
  logProb(x: Matrix, m: Float64Array): Float64Array {
    if (x.cols !== this.dims) throw new ShapeError(`FittedFlow.logProb: x has ${x.cols} columns, the flow models ${this.dims}`);
    if (m.length !== x.rows) throw new ShapeError(`FittedFlow.logProb: m has ${m.length} entries, x has ${x.rows} rows`);
    const pre = preprocess(this.preprocessing, x, m);
    const n = pre.kept.length;
    const e = this.getEngine();
    const M = this.members.length;
    const per = Array.from({ length: M }, () => new Float64Array(n));
    for (let k = 0; k < M; k++) {
      this.loadMember(e, k);
      e.evalContiguous(pre.y, pre.c, 0, n, per[k]);
    }
    const out = new Float64Array(x.rows).fill(-Infinity);
    const logM = Math.log(M);
    for (let r = 0; r < n; r++) {
      // log-mean-exp over the kept epochs.
      let mx = -Infinity;
      for (let k = 0; k < M; k++) if (per[k][r] > mx) mx = per[k][r];
      let s = 0;
      for (let k = 0; k < M; k++) s += Math.exp(per[k][r] - mx);
      out[pre.kept[r]] = mx + Math.log(s) - logM + pre.logJacobian[r];
    }
    return out;
  }

  /**
   * One sample x ~ p(x | m_i) per entry of `m` (original units, rows in the order of `m`), checked as
   * {@link FittedFlow.sampleChecked} does: events that could not be redrawn into the training range
   * are left out (a rare, counted case; use sampleChecked to see the counts and the masses kept).
   */
  sample(m: Float64Array, rng: Rng): Matrix<Float64Array> {
    return this.sampleChecked(m, rng).x;
  }

  /**
   * Checked sampling. The kept epochs share the rows equally: epoch k draws rows
   * [⌊kn/K⌋, ⌊(k+1)n/K⌋), its base-space noise from rng.fork(`member:k`). An event that is non-finite
   * in the flow's space, or outside the training range of a feature (the preprocessing would drop
   * it: it has no logit), is redrawn with fresh noise from rng.fork(`member:k/redraw:r`), r = 1 …
   * {@link MAX_SAMPLE_REDRAWS}, at the same mass — deterministic given the seed; if all redraws fail
   * it is dropped. Without invalid events this is exactly sampleFromNoise of the first draws.
   */
  sampleChecked(m: Float64Array, rng: Rng): CheckedSample {
    const n = m.length, D = this.dims, M = this.members.length;
    const c = standardiseCondition(this.preprocessing, m);
    const out = new Float64Array(n * D);
    const valid = new Uint8Array(n);
    let nonFinite = 0, outOfRange = 0, dropped = 0;
    for (let k = 0; k < M; k++) {
      const a = Math.floor((k * n) / M), b = Math.floor(((k + 1) * n) / M);
      const r = rng.fork(`member:${k}`);
      const z = new Float64Array((b - a) * D);
      for (let i = 0; i < z.length; i++) z[i] = r.normal();
      this.loadForSampling(k);
      let bad = this.placeChecked(z, c.subarray(a, b), Uint32Array.from({ length: b - a }, (_, i) => a + i), out, valid);
      for (const i of bad) { if (valid[i] === 2) nonFinite++; else outOfRange++; }
      for (let round = 1; round <= MAX_SAMPLE_REDRAWS && bad.length > 0; round++) {
        const rr = rng.fork(`member:${k}/redraw:${round}`);
        const zb = new Float64Array(bad.length * D);
        for (let i = 0; i < zb.length; i++) zb[i] = rr.normal();
        bad = this.placeChecked(zb, Float32Array.from(bad, (i) => c[i]), bad, out, valid);
      }
      dropped += bad.length;
    }
    const redrawn = nonFinite + outOfRange;
    const check: SampleCheck = { requested: n, nonFinite, outOfRange, redrawn, dropped };
    if (dropped === 0) return { x: { data: out, rows: n, cols: D }, m: Float64Array.from(m), check };
    const keep: number[] = [];
    for (let i = 0; i < n; i++) if (valid[i] === 1) keep.push(i);
    const x = new Float64Array(keep.length * D);
    keep.forEach((i, r) => x.set(out.subarray(i * D, (i + 1) * D), r * D));
    return { x: { data: x, rows: keep.length, cols: D }, m: Float64Array.from(keep, (i) => m[i]), check };
  }

  /**
   * Invert noise z (rows × D) of the loaded member at conditions c, map to original units, and write
   * the valid rows into out at rows[i]; valid[row] = 1 (valid), 2 (non-finite), 3 (out of range).
   * Returns the rows that are not valid.
   */
  private placeChecked(z: Float64Array, c: Float32Array, rows: Uint32Array, out: Float64Array, valid: Uint8Array): Uint32Array {
    const D = this.dims, n = rows.length;
    this.invertLoaded(z, c, n);
    const x = inversePreprocess(this.preprocessing, z, n).data;
    const { min, max } = this.preprocessing;
    const bad: number[] = [];
    for (let i = 0; i < n; i++) {
      let state = 1;
      for (let j = 0; j < D; j++) {
        if (!Number.isFinite(z[i * D + j]) || !Number.isFinite(x[i * D + j])) { state = 2; break; }
        // The preprocessing's own criterion: strictly inside (0, 1) after min–max scaling.
        const sc = (x[i * D + j] - min[j]) / (max[j] - min[j]);
        if (!(sc > 0 && sc < 1)) state = 3;
      }
      valid[rows[i]] = state;
      if (state === 1) out.set(x.subarray(i * D, (i + 1) * D), rows[i] * D);
      else bad.push(rows[i]);
    }
    return Uint32Array.from(bad);
  }

  /** Load member k into the engine (and the fast sampler) for {@link FittedFlow.invertLoaded}. */
  private loadForSampling(k: number): void {
    const e = this.getEngine();
    this.loadMember(e, k);
    // Degree-grouped inverse (≈ one network pass); D = 1 has no autoregression to exploit.
    if (this.dims > 1) (this.sampler ??= new MafSampler(this.layout, CHUNK)).load(e.params);
  }

  /** Base space → flow space in place (float64), rows at standardised conditions c, with the loaded member. */
  private invertLoaded(z: Float64Array, c: Float32Array, n: number): void {
    const D = this.dims, e = this.getEngine();
    const bn = { eps: this.options.batchNormEps, momentum: this.options.batchNormMomentum };
    for (let s = 0; s < n; s += CHUNK) {
      const rows = Math.min(CHUNK, n - s);
      e.c.set(c.subarray(s, s + rows));
      const zc = z.subarray(s * D, (s + rows) * D);
      if (this.dims > 1) this.sampler!.inverseInPlace(e.bnStats, bn, zc, e.c, rows);
      else e.inverseRows(zc, rows);
    }
  }

  /**
   * The deterministic part of sampling, unchecked: base-space standard-normal draws z (n × D,
   * row-major) at masses m → events in original units, the rows shared between the kept epochs as
   * in {@link FittedFlow.sampleChecked}. This is what an exported ONNX sampling graph computes.
   */
  sampleFromNoise(z: ArrayLike<number>, m: Float64Array): Matrix<Float64Array> {
    const n = m.length, D = this.dims;
    if (z.length !== n * D) throw new ShapeError(`FittedFlow.sampleFromNoise: z holds ${z.length} values, expected ${n} rows × ${D} = ${n * D}`);
    const c = standardiseCondition(this.preprocessing, m);
    const y = Float64Array.from(z);
    const M = this.members.length;
    for (let k = 0; k < M; k++) {
      const a = Math.floor((k * n) / M), b = Math.floor(((k + 1) * n) / M);
      this.loadForSampling(k);
      this.invertLoaded(y.subarray(a * D, b * D), c.subarray(a, b), b - a);
    }
    return inversePreprocess(this.preprocessing, y, n);
  }

  /** Versioned JSON document (weights as base64 little-endian float32: exact round trip). */
  toJSON(): FlowDocument {
    return {
      ...modelHeader('conditional-maf', FLOW_DOC_VERSION),
      options: { ...this.options }, shape: { ...this.shape }, preprocessing: this.preprocessing, history: this.history,
      members: this.members.map((mb) => ({
        epoch: mb.epoch, validationLoss: mb.validationLoss, params: f32ToBase64(mb.params), bnStats: f32ToBase64(mb.bnStats),
      })),
    };
  }
}

/** Rebuild a flow from `toJSON()` output (e.g. after JSON.parse), checking tag, version and keys. */
export function loadFlow(doc: unknown): FittedFlow {
  const d = checkModelDocument(doc, 'loadFlow', { kind: 'conditional-maf', versions: FLOW_DOC_READABLE, keys: ['shape', 'preprocessing', 'history', 'members'] }) as unknown as Partial<FlowDocument>;
  const stored = d.options as Partial<FlowTrainingOptions>;
  if (d.version === 1 && (stored.transform !== undefined || (d.shape as MafShape).spline !== undefined))
    throw new InputError('loadFlow: a version-1 document holds an affine MAF only, but this one names a transform or spline');
  // Stored options go through the same validation table as fit options (names a bad key); v1: affine;
  // v1 and v2 were trained with running-average batch-norm statistics.
  const legacy = {
    ...((d.version as number) < 3 ? { batchNormStatistics: 'running' as const } : {}),
    // Flows stored before the option existed were trained at a constant learning rate.
    ...(stored.learningRateSchedule === undefined ? { learningRateSchedule: 'constant' as const } : {}),
  };
  const options = resolveFlowOptions({ ...stored, ...legacy, seed: 0 });
  const shape = d.shape as MafShape;
  const spline = shape.spline;
  if ((options.transform === 'rq-spline') !== (spline !== undefined) ||
    (spline && (spline.bins !== options.splineBins || spline.bound !== options.splineBound)))
    throw new InputError(`loadFlow: options.transform "${options.transform}" (bins ${options.splineBins}, bound ${options.splineBound}) does not match shape.spline ${JSON.stringify(spline ?? null)}`);
  checkQuantileMaps(d.preprocessing as FlowPreprocessing, options.featureTransform, shape.dims);
  const layout = new MafLayout(shape);
  const members = (d.members ?? []).map((mb, i) => ({
    epoch: mb.epoch,
    validationLoss: mb.validationLoss,
    params: base64ToF32(mb.params, layout.numParams, `members[${i}].params`),
    bnStats: base64ToF32(mb.bnStats, layout.K * 2 * layout.D, `members[${i}].bnStats`),
  }));
  return new FittedFlow({ options, shape, preprocessing: d.preprocessing as FlowPreprocessing, members, history: d.history as FlowHistory });
}

/** A document's link and quantile maps must match its `featureTransform`; maps: one per feature, ≥ 2 knots, increasing, finite slopes > 0. */
function checkQuantileMaps(p: FlowPreprocessing, transform: FlowTrainingOptions['featureTransform'], dims: number): void {
  if ((transform === 'probit') !== (p.link === 'probit'))
    throw new InputError(`loadFlow: options.featureTransform "${transform}" does not match preprocessing.link (${JSON.stringify(p.link ?? null)})`);
  const maps = p.gaussianize;
  if ((transform === 'gaussianize') !== (maps !== undefined))
    throw new InputError(`loadFlow: options.featureTransform "${transform}" does not match preprocessing.gaussianize (${maps ? 'present' : 'absent'})`);
  if (!maps) return;
  if (maps.length !== dims) throw new InputError(`loadFlow: preprocessing.gaussianize has ${maps.length} maps, the flow has ${dims} features`);
  maps.forEach((q, j) => {
    const n = q?.x?.length ?? 0;
    const ok = n >= 2 && q.z.length === n && q.slope.length === n &&
      q.x.every((v, k) => Number.isFinite(v) && (k === 0 || v > q.x[k - 1])) &&
      q.z.every((v, k) => Number.isFinite(v) && (k === 0 || v > q.z[k - 1])) &&
      q.slope.every((v) => Number.isFinite(v) && v > 0);
    if (!ok) throw new InputError(`loadFlow: preprocessing.gaussianize[${j}] is not a valid quantile map (needs ≥ 2 knots, x and z increasing, slopes finite and > 0)`);
  });
}
