/**
 * BumpHunter (G. Choudalakis, arXiv:1101.0390) on a binned spectrum against a reference
 * (background expectation):
 * - every window of w consecutive bins, for each width w in `widths`, sliding by `step(w)` bins;
 * - local p-value of a window with d observed and b expected events: the exact Poisson tail
 *   P(N ≥ d | b) = P(d, b) (regularized incomplete gamma) for d > b, and 1 otherwise (excesses only);
 * - test statistic t = −ln(min p);
 * - global p-value = fraction of background-only pseudo-experiments (Poisson(b) per bin) with
 *   t_pe ≥ t_obs, reported with its binomial error and as a significance.
 * Pure function: all settings in the options, the random stream passed in (seed or Rng), no state
 * kept between calls (pyBumpHunter's reseeding of a global RNG and self-modifying configuration are
 * what this avoids).
 */
import { ConfigError, ShapeError } from '../../util/errors.js';
import { createRng, type Rng } from '../../util/rng.js';
import { normalIsf, poissonUpperTail } from '../../util/special.js';

export const BUMP_HUNTER_DEFAULTS = Object.freeze({
  /** Smallest and largest window widths, in bins. */
  minWidth: 1 as number,
  maxWidth: 5 as number,
  /** Explicit list of widths (bins); overrides min/maxWidth. */
  widths: undefined as readonly number[] | undefined,
  /** Sliding step in bins: 'auto' = max(1, ⌊w/2⌋) as in the original, or a fixed number. */
  step: 'auto' as 'auto' | number,
  /** Number of background-only pseudo-experiments for the global p-value (0: none). */
  nPseudo: 1000 as number,
  /** Seed of the pseudo-experiments (ignored when `rng` is given). */
  seed: 1 as number,
  rng: undefined as Rng | undefined,
  /** Scale the reference to the data's total before scanning. */
  normaliseReference: false as boolean,
});
export type BumpHunterOptions = Partial<typeof BUMP_HUNTER_DEFAULTS>;

/** The most significant window. */
export interface BumpHunterWindow {
  /** First bin and one past the last bin. */
  firstBin: number;
  endBin: number;
  width: number;
  nObserved: number;
  nExpected: number;
  localP: number;
}

export interface BumpHunterResult {
  /** Most significant window (smallest local p). */
  best: BumpHunterWindow;
  /** t = −ln(min local p). */
  t: number;
  /** Global p-value from pseudo-experiments (NaN without), its binomial error, and its Z. */
  globalP: number;
  globalPError: number;
  globalZ: number;
  /** Local significance Φ̄⁻¹(min p). */
  localZ: number;
  /** t of each pseudo-experiment. */
  tPseudo: Float64Array;
  /** Best window per width. */
  perWidth: BumpHunterWindow[];
  widths: number[];
}

function resolveWidths(nBins: number, o: typeof BUMP_HUNTER_DEFAULTS): number[] {
  const ws = o.widths ? [...o.widths] : Array.from({ length: Math.max(0, o.maxWidth - o.minWidth + 1) }, (_, i) => o.minWidth + i);
  if (ws.length === 0) throw new ConfigError(`bumpHunter: no window widths (minWidth ${o.minWidth}, maxWidth ${o.maxWidth})`);
  for (const w of ws)
    if (!(Number.isInteger(w) && w >= 1 && w <= nBins)) throw new ConfigError(`bumpHunter: window width ${w} must be an integer in [1, ${nBins}] bins`);
  return ws;
}

