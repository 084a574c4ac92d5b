/**
 * CATHODE template sampling into a signal-region window: m_JJ values drawn from a Gaussian KDE of
 * the SR data in logit space (after min–max scaling to the window bounds), then x ~ p(x | m_JJ).
 */
import type { Matrix } from '../matrix.js';
import type { Rng } from '../../util/rng.js';
import { createRng } from '../../util/rng.js';
import { ConfigError, InputError } from '../../util/errors.js';
import type { ConditionalDensity } from './ensemble.js';
import type { SampleCheck } from './fittedFlow.js';

/** An m_JJ window (open interval), in the units of the masses (TeV in sidewinder). */
export interface MassWindow {
  readonly lo: number;
  readonly hi: number;
}

/** CATHODE's settings: 4 × N_SR samples; KDE bandwidth 0.01 in logit space. */
export const WINDOW_SAMPLING_DEFAULTS = Object.freeze({ oversampling: 4, bandwidth: 0.01 });

export interface WindowSamplingOptions {
  /** Samples per SR event (n = round(oversampling · N_SR)). */
  oversampling?: number;
  /** KDE bandwidth (kernel standard deviation) on logit((m − lo)/(hi − lo)). */
  bandwidth?: number;
  seed: number;
}

function checkWindow(where: string, w: MassWindow): void {
  if (!w || !Number.isFinite(w.lo) || !Number.isFinite(w.hi) || !(w.hi > w.lo))
    throw new ConfigError(`${where}: window must have finite lo < hi, got ${JSON.stringify(w)}`);
}

/**
 * `n` masses from the Gaussian KDE of `srMasses` in logit space: pick an SR event uniformly, add
 * bandwidth · N(0, 1) to its logit, map back into (lo, hi).
 */
export function sampleMassesKde(srMasses: Float64Array, window: MassWindow, n: number, bandwidth: number, rng: Rng): Float64Array {
  checkWindow('sampleMassesKde', window);
  const { lo, hi } = window;
  const N = srMasses.length;
  if (N === 0) throw new InputError('sampleMassesKde: srMasses is empty');
  if (!(bandwidth > 0)) throw new ConfigError(`sampleMassesKde: bandwidth must be > 0, got ${bandwidth}`);
  const t = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const s = (srMasses[i] - lo) / (hi - lo);
    if (!(s > 0 && s < 1)) throw new InputError(`sampleMassesKde: srMasses[${i}] = ${srMasses[i]} is not inside the window (${lo}, ${hi})`);
    t[i] = Math.log(s / (1 - s));
  }
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const v = t[rng.int(N)] + bandwidth * rng.normal();
    out[k] = lo + (hi - lo) / (1 + Math.exp(-v));
  }
  return out;
}

/**
 * The CATHODE background template for one window: n = round(oversampling · N_SR) events with
 * masses from the SR KDE and features sampled from the flow at those masses. For a flow, `check`
 * counts the events that were redrawn (non-finite or outside the training range) or dropped; for an
 * ensemble, `rowsPerFlow` the rows each flow drew (in order).
 *
 * @example
 * const { x, m } = sampleIntoWindow(flow, srMJJ, { lo: 3.3, hi: 3.7 }, { seed: 7 });
 */
export function sampleIntoWindow(
  flow: ConditionalDensity, srMasses: Float64Array, window: MassWindow, opts: WindowSamplingOptions,
): { x: Matrix<Float64Array>; m: Float64Array; check?: SampleCheck; rowsPerFlow?: readonly number[] } {
  const oversampling = opts.oversampling ?? WINDOW_SAMPLING_DEFAULTS.oversampling;
  const bandwidth = opts.bandwidth ?? WINDOW_SAMPLING_DEFAULTS.bandwidth;
  if (!(oversampling > 0) || !Number.isFinite(oversampling)) throw new ConfigError(`sampleIntoWindow: oversampling must be a number > 0, got ${oversampling}`);
  if (!Number.isFinite(opts.seed)) throw new ConfigError(`sampleIntoWindow: seed must be a finite number, got ${String(opts.seed)}`);
  const root = createRng(opts.seed);
  const n = Math.round(oversampling * srMasses.length);
  const m = sampleMassesKde(srMasses, window, n, bandwidth, root.fork('kde'));
  // Flows redraw events that are non-finite or outside the training range (the template keeps its size) and count them.
  if (flow.sampleChecked) return flow.sampleChecked(m, root.fork('flow'));
  return { x: flow.sample(m, root.fork('flow')), m };
}
