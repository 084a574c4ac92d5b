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

/** Options of {@link runToyStudy}. */
export interface ToyStudyOptions {
  readonly toys: number;
  readonly windows: number[];
  readonly background: number;
  readonly template: number;
  readonly control: number;
  /** Control sample's background model; 'none': no control sample (δsys = 0: the methods' raw bias shows). */
  readonly controlModel: 'same' | 'alternative' | 'none';
  /** CATHODE flow: 'ci' (the ci preset's flow: default network, 4 epochs, ≤ 60k events), 'tiny' (3 blocks × 32, 3 epochs, ≤ 30k) or 'default'. */
  readonly flow: 'ci' | 'tiny' | 'default';
  readonly epsilonB: number[];
  readonly methods: MethodName[];
  readonly firstSeed: number;
  /** The study's directory: each toy's outputs in variants/toy-<i>/, one shared cache (a rerun resumes). */
  readonly outDir: string;
  /** Called after each toy with its index and wall time. */
  readonly onToy?: (toy: number, seconds: number) => void;
}

export const TOY_DEFAULTS: Omit<ToyStudyOptions, 'outDir'> = {
  toys: 50, windows: [4, 5, 6], background: 120_000, template: 60_000, control: 120_000, controlModel: 'same',
  flow: 'ci', epsilonB: [1e-2, 1e-3], methods: ['iad', 'cwola', 'cathode'], firstSeed: 1000,
};

const FLOWS: Record<ToyStudyOptions['flow'], Record<string, unknown>> = {
  ci: { preset: 'default', epochs: 4, maxEvents: 60_000 },
  tiny: { preset: 'default', blocks: 3, hidden: 32, epochs: 3, maxEvents: 30_000 },
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
  cfg.cathode = { ...cfg.cathode, flow: FLOWS[o.flow] };
  cfg.lookElsewhere = { pseudoExperiments: 0 };
  return cfg;
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
}

/** Run the toys and collect the signed Z per (method, ε_B). */
export async function runToyStudy(options: ToyStudyOptions): Promise<ToyCellSummary[]> {
  const cells = new Map<string, { zCowan: number[]; zSimple: number[]; refused: number; applied: number }>();
  const cell = (m: string, e: number) => {
    const k = `${m}/${e}`;
    if (!cells.has(k)) cells.set(k, { zCowan: [], zSimple: [], refused: 0, applied: 0 });
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
        if (r.deltaSys !== 0) c.applied++;
      }
      for (const r of results.refusedCells ?? []) cell(r.method, r.epsilonB).refused++;
      options.onToy?.(toy, (Date.now() - t0) / 1000);
      t0 = Date.now();
    },
  });
  return [...cells.entries()].map(([k, c]) => {
    const [method, e] = k.split('/');
    return { method: method as MethodName, epsilonB: Number(e), zCowan: c.zCowan, zSimple: c.zSimple, refused: c.refused, deltaSysApplied: c.applied };
  });
}

/** mean ± its standard error and std of a set of Z (NaN-free); undefined for fewer than 2. */
export function zMoments(z: readonly number[]): { n: number; mean: number; meanErr: number; std: number; stdErr: number } | undefined {
  if (z.length < 2) return undefined;
  const s = summarizeRuns(z, 'Z');
  // Standard error of a sample std, normal approximation: σ/√(2(n − 1)).
  return { n: s.n, mean: s.mean, meanErr: s.stdErr, std: s.std, stdErr: s.std / Math.sqrt(2 * (s.n - 1)) };
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
    controlModel: (o['control-model'] ?? TOY_DEFAULTS.controlModel) as ToyStudyOptions['controlModel'],
    flow: (o.flow ?? TOY_DEFAULTS.flow) as ToyStudyOptions['flow'], epsilonB: list(o['epsilon-b'], TOY_DEFAULTS.epsilonB),
    methods: (o.methods?.split(',') ?? TOY_DEFAULTS.methods) as MethodName[], firstSeed: num(o['first-seed'], TOY_DEFAULTS.firstSeed),
    outDir: resolve(o.out ?? 'out/toys'),
  };
}

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  const summary = await runToyStudy({ ...opts, outDir: join(opts.outDir, 'scratch'), onToy: (t, s) => console.error(`toy ${t + 1}/${opts.toys}: ${s.toFixed(1)} s`) });
  console.log(`background-only toys: ${opts.toys} × windows ${opts.windows.join(',')}, ${opts.background} data / ${opts.template} template / ${opts.control} control (${opts.controlModel} model) events, flow '${opts.flow}', ${((Date.now() - t0) / 60000).toFixed(1)} min`);
  console.log('method    ε_B     cells  refused  δsys applied   mean Z_Cowan ± err   std Z_Cowan ± err   mean Z_simple   std Z_simple');
  for (const c of summary) {
    const m = zMoments(c.zCowan), s = zMoments(c.zSimple);
    console.log(
      `${c.method.padEnd(8)}  ${c.epsilonB.toExponential(0).padEnd(6)}  ${String(c.zCowan.length).padStart(5)}  ${String(c.refused).padStart(7)}  ${String(c.deltaSysApplied).padStart(12)}   ` +
        (m ? `${m.mean.toFixed(3).padStart(7)} ± ${m.meanErr.toFixed(3)}      ${m.std.toFixed(3).padStart(6)} ± ${m.stdErr.toFixed(3)}      ${s!.mean.toFixed(3).padStart(7)}        ${s!.std.toFixed(3)}` : 'fewer than 2 cells'),
    );
  }
  await writeFileAtomic(join(opts.outDir, 'toy-study.json'), JSON.stringify({ options: { ...opts }, summary }, null, 1));
  console.log(`per-cell Z values: ${join(opts.outDir, 'toy-study.json')}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
