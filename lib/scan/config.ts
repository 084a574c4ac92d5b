import { ConfigError, didYouMean } from '../util/errors.js';
import { formatSchemaErrors, schemaValidator } from '../util/schema.js';

/** The weakly-supervised methods a scan can run (docs/physics.md#methods; lib/methods/registry.ts). */
import type { CathodeSettings, MethodName } from '../methods/types.js';
import { METHOD_NAMES } from '../methods/registry.js';
export type { MethodName };
export const METHODS: readonly MethodName[] = METHOD_NAMES;

/**
 * Classifier families selectable for every method, named as the model registry names them
 * (`hgb`: histogram gradient boosting). `gbdt`, the old spelling, is read as `hgb`.
 */
export type ClassifierKind = 'hgb' | 'mlp' | 'cart' | 'onnx';

/** Where the events come from: a file, or the embedded generator with its options. */
export interface DatasetSpec {
  /** Path of an LHCO-layout file (h5, parquet, arrow, csv) or a feature .npy; absent → generate. */
  path?: string;
  /** Several files with the same columns, concatenated in order (instead of `path`). */
  paths?: string[];
  /** HDF5 key when the file holds several objects. */
  key?: string;
  /**
   * Drop events with non-finite or unphysical values (counted, logged and stored in results.json)
   * instead of refusing the sample (the default). CLI: --drop-invalid.
   */
  dropInvalid?: boolean;
  /** Generator options when no path is given (background, signal, seed, backgroundModel). */
  generate?: {
    background: number;
    signal: number;
    seed: number;
    backgroundModel?: 'default' | 'alternative';
    /** Generate background only in this m_JJ range (TeV), e.g. an IAD template over the windows. */
    mJJRangeTeV?: [number, number];
  };
}

/** Classifiers averaged per fold for one method: `ensembleByMethod` where it names the method, else `ensemble`. */
export const ensembleOf = (config: Pick<ScanConfig, 'ensemble' | 'ensembleByMethod'>, method: MethodName): number => config.ensembleByMethod?.[method] ?? config.ensemble;

/** Ranges of the summaries stored beside the results; defaults in the schema (`$defs/summaries`). */
export interface ScanSummaries {
  /** m_JJ range (TeV) of the stored spectra. */
  spectrumTeV: [number, number];
  spectrumBins: number;
  /** The classical dijet fit starts here (TeV), above the trigger turn-on. */
  bumpHuntFitFromTeV: number;
  /** √s (TeV) of the dijet function. */
  sqrtSTeV: number;
  /** Events used for dCor(feature, m_JJ). */
  dependenceEvents: number;
}

/** A complete scan configuration (validated against data-schemas/scan-config.schema.json). */
export interface ScanConfig {
  schema: 'sidewinder/scan-config';
  version: 1;
  /** Preset this configuration started from. */
  preset: string;
  /** The analysed dataset ("data": background + any signal). */
  dataset: DatasetSpec;
  /** IAD background template: an independent background-only sample (file or generated). */
  template: DatasetSpec;
  /**
   * Signal-free control sample (the alternative background model, a stand-in for a second MC
   * generator): every method runs on it too, giving the MC-based δsys and the background-only
   * pseudo-experiments of the look-elsewhere correction. Absent: δsys from `deltaSys`, Šidák only.
   */
  control?: DatasetSpec;
  /** Windows config file (relative to the repo root or absolute) and an optional subset of ids. */
  windows: { file: string; ids?: number[] };
  methods: MethodName[];
  /** Summaries stored beside the results (spectra, bump-hunt fit, dependence); absent fields take the schema's defaults. */
  summaries?: Partial<ScanSummaries>;
  /** Classifier inputs: a named feature set (baseline | deltaR | extended). */
  features: string;
  /** Working points ε_B. */
  epsilonB: number[];
  classifier: { kind: ClassifierKind; options: Record<string, unknown>; onnxPath?: string };
  /** k of the k-fold cross-fitting. */
  folds: number;
  /**
   * Minimum number of template events passing a working point (default 10,
   * `DEFAULT_MIN_TEMPLATE_PASS`): a (window, method, ε_B) whose template cannot reach it is refused —
   * no significance, the template size needed ⌈min/ε_B⌉ reported instead (lib/stats `templateResolution`).
   */
  minTemplatePass?: number;
  /** Classifiers averaged per fold. */
  ensemble: number;
  /** Classifiers averaged per fold for some methods, overriding `ensemble` for them. */
  ensembleByMethod?: Partial<Record<MethodName, number>>;
  /** Independent runs (different seeds) giving mean ± std. */
  runs: number;
  /**
   * Raise `ensemble` and `runs` along a fixed ladder (5 × 2 … 50 × 10) while the classifier work —
   * runs × members summed over methods × SR events of the cross-fitted samples and windows — stays
   * within `srEventFits`; never below the configured values (lib/scan/budget.ts). Resolved when the
   * data are loaded; the plan holds the chosen numbers.
   */
  ensembleBudget?: { srEventFits: number };
  seed: number;
  /**
   * CATHODE's template generator: `generator` 'flow' (default: the conditional MAF with `flow` options)
   * or 'gan' (the conditional GAN of lib/ml/gan with `gan` options); absent keys keep old plan keys.
   */
  cathode: CathodeSettings;
  /**
   * δsys per method and ε_B (keys are ε_B as written, e.g. "0.001"); IAD always 0. Without values,
   * δsys is measured on the control sample (MC-based). `dataDriven` adds CATHODE's sideband closure
   * (flow sampled into the short sidebands vs the data there), combined with the MC value in quadrature.
   */
  /** `uncertainty`: how σ_sys covers a measured δsys (lib/stats/dsys.ts `DeltaSysUncertainty`, or `auto`: {@link deltaSysUncertaintyOf}). */
  deltaSys: { values?: Partial<Record<MethodName, Record<string, number>>>; dataDriven?: boolean; uncertainty?: 'auto' | 'anchor' | 'residual' };
  lookElsewhere: { pseudoExperiments: number };
}

