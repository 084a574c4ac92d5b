import type { EventTable } from '../data/eventTable.js';
import { signalRegionMask, shortSidebandMask, type Window } from '../windows/index.js';
import { maskIndices, featureNames } from '../methods/features.js';
import { resolveReweighting, type ReweightingSummary } from '../methods/sidebandReweighting.js';
import type { MethodName } from '../methods/types.js';
import type { PlanInput, StageSpec, StoredResult } from '../methods/method.js';
import { methodDescriptor, methodStage } from '../methods/registry.js';
import {
  cutAndCount, deltaSysByEpsilonB, deltaOfWindow, summarizeRuns, sidakGlobalPValue,
  windowCorrelations, correlatedMaxGlobalPValue,
  pValueFromSignificance, rocCurve, areaUnderRoc, aucStandardError, deltaSysStatError, appliedSystematics, intrinsicSpread, DEFAULT_MIN_TEMPLATE_PASS,
  passingEvents, combinedShift, sharedPassCount,
  type CutAndCountRow, type ControlCount, type MeasuredShift,
} from '../stats/index.js';
import { createRng } from '../util/rng.js';
import { schemaDefaults } from '../util/schema.js';
import type { ScanSummaries } from './config.js';
import { deriveSummaryRanges, type SummaryRanges } from './summaryRanges.js';
import { classicalBumpHunt as fitBumpHuntSummary } from './classicalBumpHunt.js';
import { deltaSysUncertaintyOf } from './config.js';
import { distanceCorrelation } from '../stats/dcor.js';
import type { Reporter } from '../util/reporter.js';
import type { ResultCache } from './cache.js';
import type { ClassifyResult } from './execute.js';
import { methodSettings, type ScanPlan, type ScanTask, type SampleRole } from './plan.js';
import type { ScanDataset } from './dataset.js';
import { configurationNotes, trainsSidebandDensity } from './configNotes.js';
import { SidewinderError } from '../util/errors.js';
import { compareTemplateWithData, describeMismatch, noticeableMismatches } from './templateMatch.js';
import { evenlyStridedRows } from '../util/strided.js';
import { controlOutnumbersData, describeControlStatistics } from './controlStatistics.js';
import { crossFittedSrEvents, describeEnsembleChoice, plannedEnsemble } from './budget.js';
import { calibrationTemplate } from '../ml/crossFit.js';
import {
  aggregateRuns, cellKey, resultsZ, resultsHistogram, RESULTS_SCHEMA, RESULTS_VERSION, type CellRun, type RefusedCell, type DeltaSysStudy, type FeatureHistogram, type FeatureDependence, type TemplateCorrelation,
  type LookElsewhereResult, type MjjSpectra, type VersionsRecord, type BumpHuntFit, type ResultsDocument, type RocRecord, type TemplateQuality,
} from './results.js';

/** Out-of-fold scores of one scores or closure task, with the sample indices of its SR (or short-sideband) events. */
interface ScoredCell {
  readonly task: ScanTask;
  readonly stage: StageSpec;
  readonly value: ClassifyResult;
  readonly dataScores: Float64Array;
  readonly dataFold: Uint8Array;
  readonly templateScores: Float64Array;
  readonly templateFold: Uint8Array;
  readonly templateWeights?: Float64Array;
  /** Weight of every template row, including rows only trained on (the template's plots draw them all). */
  readonly allTemplateWeights?: Float64Array;
  /** Row of each SR data event in its sample. */
  readonly srIndex: Uint32Array;
}

export interface AssembleContext {
  readonly plan: ScanPlan;
  readonly cache: ResultCache;
  readonly samples: Readonly<Record<string, EventTable>>;
  readonly datasets: Readonly<Record<string, ScanDataset>>;
  readonly writer: string;
  readonly versions: VersionsRecord;
  readonly reporter?: Reporter;
}


function loadCells(ctx: AssembleContext): ScoredCell[] {
  const srIndexCache = new Map<string, Uint32Array>();
  const cells: ScoredCell[] = [];
  for (const task of ctx.plan.tasks) {
    const stage = methodStage(task.method, task.kind);
    if (stage.role === 'generator') continue;
    const entry = ctx.cache.get<ClassifyResult>(task.key);
    if (!entry) throw new Error(`scan: result of task ${task.index} (window ${task.windowId}, ${task.method} ${task.kind}, run ${task.run}, ${task.sample}) is missing from the cache`);
    const w = windowById(ctx.plan, task.windowId);
    const region = stage.dataRegion ?? 'signal-region';
    const k = `${task.sample}/${region}/${w.id}`;
    let srIndex = srIndexCache.get(k);
    // Rows of the events the task scored: the SR, or the short sidebands (a closure).
    if (!srIndex) {
      const events = ctx.samples[task.sample];
      srIndexCache.set(k, (srIndex = maskIndices(region === 'short-sidebands' ? shortSidebandMask(events, w, ctx.plan.shortSidebandWidth) : signalRegionMask(events, w))));
    }
    const a = entry.arrays;
    const weights = a.templateWeights as Float64Array | undefined;
    cells.push({
      task, stage, value: entry.value, srIndex,
      dataScores: a.dataScores as Float64Array, dataFold: a.dataFold as Uint8Array,
      ...calibrationTemplate({ templateScores: a.templateScores as Float64Array, templateFold: a.templateFold as Uint8Array, templateWeights: weights }, a.templateCalibration as Uint8Array | undefined),
      allTemplateWeights: weights,
    });
  }
  return cells;
}

