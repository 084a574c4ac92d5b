/**
 * Background-only toy study of the cut-and-count significance (issue 21, item 5): many small scans
 * of generated background (`signal: 0`), every sample — data, IAD template, control, classifier and
 * flow seeds — re-drawn per toy. If N_exp and σ_b are right (template statistics, δsys applied only
 * when significant, its counting error in σ_b), the signed Z of every (window, method, ε_B) cell is
 * ≈ N(0, 1): mean ≈ 0, standard deviation ≈ 1. Cells the template cannot resolve are refused and
 * counted, not included.
 *
 *   node --import tsx scripts/toyStudy.ts [--toys 50] [--windows 4,5,6] [--background 120000]
 *       [--template 60000] [--control 120000] [--control-model same|alternative|none] [--flow ci|tiny|default]
 *       [--epsilon-b 1e-2,1e-3] [--methods iad,cwola,cathode] [--first-seed 1000] [--out out/toys]
 *       [--dsys-uncertainty auto|anchor|residual] [--reweighting on|off] [--flows 1] [--independent-calibration on|off]
 *
 * With several windows it also checks the look-elsewhere correction (issue 17): the scan's global p of
 * each toy should be U(0, 1) (KS test), and the correlated-Gaussian model's P(max Z ≥ z) should match
 * how often the toys' largest local Z reached z — the toys retrain everything, the model does not.
 *
 * The control sample comes by default from the *same* background model as the data (an ideal MC):
 * the study then tests the statistics — does the δsys correction with its error calibrate Z? — not
 * the model mismatch that `--control-model alternative` adds on purpose.
 */
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runStudy } from '../lib/scan/study.js';
import { presetConfig } from '../lib/scan/presets.js';
import type { ScanConfig } from '../lib/scan/config.js';
import type { MethodName } from '../lib/scan/results.js';
import { summarizeRuns } from '../lib/stats/runs.js';
import { writeFileAtomic } from '../lib/util/atomicWrite.js';
import { correlatedMaxGlobalPValue, ksUniformTest } from '../lib/stats/lookElsewhere.js';
import { normalSf } from '../lib/util/special.js';
import { createRng } from '../lib/util/rng.js';

/** Options of {@link runToyStudy}. */
export interface ToyStudyOptions {
  readonly toys: number;
  readonly windows: number[];
  readonly background: number;
  readonly template: number;
  readonly control: number;
  /** Control sample's background model; 'none': no control sample (δsys = 0: the methods' raw bias shows). */
  readonly controlModel: 'same' | 'alternative' | 'none';
  /** CATHODE flow: 'ci' (the ci preset's own flow: default network, 4 epochs at a constant rate, ≤ 60k events), 'tiny' (3 blocks × 32, 3 epochs, ≤ 30k) or 'default'. */
  readonly flow: 'ci' | 'tiny' | 'default';
  readonly epsilonB: number[];
  readonly methods: MethodName[];
  readonly firstSeed: number;
  /** How σ_sys covers a measured δsys (scan config `deltaSys.uncertainty`). */
  readonly dsysUncertainty: 'auto' | 'anchor' | 'residual';
  /** CATHODE's template reweighted in the sidebands with the option's default settings (`cathode.reweighting: {}`). */
  readonly reweighting?: boolean;
  /** CATHODE flows per window (`cathode.flows`; the template is their mixture); the ci preset's one when absent. */
  readonly flows?: number;
  /** CATHODE's cuts calibrated on the other sideband half's template (`cathode.independentCalibration`; 2 flows unless `flows`). */
  readonly independentCalibration?: boolean;
  /** The study's directory: each toy's outputs in variants/toy-<i>/, one shared cache (a rerun resumes). */
  readonly outDir: string;
  /** Called after each toy with its index and wall time. */
  readonly onToy?: (toy: number, seconds: number) => void;
}