/**
 * Check the invariants the JSON Schema cannot express (relations between fields) and name what is
 * wrong. Run after the schema ({@link validateScanConfig} runs both).
 */
export function checkScanConfig(cfg: ScanConfig, source = 'scan config'): ScanConfig {
  const samples: [string, DatasetSpec | undefined][] = [['dataset', cfg.dataset], ['template', cfg.template], ['control', cfg.control]];
  for (const [name, spec] of samples) {
    if (!spec) continue;
    // The schema requires at least one source (anyOf); only "not two at once" is left to check here.
    const given = (['path', 'paths', 'generate'] as const).filter((k) => spec[k] !== undefined);
    if (given.length > 1)
      throw new ConfigError(`${source}: ${name} needs exactly one of "path", "paths" or "generate", got ${given.map((k) => `"${k}"`).join(' and ')}`);
    const r = spec.generate?.mJJRangeTeV;
    if (r && !(r[0] < r[1])) throw new ConfigError(`${source}: ${name}.generate.mJJRangeTeV must be [low, high] with low < high, got [${r.join(', ')}]`);
  }
  const spectrum = cfg.summaries?.spectrumTeV;
  if (spectrum && !(spectrum[0] < spectrum[1])) throw new ConfigError(`${source}: summaries.spectrumTeV must be [low, high] with low < high, got [${spectrum.join(', ')}]`);
  if (cfg.classifier.onnxPath !== undefined && cfg.classifier.kind !== 'onnx')
    throw new ConfigError(`${source}: classifier.onnxPath is given but classifier.kind is "${cfg.classifier.kind}"; an ONNX classifier needs kind "onnx"`);
  // δsys values are looked up by String(ε_B): a key written otherwise ("1e-3") or for an ε_B not
  // scanned would be ignored without a word.
  const written = cfg.epsilonB.map(String);
  for (const [method, perEps] of Object.entries(cfg.deltaSys.values ?? {}))
    for (const key of Object.keys(perEps ?? {}))
      if (!written.includes(key)) {
        const same = cfg.epsilonB.find((e) => e === Number(key));
        throw new ConfigError(
          same !== undefined
            ? `${source}: deltaSys.values.${method}: write the key "${key}" as "${String(same)}" (ε_B keys are written as JavaScript prints the number)`
            : `${source}: deltaSys.values.${method}: "${key}" is not a working point of the scan (epsilonB: ${written.join(', ')})`,
        );
      }
  return cfg;
}

/** The value at a JSON pointer of `doc` (undefined when absent). */
function atPointer(doc: unknown, pointer: string): unknown {
  let v: unknown = doc;
  for (const raw of pointer.split('/').slice(1)) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return v;
}

/**
 * Validate a scan configuration completely: the JSON Schema (data-schemas/scan-config.schema.json:
 * types, ranges, duplicates), then {@link checkScanConfig}. Runs before any data are read.
 * @param source names the file (or preset) in messages.
 * @param origin where values came from, by JSON pointer prefix: `{ '/epsilonB': '--epsilon-b' }`
 *   makes an error at /epsilonB/1 read "--epsilon-b: 0.01 appears twice".
 * @throws ConfigError with one clause per problem.
 */