/** The data cells of the cut-and-count: scores tasks on a sample (all runs unless given). */
const scoresCells = (cells: readonly ScoredCell[], sample: SampleRole, method?: MethodName, run?: number): ScoredCell[] =>
  cells.filter((c) => c.stage.role === 'scores' && c.task.sample === sample && (method === undefined || c.task.method === method) && (run === undefined || c.task.run === run));

/** What a method's descriptor reads for one cell: its window, settings and samples, and its dependencies' stored results. */
function cellInput(ctx: AssembleContext, task: ScanTask): PlanInput & { stored<T>(kind: string): StoredResult<T> | undefined } {
  const stage = methodStage(task.method, task.kind);
  return {
    window: windowById(ctx.plan, task.windowId), settings: methodSettings(ctx.plan.config, ctx.plan.shortSidebandWidth),
    events: ctx.samples[task.sample], sample: (role) => ctx.samples[role],
    stored: <T>(kind: string) => {
      const key = task.dependsOn[stage.dependsOn.indexOf(kind)];
      return key === undefined ? undefined : ctx.cache.get<T>(key);
    },
  };
}

function windowById(plan: ScanPlan, id: number): Window {
  const w = plan.windows.find((x) => x.id === id);
  if (!w) throw new Error(`scan: window ${id} is not in the plan`);
  return w;
}

/**
 * δsys applied per ε_B (the shift, 0 unless significant) and σ_sys (its uncertainty, with the
 * counting error of every δsys source: `appliedSystematics` of lib/stats/dsys.ts), plus what was
 * measured: the MC mean and the counting error of all sources combined.
 */
interface AppliedSystematics {
  readonly deltaSys: number[];
  readonly sigmaSys: number[];
  readonly measured?: (number | undefined)[];
  readonly statError?: (number | undefined)[];
}

/** Minimum number of passing template events of a working point (scan config `minTemplatePass`). */
const minTemplatePassOf = (ctx: AssembleContext): number => ctx.plan.config.minTemplatePass ?? DEFAULT_MIN_TEMPLATE_PASS;

function countCell(cell: ScoredCell, epsilonB: readonly number[], minTemplatePass: number, sys?: AppliedSystematics): CutAndCountRow[] {
  return cutAndCount(
    { templateScores: cell.templateScores, templateWeights: cell.templateWeights, dataScores: cell.dataScores, folds: { data: cell.dataFold, template: cell.templateFold } },
    { epsilonB, deltaSys: sys?.deltaSys ?? 0, sigmaSys: sys?.sigmaSys, minTemplatePass },
  );
}

/** Sample rows of a cell's SR (or short-sideband) events that pass working point `row`, ascending. */
function passingRows(cell: ScoredCell, row: CutAndCountRow): Uint32Array {
  const pass = passingEvents(cell.dataScores, cell.dataFold, row);
  const out: number[] = [];
  for (let i = 0; i < pass.length; i++) if (pass[i]) out.push(cell.srIndex[i]);
  return Uint32Array.from(out);
}

/**
 * δ per window and run of signal-free cells (δsys = 0 in the counting), as δsys studies per ε_B,
 * each with its counting error: control events passing the cuts of two overlapping windows (or two
 * runs) are counted once per pair in the covariance (`deltaSysStatError`). Cells whose template
 * cannot resolve ε_B are left out (their δ would measure template noise).
 */
function measureShifts(ctx: AssembleContext, cells: readonly ScoredCell[], method: MethodName, source: DeltaSysStudy['source'], notes: string[]): DeltaSysStudy[] {
  const epsilonB = ctx.plan.config.epsilonB;
  const rowsOf = new Map<ControlCount, Uint32Array>();
  const counts: ControlCount[] = [];
  const refused = new Map<number, number>();
  for (const c of cells)
    countCell(c, epsilonB, minTemplatePassOf(ctx)).forEach((r) => {
      if (r.refused) { refused.set(r.epsilonB, (refused.get(r.epsilonB) ?? 0) + 1); return; }
      const cc: ControlCount = { epsilonB: r.epsilonB, nObs: r.nObs, epsilonEff: r.epsilonEff, nSR: r.nSR, nTemplatePassEff: r.nTemplatePassEff, window: c.task.windowId, run: c.task.run };
      counts.push(cc);
      rowsOf.set(cc, passingRows(c, r));
    });
  for (const [e, n] of refused)
    notes.push(`δsys of ${method} (${source}) at ε_B=${e}: ${n} of ${cells.length} ${source === 'mc' ? 'control' : 'sideband-closure'} cells left out, their template cannot resolve ε_B (fewer than ${minTemplatePassOf(ctx)} template events pass)`);
  if (counts.length === 0) return [];
  const sharedPass = (a: ControlCount, b: ControlCount): number => sharedPassCount(rowsOf.get(a)!, rowsOf.get(b)!);
  return deltaSysByEpsilonB(counts, { sharedPass }).map((e) => {
    const perWindow = [...new Set(counts.map((c) => c.window as number))].flatMap((windowId) => {
      const mine = counts.filter((c) => c.window === windowId && c.epsilonB === e.epsilonB);
      if (mine.length === 0) return [];
      const s = summarizeRuns(mine.map((c) => deltaOfWindow(c.nObs, c.epsilonEff, c.nSR)), `δ of window ${windowId}`);
      return [{ windowId, value: s.mean, std: s.std, stdErr: deltaSysStatError(mine, sharedPass) }];
    });
    return {
      method, epsilonB: e.epsilonB, source, mean: e.deltaSys, std: e.std, stdErr: e.stdErr, n: e.n, perWindow,
      statError: e.statError, significant: Math.abs(e.deltaSys) > e.statError,
      intrinsicSpread: intrinsicSpread(perWindow.map((w) => ({ value: w.value, statError: w.stdErr })), e.statError),
    };
  });
}

