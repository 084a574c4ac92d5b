/**
 * Sensitivity sweep (issue 17, item 3): the signal-window significance of every method against the
 * injected signal — the headline figure of the anchor papers and of pyBumpHunter's injection study.
 *
 * One scan per (injection level, run), run as a study ({@link runStudy}: one shared task cache,
 * resumable, each scan an ordinary cached scan under `<out>/variants/<id>/`):
 * - generated data: the preset's generator with `signal` = the level; within a run every other seed
 *   (data, IAD template, control, classifiers) is the same at every level — the generator draws the
 *   background before the signal, so the levels of one run share their background events — and
 *   across runs every seed moves by {@link RUN_SEED_STRIDE};
 * - a user's background file(s) plus events drawn without replacement from a user's signal file
 *   (seeded per level and run), written to `<out>/injected/` and concatenated after the background.
 *
 * Per method and ε_B, the Cowan significance of the *signal window* (the window containing the
 * resonance) is summarised over runs (median, 16–84 % band) and set against the injected signal and
 * against S/B and S/√B in that window (true signal and background counts in its SR); the signal
 * needed for Z = 3 and 5 is interpolated in the median curve; max SIC (lib/stats/roc.ts) per level.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { readEvents, writeEvents } from '../data/io/index.js';
import { DEFAULT_SIGNAL_PARAMS } from '../data/generate/index.js';
import { EventTable } from '../data/eventTable.js';
import { createRng, hashLabel } from '../util/rng.js';
import { ConfigError, InputError } from '../util/errors.js';
import { silent, type Reporter } from '../util/reporter.js';
import { produceFileAtomic, writeFileAtomic } from '../util/atomicWrite.js';
import { validateSchema } from '../util/schema.js';
import { maxSic, type RocCurve } from '../stats/roc.js';
import { summarizeRuns } from '../stats/runs.js';
import type { WorkerPool } from '../ml/pool/pool.js';
import type { Window } from '../windows/index.js';
import type { ScanConfig } from './config.js';
import { loadScanDataset } from './dataset.js';
import { METHOD_NAMES, type CellRun, type MethodName, type ResultsDocument, type Summary } from './results.js';
import { scanWindows } from './scan.js';
import { mergeStudy, prepareStudy, runStudy, type StudyOutcome, type StudyPlan, type StudyVariant } from './study.js';

/** The `schema` tag of a sensitivity document (data-schemas/sensitivity-results.schema.json). */
export const SENSITIVITY_SCHEMA = 'sidewinder/sensitivity-results';
export const SENSITIVITY_VERSION = 1;
/** Seeds of run r are the base seeds + r · stride (run 0 is the base configuration itself). */
export const RUN_SEED_STRIDE = 1000;
/** The significance thresholds whose signal is reported. */
export const Z_THRESHOLDS: readonly number[] = Object.freeze([3, 5]);

/** Where the events come from. */
export type SensitivitySource =
  | { readonly kind: 'generated' }
  | {
      readonly kind: 'files';
      /** Background-only events (one file, or several concatenated). */
      readonly backgroundFiles: readonly string[];
      /** Signal events to inject (any columns the background has; m_JJ from them). */
      readonly signalFile: string;
      /** HDF5 key of the files, when they hold several objects. */
      readonly key?: string;
    };

/** Options of {@link runSensitivity}. */
export interface SensitivityOptions {
  /** The scan every variant starts from (preset or config with the user's overrides); its `runs` is ignored (1 per variant). */
  readonly base: ScanConfig;
  /** Injected signal events, each ≥ 0, once. */
  readonly levels: readonly number[];
  /** Runs per level (independent seeds). */
  readonly runs: number;
  readonly source: SensitivitySource;
  readonly outDir: string;
  readonly cacheDir?: string;
  readonly reporter?: Reporter;
  readonly pool?: WorkerPool;
  /** Called after each variant with its index and the total. */
  readonly onVariant?: (index: number, total: number, id: string, reused: boolean) => void;
}

/** The window whose significance is quoted, and why it was chosen. */
export interface SignalWindowRecord {
  id: number;
  srLow: number;
  srHigh: number;
  centre: number;
  units: 'TeV';
  /** One line: why this window (nearest the W′ mass, or most of the injected events in its SR). */
  reason: string;
  /** Fraction of the signal file's events in this SR (file injection only). */
  signalFractionInSR?: number;
}

