/**
 * A seeded ATLAS-style ℓℓJ generator (seed 004): H → Z(ℓℓ) V(qq) with a narrow 1 TeV heavy Higgs over
 * three background processes, written in the layout of the course's CSV files (MeV; one file per process):
 * `lep1_pt, lep2_pt, fatjet_pt, fatjet_eta, fatjet_D2, Zll_mass, Zll_pt, MET, reco_zv_mass, isSignal, FullEventWeight`.
 *
 * Kinematics (per entry, in GeV, converted to MeV on output):
 * - the ℓℓJ mass m is drawn from a generation power law m^−aGen on [mMin, mMax] (flatter than the physical
 *   spectrum m^−aTrue, so the high-mass tail has many entries — as in pT-sliced samples), and the weight carries
 *   the ratio true/generated: **entries ≠ events**, weights vary by a factor ≈ (mMax/mMin)^(aTrue−aGen) across
 *   a sample;
 * - the Z and the fat jet are back to back in the ℓℓJ rest frame: pT ≈ (m/2)·sinθ*, with cosθ* isotropic for the
 *   scalar signal (Jacobian peak at pT ≈ m/2) and t-channel–like (peaked forward, cbrt of a uniform) for the
 *   backgrounds, plus resolution and a small ISR recoil. **This ties every pT to the mass**: a classifier that
 *   learns "high pT is signal-like" prefers high-mass background, and one given the mass itself selects background
 *   near 1 TeV — that is the sculpting the search command measures;
 * - fatjet_D2 (two-prong V→qq: low; QCD one-prong: high, falling slowly with pT — a second, weaker mass
 *   correlation; top three-prong: in between), Zll_mass (Z line shape for Z+jets, diboson and signal; broad
 *   non-resonant for tt̄), MET (resolution-only, growing with pT, except tt̄ with neutrinos);
 * - reco_zv_mass: m smeared by a 3 % resolution; the signal has a low-side tail (15 % of entries lose
 *   an exponential fraction with mean 6 %, jet energy out of the cone): a Crystal Ball shape.
 *
 * Weights: FullEventWeight = (σ·L / N_entries) · r_i / ⟨r⟩ with r = m^(aGen−aTrue), so Σw = σ·L (the expected
 * events) exactly. The Z+jets sample is NLO-like: a fraction of its entries carry negative weights (documented
 * per process, `negativeFraction`); all weights are scaled by 1/(1 − 2f) so the expected Σw is unchanged.
 * Histograms and the weighted χ² take them as they are (Σw, Σw²); classifier training uses |w| (the common
 * practice; a loss with negative weights is not bounded below).
 */
import { createRng, type Rng } from '../../util/rng.js';
import { ConfigError, didYouMean } from '../../util/errors.js';
import { silent, type Reporter } from '../../util/reporter.js';
import { EventTable } from '../eventTable.js';

/** The CSV columns of the ATLAS ℓℓJ samples, in file order. */
export const LLJ_COLUMNS = Object.freeze([
  'lep1_pt', 'lep2_pt', 'fatjet_pt', 'fatjet_eta', 'fatjet_D2', 'Zll_mass', 'Zll_pt', 'MET', 'reco_zv_mass', 'isSignal', 'FullEventWeight',
] as const);

/** Units of the columns (the files store none; these are the files' documented units). */
export const LLJ_UNITS: Readonly<Record<string, string>> = Object.freeze({
  lep1_pt: 'MeV', lep2_pt: 'MeV', fatjet_pt: 'MeV', fatjet_eta: '', fatjet_D2: '', Zll_mass: 'MeV', Zll_pt: 'MeV',
  MET: 'MeV', reco_zv_mass: 'MeV', isSignal: '', FullEventWeight: '',
});

/** Kinematic parameters of one process (GeV). */
export interface LljProcess {
  /** Expected events σ·L of the sample (Σ FullEventWeight). */
  readonly expectedEvents: number;
  readonly isSignal: boolean;
  /** Signal: resonance mass and relative resolution; backgrounds: power laws on [mMin, mMax]. */
  readonly massGeV?: number;
  readonly aTrue?: number;
  readonly aGen?: number;
  /** cosθ* law: 'isotropic' (scalar decay) or 'forward' (t-channel–like). */
  readonly angular: 'isotropic' | 'forward';
  /** Width of the ℓℓJ system's rapidity (boost). */
  readonly boostSigma: number;
  /** D2 median at pT = 300 GeV, its log-normal width and its slope d ln D2 / d ln pT. */
  readonly d2Median: number;
  readonly d2Width: number;
  readonly d2PtSlope: number;
  /** 'z': Z line shape; 'continuum': non-resonant dileptons. */
  readonly dilepton: 'z' | 'continuum';
  /** Mean of the genuine MET (GeV; 0 when there are no neutrinos). */
  readonly metTrueMean: number;
  /** Fraction of entries with negative weights (NLO). */
  readonly negativeFraction: number;
}