/** The note of a generated template's MC δsys that is compatible with zero (docs/physics.md, background-only toys). */
export const UNAPPLIED_GENERATED_SHIFT =
  'MC δsys compatible with zero, so not applied; this is weak evidence that the data\'s template is unbiased, since the control trains its own density estimate ' +
  '(background-only toys, CATHODE at ε_B = 10⁻³: such cells averaged Z = +0.84 ± 0.16, the others −0.07; docs/physics.md, systematic uncertainty)';

/**
 * Notes for a generated template's working points whose MC δsys was measured but not applied. Its control
 * trains its own density estimate, whose bias can differ from the data's by more than the counting error: a
 * shift compatible with zero there does not show that the data's template is unbiased.
 */
export function unappliedShiftNotes(method: MethodName, cells: readonly { epsilonB: number; measured: boolean; applied: number }[]): string[] {
  return cells.filter((c) => c.measured && c.applied === 0).map((c) => `${method}, ε_B=${c.epsilonB}: ${UNAPPLIED_GENERATED_SHIFT}`);
}

/**
 * Per-method δsys per ε_B. Measured on the control sample (MC-based) when there is one; for CATHODE
 * with the sideband closure, the data-driven shift enters σ_sys beside the MC one (the MC mean is the
 * only shift applied). Each source carries its counting error; a source shifts N_exp only when
 * |δ| > σ_δ, and every σ_δ enters σ_sys, with the shift itself (`anchor`) or the windows' bias
 * spread τ (`residual`) as `deltaSys.uncertainty` says (`appliedSystematics`). Configured values override both
 * (applied as given, σ_sys = |δsys|); IAD is always 0.
 */
function deltaSysTable(ctx: AssembleContext, cells: ScoredCell[], notes: string[]): { table: Map<MethodName, AppliedSystematics>; studies: DeltaSysStudy[] } {
  const { config } = ctx.plan;
  const eps = config.epsilonB;
  const table = new Map<MethodName, AppliedSystematics>();
  const studies: DeltaSysStudy[] = [];
  const uncertainty = deltaSysUncertaintyOf(config);
  // Said once, when some method's δsys is measured rather than configured.
  if (config.control && config.methods.some((m) => methodDescriptor(m).deltaSys && !config.deltaSys.values?.[m]))
    notes.push(`δsys uncertainty: ${uncertainty.mode === 'residual' ? 'residual, σ_sys² = σ_δ² + τ² (error of the shift and the windows\' bias spread)' : 'anchor, σ_sys² = δsys² + σ_δ² (the shift also kept as its own systematic)'}: ${uncertainty.why}`);
  for (const method of config.methods) {
    const descriptor = methodDescriptor(method);
    const control = scoresCells(cells, 'control', method);
    const closure = cells.filter((c) => c.stage.role === 'closure' && c.task.method === method);
    const mc = control.length ? measureShifts(ctx, control, method, 'mc', notes) : [];
    const dd = closure.length ? measureShifts(ctx, closure, method, 'data-driven', notes) : [];
    studies.push(...mc, ...dd);
    const shiftOf = (list: DeltaSysStudy[], e: number): MeasuredShift | undefined => {
      const s = list.find((x) => x.epsilonB === e);
      return s ? { value: s.mean, statError: s.statError ?? 0, spread: s.intrinsicSpread ?? 0 } : undefined;
    };
    const applied = eps.map((e) => {
      const m = shiftOf(mc, e), d = shiftOf(dd, e);
      if (control.length && !m) notes.push(`${method}, ε_B=${e}: no control cell resolves this working point; no MC-based δsys is applied`);
      return { m, d, ...appliedSystematics(m, d ? [d] : [], { uncertainty: uncertainty.mode }) };
    });
    if (descriptor.generatedTemplate && !config.deltaSys.values?.[method])
      notes.push(...unappliedShiftNotes(method, eps.map((e, i) => ({ epsilonB: e, measured: applied[i].m !== undefined, applied: applied[i].deltaSys }))));
    let deltaSys = applied.map((a) => a.deltaSys);
    let sigmaSys = applied.map((a) => a.sigmaSys);
    const measured = applied.map((a) => a.m?.value);
    // The error the 1σ rule compared the applied (MC) shift with; the data-driven error enters σ_b via sigmaSys.
    const statError = applied.map((a) => (a.m ? a.m.statError : a.d?.statError));
    applied.forEach((a, i) => {
      if (!a.m || !a.d) return;
      const c = combinedShift(a.m, a.d);
      studies.push({ method, epsilonB: eps[i], source: 'combined', mean: c.mean, std: 0, perWindow: [], statError: c.statError, significant: c.significant });
    });
    const configured = config.deltaSys.values?.[method];
    let fromConfig = false;
    if (configured) {
      fromConfig = true;
      deltaSys = eps.map((e, i) => configured[String(e)] ?? deltaSys[i]);
      sigmaSys = deltaSys.map((d, i) => (configured[String(eps[i])] !== undefined ? Math.abs(d) : sigmaSys[i]));
      notes.push(`δsys of ${method} taken from the configuration where given (${eps.map((e, i) => `ε_B=${e}: ${deltaSys[i]}`).join(', ')})`);
    } else if (!mc.length && !dd.length && descriptor.deltaSys) {
      notes.push(`no control sample and no configured δsys for ${method}: δsys = 0 (no systematic correction)`);
    }
    // A perfect template by construction (IAD): no shift.
    if (!descriptor.deltaSys) table.set(method, { deltaSys: eps.map(() => 0), sigmaSys: eps.map(() => 0) });
    else if (fromConfig) table.set(method, { deltaSys, sigmaSys, measured: eps.map((e, i) => (configured![String(e)] !== undefined ? undefined : measured[i])), statError: eps.map((e, i) => (configured![String(e)] !== undefined ? undefined : statError[i])) });
    else table.set(method, { deltaSys, sigmaSys, measured, statError });
  }
  return { table, studies };
}