export const TOY_DEFAULTS: Omit<ToyStudyOptions, 'outDir'> = {
  toys: 50, windows: [4, 5, 6], background: 120_000, template: 60_000, control: 120_000, controlModel: 'same',
  flow: 'ci', epsilonB: [1e-2, 1e-3], methods: ['iad', 'cwola', 'cathode'], firstSeed: 1000, dsysUncertainty: 'auto',
};

const FLOWS: Record<ToyStudyOptions['flow'], Record<string, unknown>> = {
  ci: presetConfig('ci').cathode.flow as Record<string, unknown>,
  tiny: { preset: 'default', blocks: 3, hidden: 32, epochs: 3, maxEvents: 30_000, learningRateSchedule: 'constant' },
  default: { preset: 'default' },
};

/** One toy's scan configuration: the ci preset with every seed derived from the toy's. */
export function toyConfig(o: Omit<ToyStudyOptions, 'outDir'>, toy: number): ScanConfig {
  const s = o.firstSeed + 10 * toy;
  const cfg = presetConfig('ci');
  cfg.preset = 'toy';
  cfg.windows = { ...cfg.windows, ids: o.windows };
  cfg.methods = o.methods;
  cfg.epsilonB = o.epsilonB;
  cfg.dataset = { generate: { background: o.background, signal: 0, seed: s + 1 } };
  cfg.template = { generate: { ...cfg.template.generate!, background: o.template, seed: s + 2 } };
  if (o.controlModel === 'none') delete cfg.control;
  else cfg.control = { generate: { background: o.control, signal: 0, seed: s + 3, ...(o.controlModel === 'alternative' ? { backgroundModel: 'alternative' as const } : {}) } };
  cfg.seed = s + 4;
  cfg.cathode = {
    ...cfg.cathode, flow: FLOWS[o.flow], ...(o.flows ? { flows: o.flows } : {}), ...(o.reweighting ? { reweighting: {} } : {}),
    ...(o.independentCalibration ? { independentCalibration: true, flows: o.flows ?? 2 } : {}),
  };
  cfg.lookElsewhere = { pseudoExperiments: 0 };
  cfg.deltaSys = { ...cfg.deltaSys, uncertainty: o.dsysUncertainty };
  return cfg;
}

/** The look-elsewhere figures of one toy (method, ε_B): what the scan reported for it. */
export interface ToyLookElsewhere {
  /** Largest one-sided local Z over the windows. */
  readonly localZMax: number;
  /** The scan's global p (correlated-gaussian over the windows). */
  readonly globalP: number;
  /** The windows' correlation the global p assumed (absent for one window). */
  readonly correlation?: number[][];
}

/** Z statistics of one (method, ε_B) over all toys and windows. */
export interface ToyCellSummary {
  readonly method: MethodName;
  readonly epsilonB: number;
  /** Signed Z values (Cowan and simple) of every resolved cell. */
  readonly zCowan: number[];
  readonly zSimple: number[];
  /** Cells refused (template could not resolve ε_B). */
  readonly refused: number;
  /** How often the MC δsys was significant (applied) among the resolved cells. */
  readonly deltaSysApplied: number;
  /** Per resolved cell (aligned with zCowan): was the MC δsys applied? */
  readonly deltaSysAppliedByCell: boolean[];
  /** Per toy: the largest local Z and the global p the scan reported. */
  readonly lookElsewhere: ToyLookElsewhere[];
}

