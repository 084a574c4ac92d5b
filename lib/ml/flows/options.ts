/**
 * Options of the conditional flow fit: presets, defaults and one validation table.
 */
import { ConfigError, didYouMean } from '../../util/errors.js';
import { defaultsOf, resolveOptions, type OptionTable } from '../../util/options.js';
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
  /**
   * Learning-rate schedule over the `epochs` planned: 'constant', or 'cosine' (lr · ½(1 + cos(π t/T))
   * at optimiser step t of T = epochs × steps per epoch, decaying to 0 at the last planned epoch).
   */
  learningRateSchedule: 'constant' | 'cosine';
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
  /**
   * How each feature enters the flow: 'logit' (min–max scaling, logit, standardisation: CATHODE),
   * 'probit' (min–max scaling, Φ⁻¹, standardisation: a density finite at a bound gets a Gaussian tail, not
   * an exponential one) or 'gaussianize' (a smooth monotone map from the training quantiles to those of
   * N(0, 1); quantileMap.ts).
   */
  featureTransform: 'logit' | 'probit' | 'gaussianize';
}

/**
 * Declared constraints, defaults (the `default` preset) and meaning of every option, checked by
 * `resolveOptions`; the descriptions are those of {@link FlowTrainingOptions}.
 */
export const FLOW_OPTIONS: OptionTable<FlowTrainingOptions> = Object.freeze({
  blocks: { type: 'integer', min: 1, default: 6, description: 'Number of MADE blocks (each followed by batch norm and a reversal).' },
  hidden: { type: 'integer', min: 1, default: 32, description: 'Hidden units in each of the two MADE hidden layers.' },
  epochs: { type: 'integer', min: 1, default: 12, description: 'Training epochs (an upper limit when `patience` is set).' },
  batchSize: { type: 'integer', min: 2, default: 256, description: 'Mini-batch size (batch norm needs two rows).' },
  learningRate: { type: 'number', min: 0, exclusiveMin: true, default: 1e-3, description: 'Adam learning rate.' },
  learningRateSchedule: { type: 'enum', values: ['constant', 'cosine'], default: 'cosine', description: "Learning-rate schedule over the planned epochs: 'constant' or 'cosine' (decays to 0 at the last planned epoch)." },
  weightDecay: { type: 'number', min: 0, default: 1e-6, description: 'Decoupled weight decay (AdamW form: w ← w − lr·wd·w each step).' },
  keepBestEpochs: { type: 'integer', min: 1, default: 3, description: 'Keep this many epochs with the lowest validation loss; sample an equal share from each.' },
  validationFraction: { type: 'number', min: 0, max: 1, exclusiveMin: true, exclusiveMax: true, default: 0.2, description: 'Fraction of the training events held out for the validation loss (when no validation set is given).' },
  patience: { type: 'integer', min: 1, nullable: true, default: null, description: 'Stop after this many epochs without a new best validation loss (null: never).' },
  maxEvents: { type: 'integer', min: 4, nullable: true, default: 550_000, description: 'Use at most this many events (a seeded random subset; null: all).' },
  batchNormStatistics: { type: 'enum', values: ['training-set', 'running'], default: 'training-set', description: 'Which batch-norm statistics evaluation, best-epoch selection and sampling use.' },
  batchNormMomentum: { type: 'number', min: 0, max: 1, exclusiveMin: true, default: 0.1, description: "Batch-norm running-statistics weight of the current batch (torch convention; 'running' statistics only)." },
  batchNormEps: { type: 'number', min: 0, exclusiveMin: true, default: 1e-5, description: 'Batch-norm ε.' },
  threads: { type: 'integer', min: 1, max: 64, default: 1, description: 'worker_threads for data-parallel training (1 = in this thread).' },
  dataParallel: { type: 'enum', values: ['syncBatchNorm', 'replicas'], default: 'replicas', description: 'How a step is shared by `threads` > 1 threads.' },
  transform: { type: 'enum', values: ['affine', 'rq-spline'], default: 'affine', description: "Elementwise transform of each MADE block: 'affine' (MAF) or 'rq-spline' (rational-quadratic spline)." },
  splineBins: { type: 'integer', min: 2, max: 128, default: 8, description: "Spline bins K (transform 'rq-spline')." },
  splineBound: { type: 'number', min: 0, max: 100, exclusiveMin: true, default: 3, description: "Spline tail bound B in the standardised flow space (transform 'rq-spline')." },
  featureTransform: { type: 'enum', values: ['logit', 'probit', 'gaussianize'], default: 'logit', description: "How each feature enters the flow: 'logit' (min–max, logit, standardisation), 'probit' (min–max, Φ⁻¹, standardisation) or 'gaussianize' (quantile map to N(0, 1))." },
});

/**
 * `paper`: the CATHODE recipe (15 MADE blocks × 128 hidden, Adam 1e-4 constant, weight decay 1e-6, batch
 * 256, 100 epochs, 10 best epochs). `default`: a laptop preset for a nine-window scan — 6 blocks of 32
 * hidden units, a larger learning rate decayed to 0 by a cosine over 12 epochs, at most 550k events. The
 * template's bias is mostly the variance of the density estimate (each flow mismodels its own cells), so
 * a smaller network fed more events beats a wider one on fewer at the same CPU: against 64 hidden on 300k
 * events (window 5, control model, four seeds) the background passing ε_B = 1e-3 in excess of the template
 * fell from +0.24 to +0.04, and `npm start`'s MC δsys from 0.078 / 0.130 / 0.21 to 0.059 / 0.057 / 0.23 at
 * ε_B = 1e-2 / 1e-3 / 1e-4 (docs/benchmarks.md, CATHODE sensitivity study).
 *
 * Both presets train on one thread: on the shared 2-core machine where this was measured, two
 * threads were slower than one (see the flow benchmark); a scan gets both cores by training two
 * windows' flows at once. Pass `threads: 2` (with `dataParallel: 'replicas'`) for one large fit.
 */
export const FLOW_PRESETS: Readonly<Record<'paper' | 'default', Readonly<FlowTrainingOptions>>> = Object.freeze({
  paper: Object.freeze({
    ...defaultsOf(FLOW_OPTIONS),
    blocks: 15, hidden: 128, epochs: 100, learningRate: 1e-4, learningRateSchedule: 'constant', keepBestEpochs: 10, maxEvents: null, dataParallel: 'syncBatchNorm',
  }),
  default: defaultsOf(FLOW_OPTIONS),
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

const EXTRA_KEYS = ['preset', 'seed', 'xVal', 'mVal', 'reporter'];

/** Merge preset and overrides; validate every option, naming the bad one. */
export function resolveFlowOptions(opts: FitFlowOptions): FlowTrainingOptions {
  if (opts === null || typeof opts !== 'object') throw new ConfigError(`fitConditionalFlow: options must be an object with at least { seed }`);
  const presetName = opts.preset ?? 'default';
  const preset = FLOW_PRESETS[presetName];
  if (!preset) throw new ConfigError(`fitConditionalFlow: unknown preset "${String(presetName)}"${didYouMean(String(presetName), Object.keys(FLOW_PRESETS))}`);
  const out = resolveOptions('fitConditionalFlow', FLOW_OPTIONS, opts, { base: preset, extraKeys: EXTRA_KEYS });
  if (!Number.isFinite(opts.seed)) throw new ConfigError(`fitConditionalFlow: seed must be a finite number, got ${String(opts.seed)}`);
  return out;
}