/**
 * Per-run cells of the data, and the cells refused because their template cannot resolve ε_B: a
 * (window, method, ε_B) is refused as a whole when any of its runs is, so no Z is ever reported for
 * it (it appears in `refusedCells`, not in `runs`).
 */
function cellRuns(ctx: AssembleContext, cells: ScoredCell[], deltaSys: Map<MethodName, AppliedSystematics>): { runs: CellRun[]; rows: Map<ScoredCell, CutAndCountRow[]>; refused: RefusedCell[] } {
  const { config } = ctx.plan;
  const labels = ctx.samples.data.has('label') ? ctx.samples.data.column('label') : undefined;
  const runs: CellRun[] = [];
  const rows = new Map<ScoredCell, CutAndCountRow[]>();
  const refusedByKey = new Map<string, RefusedCell>();
  for (const cell of cells) {
    if (cell.task.sample !== 'data' || cell.stage.role !== 'scores') continue;
    const method = cell.task.method!;
    const sys = deltaSys.get(method)!;
    const r = countCell(cell, config.epsilonB, minTemplatePassOf(ctx), sys);
    rows.set(cell, r);
    let nSignalSR: number | undefined;
    if (labels) {
      nSignalSR = 0;
      for (const i of cell.srIndex) nSignalSR += labels[i] === 1 ? 1 : 0;
    }
    r.forEach((row, e) => {
      const key = cellKey(cell.task.windowId, method, row.epsilonB);
      if (row.refused) {
        const prev = refusedByKey.get(key);
        // Keep the run with the fewest passing template events: the one that decides the refusal.
        if (!prev || row.nTemplatePassEff < prev.nTemplatePass)
          refusedByKey.set(key, {
            windowId: cell.task.windowId, method, epsilonB: row.epsilonB, reason: row.refused.reason, minTemplatePass: row.refused.minTemplatePass,
            nTemplate: row.nTemplate, nTemplatePass: row.nTemplatePassEff, epsilonEff: row.epsilonEff, nTemplateNeeded: row.refused.nTemplateNeeded,
            runs: [...(prev?.runs ?? []), cell.task.run].sort((a, b) => a - b),
          });
        else prev.runs = [...prev.runs, cell.task.run].sort((a, b) => a - b);
        return;
      }
      let nSignalPass: number | undefined;
      if (labels) {
        const pass = passingEvents(cell.dataScores, cell.dataFold, row);
        nSignalPass = 0;
        for (let i = 0; i < pass.length; i++) if (pass[i] && labels[cell.srIndex[i]] === 1) nSignalPass++;
      }
      const measured = sys.measured?.[e], statError = sys.statError?.[e];
      runs.push({
        windowId: cell.task.windowId, method, epsilonB: row.epsilonB, run: cell.task.run, seed: cell.task.seed,
        nSR: row.nSR, nTemplate: row.nTemplate, nTemplatePass: row.nTemplatePass, nTemplatePassEff: row.nTemplatePassEff,
        threshold: row.threshold, foldThresholds: [...row.foldThresholds], foldIds: [...row.foldIds],
        epsilonEff: row.epsilonEff, nObs: row.nObs, nExp: row.nExp, deltaSys: row.deltaSys, sigmaSys: row.sigmaSys,
        ...(measured !== undefined ? { deltaSysMeasured: measured } : {}), ...(statError !== undefined ? { deltaSysStatError: statError } : {}),
        sigmaExp: row.sigmaExp, sigmaB: row.sigmaB,
        zSimple: row.zSimple, zSimpleOneSided: row.zSimpleOneSided, zCowan: row.zCowan, zCowanOneSided: row.zCowanOneSided,
        ...(labels ? { nSignalSR, nSignalPass } : {}),
      });
    });
  }
  // Runs of a refused cell that resolved on their own are dropped too: one label per cell.
  return { runs: runs.filter((x) => !refusedByKey.has(cellKey(x.windowId, x.method, x.epsilonB))), rows, refused: [...refusedByKey.values()] };
}


/**
 * Global significance per method and ε_B (run 0) of the largest local Z over the windows (one-sided
 * Cowan), in the Gaussian approximation: P(max Z ≥ observed) for local Zs correlated as the windows'
 * count fluctuations are (from the data events their cuts share: lib/stats `windowCorrelations`,
 * `correlatedMaxGlobalPValue`), labelled as such; the Šidák bound (independent windows) beside it.
 * `sidewinder lee` replaces it with pseudo-experiments that retrain everything on background-only pseudo-data.
 */
