/**
 * Summaries of a quantity over independent runs or an ensemble (e.g. Z of 10 independent trainings,
 * as the anchor analysis arXiv:2411.00085 quotes mean ± std): mean, sample standard deviation
 * (ddof = 1, numpy `std(ddof=1)`), standard error of the mean, median and the 16 % / 84 % quantiles
 * (numpy's default linear quantile, so they match `np.quantile(x, [0.16, 0.5, 0.84])`).
 */
import { InputError } from '../util/errors.js';
import { quantileLinear } from './quantile.js';

/** Summary of a set of run values. */
export interface RunSummary {
  readonly n: number;
  readonly mean: number;
  /** Sample standard deviation (ddof = 1); 0 for a single run. */
  readonly std: number;
  /** std/√n. */
  readonly stdErr: number;
  readonly median: number;
  readonly q16: number;
  readonly q84: number;
  readonly min: number;
  readonly max: number;
}

/**
 * mean ± std (ddof = 1), median and 16/84 % quantiles of run values.
 * Infinite values (e.g. Z = ∞ when N_exp = 0) are an error: a mean of them is meaningless.
 * @param name argument name used in error messages.
 */
export function summarizeRuns(values: ArrayLike<number>, name = 'values'): RunSummary {
  const n = values.length;
  if (n === 0) throw new InputError(`summarizeRuns: ${name} is empty; need at least one run`);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) throw new InputError(`summarizeRuns: ${name}[${i}] must be finite, got ${v}`);
    sum += v;
  }
  const mean = sum / n;
  // two-pass variance (with the compensating term) for accuracy when |mean| ≫ spread
  let ss = 0;
  let comp = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i] - mean;
    ss += d * d;
    comp += d;
  }
  const variance = n > 1 ? (ss - (comp * comp) / n) / (n - 1) : 0;
  const std = Math.sqrt(Math.max(0, variance));
  const sorted = Float64Array.from(values).sort();
  return {
    n,
    mean,
    std,
    stdErr: std / Math.sqrt(n),
    median: quantileLinear(sorted, 0.5),
    q16: quantileLinear(sorted, 0.16),
    q84: quantileLinear(sorted, 0.84),
    min: sorted[0],
    max: sorted[n - 1],
  };
}