/** A summary over runs (as lib/stats/runs.ts) plus the run values. */
export interface RunValues extends Summary {
  values: number[];
}

/** One (method, ε_B, level) of the sweep. */
export interface SensitivityPoint {
  method: MethodName;
  epsilonB: number;
  signal: number;
  /** Runs with a significance (the others refused: the template cannot resolve ε_B). */
  nRuns: number;
  refusedRuns: number[];
  /** Signed Cowan Z of the signal window over runs; absent when every run was refused. */
  zCowan?: RunValues;
  /** N_obs and N_exp of the signal window over runs. */
  nObs?: RunValues;
  nExp?: RunValues;
}

/** True counts in the signal window's SR at one level, over runs. */
export interface SignalRegionCounts {
  signal: number;
  /** True signal events in the SR. */
  nSignalSR: RunValues;
  /** True background events in the SR (N_SR − signal). */
  nBackgroundSR: RunValues;
  sOverB: RunValues;
  sOverSqrtB: RunValues;
}

/** The injected signal at which the median Z reaches a threshold. */
export interface SignalForZ {
  method: MethodName;
  epsilonB: number;
  z: number;
  /** Injected events (linear interpolation in the median curve); null when not reached. */
  signal: number | null;
  /** S/B and S/√B in the SR at that signal (interpolated in their median curves); null when not reached. */
  sOverB: number | null;
  sOverSqrtB: number | null;
  /** 'interpolated' | 'not reached' | 'at or below the lowest level' (the curve starts above the threshold). */
  status: 'interpolated' | 'not reached' | 'at or below the lowest level';
}

/** Max SIC of one method at one level (ROC of the scan's run 0 of each variant, truth labels). */
export interface SicPoint {
  method: MethodName;
  signal: number;
  /** Over the runs that have a ROC (signal events in the SR and labels). */
  maxSic?: RunValues;
}

/** One scan of the sweep. */
export interface SensitivityVariantRecord {
  id: string;
  signal: number;
  run: number;
  /** results.json of the variant, relative to the sweep's directory. */
  results: string;
  /** Root seed of the scan; and, for file injection, the seed of the signal draw and its file. */
  seed: number;
  injectionSeed?: number;
  injectedFile?: string;
}

/** The sensitivity document (`sidewinder/sensitivity-results`, version 1). */
export interface SensitivityDocument {
  schema: typeof SENSITIVITY_SCHEMA;
  version: typeof SENSITIVITY_VERSION;
  writer: string;
  createdAt: string;
  source: {
    kind: 'generated' | 'files';
    preset: string;
    /** Background events of the generated data set; or the background files and the signal file. */
    backgroundEvents?: number;
    backgroundFiles?: string[];
    signalFile?: string;
    signalFileEvents?: number;
  };
  levels: number[];
  runs: number;
  methods: MethodName[];
  epsilonB: number[];
  windows: number[];
  signalWindow: SignalWindowRecord;
  statistic: 'cowan';
  counts: SignalRegionCounts[];
  points: SensitivityPoint[];
  signalForZ: SignalForZ[];
  sic: SicPoint[];
  variants: SensitivityVariantRecord[];
}

/** Parse and check the injection levels: integers ≥ 0, each once, sorted ascending. @throws ConfigError */
export function parseLevels(levels: readonly number[], what = '--signal'): number[] {
  if (levels.length === 0) throw new ConfigError(`${what}: give at least one injection level, e.g. 0,300,1000`);
  for (const l of levels) if (!Number.isInteger(l) || l < 0) throw new ConfigError(`${what}: injection levels are event counts (integers ≥ 0), got ${l}`);
  const dup = levels.find((l, i) => levels.indexOf(l) !== i);
  if (dup !== undefined) throw new ConfigError(`${what}: level ${dup} appears twice`);
  return [...levels].sort((a, b) => a - b);
}

/**
 * The injected signal at which a curve first reaches `z`: linear interpolation between the last level
 * below and the first at or above. `curve` is (signal, Z) sorted by signal; NaN points are skipped.
 * @returns null when no point reaches z; the first signal when the first point already does.
 */