/** Run the toys and collect the signed Z per (method, ε_B). */
export async function runToyStudy(options: ToyStudyOptions): Promise<ToyCellSummary[]> {
  const cells = new Map<string, { zCowan: number[]; zSimple: number[]; refused: number; applied: boolean[]; lookElsewhere: ToyLookElsewhere[] }>();
  const cell = (m: string, e: number) => {
    const k = `${m}/${e}`;
    if (!cells.has(k)) cells.set(k, { zCowan: [], zSimple: [], refused: 0, applied: [], lookElsewhere: [] });
    return cells.get(k)!;
  };
  for (const m of options.methods) for (const e of options.epsilonB) cell(m, e);
  const variants = Array.from({ length: options.toys }, (_, toy) => ({ id: `toy-${toy}`, config: toyConfig(options, toy) }));
  let t0 = Date.now();
  // One study: every toy a scan with its own seeds, one shared cache, resumable.
  await runStudy(variants, {
    outDir: options.outDir,
    onVariant: (toy, { results }) => {
      for (const r of results.runs) {
        const c = cell(r.method, r.epsilonB);
        c.zCowan.push(r.zCowan);
        c.zSimple.push(r.zSimple);
        c.applied.push(r.deltaSys !== 0);
      }
      for (const r of results.refusedCells ?? []) cell(r.method, r.epsilonB).refused++;
      for (const l of results.lookElsewhere ?? []) {
        if (l.epsilonB === undefined) continue;
        cell(l.method, l.epsilonB).lookElsewhere.push({ localZMax: l.localZMax, globalP: l.globalP, ...(l.windowCorrelation ? { correlation: l.windowCorrelation.matrix } : {}) });
      }
      options.onToy?.(toy, (Date.now() - t0) / 1000);
      t0 = Date.now();
    },
  });
  return [...cells.entries()].map(([k, c]) => {
    const [method, e] = k.split('/');
    return {
      method: method as MethodName, epsilonB: Number(e), zCowan: c.zCowan, zSimple: c.zSimple, refused: c.refused,
      deltaSysApplied: c.applied.filter(Boolean).length, deltaSysAppliedByCell: c.applied, lookElsewhere: c.lookElsewhere,
    };
  });
}

/** mean ± its standard error and std of a set of Z (NaN-free); undefined for fewer than 2. */
export function zMoments(z: readonly number[]): { n: number; mean: number; meanErr: number; std: number; stdErr: number } | undefined {
  if (z.length < 2) return undefined;
  const s = summarizeRuns(z, 'Z');
  // Standard error of a sample std, normal approximation: σ/√(2(n − 1)).
  return { n: s.n, mean: s.mean, meanErr: s.stdErr, std: s.std, stdErr: s.std / Math.sqrt(2 * (s.n - 1)) };
}

/** Local significances at which the toys' max-Z distribution is compared with the Gaussian model. */
export const LEE_CHECK_Z = [1, 1.5, 2, 2.5] as const;

/** How the toys' global p-values and largest local Zs compare with what a background-only scan should give. */
export interface LookElsewhereCheck {
  readonly toys: number;
  /** KS test of the toys' global p against U(0, 1) (p of a toy without any excess spread over its atom). */
  readonly ks: { d: number; pValue: number };
  /** The Gaussian model's trials factor P(max Z ≥ 3)/Φ̄(3) under each toy's window correlation: mean, min, max. */
  readonly trialsFactorAt3: { mean: number; min: number; max: number };
  /** Per Z in {@link LEE_CHECK_Z}: the fraction of toys whose largest local Z reached it (± binomial error) and the model's mean prediction. */
  readonly tail: { z: number; observed: number; observedErr: number; predicted: number }[];
}

/**
 * Check a cell's look-elsewhere figures over the toys: are the global p-values uniform, is the trials
 * factor at Z = 3 sensible, and does the correlated-Gaussian model predict how often the largest local Z
 * of a background-only scan reaches Z (the toys retrain everything, so this tests the model against the
 * whole procedure)? Undefined with fewer than 5 toys or windows without a correlation.
 */