/** The four processes: signal and three backgrounds (names are the output file stems). */
export const LLJ_PROCESSES: Readonly<Record<string, LljProcess>> = Object.freeze({
  signal: Object.freeze({
    expectedEvents: 25, isSignal: true, massGeV: 1000, angular: 'isotropic', boostSigma: 0.5,
    d2Median: 1.2, d2Width: 0.35, d2PtSlope: 0, dilepton: 'z', metTrueMean: 0, negativeFraction: 0,
  }),
  zjets: Object.freeze({
    expectedEvents: 180_000, isSignal: false, aTrue: 5.5, aGen: 2.5, angular: 'forward', boostSigma: 0.8,
    d2Median: 2.0, d2Width: 0.4, d2PtSlope: -0.2, dilepton: 'z', metTrueMean: 0, negativeFraction: 0.05,
  }),
  ttbar: Object.freeze({
    expectedEvents: 30_000, isSignal: false, aTrue: 6.5, aGen: 3, angular: 'forward', boostSigma: 0.6,
    d2Median: 1.7, d2Width: 0.4, d2PtSlope: -0.1, dilepton: 'continuum', metTrueMean: 70, negativeFraction: 0,
  }),
  diboson: Object.freeze({
    expectedEvents: 3_000, isSignal: false, aTrue: 5, aGen: 2.5, angular: 'forward', boostSigma: 0.7,
    d2Median: 1.2, d2Width: 0.35, d2PtSlope: 0, dilepton: 'z', metTrueMean: 0, negativeFraction: 0,
  }),
});

/** Options of {@link generateLlj}. */
export interface LljOptions {
  /** Entries (CSV rows) per process. */
  readonly entries: Readonly<Record<string, number>>;
  readonly seed: number;
  /** Mass range of the background generation (GeV). */
  readonly mMinGeV: number;
  readonly mMaxGeV: number;
  /** Relative mass resolution of reco_zv_mass. */
  readonly massResolution: number;
}

export const LLJ_DEFAULTS: Readonly<LljOptions> = Object.freeze({
  entries: Object.freeze({ signal: 20_000, zjets: 150_000, ttbar: 60_000, diboson: 40_000 }),
  seed: 1,
  mMinGeV: 300,
  mMaxGeV: 3000,
  massResolution: 0.03,
});

const Z_MASS = 91.19, Z_WIDTH = 2.5;

/** Sample m from m^−a on [lo, hi]. */
function powerLaw(rng: Rng, a: number, lo: number, hi: number): number {
  const u = rng.uniform();
  if (Math.abs(a - 1) < 1e-12) return lo * (hi / lo) ** u;
  const e = 1 - a;
  return (lo ** e + u * (hi ** e - lo ** e)) ** (1 / e);
}

/** Relativistic-free Breit–Wigner ⊗ Gaussian resolution, kept within 40 GeV of the pole. */
function zLineShape(rng: Rng): number {
  for (;;) {
    const bw = Z_MASS + 0.5 * Z_WIDTH * Math.tan(Math.PI * (rng.uniform() - 0.5));
    const m = bw + 2.5 * rng.normal();
    if (Math.abs(m - Z_MASS) < 40) return m;
  }
}

