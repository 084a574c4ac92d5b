/**
 * Two-sample Kolmogorov–Smirnov statistic D = sup_x |F_a(x) − F_b(x)| (test helper; the library's
 * statistics live in lib/stats).
 */
export function ksStatistic(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length === 0 || b.length === 0) throw new RangeError(`ksStatistic: empty sample (sizes ${a.length}, ${b.length})`);
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  let i = 0, j = 0, d = 0;
  while (i < x.length && j < y.length) {
    // Advance past all copies of the smaller value in both samples (ties step together).
    const v = Math.min(x[i], y[j]);
    while (i < x.length && x[i] === v) i++;
    while (j < y.length && y[j] === v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}

/** Asymptotic critical value of D at level alpha for sample sizes n, m (c(α) sqrt((n+m)/(nm))). */
export function ksCritical(n: number, m: number, alpha = 0.05): number {
  return Math.sqrt(-0.5 * Math.log(alpha / 2)) * Math.sqrt((n + m) / (n * m));
}