export function checkLookElsewhere(toys: readonly ToyLookElsewhere[], options: { seed?: number; draws?: number } = {}): LookElsewhereCheck | undefined {
  if (toys.length < 5 || toys.some((t) => !t.correlation)) return undefined;
  const rng = createRng(options.seed ?? 1);
  // Model draws per toy and Z: 200k give the trials factor at Z = 3 to ≈ 3 %, the tail to < 1 %.
  const draws = options.draws ?? 200_000;
  const model = (z: number, c: number[][]) => correlatedMaxGlobalPValue(z, c, { rng, draws: Math.ceil(draws / 10) }).globalP;
  const tf = toys.map((t) => correlatedMaxGlobalPValue(3, t.correlation!, { rng, draws }).globalP / normalSf(3));
  const tail = LEE_CHECK_Z.map((z) => {
    const k = toys.filter((t) => t.localZMax >= z).length, n = toys.length, f = k / n;
    return { z, observed: f, observedErr: Math.sqrt(Math.max(f * (1 - f), 1 / n) / n), predicted: toys.reduce((a, t) => a + model(z, t.correlation!), 0) / n };
  });
  // One-sided Zs are clipped at 0, so a toy with a deficit in every window has p = P(max Z ≥ 0) < 1: an
  // atom. Under the null such a p is uniform within [P(max Z ≥ 0), 1] (randomised p-value, seeded).
  const ks = ksUniformTest(toys.map((t) => (t.localZMax > 0 ? t.globalP : t.globalP + rng.uniform() * (1 - t.globalP))));
  return { toys: toys.length, ks: { d: ks.d, pValue: ks.pValue }, trialsFactorAt3: { mean: tf.reduce((a, b) => a + b, 0) / tf.length, min: Math.min(...tf), max: Math.max(...tf) }, tail };
}

/** The value of an enumerated flag, or an error naming the flag and its values. */
function oneOf<T extends string>(flag: string, value: string | undefined, values: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(values as readonly string[]).includes(value)) throw new Error(`toyStudy: --${flag} must be one of ${values.join(', ')}, got "${value}"`);
  return value as T;
}