export function validateScanConfig(cfg: unknown, source = 'scan configuration', origin: Readonly<Record<string, string>> = {}): ScanConfig {
  const validate = schemaValidator('scan-config');
  if (!validate(cfg)) {
    const errors = validate.errors ?? [];
    const optionOf = (path: string): string | undefined => {
      const prefix = Object.keys(origin).filter((k) => path === k || path.startsWith(`${k}/`)).sort((a, b) => b.length - a.length)[0];
      return prefix !== undefined ? origin[prefix] : undefined;
    };
    // Clauses by where they point: a command-line option, or a JSON path of the configuration.
    const byOption = new Map<string, string[]>(), byPath = new Map<string, string[]>();
    const add = (path: string, text: string): void => {
      const opt = optionOf(path);
      const [map, key] = opt !== undefined ? [byOption, opt] : [byPath, path || '(top level)'];
      const list = map.get(key) ?? [];
      if (!list.includes(text)) list.push(text);
      map.set(key, list);
    };
    const missing = new Map<string, string[]>();
    for (const e of errors) {
      // "if"/"anyOf" failures are summarised by their own clause (the sub-errors say less).
      if (e.keyword === 'if' || /\/anyOf\/\d+\//.test(e.schemaPath)) continue;
      const value = atPointer(cfg, e.instancePath);
      const shown = JSON.stringify(value);
      if (e.keyword === 'required') {
        missing.set(e.instancePath, [...(missing.get(e.instancePath) ?? []), `"${(e.params as { missingProperty: string }).missingProperty}"`]);
      } else if (e.keyword === 'uniqueItems') {
        const { i, j } = e.params as { i: number; j: number };
        add(e.instancePath, `${JSON.stringify((value as unknown[])[i])} appears twice (items ${Math.min(i, j) + 1} and ${Math.max(i, j) + 1})`);
      } else if (e.keyword === 'enum') {
        const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
        const hint = typeof value === 'string' ? didYouMean(value, allowed.map(String)) : '';
        add(e.instancePath, `${shown} is not one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}${hint}`);
      } else if (e.keyword === 'anyOf') {
        add(e.instancePath, 'needs one of "path", "paths" or "generate"');
      } else if (e.keyword === 'additionalProperties') {
        add(e.instancePath, `unknown property "${(e.params as { additionalProperty: string }).additionalProperty}"`);
      } else if (['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'type', 'minLength', 'const'].includes(e.keyword)) {
        add(e.instancePath, `got ${shown}; ${e.message ?? e.keyword}`);
      } else add(e.instancePath, e.message ?? e.keyword);
    }
    for (const [path, names] of missing) add(path, `missing ${names.join(', ')}`);
    const clauses = [
      ...[...byOption].map(([opt, texts]) => `${opt}: ${texts.join('; ')}`),
      ...(byPath.size ? [`${source}: ${[...byPath].map(([path, texts]) => `${path}: ${texts.join('; ')}`).join('; ')}`] : []),
    ];
    throw new ConfigError(clauses.length ? clauses.join('; ') : `${source}: does not match scan-config.schema.json: ${formatSchemaErrors(errors)}`);
  }
  const c = cfg as ScanConfig;
  // The old spelling of the boosted trees: one name from here on (the model registry's).
  if ((c.classifier.kind as string) === 'gbdt') c.classifier = { ...c.classifier, kind: 'hgb' };
  return checkScanConfig(c, source);
}

/**
 * The δsys uncertainty mode a scan uses, and why. `residual` (σ_sys² = σ_δ² + τ²) is calibrated only where
 * the control sample's bias transfers to the data, so `auto` (the default) chooses it only where that was
 * measured: data and control both drawn from sidewinder's generator (either background model; the
 * background-only toys of docs/physics.md). Data or control from files get `anchor` (the shift also kept
 * whole as a systematic): nothing here shows that a bias measured on one transfers to the other.
 */
export function deltaSysUncertaintyOf(cfg: Pick<ScanConfig, 'dataset' | 'control' | 'deltaSys'>): { mode: 'anchor' | 'residual'; why: string } {
  const set = cfg.deltaSys.uncertainty ?? 'auto';
  if (set !== 'auto') return { mode: set, why: 'as configured (deltaSys.uncertainty)' };
  if (!cfg.control) return { mode: 'anchor', why: 'no control sample' };
  if (cfg.dataset.generate && cfg.control.generate)
    return { mode: 'residual', why: "data and control sample both come from sidewinder's generator, where background-only toys show it calibrated" };
  return { mode: 'anchor', why: 'data or control sample read from files: a bias measured on the control need not transfer to the data (set deltaSys.uncertainty to choose)' };
}
