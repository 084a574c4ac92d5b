/**
 * Options of the conditional flow fit: presets, defaults and one validation table.
 */
import { ConfigError, didYouMean } from '../../util/errors.js';
import type { Reporter } from '../../util/reporter.js';

/** Numeric training and architecture options (all serialised with a trained flow). */
export interface FlowTrainingOptions {
  /** Number of MADE blocks (each followed by batch norm and a reversal). */
  blocks: number;
  /** Hidden units in each of the two MADE hidden layers. */
  hidden: number;
  /** Training epochs (an upper limit when `patience` is set). */
  epochs: number;
  /** Mini-batch size. */
  batchSize: number;
  /** Adam learning rate. */
  learningRate: number;
  /** Decoupled weight decay (AdamW form: w ← w − lr·wd·w each step). */
  weightDecay: number;
  /** Keep this many epochs with the lowest validation loss; sample an equal share from each. */
  keepBestEpochs: number;
  /** Fraction of the training events held out for the validation loss (when no validation set is given). */
  validationFraction: number;
  /** Stop after this many epochs without a new best validation loss (null: never). */
  patience: number | null;
  /** Use at most this many events (a seeded random subset; null: all). */
  maxEvents: number | null;
  /**
   * Which batch-norm statistics evaluation, best-epoch selection and sampling use. 'training-set'
   * (the CATHODE reference): after each epoch the whole training set passes through the flow block
   * by block and each batch norm takes its mean and variance. 'running': running averages over the
   * training batches (weight `batchNormMomentum`), which lag the parameters and bias the template.
   */
  batchNormStatistics: 'training-set' | 'running';
  /** Batch-norm running-statistics weight of the current batch (torch convention; 'running' statistics only). */
  batchNormMomentum: number;
  /** Batch-norm ε. */
  batchNormEps: number;
  /** worker_threads for data-parallel training (1 = in this thread). */
  threads: number;
  /**
   * How a step is shared by `threads` > 1 threads. 'syncBatchNorm': one batch of `batchSize` split
   * over the threads, batch-norm statistics all-reduced — exactly the single-thread computation,
   * but 2 synchronisations per block per step (slow on a loaded machine). 'replicas': each thread
   * takes its own batch of `batchSize` (own batch-norm statistics, as PyTorch DDP without SyncBN)
   * and the gradients are averaged — one synchronisation per step; a step sees threads × batchSize events.
   */
  dataParallel: 'syncBatchNorm' | 'replicas';
  /**
   * Elementwise transform of each MADE block: 'affine' (the MAF, u = (z − μ)·e^{−α}) or 'rq-spline'
   * (a rational-quadratic neural spline flow, Durkan et al. 2019: monotonic spline with `splineBins`
   * bins on [−splineBound, splineBound], identity tails). Batch norm and reversals as in the MAF.
   */
  transform: 'affine' | 'rq-spline';
  /** Spline bins K (transform 'rq-spline'; the MADE emits 3K − 1 parameters per dimension). */
  splineBins: number;
  /** Spline tail bound B in the standardised flow space (transform 'rq-spline'). */
  splineBound: number;
}

/**
 * `paper`: the CATHODE recipe (15 MADE blocks × 128 hidden, Adam 1e-4, weight decay 1e-6, batch 256,
 * 100 epochs, 10 best epochs). `default`: a laptop preset for a nine-window scan — smaller network,
 * larger learning rate, fewer epochs, at most 300k events.
 *
 * Both presets train on one thread: on the shared 2-core machine where this was measured, two
 * threads were slower than one (see the flow benchmark); a scan gets both cores by training two
 * windows' flows at once. Pass `threads: 2` (with `dataParallel: 'replicas'`) for one large fit.
 */
export const FLOW_PRESETS: Readonly<Record<'paper' | 'default', Readonly<FlowTrainingOptions>>> = Object.freeze({
  paper: Object.freeze({
    blocks: 15, hidden: 128, epochs: 100, batchSize: 256, learningRate: 1e-4, weightDecay: 1e-6,
    keepBestEpochs: 10, validationFraction: 0.2, patience: null, maxEvents: null, batchNormStatistics: 'training-set',
    batchNormMomentum: 0.1, batchNormEps: 1e-5, threads: 1, dataParallel: 'syncBatchNorm',
    transform: 'affine', splineBins: 8, splineBound: 3,
  }),
  default: Object.freeze({
    blocks: 6, hidden: 64, epochs: 8, batchSize: 256, learningRate: 1e-3, weightDecay: 1e-6,
    keepBestEpochs: 3, validationFraction: 0.2, patience: null, maxEvents: 300_000, batchNormStatistics: 'training-set',
    batchNormMomentum: 0.1, batchNormEps: 1e-5, threads: 1, dataParallel: 'replicas',
    transform: 'affine', splineBins: 8, splineBound: 3,
  }),
});