/** Scan one spectrum: best window per width and overall. */
function scanOnce(data: ArrayLike<number>, ref: ArrayLike<number>, widths: number[], step: 'auto' | number): { best: BumpHunterWindow; perWidth: BumpHunterWindow[] } {
  const n = data.length;
  // prefix sums make every window O(1)
  const cd = new Float64Array(n + 1), cr = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) { cd[i + 1] = cd[i] + data[i]; cr[i + 1] = cr[i] + ref[i]; }
  const perWidth: BumpHunterWindow[] = [];
  let best: BumpHunterWindow | null = null;
  for (const w of widths) {
    const s = step === 'auto' ? Math.max(1, Math.floor(w / 2)) : step;
    let bw: BumpHunterWindow | null = null;
    for (let a = 0; a + w <= n; a += s) {
      const d = cd[a + w] - cd[a], b = cr[a + w] - cr[a];
      const p = d > b ? poissonUpperTail(d, b) : 1;
      if (!bw || p < bw.localP) bw = { firstBin: a, endBin: a + w, width: w, nObserved: d, nExpected: b, localP: p };
    }
    perWidth.push(bw!);
    if (!best || bw!.localP < best.localP) best = bw!;
  }
  return { best: best!, perWidth };
}

/**
 * Run the BumpHunter scan of `data` (observed counts per bin) against `reference` (expected
 * background per bin, e.g. a fit or a simulation).
 */
export function bumpHunter(data: ArrayLike<number>, reference: ArrayLike<number>, options: BumpHunterOptions = {}): BumpHunterResult {
  const o = { ...BUMP_HUNTER_DEFAULTS, ...options };
  const n = data.length;
  if (reference.length !== n) throw new ShapeError(`bumpHunter: data has ${n} bins, reference has ${reference.length}`);
  if (n === 0) throw new ShapeError('bumpHunter: empty spectrum');
  for (let i = 0; i < n; i++) {
    if (!(data[i] >= 0) || !Number.isFinite(data[i])) throw new ConfigError(`bumpHunter: data bin ${i} is ${data[i]}, expected a count ≥ 0`);
    if (!(reference[i] >= 0) || !Number.isFinite(reference[i])) throw new ConfigError(`bumpHunter: reference bin ${i} is ${reference[i]}, expected ≥ 0`);
  }
  if (!(o.step === 'auto' || (Number.isInteger(o.step) && o.step >= 1))) throw new ConfigError(`bumpHunter: step must be "auto" or an integer ≥ 1, got ${String(o.step)}`);
  if (!(Number.isInteger(o.nPseudo) && o.nPseudo >= 0)) throw new ConfigError(`bumpHunter: nPseudo must be an integer ≥ 0, got ${o.nPseudo}`);
  let ref = Float64Array.from(reference);
  if (o.normaliseReference) {
    let sd = 0, sr = 0;
    for (let i = 0; i < n; i++) { sd += data[i]; sr += ref[i]; }
    if (!(sr > 0)) throw new ConfigError('bumpHunter: cannot normalise an empty reference');
    ref = ref.map((v) => (v * sd) / sr);
  }
  const widths = resolveWidths(n, o);
  const obs = scanOnce(data, ref, widths, o.step);
  const t = -Math.log(obs.best.localP);
  const rng = o.rng ?? createRng(o.seed);
  const tPseudo = new Float64Array(o.nPseudo);
  let nAbove = 0;
  const pe = new Float64Array(n);
  for (let k = 0; k < o.nPseudo; k++) {
    // one stream per pseudo-experiment, derived by label: the result does not depend on order
    const r = rng.fork(`bumphunter:pe:${k}`);
    for (let i = 0; i < n; i++) pe[i] = r.poisson(ref[i]);
    const tk = -Math.log(scanOnce(pe, ref, widths, o.step).best.localP);
    tPseudo[k] = tk;
    if (tk >= t) nAbove++;
  }
  const globalP = o.nPseudo > 0 ? nAbove / o.nPseudo : NaN;
  return {
    best: obs.best,
    t,
    globalP,
    globalPError: o.nPseudo > 0 ? Math.sqrt(Math.max(globalP * (1 - globalP), 1 / o.nPseudo) / o.nPseudo) : NaN,
    globalZ: o.nPseudo > 0 ? normalIsf(Math.min(Math.max(globalP, 0.5 / o.nPseudo), 1)) : NaN,
    localZ: normalIsf(Math.min(obs.best.localP, 1)),
    tPseudo,
    perWidth: obs.perWidth,
    widths,
  };
}