export function signalForZ(curve: readonly { signal: number; z: number }[], z: number): { signal: number | null; status: SignalForZ['status'] } {
  const pts = curve.filter((p) => Number.isFinite(p.z));
  const i = pts.findIndex((p) => p.z >= z);
  if (i < 0) return { signal: null, status: 'not reached' };
  if (i === 0) return { signal: pts[0].signal, status: 'at or below the lowest level' };
  const a = pts[i - 1], b = pts[i];
  return { signal: a.signal + ((z - a.z) * (b.signal - a.signal)) / (b.z - a.z), status: 'interpolated' };
}

/** Linear interpolation of y(signal) in a curve sorted by signal (null outside it). */
function interpolateAt(curve: readonly { signal: number; y: number }[], signal: number): number | null {
  for (let i = 0; i < curve.length; i++) {
    if (curve[i].signal === signal) return curve[i].y;
    if (i > 0 && curve[i - 1].signal < signal && signal < curve[i].signal) {
      const a = curve[i - 1], b = curve[i];
      return a.y + ((signal - a.signal) * (b.y - a.y)) / (b.signal - a.signal);
    }
  }
  return null;
}

const runValues = (values: number[]): RunValues => ({ ...summarizeRuns(values), values });

/** The window of the generated resonance: centre nearest the W′ mass. */
export function nearestWindow(windows: readonly Window[], massTeV: number): Window {
  return windows.reduce((best, w) => (Math.abs(w.centre - massTeV) < Math.abs(best.centre - massTeV) ? w : best));
}

const windowRecord = (w: Window, reason: string, extra: Partial<SignalWindowRecord> = {}): SignalWindowRecord =>
  ({ id: w.id, srLow: w.srLow, srHigh: w.srHigh, centre: w.centre, units: 'TeV', reason, ...extra });

/** Seeds of run r: every generated sample's seed and the scan's root seed moved by r · stride. */
function configForRun(base: ScanConfig, run: number): ScanConfig {
  const cfg = structuredClone(base);
  const d = run * RUN_SEED_STRIDE;
  for (const spec of [cfg.dataset, cfg.template, cfg.control]) if (spec?.generate) spec.generate.seed += d;
  cfg.seed += d;
  cfg.runs = 1;
  // Every level's scan keeps the configured members: the sweep sets the runs itself.
  delete cfg.ensembleBudget;
  // The sweep quotes the signal window's local Z; background-only pseudo-experiments per variant
  // would multiply its cost (`sidewinder lee` measures the look-elsewhere effect).
  cfg.lookElsewhere = { pseudoExperiments: 0 };
  return cfg;
}

/** The signal file as the scan reads it (features, m_JJ in TeV) and as written (raw columns). */
interface SignalSource {
  readonly raw: EventTable;
  readonly mJJ: ArrayLike<number>;
  readonly backgroundColumns: string[];
  readonly labelled: boolean;
}

async function loadSignalSource(source: Extract<SensitivitySource, { kind: 'files' }>, reporter: Reporter): Promise<SignalSource> {
  // The scan reads the background; here only its columns and labels matter.
  const bkg = await readEvents(source.backgroundFiles[0], { key: source.key });
  if (bkg.has('label')) {
    let labelled = 0;
    for (const f of source.backgroundFiles) {
      const l = (f === source.backgroundFiles[0] ? bkg : await readEvents(f, { key: source.key })).column('label');
      for (let i = 0; i < l.length; i++) labelled += l[i] === 1 ? 1 : 0;
    }
    if (labelled > 0)
      reporter.log('warn', `${source.backgroundFiles.join(' + ')}: ${labelled} events are labelled signal; they count as signal in S (S at level 0 is not 0)`);
  }
  const raw = await readEvents(source.signalFile, { key: source.key });
  const missing = bkg.columnNames.filter((c) => c !== 'label' && !raw.has(c));
  if (missing.length)
    throw new InputError(`${source.signalFile}: the signal file lacks column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of the background file ${source.backgroundFiles[0]} (it has ${raw.columnNames.join(', ')})`);
  // Validated and with derived features exactly as the scan will read the injected events.
  const derived = await loadScanDataset({ path: source.signalFile, key: source.key }, 'signal file', reporter);
  if (derived.nEvents !== raw.length) throw new InputError(`${source.signalFile}: ${raw.length - derived.nEvents} events were dropped as invalid; fix the signal file`);
  return { raw, mJJ: derived.events.column('mJJ'), backgroundColumns: bkg.columnNames, labelled: bkg.has('label') };
}