/** Defaults: the `default` preset. */
export const FLOW_DEFAULTS: Readonly<FlowTrainingOptions> = FLOW_PRESETS.default;

/** What `fitConditionalFlow` accepts: a preset, overrides, seed, validation data, reporter. */
export interface FitFlowOptions extends Partial<FlowTrainingOptions> {
  /** Starting point for unspecified options (default: 'default'). */
  preset?: 'paper' | 'default';
  /** Seed for initialisation, splits, shuffling and subsampling. */
  seed: number;
  /** Explicit validation set (then `validationFraction` is ignored). */
  xVal?: import('../matrix.js').Matrix;
  mVal?: Float64Array;
  reporter?: Reporter;
}

type Check = (v: unknown) => boolean;
const posInt: Check = (v) => Number.isInteger(v) && (v as number) >= 1;
const posNum: Check = (v) => typeof v === 'number' && Number.isFinite(v) && v > 0;
const nonNeg: Check = (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** One table: option → (check, what is expected). */
const TABLE: Record<keyof FlowTrainingOptions, [Check, string]> = {
  blocks: [posInt, 'an integer ≥ 1'],
  hidden: [posInt, 'an integer ≥ 1'],
  epochs: [posInt, 'an integer ≥ 1'],
  batchSize: [(v) => posInt(v) && (v as number) >= 2, 'an integer ≥ 2 (batch norm needs two rows)'],
  learningRate: [posNum, 'a number > 0'],
  weightDecay: [nonNeg, 'a number ≥ 0'],
  keepBestEpochs: [posInt, 'an integer ≥ 1'],
  validationFraction: [(v) => typeof v === 'number' && v > 0 && v < 1, 'a number in (0, 1)'],
  patience: [(v) => v === null || posInt(v), 'null or an integer ≥ 1'],
  maxEvents: [(v) => v === null || (posInt(v) && (v as number) >= 4), 'null or an integer ≥ 4'],
  batchNormStatistics: [(v) => v === 'training-set' || v === 'running', '"training-set" or "running"'],
  batchNormMomentum: [(v) => typeof v === 'number' && v > 0 && v <= 1, 'a number in (0, 1]'],
  batchNormEps: [posNum, 'a number > 0'],
  threads: [(v) => posInt(v) && (v as number) <= 64, 'an integer in [1, 64]'],
  dataParallel: [(v) => v === 'syncBatchNorm' || v === 'replicas', '"syncBatchNorm" or "replicas"'],
  transform: [(v) => v === 'affine' || v === 'rq-spline', '"affine" or "rq-spline"'],
  splineBins: [(v) => posInt(v) && (v as number) >= 2 && (v as number) <= 128, 'an integer in [2, 128]'],
  splineBound: [(v) => posNum(v) && (v as number) <= 100, 'a number in (0, 100]'],
};

const EXTRA_KEYS = ['preset', 'seed', 'xVal', 'mVal', 'reporter'];

/** Merge preset and overrides; validate every option, naming the bad one. */
export function resolveFlowOptions(opts: FitFlowOptions): FlowTrainingOptions {
  if (opts === null || typeof opts !== 'object') throw new ConfigError(`fitConditionalFlow: options must be an object with at least { seed }`);
  const known = [...Object.keys(TABLE), ...EXTRA_KEYS];
  for (const key of Object.keys(opts))
    if (!known.includes(key)) throw new ConfigError(`fitConditionalFlow: unknown option "${key}"${didYouMean(key, known)}`);
  const presetName = opts.preset ?? 'default';
  const preset = FLOW_PRESETS[presetName];
  if (!preset) throw new ConfigError(`fitConditionalFlow: unknown preset "${String(presetName)}"${didYouMean(String(presetName), Object.keys(FLOW_PRESETS))}`);
  if (!Number.isFinite(opts.seed)) throw new ConfigError(`fitConditionalFlow: seed must be a finite number, got ${String(opts.seed)}`);
  const out = { ...preset } as FlowTrainingOptions;
  for (const key of Object.keys(TABLE) as (keyof FlowTrainingOptions)[]) {
    const v = opts[key];
    if (v === undefined) continue;
    const [ok, expected] = TABLE[key];
    if (!ok(v)) throw new ConfigError(`fitConditionalFlow: option ${key} must be ${expected}, got ${String(v)}`);
    (out as unknown as Record<string, unknown>)[key] = v;
  }
  return out;
}
