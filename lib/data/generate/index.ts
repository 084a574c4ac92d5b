/**
 * The embedded LHCO-like event generator: a seeded stand-in for the LHC Olympics 2020 R&D dataset
 * (QCD dijets + W′ → X(→qq) Y(→qq) signal) with the same raw column layout, in GeV.
 *
 * @example
 * const events = generateLhcoLike({ background: 200_000, signal: 500, seed: 7 });
 * const features = deriveFeatures(events); // mJJ, mJ1, deltaMJ, tau21J1, ... in TeV
 */
import { createRng, type Rng } from '../../util/rng.js';
import { ConfigError, didYouMean } from '../../util/errors.js';
import { silent, type Reporter } from '../../util/reporter.js';
import type { EventTable } from '../eventTable.js';
import { generateBackgroundInto } from './background.js';
import { generateSignalInto } from './signal.js';
import {
  BACKGROUND_MODELS, DEFAULT_SIGNAL_PARAMS, type BackgroundModelName, type BackgroundModelParams, type SignalModelParams,
} from './params.js';
import { allocateRawColumns, rawColumnsToTable, type RawColumns } from './rawColumns.js';
import { RAW_COLUMNS } from '../features.js';

/** Independent background restricted to an m_JJ window (the IAD template, LHCO's "extra QCD in the SR"). */
export interface ExtraSrBackgroundOptions {
  /** Number of events (0: none). */
  readonly n: number;
  readonly mJJLowTeV: number;
  readonly mJJHighTeV: number;
}

/** Events generated per RNG fork: each chunk has its own stream, so chunks are independent of each other. */
export const GENERATOR_CHUNK_SIZE = 1 << 15;

/** Options of the generator (see GENERATOR_DEFAULTS for the defaults). */
export interface GeneratorOptions {
  /** QCD dijet background events (label 0). */
  readonly background: number;
  /** W′ signal events (label 1). */
  readonly signal: number;
  readonly seed: number;
  /** Shower-model stand-in: 'default' (Pythia-like) or 'alternative' (Herwig-like, for MC-based δsys). */
  readonly backgroundModel: BackgroundModelName;
  /** Signal resonance masses and widths (GeV) and shape parameters. */
  readonly signalModel: SignalModelParams;
  /** Independent background in an m_JJ window (generateExtraSrBackground). */
  readonly extraSrBackground: ExtraSrBackgroundOptions;
  /** Shuffle background and signal rows together (otherwise background rows come first). */
  readonly shuffle: boolean;
}

/** LHCO R&D defaults: 1M background, 1000 injected signal (S/B in the SR ≈ 0.6 %). */
export const GENERATOR_DEFAULTS: Readonly<GeneratorOptions> = Object.freeze({
  background: 1_000_000,
  signal: 1000,
  seed: 1,
  backgroundModel: 'default',
  signalModel: DEFAULT_SIGNAL_PARAMS,
  extraSrBackground: Object.freeze({ n: 0, mJJLowTeV: 3.3, mJJHighTeV: 3.7 }),
  shuffle: true,
});

/** User options: any subset; `signalModel` and `extraSrBackground` may be partial. */
export type GeneratorOptionsInput = Partial<Omit<GeneratorOptions, 'signalModel' | 'extraSrBackground'>> & {
  signalModel?: Partial<SignalModelParams>;
  extraSrBackground?: Partial<ExtraSrBackgroundOptions>;
};

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/** Merge with the defaults and validate; errors name the option, what was expected and what came. */
export function resolveGeneratorOptions(input: GeneratorOptionsInput = {}): GeneratorOptions {
  const known = Object.keys(GENERATOR_DEFAULTS);
  for (const k of Object.keys(input))
    if (!known.includes(k)) throw new ConfigError(`generateLhcoLike: unknown option "${k}"${didYouMean(k, known)}`);
  const o: GeneratorOptions = {
    ...GENERATOR_DEFAULTS,
    ...input,
    signalModel: { ...DEFAULT_SIGNAL_PARAMS, ...input.signalModel },
    extraSrBackground: { ...GENERATOR_DEFAULTS.extraSrBackground, ...input.extraSrBackground },
  } as GeneratorOptions;
  for (const k of ['background', 'signal'] as const)
    if (!isCount(o[k])) throw new ConfigError(`generateLhcoLike: option "${k}" must be a non-negative integer, got ${String(o[k])}`);
  if (!Number.isFinite(o.seed)) throw new ConfigError(`generateLhcoLike: option "seed" must be a finite number, got ${String(o.seed)}`);
  if (!(o.backgroundModel in BACKGROUND_MODELS))
    throw new ConfigError(`generateLhcoLike: option "backgroundModel" must be one of ${Object.keys(BACKGROUND_MODELS).join(', ')}, got "${String(o.backgroundModel)}"${didYouMean(String(o.backgroundModel), Object.keys(BACKGROUND_MODELS))}`);
  const s = o.signalModel;
  for (const [k, v] of Object.entries(s))
    if (!(typeof v === 'number' && Number.isFinite(v))) throw new ConfigError(`generateLhcoLike: signalModel.${k} must be a finite number, got ${String(v)}`);
  for (const k of ['wPrimeWidthGeV', 'xWidthGeV', 'yWidthGeV', 'wPrimePtMeanGeV', 'wPrimeRapiditySigma'] as const)
    if (s[k] < 0) throw new ConfigError(`generateLhcoLike: signalModel.${k} must be ≥ 0, got ${s[k]}`);
  if (!(s.wPrimePtMeanGeV > 0)) throw new ConfigError(`generateLhcoLike: signalModel.wPrimePtMeanGeV must be > 0, got ${s.wPrimePtMeanGeV}`);
  if (!(s.xMassGeV > 0 && s.yMassGeV > 0 && s.xMassGeV + s.yMassGeV < s.wPrimeMassGeV))
    throw new ConfigError(`generateLhcoLike: signal masses must satisfy 0 < m_X + m_Y < m_W′, got m_X=${s.xMassGeV}, m_Y=${s.yMassGeV}, m_W′=${s.wPrimeMassGeV} GeV`);
  if (!(s.prongDecayAnisotropy >= -1)) throw new ConfigError(`generateLhcoLike: signalModel.prongDecayAnisotropy must be ≥ −1 (a positive density), got ${s.prongDecayAnisotropy}`);
  if (!(s.radiationSudakovAlpha > 0)) throw new ConfigError(`generateLhcoLike: signalModel.radiationSudakovAlpha must be > 0, got ${s.radiationSudakovAlpha}`);
  const e = o.extraSrBackground;
  if (!isCount(e.n)) throw new ConfigError(`generateLhcoLike: extraSrBackground.n must be a non-negative integer, got ${String(e.n)}`);
  if (!(Number.isFinite(e.mJJLowTeV) && Number.isFinite(e.mJJHighTeV) && e.mJJLowTeV >= 0 && e.mJJLowTeV < e.mJJHighTeV))
    throw new ConfigError(`generateLhcoLike: extraSrBackground window must satisfy 0 ≤ mJJLowTeV < mJJHighTeV, got (${e.mJJLowTeV}, ${e.mJJHighTeV}) TeV`);
  if (e.n > 0 && e.mJJHighTeV - e.mJJLowTeV < 0.01)
    throw new ConfigError(`generateLhcoLike: extraSrBackground window (${e.mJJLowTeV}, ${e.mJJHighTeV}) TeV is narrower than 10 GeV; rejection sampling would not finish`);
  return o;
}

