/**
 * Configuration of the supervised resonance search (seed 004): the samples, the declarative square cuts
 * (never on the fit variable), the mass histogram and fit models, and the classifier study. Validated by
 * `data-schemas/search-config.schema.json`, then by {@link checkSearchConfig} for what a schema cannot say.
 */
import { ConfigError, didYouMean } from '../util/errors.js';
import { validateSchema } from '../util/schema.js';

/** One sample file: a process name and its path (relative paths resolve against the config file). */
export interface SampleSpec {
  readonly name: string;
  readonly path: string;
}

/** A square cut `min ≤ variable < max` (either bound optional), in the file's units. */
export interface SquareCut {
  readonly variable: string;
  readonly min?: number;
  readonly max?: number;
}

export type SignalModelName = 'gaussian' | 'crystalball';
export type BackgroundModelName = 'dijet3' | 'dijet4' | 'dijet5' | 'poly1' | 'poly2' | 'poly3' | 'poly4' | 'poly5';
export const BACKGROUND_MODEL_NAMES: readonly BackgroundModelName[] = ['dijet3', 'dijet4', 'dijet5', 'poly1', 'poly2', 'poly3', 'poly4', 'poly5'];

/** Which entries train the classifier: all, those passing the square cuts, or those passing the looser cuts. */
export type TrainingSample = 'before-cuts' | 'after-cuts' | 'loose-cuts';

export interface ClassifierConfig {
  /** Registered model kind: 'hgb' or 'mlp'. */
  readonly kind: 'hgb' | 'mlp';
  readonly options: Readonly<Record<string, unknown>>;
  /** Input features (never the fit variable, the weight or the label; the mass-aware variant adds the fit variable). */
  readonly features: readonly string[];
  readonly trainingSample: TrainingSample;
  /** Fraction of every process's entries used for training; the rest is held out for ROC, spectra and fits. */
  readonly trainFraction: number;
  /** Keep events with score ≥ scoreCut (on top of the square cuts). */
  readonly scoreCut: number;
  /** Training seeds: each draws its own train/held-out split and trains anew (the spread of the gain). */
  readonly seeds: readonly number[];
}

export interface SculptingConfig {
  /** Run the mass-aware classifier and its decorrelated version. */
  readonly enabled: boolean;
  /** Mass bins (equal background entries) of the decorrelating map (the designed-decorrelated-tagger quantile map). */
  readonly ddtMassBins: number;
  /** Background events resampled (∝ |w|) for dCor(score, mass). */
  readonly dcorEvents: number;
}

/** The whole search configuration (masses in `massUnit` after scaling by `massScale`). */
export interface SearchConfig {
  readonly name: string;
  readonly samples: readonly SampleSpec[];
  readonly fitVariable: string;
  readonly weightColumn: string;
  readonly signalColumn: string;
  /** Multiplies the fit variable into `massUnit` (0.001: MeV → GeV). */
  readonly massScale: number;
  readonly massUnit: string;
  readonly histogram: { readonly low: number; readonly high: number; readonly bins: number };
  /** Background (and joint) fit range in massUnit. */
  readonly fitRange: readonly [number, number];
  /** Range of the signal-only shape fit. */
  readonly signalFitRange: readonly [number, number];
  readonly signalModel: SignalModelName;
  readonly backgroundModel: BackgroundModelName;
  /** √s in massUnit (the dijet function's x = m/√s). */
  readonly sqrtS: number;
  readonly cuts: readonly SquareCut[];
  readonly looseCuts: readonly SquareCut[];
  readonly classifier: ClassifierConfig | null;
  readonly sculpting: SculptingConfig;
  readonly seed: number;
}

/** The ATLAS ℓℓJ preset (`--preset llj`), for the generated samples or the course's files (same layout). */
export const LLJ_PRESET: Readonly<Omit<SearchConfig, 'samples'>> = Object.freeze({
  name: 'llj',
  fitVariable: 'reco_zv_mass',
  weightColumn: 'FullEventWeight',
  signalColumn: 'isSignal',
  massScale: 0.001,
  massUnit: 'GeV',
  histogram: { low: 300, high: 2500, bins: 110 },
  fitRange: [750, 2500] as const,
  signalFitRange: [700, 1200] as const,
  signalModel: 'crystalball' as const,
  backgroundModel: 'dijet3' as const,
  sqrtS: 13000,
  cuts: [
    { variable: 'fatjet_pt', min: 250_000 },
    { variable: 'Zll_pt', min: 250_000 },
    { variable: 'fatjet_D2', max: 1.6 },
    { variable: 'Zll_mass', min: 81_000, max: 101_000 },
    { variable: 'MET', max: 80_000 },
  ],
  looseCuts: [
    { variable: 'fatjet_pt', min: 150_000 },
    { variable: 'Zll_pt', min: 150_000 },
  ],
  classifier: {
    kind: 'hgb' as const,
    options: { maxIter: 150, learningRate: 0.1, maxLeafNodes: 31 },
    features: ['lep1_pt', 'lep2_pt', 'fatjet_pt', 'fatjet_eta', 'fatjet_D2', 'Zll_mass', 'Zll_pt', 'MET'],
    trainingSample: 'loose-cuts' as const,
    trainFraction: 0.5,
    scoreCut: 0.9,
    seeds: [1, 2, 3],
  },
  sculpting: { enabled: true, ddtMassBins: 20, dcorEvents: 20_000 },
  seed: 1,
});