/** The window (of those scanned) holding most of the signal file's events in its SR. */
function windowOfSignal(windows: readonly Window[], mJJ: ArrayLike<number>, file: string): SignalWindowRecord {
  let best = windows[0], bestN = -1;
  for (const w of windows) {
    let n = 0;
    for (let i = 0; i < mJJ.length; i++) if (mJJ[i] > w.srLow && mJJ[i] < w.srHigh) n++;
    if (n > bestN) { best = w; bestN = n; }
  }
  const f = bestN / mJJ.length;
  return windowRecord(best, `the scanned window whose SR holds most of the signal file's events (${(100 * f).toFixed(1)} % of ${mJJ.length} in ${best.srLow.toFixed(2)}–${best.srHigh.toFixed(2)} TeV)`, { signalFractionInSR: f });
}

/** The variants of the sweep, in (level, run) order; file injection writes its signal draws first. */
async function buildVariants(o: Omit<SensitivityOptions, 'pool' | 'onVariant'>, levels: number[], signal: SignalSource | undefined): Promise<{ variants: StudyVariant[]; records: SensitivityVariantRecord[] }> {
  const variants: StudyVariant[] = [];
  const records: SensitivityVariantRecord[] = [];
  // Run-major: a sweep stopped part-way has whole curves (rerun with fewer --runs to summarise them).
  for (let run = 0; run < o.runs; run++)
    for (const level of levels) {
      const id = `signal-${level}-run-${run}`;
      const cfg = configForRun(o.base, run);
      const rec: SensitivityVariantRecord = { id, signal: level, run, results: join('variants', id, 'results.json'), seed: cfg.seed };
      if (o.source.kind === 'generated') {
        if (!cfg.dataset.generate) throw new ConfigError('sensitivity: generated data need a scan configuration whose dataset is generated (give --background-file and --signal-file for files)');
        cfg.dataset.generate.signal = level;
      } else {
        const files = [...o.source.backgroundFiles];
        if (level > 0) {
          const injectionSeed = hashLabel(`sensitivity:${cfg.seed}:${level}:${run}`);
          // Without replacement: the first `level` entries of a seeded permutation of the file.
          const rows = createRng(injectionSeed).permutation(signal!.raw.length).subarray(0, level);
          const path = join(o.outDir, 'injected', `signal-${level}-run-${run}.arrow`);
          if (!existsSync(path)) {
            const cols = signal!.backgroundColumns.filter((c) => c !== 'label');
            let table = signal!.raw.select(cols).take(rows);
            if (signal!.labelled) table = table.withColumn('label', new Float64Array(level).fill(1));
            // Same column order as the background, so the scan can concatenate the two.
            table = table.select(signal!.backgroundColumns);
            mkdirSync(join(o.outDir, 'injected'), { recursive: true });
            await produceFileAtomic(path, (tmp) => writeEvents(table, tmp, { format: 'arrow' }));
          }
          files.push(path);
          Object.assign(rec, { injectionSeed, injectedFile: relative(o.outDir, path) });
        }
        cfg.dataset = { paths: files, ...(o.source.key ? { key: o.source.key } : {}) };
      }
      variants.push({ id, config: cfg });
      records.push(rec);
    }
  return { variants, records };
}

/** A sweep ready to run: its variants and what the summary needs besides their results. */
interface SensitivitySetup {
  readonly levels: number[];
  readonly windows: readonly Window[];
  readonly signalWindow: SignalWindowRecord;
  readonly signal: SignalSource | undefined;
  readonly variants: StudyVariant[];
  readonly records: SensitivityVariantRecord[];
}