function parseArgs(argv: string[]): ToyStudyOptions {
  const o: Record<string, string> = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith('--') || argv[i + 1] === undefined) throw new Error(`toyStudy: expected --option value pairs, got ${argv.slice(i).join(' ')}`);
    o[argv[i].slice(2)] = argv[i + 1];
  }
  const list = (s: string | undefined, d: number[]): number[] => (s === undefined ? d : s.split(',').map(Number));
  const num = (s: string | undefined, d: number): number => (s === undefined ? d : Number(s));
  return {
    toys: num(o.toys, TOY_DEFAULTS.toys), windows: list(o.windows, TOY_DEFAULTS.windows), background: num(o.background, TOY_DEFAULTS.background),
    template: num(o.template, TOY_DEFAULTS.template), control: num(o.control, TOY_DEFAULTS.control),
    controlModel: oneOf('control-model', o['control-model'], ['same', 'alternative', 'none'], TOY_DEFAULTS.controlModel),
    flow: oneOf('flow', o.flow, ['ci', 'tiny', 'default'], TOY_DEFAULTS.flow), epsilonB: list(o['epsilon-b'], TOY_DEFAULTS.epsilonB),
    methods: (o.methods?.split(',') ?? TOY_DEFAULTS.methods) as MethodName[], firstSeed: num(o['first-seed'], TOY_DEFAULTS.firstSeed),
    dsysUncertainty: oneOf('dsys-uncertainty', o['dsys-uncertainty'], ['auto', 'anchor', 'residual'], TOY_DEFAULTS.dsysUncertainty),
    reweighting: oneOf('reweighting', o.reweighting, ['on', 'off'], 'off') === 'on',
    ...(o.flows === undefined ? {} : { flows: num(o.flows, 1) }),
    ...(oneOf('independent-calibration', o['independent-calibration'], ['on', 'off'], 'off') === 'on' ? { independentCalibration: true } : {}),
    outDir: resolve(o.out ?? 'out/toys'),
  };
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const summary = await runToyStudy({ ...opts, outDir: join(opts.outDir, 'scratch'), onToy: (t, s) => console.error(`toy ${t + 1}/${opts.toys}: ${s.toFixed(1)} s`) });
  console.log(`background-only toys: ${opts.toys} × windows ${opts.windows.join(',')}, ${opts.background} data / ${opts.template} template / ${opts.control} control (${opts.controlModel} model) events, flow '${opts.flow}'${opts.flows ? ` × ${opts.flows}` : ''}, δsys uncertainty '${opts.dsysUncertainty}'${opts.reweighting ? ', CATHODE reweighted' : ''}${opts.independentCalibration ? ', cuts calibrated on the other sideband half' : ''}, ${((Date.now() - t0) / 60000).toFixed(1)} min`);
  console.log('method    ε_B     cells  refused  δsys applied   mean Z_Cowan ± err   std Z_Cowan ± err   mean Z_simple   std Z_simple');
  for (const c of summary) {
    const m = zMoments(c.zCowan), s = zMoments(c.zSimple);
    console.log(
      `${c.method.padEnd(8)}  ${c.epsilonB.toExponential(0).padEnd(6)}  ${String(c.zCowan.length).padStart(5)}  ${String(c.refused).padStart(7)}  ${String(c.deltaSysApplied).padStart(12)}   ` +
        (m ? `${m.mean.toFixed(3).padStart(7)} ± ${m.meanErr.toFixed(3)}      ${m.std.toFixed(3).padStart(6)} ± ${m.stdErr.toFixed(3)}      ${s!.mean.toFixed(3).padStart(7)}        ${s!.std.toFixed(3)}` : 'fewer than 2 cells'),
    );
  }
  // A δsys compatible with zero is not applied (lib/stats/dsys.ts, significantShift). Cells split by it show
  // whether the control's δsys follows the data's own bias: a toy whose control came out less biased than its
  // data (flow-to-flow differences beyond the counting error) has a small δsys and a positive Z.
  const split = summary.filter((c) => c.method !== 'iad');
  if (split.length > 0) {
    console.log('mean Z_Cowan ± err where the MC δsys was applied | not applied:');
    for (const c of split) {
      const part = (applied: boolean) => zMoments(c.zCowan.filter((_, i) => c.deltaSysAppliedByCell[i] === applied));
      const text = (m: ReturnType<typeof zMoments>) => (m ? `${m.mean.toFixed(3).padStart(7)} ± ${m.meanErr.toFixed(3)} (${m.n})` : '(fewer than 2 cells)');
      console.log(`${c.method.padEnd(8)}  ${c.epsilonB.toExponential(0).padEnd(6)}  ${text(part(true))} | ${text(part(false))}`);
    }
  }
  const lee = summary.map((c) => ({ method: c.method, epsilonB: c.epsilonB, check: checkLookElsewhere(c.lookElsewhere) })).filter((c) => c.check);
  if (lee.length > 0) {
    console.log(`look-elsewhere over ${opts.windows.length} windows (correlated-gaussian global p of each toy):`);
    console.log('method    ε_B     toys   KS p    trials factor at Z=3 mean [min, max]   P(max Z ≥ z) toys vs model, z = ' + LEE_CHECK_Z.join(' / '));
    for (const { method, epsilonB, check: c } of lee) {
      console.log(
        `${method.padEnd(8)}  ${epsilonB.toExponential(0).padEnd(6)}  ${String(c!.toys).padStart(4)}   ${c!.ks.pValue.toFixed(3)}   ${c!.trialsFactorAt3.mean.toFixed(2)} [${c!.trialsFactorAt3.min.toFixed(2)}, ${c!.trialsFactorAt3.max.toFixed(2)}]` +
          `                  ${c!.tail.map((t) => `${t.observed.toFixed(2)}±${t.observedErr.toFixed(2)} vs ${t.predicted.toFixed(2)}`).join(' / ')}`,
      );
    }
  }
  await writeFileAtomic(join(opts.outDir, 'toy-study.json'), JSON.stringify({ options: { ...opts }, summary, lookElsewhere: lee }, null, 1));
  console.log(`per-cell Z values: ${join(opts.outDir, 'toy-study.json')}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