/** The sample files of the generated ℓℓJ samples in `dir` (as `sidewinder generate --process llj` names them). */
export const lljSamples = (dir: string): SampleSpec[] =>
  ['signal', 'zjets', 'ttbar', 'diboson'].map((name) => ({ name, path: `${dir}/${name}.csv` }));

export const SEARCH_PRESETS: Readonly<Record<string, Readonly<Omit<SearchConfig, 'samples'>>>> = Object.freeze({ llj: LLJ_PRESET });

/**
 * Validate a parsed config file (schema, then the cross-field rules) and merge it over a preset when it
 * names one (`"preset": "llj"`): the file's keys replace the preset's.
 * @param source names the file in errors.
 */
export function parseSearchConfig(doc: unknown, source: string): SearchConfig {
  const d = validateSchema<Partial<SearchConfig> & { preset?: string }>('search-config', doc, source);
  const { preset, ...rest } = d;
  let base: Partial<SearchConfig> = {};
  if (preset !== undefined) {
    const p = SEARCH_PRESETS[preset];
    if (!p) throw new ConfigError(`${source}: unknown preset "${preset}"${didYouMean(preset, Object.keys(SEARCH_PRESETS))}`);
    base = p;
  }
  const merged = { ...base, ...rest } as SearchConfig;
  const missing = ['samples', 'fitVariable', 'weightColumn', 'signalColumn', 'histogram', 'fitRange', 'signalFitRange', 'cuts']
    .filter((k) => (merged as unknown as Record<string, unknown>)[k] === undefined);
  if (missing.length) throw new ConfigError(`${source}: missing ${missing.join(', ')} (give them or "preset": "llj")`);
  return checkSearchConfig({ ...LLJ_PRESET, ...merged }, source);
}

/**
 * Rules beyond the schema: no cut on the fit variable (the seed's rule: the signal would be selected by
 * hand and the background shape made), features exclude the fit variable / weight / label, ranges ordered.
 */
export function checkSearchConfig(c: SearchConfig, source = 'search config'): SearchConfig {
  const forbidden = (v: string) => v === c.fitVariable;
  for (const [list, key] of [[c.cuts, 'cuts'], [c.looseCuts, 'looseCuts']] as const)
    list.forEach((cut, i) => {
      if (forbidden(cut.variable))
        throw new ConfigError(`${source}: ${key}[${i}] cuts on the fit variable "${cut.variable}"; square cuts on the fitted mass are refused (they select the signal by hand and sculpt the background)`);
      if (cut.min === undefined && cut.max === undefined) throw new ConfigError(`${source}: ${key}[${i}] on "${cut.variable}" has neither min nor max`);
      if (cut.min !== undefined && cut.max !== undefined && !(cut.max > cut.min))
        throw new ConfigError(`${source}: ${key}[${i}] on "${cut.variable}": max (${cut.max}) must exceed min (${cut.min})`);
    });
  const h = c.histogram;
  if (!(h.high > h.low) || !(Number.isInteger(h.bins) && h.bins >= 5)) throw new ConfigError(`${source}: histogram needs high > low and bins ≥ 5, got ${JSON.stringify(h)}`);
  for (const [r, key] of [[c.fitRange, 'fitRange'], [c.signalFitRange, 'signalFitRange']] as const)
    if (!(r[1] > r[0]) || r[0] < h.low || r[1] > h.high) throw new ConfigError(`${source}: ${key} [${r.join(', ')}] must be increasing and inside the histogram [${h.low}, ${h.high}]`);
  if (c.classifier) {
    const bad = c.classifier.features.find((f) => f === c.fitVariable || f === c.weightColumn || f === c.signalColumn);
    if (bad) throw new ConfigError(`${source}: classifier.features holds "${bad}"; the fit variable, the weight and the label are not inputs (the mass-aware study adds the mass itself)`);
    if (c.classifier.seeds.length === 0) throw new ConfigError(`${source}: classifier.seeds is empty`);
  }
  if (c.backgroundModel.startsWith('dijet') && !(c.sqrtS > c.fitRange[1])) throw new ConfigError(`${source}: sqrtS (${c.sqrtS}) must exceed the fit range for the dijet function`);
  return c;
}