/** Levels, signal window and variants of a sweep (file injection writes its signal draws). */
async function sensitivitySetup(o: Omit<SensitivityOptions, 'pool' | 'onVariant'>): Promise<SensitivitySetup> {
  const levels = parseLevels(o.levels);
  if (!Number.isInteger(o.runs) || o.runs < 1) throw new ConfigError(`--runs: expected an integer ≥ 1, got ${o.runs}`);
  const reporter = o.reporter ?? silent;
  const { windows } = await scanWindows(o.base);
  let signalWindow: SignalWindowRecord;
  let signal: SignalSource | undefined;
  if (o.source.kind === 'files') {
    signal = await loadSignalSource(o.source, reporter);
    const top = levels[levels.length - 1];
    if (top > signal.raw.length)
      throw new InputError(`${o.source.signalFile}: holds ${signal.raw.length} signal events; injection level ${top} needs at least that many (events are drawn without replacement)`);
    signalWindow = windowOfSignal(windows, signal.mJJ, o.source.signalFile);
  } else {
    const m = DEFAULT_SIGNAL_PARAMS.wPrimeMassGeV / 1000;
    const w = nearestWindow(windows, m);
    signalWindow = windowRecord(w, `the scanned window whose centre is nearest the generated W′ mass ${m} TeV`);
    if (!(w.srLow < m && m < w.srHigh)) reporter.log('warn', `no scanned window contains the W′ mass ${m} TeV; window ${w.id} (${w.srLow.toFixed(2)}–${w.srHigh.toFixed(2)} TeV) holds only its tail (scan a window whose SR contains it: window 5 of the nine LHCO windows)`);
  }
  reporter.log('info', `signal window ${signalWindow.id} (${signalWindow.srLow.toFixed(2)}–${signalWindow.srHigh.toFixed(2)} TeV): ${signalWindow.reason}`);
  const { variants, records } = await buildVariants(o, levels, signal);
  return { levels, windows, signalWindow, signal, variants, records };
}

/** The sensitivity document from the finished variants. */
function finishSensitivity(o: Omit<SensitivityOptions, 'pool' | 'onVariant'>, setup: SensitivitySetup, outcomes: readonly StudyOutcome[]): SensitivityDocument {
  const { levels, windows, signalWindow, signal, records } = setup;
  const byId = new Map(outcomes.map((x) => [x.id, x.results]));
  const doc = summariseSensitivity(records.map((r) => ({ ...r, results: byId.get(r.id)! })), {
    levels, runs: o.runs, methods: o.base.methods, epsilonB: o.base.epsilonB, signalWindow,
    windows: windows.map((w) => w.id), preset: o.base.preset,
    injectedInSR: signal ? (rec) => countInSR(signal, rec, signalWindow) : undefined,
  });
  doc.variants = records;
  if (o.source.kind === 'generated') doc.source = { kind: 'generated', preset: o.base.preset, backgroundEvents: o.base.dataset.generate!.background };
  else doc.source = { kind: 'files', preset: o.base.preset, backgroundFiles: [...o.source.backgroundFiles], signalFile: o.source.signalFile, signalFileEvents: signal!.raw.length };
  return doc;
}

/**
 * Run the sweep (every variant a cached, resumable scan) and summarise it; writes nothing but the
 * variants and the injected signal files — {@link writeSensitivity} writes the document.
 * @throws ConfigError for bad levels or runs, InputError for a level larger than the signal file.
 */
export async function runSensitivity(o: SensitivityOptions): Promise<SensitivityDocument> {
  const setup = await sensitivitySetup(o);
  const outcomes = await runStudy(setup.variants, {
    outDir: o.outDir, cacheDir: o.cacheDir, reporter: o.reporter, pool: o.pool,
    onVariant: (i, out) => o.onVariant?.(i, setup.variants.length, out.id, out.reused),
  });
  return finishSensitivity(o, setup, outcomes);
}

/** The `study` entry of a sensitivity study plan: the sweep's inputs (the output directory is the plan's). */
export interface SensitivityStudySpec {
  readonly kind: 'sensitivity';
  readonly base: ScanConfig;
  readonly levels: readonly number[];
  readonly runs: number;
  readonly source: SensitivitySource;
}

/**
 * Plan the sweep for a batch engine: `<outDir>/plan.json`, a study plan ({@link prepareStudy}) of
 * every (level, run) scan's tasks, deduplicated (within a run the levels share their template and
 * control sample, so those tasks run once). File injection writes its signal draws first.
 */
export async function planSensitivity(o: Omit<SensitivityOptions, 'pool' | 'onVariant'>): Promise<{ plan: StudyPlan; planPath: string; duplicates: number }> {
  const setup = await sensitivitySetup(o);
  const study: SensitivityStudySpec = { kind: 'sensitivity', base: o.base, levels: [...o.levels], runs: o.runs, source: o.source };
  return prepareStudy(setup.variants, { outDir: o.outDir, cacheDir: o.cacheDir, study: { ...study }, reporter: o.reporter });
}