function lookElsewhere(
  ctx: AssembleContext, cells: ScoredCell[], dataRows: Map<ScoredCell, CutAndCountRow[]>, refused: readonly RefusedCell[],
): LookElsewhereResult[] {
  const { config } = ctx.plan;
  const out: LookElsewhereResult[] = [];
  for (const method of config.methods) {
    const allData = scoresCells(cells, 'data', method, 0).sort((a, b) => a.task.windowId - b.task.windowId);
    config.epsilonB.forEach((eps, e) => {
      // Windows whose template cannot resolve ε_B have no Z: the maximum runs over the others.
      const refusedIds = new Set(refused.filter((r) => r.method === method && r.epsilonB === eps).map((r) => r.windowId));
      const dataCells = allData.filter((c) => !refusedIds.has(c.task.windowId));
      if (dataCells.length === 0) return;
      const rows = dataCells.map((c) => dataRows.get(c)![e]);
      const observed = rows.map((r) => r.zCowanOneSided);
      const zMax = Math.max(...observed);
      const localP = pValueFromSignificance(zMax);
      const sidakP = sidakGlobalPValue(localP, observed.length);
      const correlation = windowCorrelations(dataCells.map((c, k) => ({ passRows: passingRows(c, rows[k]), variance: Math.max(rows[k].nExp + rows[k].sigmaB ** 2, 1) })));
      const { globalP } = correlatedMaxGlobalPValue(zMax, correlation, { rng: createRng(config.seed).fork(`look-elsewhere/${method}/${eps}`) });
      out.push({
        method, epsilonB: eps, statistic: 'cowanOneSided', localZMax: zMax,
        localZMaxWindowId: dataCells[observed.indexOf(zMax)].task.windowId, localP, nWindows: observed.length,
        globalP, globalZ: resultsZ(globalP), globalMethod: observed.length === 1 ? 'single-window' : 'correlated-gaussian', ...(localP > 0 ? { trialsFactor: globalP / localP } : {}),
        nPseudoExperiments: 0, sidakBound: { globalP: sidakP, globalZ: resultsZ(sidakP) },
        ...(observed.length > 1 ? { windowCorrelation: { windowIds: dataCells.map((c) => c.task.windowId), matrix: correlation } } : {}),
      });
    });
  }
  return out;
}


function rocCurves(ctx: AssembleContext, cells: ScoredCell[]): RocRecord[] | undefined {
  if (!ctx.samples.data.has('label')) return undefined;
  const labels = ctx.samples.data.column('label');
  const out: RocRecord[] = [];
  for (const c of scoresCells(cells, 'data', undefined, 0)) {
    const sig: number[] = [], bkg: number[] = [];
    c.srIndex.forEach((row, i) => (labels[row] === 1 ? sig : bkg).push(c.dataScores[i]));
    if (sig.length === 0 || bkg.length === 0) continue;
    const roc = rocCurve(sig, bkg);
    // Keep ≤ 200 points, log-spaced in FPR, so the results stay small.
    const keep = new Set<number>([0, roc.fpr.length - 1]);
    for (let k = 0; k <= 200; k++) {
      const target = 10 ** (-5 + (5 * k) / 200);
      let j = 0;
      while (j < roc.fpr.length - 1 && roc.fpr[j] < target) j++;
      keep.add(j);
    }
    const idx = [...keep].sort((a, b) => a - b);
    out.push({ windowId: c.task.windowId, method: c.task.method, run: 0, fpr: idx.map((j) => roc.fpr[j]), tpr: idx.map((j) => roc.tpr[j]), auc: areaUnderRoc(roc) });
  }
  return out;
}

/** The scan's `summaries` options, defaults from the schema (data-schemas/scan-config.schema.json `$defs/summaries`). */
function summaryOptions(ctx: AssembleContext): ScanSummaries {
  return { ...schemaDefaults<ScanSummaries>('scan-config', '/$defs/summaries'), ...ctx.plan.config.summaries };
}

/** The spectra's range and the dijet fit's start: as configured, else the schema's defaults where they cover the windows, else from the windows. */
function summaryRanges(ctx: AssembleContext): SummaryRanges {
  return deriveSummaryRanges(ctx.plan.windows, ctx.plan.shortSidebandWidth, ctx.plan.config.summaries, schemaDefaults<ScanSummaries>('scan-config', '/$defs/summaries'));
}

/** "4, 5, 6 (SR 1.92–2.28 TeV)": windows by id with the masses they span. */
const windowsSpan = (ws: readonly Window[]): string =>
  `${ws.map((w) => w.id).join(', ')} (SR ${Math.min(...ws.map((w) => w.srLow))}–${Math.max(...ws.map((w) => w.srHigh))} TeV)`;