type ChunkFill = (out: RawColumns, offset: number, n: number, rng: Rng) => void;

/** Fill n events chunk by chunk, each chunk from its own fork `${label}/chunk:${k}`. */
function fillChunked(out: RawColumns, offset: number, n: number, root: Rng, label: string, fill: ChunkFill, tick: (n: number) => void): void {
  for (let k = 0, start = 0; start < n; k++, start += GENERATOR_CHUNK_SIZE) {
    const m = Math.min(GENERATOR_CHUNK_SIZE, n - start);
    fill(out, offset + start, m, root.fork(`${label}/chunk:${k}`));
    tick(m);
  }
}

/** Physics parameters of a background model by name. */
export const backgroundModelParams = (name: BackgroundModelName): BackgroundModelParams => BACKGROUND_MODELS[name];

/**
 * Generate LHCO-like events: `background` QCD dijets (label 0) and `signal` W′ → XY events (label 1),
 * raw LHCO columns in GeV (`pxj1 … tau3j2 label`, j1 = leading-pT jet), every event passing the
 * leading-jet trigger pT > 1.2 TeV. Deterministic: the same options give identical arrays.
 * Progress goes to `reporter.progress('events', done, total)`.
 */
export function generateLhcoLike(options: GeneratorOptionsInput = {}, reporter: Reporter = silent): EventTable {
  const o = resolveGeneratorOptions(options);
  const params = backgroundModelParams(o.backgroundModel);
  const root = createRng(o.seed);
  const total = o.background + o.signal;
  const cols = allocateRawColumns(total);
  let done = 0;
  const tick = (m: number): void => { done += m; reporter.progress('events', done, total); };
  reporter.progress('events', 0, total);
  fillChunked(cols, 0, o.background, root, `background:${o.backgroundModel}`, (out, off, n, rng) => generateBackgroundInto(out, off, n, rng, params), tick);
  fillChunked(cols, o.background, o.signal, root, 'signal', (out, off, n, rng) => generateSignalInto(out, off, n, rng, o.signalModel, params), tick);
  const table = rawColumnsToTable(cols);
  return o.shuffle && total > 1 ? table.take(root.fork('shuffle').permutation(total)) : table;
}

/**
 * The extra background restricted to `extraSrBackground` (m_JJ window, open interval), generated by
 * rejection from its own RNG fork: it is independent of, and does not change, the main sample.
 */
export function generateExtraSrBackground(options: GeneratorOptionsInput = {}, reporter: Reporter = silent): EventTable {
  const o = resolveGeneratorOptions(options);
  const params = backgroundModelParams(o.backgroundModel);
  const { n, mJJLowTeV, mJJHighTeV } = o.extraSrBackground;
  const cols = allocateRawColumns(n);
  const window = { low: mJJLowTeV * 1000, high: mJJHighTeV * 1000 };
  let done = 0;
  reporter.progress('extra SR background', 0, n);
  fillChunked(cols, 0, n, createRng(o.seed), `extra-sr-background:${o.backgroundModel}`,
    (out, off, m, rng) => generateBackgroundInto(out, off, m, rng, params, window),
    (m) => { done += m; reporter.progress('extra SR background', done, n); });
  return rawColumnsToTable(cols);
}

/** Both samples of a generator configuration. */
export function generateDataset(options: GeneratorOptionsInput = {}, reporter: Reporter = silent): { events: EventTable; extraSrBackground: EventTable } {
  return { events: generateLhcoLike(options, reporter), extraSrBackground: generateExtraSrBackground(options, reporter) };
}

export { RAW_COLUMNS };
export type { BackgroundModelName, BackgroundModelParams, SignalModelParams };
export { BACKGROUND_MODELS, DEFAULT_SIGNAL_PARAMS } from './params.js';