function generateProcess(name: string, p: LljProcess, n: number, o: LljOptions, rng: Rng): EventTable {
  const cols: Record<string, Float64Array> = Object.fromEntries(LLJ_COLUMNS.map((c) => [c, new Float64Array(n)]));
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let mTrue: number;
    if (p.isSignal) {
      mTrue = p.massGeV!;
      r[i] = 1;
    } else {
      mTrue = powerLaw(rng, p.aGen!, o.mMinGeV, o.mMaxGeV);
      r[i] = mTrue ** (p.aGen! - p.aTrue!);
    }
    const c = p.angular === 'isotropic' ? 2 * rng.uniform() - 1 : Math.cbrt(2 * rng.uniform() - 1);
    const sinT = Math.sqrt(Math.max(1 - c * c, 0));
    const ptStar = 0.5 * mTrue * sinT;
    // ISR recoil: the Z and the jet share a small transverse kick with opposite effect on their balance.
    const kick = 25 * Math.abs(rng.normal());
    const zPt = Math.max(ptStar * (1 + 0.03 * rng.normal()) + 0.5 * kick * rng.normal(), 5);
    const jetPt = Math.max(ptStar * (1 + 0.08 * rng.normal()) + 0.5 * kick * rng.normal(), 5);
    const boost = p.boostSigma * rng.normal();
    const yStar = 0.5 * Math.log((1 + c) / Math.max(1 - c, 1e-9));
    const eta = boost - yStar;
    const d2 = p.d2Median * Math.pow(Math.max(jetPt, 50) / 300, p.d2PtSlope) * Math.exp(p.d2Width * rng.normal());
    const mll = p.dilepton === 'z' ? zLineShape(rng) : 50 + rng.exponential(1 / 60);
    // Lepton sharing of the dilepton pT: z = ½(1 + β cosθ) for a Z decay; uncorrelated leptons otherwise.
    const share = p.dilepton === 'z' ? 0.5 * (1 + 0.95 * (2 * rng.uniform() - 1)) : 0.15 + 0.7 * rng.uniform();
    const l1 = Math.max(share, 1 - share) * zPt, l2 = Math.min(share, 1 - share) * zPt;
    const metResolution = 10 + 0.05 * (zPt + jetPt);
    const met = Math.hypot(metResolution * rng.normal(), metResolution * rng.normal()) * Math.SQRT1_2 + (p.metTrueMean > 0 ? rng.exponential(1 / p.metTrueMean) : 0);
    let mReco = mTrue * (1 + o.massResolution * rng.normal());
    if (p.isSignal && rng.uniform() < 0.15) mReco *= 1 - rng.exponential(1 / 0.06);
    const MeV = 1000;
    cols.lep1_pt[i] = l1 * MeV;
    cols.lep2_pt[i] = l2 * MeV;
    cols.fatjet_pt[i] = jetPt * MeV;
    cols.fatjet_eta[i] = eta;
    cols.fatjet_D2[i] = d2;
    cols.Zll_mass[i] = mll * MeV;
    cols.Zll_pt[i] = zPt * MeV;
    cols.MET[i] = met * MeV;
    cols.reco_zv_mass[i] = Math.max(mReco, 1) * MeV;
    cols.isSignal[i] = p.isSignal ? 1 : 0;
  }
  // Σw = σL exactly; NLO-like negative entries with the positive ones scaled up to keep Σw.
  let meanR = 0;
  for (let i = 0; i < n; i++) meanR += r[i];
  meanR /= n;
  const f = p.negativeFraction;
  const signRng = rng.fork(`${name}:sign`);
  const signs = new Float64Array(n);
  let sumSigned = 0;
  for (let i = 0; i < n; i++) { signs[i] = f > 0 && signRng.uniform() < f ? -1 : 1; sumSigned += signs[i] * r[i] / meanR; }
  const scale = p.expectedEvents / sumSigned;
  for (let i = 0; i < n; i++) cols.FullEventWeight[i] = (signs[i] * r[i] / meanR) * scale;
  // No units on the table: the course files carry bare column names (units are LLJ_UNITS, by convention).
  return new EventTable(cols);
}

/**
 * Generate the ℓℓJ samples: one table per process (keys of `entries`, each a name of {@link LLJ_PROCESSES}).
 * Each process has its own RNG stream forked from `seed` by name, so adding a process changes no other.
 * @example
 * const samples = generateLlj({ seed: 3, entries: { signal: 2000, zjets: 20000, ttbar: 8000, diboson: 4000 } });
 * samples.get('zjets')!.column('reco_zv_mass'); // MeV
 */
export function generateLlj(options: Partial<LljOptions> = {}, reporter: Reporter = silent): Map<string, EventTable> {
  const o: LljOptions = { ...LLJ_DEFAULTS, ...options };
  if (!Number.isFinite(o.seed)) throw new ConfigError(`generateLlj: seed must be a finite number, got ${o.seed}`);
  if (!(o.mMinGeV > 0 && o.mMaxGeV > o.mMinGeV)) throw new ConfigError(`generateLlj: need 0 < mMinGeV < mMaxGeV, got ${o.mMinGeV}, ${o.mMaxGeV}`);
  if (!(o.massResolution > 0 && o.massResolution < 0.5)) throw new ConfigError(`generateLlj: massResolution must be in (0, 0.5), got ${o.massResolution}`);
  const root = createRng(o.seed);
  const out = new Map<string, EventTable>();
  const names = Object.keys(o.entries);
  names.forEach((name, k) => {
    const p = LLJ_PROCESSES[name];
    if (!p) throw new ConfigError(`generateLlj: unknown process "${name}"${didYouMean(name, Object.keys(LLJ_PROCESSES))}; known: ${Object.keys(LLJ_PROCESSES).join(', ')}`);
    const n = o.entries[name];
    if (!(Number.isInteger(n) && n >= 1)) throw new ConfigError(`generateLlj: entries of "${name}" must be a positive integer, got ${n}`);
    out.set(name, generateProcess(name, p, n, o, root.fork(`llj:${name}`)));
    reporter.progress('llj processes', k + 1, names.length);
  });
  return out;
}