function spectra(ctx: AssembleContext, cells: ScoredCell[], dataRows: Map<ScoredCell, CutAndCountRow[]>, runs: CellRun[], notes: string[]): MjjSpectra {
  const mjj = ctx.samples.data.column('mJJ');
  const ranges = summaryRanges(ctx);
  const { spectrumTeV: [SPECTRUM_LO, SPECTRUM_HI], spectrumBins: SPECTRUM_BINS } = ranges;
  const derived = [
    ranges.spectrumSource === 'windows' ? `m_JJ spectra over ${SPECTRUM_LO}–${SPECTRUM_HI} TeV in ${SPECTRUM_BINS} bins` : '',
    ranges.fitFromSource === 'windows' ? `the dijet fit from ${ranges.fitFromTeV} TeV` : '',
  ].filter((x) => x !== '');
  if (derived.length) {
    const d = schemaDefaults<ScanSummaries>('scan-config', '/$defs/summaries');
    notes.push(`summaries: ${derived.join(' and ')} derived from windows ${windowsSpan(ctx.plan.windows)}, which the defaults (the LHCO selection's: spectra over ${d.spectrumTeV[0]}–${d.spectrumTeV[1]} TeV, fit from ${d.bumpHuntFitFromTeV} TeV) do not cover`);
  }
  // A configured range that misses a window stores spectra without (part of) its events.
  const uncovered = ctx.plan.windows.filter((w) => w.srLow < SPECTRUM_LO - 1e-9 || w.srHigh > SPECTRUM_HI + 1e-9);
  if (uncovered.length)
    notes.push(`summaries.spectrumTeV [${SPECTRUM_LO}, ${SPECTRUM_HI}] does not cover window${uncovered.length > 1 ? 's' : ''} ${windowsSpan(uncovered)}: the stored m_JJ spectra, before and after the cuts, miss their events outside it`);
  const before = resultsHistogram(mjj, SPECTRUM_LO, SPECTRUM_HI, SPECTRUM_BINS);
  const afterCut: MjjSpectra['afterCut'] = [];
  const { config } = ctx.plan;
  for (const method of config.methods)
    config.epsilonB.forEach((eps, e) => {
      // The window where this method's mean significance peaks, run 0: passing SR events and the background expected there.
      const mine = runs.filter((r) => r.method === method && r.epsilonB === eps && r.run === 0);
      if (mine.length === 0) return;
      const best = mine.reduce((a, b) => (b.zCowan > a.zCowan ? b : a));
      const cell = scoresCells(cells, 'data', method, 0).find((c) => c.task.windowId === best.windowId)!;
      const row = dataRows.get(cell)![e];
      const pass = passingEvents(cell.dataScores, cell.dataFold, row);
      const passMass: number[] = [], srMass: number[] = [];
      cell.srIndex.forEach((i, k) => { srMass.push(mjj[i]); if (pass[k]) passMass.push(mjj[i]); });
      const scale = row.epsilonEff * (1 + row.deltaSys);
      afterCut.push({
        method, epsilonB: eps, windowId: best.windowId,
        counts: resultsHistogram(passMass, SPECTRUM_LO, SPECTRUM_HI, SPECTRUM_BINS).counts,
        expectedBackground: resultsHistogram(srMass, SPECTRUM_LO, SPECTRUM_HI, SPECTRUM_BINS).counts.map((c) => c * scale),
      });
    });
  return { edgesTeV: before.edges, countsBeforeCut: before.counts, afterCut };
}

/** dCor of the finite pairs (a_i, b_i) (dCor is undefined for non-finite values), clamped to [0, 1]; NaN for < 2 pairs. */
function finitePairDCor(a: ArrayLike<number>, b: ArrayLike<number>): { dCor: number; n: number } {
  const x: number[] = [], y: number[] = [];
  for (let i = 0; i < a.length; i++) if (Number.isFinite(a[i]) && Number.isFinite(b[i])) { x.push(a[i]); y.push(b[i]); }
  return { dCor: x.length < 2 ? NaN : Math.min(Math.max(distanceCorrelation(x, y).dCor, 0), 1), n: x.length };
}

/**
 * dCor(feature, m_JJ) on the data (at most `summaries.dependenceEvents` events, evenly strided over the
 * whole sample: a file sorted by m_JJ would otherwise give the first rows' narrow mass range): the
 * O(n log n) algorithm.
 */
function featureDependence(ctx: AssembleContext): FeatureDependence[] {
  const data = ctx.samples.data;
  const n = Math.min(data.length, summaryOptions(ctx).dependenceEvents);
  if (n < 2) return [];
  const rows = evenlyStridedRows(data.length, n);
  const pick = (c: ArrayLike<number>): Float64Array => Float64Array.from(rows, (r) => c[r]);
  const mjj = pick(data.column('mJJ'));
  const out: FeatureDependence[] = [];
  for (const feature of featureNames(ctx.plan.config.features)) {
    const r = finitePairDCor(mjj, pick(data.column(feature)));
    if (r.n < 2) continue;
    out.push({ feature, variable: 'mJJ', dCor: r.dCor, nEvents: r.n });
  }
  return out;
}

/** Events per sample in {@link templateCorrelations}: dCor then scatters by 0.003–0.006 (measured on Gaussian pairs), ≈ 0.01 for independent ones. */
const TEMPLATE_DCOR_EVENTS = 20_000;