/**
 * The merge of a sensitivity study plan: every variant's results.json (mergeStudy), then the
 * document {@link runSensitivity} gives (write it with {@link writeSensitivity}).
 * @throws InputError naming the tasks whose results are missing.
 */
export async function mergeSensitivity(plan: StudyPlan, planPath: string, options: { cacheDir?: string; reporter?: Reporter; beforeWrite?: () => void } = {}): Promise<SensitivityDocument> {
  const spec = plan.study as unknown as SensitivityStudySpec;
  if (spec.kind !== 'sensitivity') throw new InputError(`${planPath}: a ${spec.kind} study, not a sensitivity sweep`);
  const o = { base: spec.base, levels: spec.levels, runs: spec.runs, source: spec.source, outDir: dirname(resolve(planPath)), cacheDir: options.cacheDir, reporter: options.reporter };
  const setup = await sensitivitySetup(o);
  const outcomes = await mergeStudy(plan, setup.variants, { planPath, cacheDir: options.cacheDir, reporter: options.reporter, beforeWrite: options.beforeWrite });
  return finishSensitivity(o, setup, outcomes);
}

/** Injected events in the SR of a file-injection variant (its draw recomputed from the seed). */
function countInSR(signal: SignalSource, rec: { signal: number; injectionSeed?: number }, w: SignalWindowRecord): number {
  if (rec.signal === 0 || rec.injectionSeed === undefined) return 0;
  const rows = createRng(rec.injectionSeed).permutation(signal.raw.length).subarray(0, rec.signal);
  let n = 0;
  for (const i of rows) if (signal.mJJ[i] > w.srLow && signal.mJJ[i] < w.srHigh) n++;
  return n;
}

/** What {@link summariseSensitivity} needs besides the variants' results. */
export interface SummaryContext {
  levels: number[];
  runs: number;
  methods: readonly MethodName[];
  epsilonB: readonly number[];
  signalWindow: SignalWindowRecord;
  windows: number[];
  preset: string;
  /**
   * True signal in the SR of a variant when its data carry no labels (file injection without a label
   * column): counted from the injected events' m_JJ. Labels, when present, are used instead.
   */
  injectedInSR?: (variant: { signal: number; injectionSeed?: number }) => number;
}

/** The ROC record of a variant as a {@link RocCurve} with pass counts from the SR's true counts (thresholds unknown: NaN). */
function storedRoc(fpr: number[], tpr: number[], nSignal: number, nBackground: number): RocCurve {
  return {
    thresholds: new Float64Array(fpr.length).fill(NaN),
    fpr: Float64Array.from(fpr), tpr: Float64Array.from(tpr),
    nSignalPass: Float64Array.from(tpr, (t) => Math.round(t * nSignal)),
    nBackgroundPass: Float64Array.from(fpr, (f) => Math.round(f * nBackground)),
  };
}

/**
 * Summarise finished variants: per level the SR's true counts, per (method, ε_B, level) the signal
 * window's Z over runs, the signal for Z = 3 and 5 from the median curves, and max SIC per level.
 * @throws InputError when a variant's results lack the signal window.
 */