/** dCor of every pair of classifier inputs in the SR data and in each generated template (CATHODE), per window (run 0), on ≤ 20k evenly strided rows of each. */
function templateCorrelations(ctx: AssembleContext, cells: ScoredCell[]): TemplateCorrelation[] {
  const out: TemplateCorrelation[] = [];
  const names = featureNames(ctx.plan.config.features);
  for (const c of scoresCells(cells, 'data', undefined, 0)) {
    if (!methodDescriptor(c.task.method).generatedTemplate) continue;
    const template = templateFeatures(ctx, c);
    if (!template) continue;
    const dRows = evenlyStridedRows(c.srIndex.length, TEMPLATE_DCOR_EVENTS), tRows = evenlyStridedRows(template.rows, TEMPLATE_DCOR_EVENTS);
    const dataCol = (j: number) => { const col = ctx.samples.data.column(names[j]); return Float64Array.from(dRows, (r) => col[c.srIndex[r]]); };
    const templateCol = (j: number) => Float64Array.from(tRows, (r) => template.data[r * template.cols + j]);
    const d = names.map((_, j) => dataCol(j)), t = names.map((_, j) => templateCol(j));
    for (let a = 0; a < names.length; a++)
      for (let b = a + 1; b < names.length; b++) {
        const dd = finitePairDCor(d[a], d[b]), tt = finitePairDCor(t[a], t[b]);
        if (!Number.isFinite(dd.dCor) || !Number.isFinite(tt.dCor)) continue;
        out.push({ windowId: c.task.windowId, method: c.task.method, featureA: names[a], featureB: names[b], dCorData: dd.dCor, dCorTemplate: tt.dCor, nData: dd.n, nTemplate: tt.n });
      }
  }
  return out;
}

/**
 * Per generator task (CATHODE's flow): what its stage reports of the template (the draw's boundary
 * check, the validation log-likelihood per epoch) and, with a closure task reading it, the
 * out-of-fold AUC of that closure (short-sideband data vs generator samples) with its Hanley–McNeil error.
 */
function templateQuality(ctx: AssembleContext, cells: ScoredCell[]): TemplateQuality[] {
  const out: TemplateQuality[] = [];
  for (const task of ctx.plan.tasks) {
    const stage = methodStage(task.method, task.kind);
    if (stage.role !== 'generator') continue;
    const stored = ctx.cache.get(task.key);
    if (!stored) continue;
    const q: TemplateQuality = { windowId: task.windowId, run: task.run, sample: task.sample, ...stage.quality?.(stored) };
    const closure = cells.find((c) => c.stage.role === 'closure' && c.task.dependsOn.includes(task.key));
    if (closure && closure.dataScores.length > 0 && closure.templateScores.length > 0) {
      const auc = areaUnderRoc(closure.dataScores, closure.templateScores);
      Object.assign(q, { closureAuc: auc, closureAucStdErr: aucStandardError(auc, closure.dataScores.length, closure.templateScores.length), closureNData: closure.dataScores.length, closureNTemplate: closure.templateScores.length });
    }
    // The scores tasks that read this generator's samples, one per run, each with the weights it gave them.
    const reweighting = cells
      .filter((c) => c.stage.role === 'scores' && c.task.dependsOn.includes(task.key) && c.value.meta.reweighting)
      .map((c) => ({ run: c.task.run, ...(c.value.meta.reweighting as ReweightingSummary) }));
    if (reweighting.length > 0) q.reweighting = reweighting;
    out.push(q);
  }
  return out;
}

function featureHistograms(ctx: AssembleContext, cells: ScoredCell[]): FeatureHistogram[] {
  const out: FeatureHistogram[] = [];
  const names = featureNames(ctx.plan.config.features);
  for (const c of scoresCells(cells, 'data', undefined, 0)) {
    const template = templateFeatures(ctx, c);
    if (!template) continue;
    names.forEach((feature, j) => {
      const col = ctx.samples.data.column(feature);
      const dataVals = Array.from(c.srIndex, (i) => col[i]);
      const sorted = [...dataVals].sort((a, b) => a - b);
      const lo = sorted[Math.floor(0.005 * (sorted.length - 1))], hi = sorted[Math.ceil(0.995 * (sorted.length - 1))];
      if (!(hi > lo)) return;
      const tVals = Array.from({ length: template.rows }, (_, i) => template.data[i * template.cols + j]);
      const d = resultsHistogram(dataVals, lo, hi, 30);
      const w = template.weights;
      const t = resultsHistogram(tVals, lo, hi, 30, w);
      const w2 = w ? resultsHistogram(tVals, lo, hi, 30, Array.from(w, (x) => x * x)).counts : undefined;
      out.push({ windowId: c.task.windowId, method: c.task.method, feature, unit: ctx.samples.data.unit(feature), edges: d.edges, dataCounts: d.counts, templateCounts: t.counts, ...(w2 ? { templateSumW2: w2 } : {}) });
    });
  }
  return out;
}

/** The template's feature rows of a cell, as its method builds them (undefined when its inputs are gone). */
function templateFeatures(ctx: AssembleContext, c: ScoredCell): { data: Float64Array; rows: number; cols: number; weights?: Float64Array } | undefined {
  const t = methodDescriptor(c.task.method).templateEvents(cellInput(ctx, c.task));
  if (!t) return undefined;
  // A template weighted in its scores task (CATHODE's sideband reweighting) is drawn with those weights.
  const weights = t.weights ?? (c.allTemplateWeights?.length === t.x.rows ? c.allTemplateWeights : undefined);
  return { data: t.x.data, rows: t.x.rows, cols: t.x.cols, weights };
}

/**
 * The classical comparison: a fit-based bump hunt (dijet function + Gaussian signal at each window
 * centre, Wilks Z) on the inclusive m_JJ spectrum, fitted above the trigger turn-on; windows it cannot
 * assess are left out with a note (lib/scan/classicalBumpHunt.ts).
 */
function classicalBumpHunt(ctx: AssembleContext, spectrum: MjjSpectra, notes: string[]): BumpHuntFit[] {
  const { fitFromTeV, fitFromSource } = summaryRanges(ctx);
  try {
    const r = fitBumpHuntSummary(spectrum, ctx.plan.windows, { fitFromTeV, fitFromSource, sqrtSTeV: summaryOptions(ctx).sqrtSTeV });
    notes.push(...r.notes);
    return r.rows;
  } catch (err) {
    // A comparison the fit refuses must not cost the scan's own results, written after hours of tasks.
    if (!(err instanceof SidewinderError)) throw err;
    notes.push(`fit-based bump hunt not run: ${err.message}`);
    return [];
  }
}


/** `{ droppedInvalid: { role: count } }` for the samples read with dropInvalid, else nothing. */
function droppedInvalid(datasets: Readonly<Record<string, ScanDataset>>): { droppedInvalid?: Record<string, number> } {
  const counts = Object.entries(datasets).filter(([, d]) => d.droppedInvalid !== undefined).map(([role, d]) => [role, d.droppedInvalid!] as const);
  return counts.length ? { droppedInvalid: Object.fromEntries(counts) } : {};
}

/** Turn the cached task results of a finished plan into the results document. */
export function assembleResults(ctx: AssembleContext): ResultsDocument {
  const { plan } = ctx;
  const { config } = plan;
  const notes = configurationNotes(config);
  // The sideband density settings apply when some method trains one (CATHODE).
  const density = trainsSidebandDensity(config);
  // The plan holds the numbers the budget chose: state them, not a new choice.
  if (config.ensembleBudget)
    notes.push(describeEnsembleChoice(plannedEnsemble(config, crossFittedSrEvents(ctx.datasets, plan.windows)), config.ensembleBudget.srEventFits));
  const cells = loadCells(ctx);
  if (plan.windows.length > 1)
    notes.push('look-elsewhere: global p in the Gaussian approximation, the windows\' local Zs correlated through the events they share (no retraining); `sidewinder lee --toys N` computes it from background-only pseudo-experiments that retrain everything');
  const { table, studies } = deltaSysTable(ctx, cells, notes);
  const { runs, rows, refused } = cellRuns(ctx, cells, table);
  if (refused.length)
    notes.push(`${refused.length} (window, method, ε_B) cell(s) refused: their template cannot resolve ε_B (fewer than ${minTemplatePassOf(ctx)} template events pass); no significance is reported for them (refusedCells: reason and template size needed)`);
  // What prepareScan warned about the IAD template, kept with the numbers it qualifies.
  if (config.methods.includes('iad') && ctx.samples.template)
    notes.push(...noticeableMismatches(compareTemplateWithData(ctx.samples.data, ctx.samples.template, plan.windows, config.features)).map(describeMismatch));
  const outnumbered = controlOutnumbersData(config, plan.windows, ctx.samples.data, ctx.samples.control);
  if (outnumbered.length) notes.push(describeControlStatistics(outnumbered));
  const data = ctx.datasets.data;
  const doc: ResultsDocument = {
    schema: RESULTS_SCHEMA, version: RESULTS_VERSION, writer: ctx.writer, createdAt: new Date().toISOString(), notes,
    config: {
      preset: config.preset, methods: config.methods,
      windows: plan.windows.map((w) => ({ id: w.id, srLow: w.srLow, srHigh: w.srHigh, centre: w.centre, units: 'TeV' as const })),
      epsilonB: config.epsilonB, nRuns: config.runs, nFolds: config.folds, features: [...featureNames(config.features)],
      classifier: { ...config.classifier.options, kind: config.classifier.kind, ensemble: config.ensemble },
      densityEstimator: density ? { ...(config.cathode.generator === 'gan' ? { ...config.cathode.gan, kind: 'gan' } : { ...config.cathode.flow, kind: 'maf' }), flows: config.cathode.flows, oversampling: config.cathode.oversampling, bandwidth: config.cathode.bandwidth, ...(config.cathode.sidebandWidthTeV !== undefined ? { sidebandWidthTeV: config.cathode.sidebandWidthTeV } : {}), ...(config.cathode.independentCalibration ? { independentCalibration: true } : {}), ...(config.cathode.reweighting ? { reweighting: resolveReweighting(config.cathode.reweighting) } : {}) } : undefined,
      seeds: { root: config.seed },
      ...(data.nSignal !== undefined ? { signalInjection: { nSignal: data.nSignal } } : {}),
      scanConfig: config,
    },
    dataset: { path: data.path, sha256: data.sha256, nEvents: data.nEvents, ...(data.nSignal !== undefined ? { nSignal: data.nSignal, nBackground: data.nEvents - data.nSignal } : {}), description: data.description, ...droppedInvalid(ctx.datasets) },
    versions: ctx.versions,
    runs,
    aggregates: aggregateRuns(runs),
    deltaSys: studies,
    ...(refused.length ? { refusedCells: refused } : {}),
    lookElsewhere: lookElsewhere(ctx, cells, rows, refused),
    mjjSpectra: spectra(ctx, cells, rows, runs, notes),
    featureHistograms: featureHistograms(ctx, cells),
    featureDependence: featureDependence(ctx),
    templateCorrelations: templateCorrelations(ctx, cells),
  };
  const quality = templateQuality(ctx, cells);
  if (quality.length) doc.templateQuality = quality;
  const bumpHunt = classicalBumpHunt(ctx, doc.mjjSpectra!, notes);
  if (bumpHunt.length) doc.bumpHunt = bumpHunt;
  const roc = rocCurves(ctx, cells);
  if (roc) doc.roc = roc;
  if (doc.config.densityEstimator === undefined) delete doc.config.densityEstimator;
  return doc;
}

export type { SampleRole };