export function summariseSensitivity(
  variants: readonly (Omit<SensitivityVariantRecord, 'results'> & { results: ResultsDocument })[],
  ctx: SummaryContext,
): SensitivityDocument {
  const w = ctx.signalWindow.id;
  const methods = METHOD_NAMES.filter((m) => ctx.methods.includes(m));
  const counts: SignalRegionCounts[] = [];
  const points: SensitivityPoint[] = [];
  const sic: SicPoint[] = [];
  for (const level of ctx.levels) {
    const vs = variants.filter((v) => v.signal === level);
    const s: number[] = [], b: number[] = [];
    for (const v of vs) {
      const row = v.results.runs.find((r) => r.windowId === w);
      if (!row) {
        const refused = (v.results.refusedCells ?? []).some((r) => r.windowId === w);
        throw new InputError(refused
          ? `${v.id}: every cell of the signal window ${w} was refused (its templates cannot resolve the working points ${ctx.epsilonB.join(', ')}); use a larger template or looser ε_B`
          : `${v.id}: results have no cell of the signal window ${w}; scanned windows: ${[...new Set(v.results.runs.map((r) => r.windowId))].join(', ') || 'none'}`);
      }
      const sig = row.nSignalSR ?? ctx.injectedInSR?.(v) ?? (level === 0 ? 0 : NaN);
      if (!Number.isFinite(sig)) throw new InputError(`${v.id}: the data carry no truth labels and the injected signal is unknown; cannot count S in the SR`);
      s.push(sig);
      b.push(row.nSR - sig);
    }
    counts.push({
      signal: level, nSignalSR: runValues(s), nBackgroundSR: runValues(b),
      sOverB: runValues(s.map((x, i) => x / b[i])), sOverSqrtB: runValues(s.map((x, i) => x / Math.sqrt(b[i]))),
    });
    for (const method of methods) {
      for (const eps of ctx.epsilonB) {
        const rows: CellRun[] = [];
        const refused: number[] = [];
        for (const v of vs) {
          const r = v.results.runs.find((x) => x.windowId === w && x.method === method && x.epsilonB === eps);
          if (r && Number.isFinite(r.zCowan)) rows.push(r);
          else refused.push(v.run);
        }
        points.push({
          method, epsilonB: eps, signal: level, nRuns: rows.length, refusedRuns: refused,
          ...(rows.length ? { zCowan: runValues(rows.map((r) => r.zCowan)), nObs: runValues(rows.map((r) => r.nObs)), nExp: runValues(rows.map((r) => r.nExp)) } : {}),
        });
      }
      const sics: number[] = [];
      vs.forEach((v, k) => {
        const roc = v.results.roc?.find((r) => r.windowId === w && r.method === method && (r.run ?? 0) === 0);
        if (!roc || !(s[k] > 0)) return;
        const best = maxSic(storedRoc(roc.fpr, roc.tpr, s[k], b[k]));
        if (best) sics.push(best.sic);
      });
      sic.push({ method, signal: level, ...(sics.length ? { maxSic: runValues(sics) } : {}) });
    }
  }
  const sOverB = counts.map((c) => ({ signal: c.signal, y: c.sOverB.median }));
  const sOverSqrtB = counts.map((c) => ({ signal: c.signal, y: c.sOverSqrtB.median }));
  const thresholds: SignalForZ[] = [];
  for (const method of methods)
    for (const eps of ctx.epsilonB) {
      const curve = points.filter((p) => p.method === method && p.epsilonB === eps).map((p) => ({ signal: p.signal, z: p.zCowan?.median ?? NaN }));
      for (const z of Z_THRESHOLDS) {
        const r = signalForZ(curve, z);
        thresholds.push({
          method, epsilonB: eps, z, signal: r.signal, status: r.status,
          sOverB: r.signal === null ? null : interpolateAt(sOverB, r.signal), sOverSqrtB: r.signal === null ? null : interpolateAt(sOverSqrtB, r.signal),
        });
      }
    }
  const first = variants[0]?.results;
  return {
    schema: SENSITIVITY_SCHEMA, version: SENSITIVITY_VERSION, writer: first?.writer ?? 'sidewinder', createdAt: new Date().toISOString(),
    source: { kind: 'generated', preset: ctx.preset },
    levels: ctx.levels, runs: ctx.runs, methods, epsilonB: [...ctx.epsilonB], windows: ctx.windows,
    signalWindow: ctx.signalWindow, statistic: 'cowan', counts, points, signalForZ: thresholds, sic, variants: [],
  };
}

/**
 * Check a sensitivity document against data-schemas/sensitivity-results.schema.json (on its JSON
 * form: non-finite numbers become null).
 * @throws ConfigError listing every violation.
 */
export function validateSensitivity(doc: unknown, source: string): SensitivityDocument {
  return validateSchema<SensitivityDocument>('sensitivity-results', JSON.parse(JSON.stringify(doc)), source);
}

/** Validate and write `<outDir>/sensitivity.json` atomically; returns its path. */
export async function writeSensitivity(doc: SensitivityDocument, outDir: string): Promise<string> {
  validateSensitivity(doc, 'sensitivity results');
  const path = join(outDir, 'sensitivity.json');
  await writeFileAtomic(path, `${JSON.stringify(doc, null, 1)}\n`);
  return path;
}
