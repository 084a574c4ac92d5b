import { countMask, signalRegionMask, type Window } from '../windows/index.js';
import type { EventTable } from '../data/eventTable.js';
import { ensembleOf, type ScanConfig } from './config.js';

/**
 * Members per fold × runs, cheapest first, up to the anchor analysis' 50 × 10 (arXiv:2411.00085).
 * Members average one classifier's training noise; runs average what all members of a run share —
 * the fold assignment and the per-fold thresholds (docs/stability.md) — so the ladder grows both.
 */
export const ENSEMBLE_LADDER: readonly (readonly [members: number, runs: number])[] = [[5, 2], [10, 2], [10, 5], [20, 5], [50, 5], [50, 10]];

/** What a budget chose, for messages and results notes. */
export interface EnsembleChoice {
  readonly ensemble: number;
  readonly runs: number;
  /** Signal-region events summed over the cross-fitted samples and windows. */
  readonly srEvents: number;
  /** Classifier work of the choice, in SR-event fits (see {@link classifierWork}). */
  readonly srEventFits: number;
}

/**
 * Classifier work of a scan in SR-event fits: runs × Σ over methods of members per fold × the SR
 * events of every cross-fitted sample and window. A proxy — each method's training set is a fixed
 * multiple of the SR (template, sidebands, oversampled flow events) — that is known before anything
 * is trained, so the choice is deterministic.
 */
export function classifierWork(config: Pick<ScanConfig, 'methods' | 'ensemble' | 'ensembleByMethod'>, runs: number, srEvents: number): number {
  const members = config.methods.reduce((sum, m) => sum + ensembleOf(config, m), 0);
  return runs * members * srEvents;
}

/** SR events of the samples every method is cross-fitted on (data, and the control sample when present), over the windows. */
export function crossFittedSrEvents(samples: Readonly<Record<string, { events: EventTable }>>, windows: readonly Window[]): number {
  let n = 0;
  for (const role of ['data', 'control'])
    if (samples[role]) for (const w of windows) n += countMask(signalRegionMask(samples[role].events, w));
  return n;
}

/**
 * `ensemble` and `runs` within `config.ensembleBudget`: the largest rung of {@link ENSEMBLE_LADDER}
 * at or above the configuration's own ensemble × runs whose {@link classifierWork} fits the budget,
 * else the configuration's own (the floor). A small scan (one window, one method, a 100k-event
 * signal region) thus gets the anchor's many members and runs for the work the nine-window default
 * scan spends on five members × two runs. `ensembleByMethod` entries stay as configured.
 * @returns the configuration unchanged (same object) without a budget.
 */
export function withinEnsembleBudget(config: ScanConfig, srEvents: number): { config: ScanConfig; choice?: EnsembleChoice } {
  const budget = config.ensembleBudget;
  if (!budget) return { config };
  const floor = [config.ensemble, config.runs] as const;
  let [ensemble, runs] = floor;
  for (const [k, r] of ENSEMBLE_LADDER)
    if (k >= floor[0] && r >= floor[1] && k * r > ensemble * runs && classifierWork({ ...config, ensemble: k }, r, srEvents) <= budget.srEventFits)
      [ensemble, runs] = [k, r];
  const resolved = ensemble === config.ensemble && runs === config.runs ? config : { ...config, ensemble, runs };
  return { config: resolved, choice: plannedEnsemble(resolved, srEvents) };
}

/** The members and runs a configuration plans, with their work: what a budget chose, once resolved. */
export function plannedEnsemble(config: ScanConfig, srEvents: number): EnsembleChoice {
  return { ensemble: config.ensemble, runs: config.runs, srEvents, srEventFits: classifierWork(config, config.runs, srEvents) };
}

/** One line saying what the budget chose: for the log and the results' notes. */
export function describeEnsembleChoice(c: EnsembleChoice, budget: number): string {
  return `ensemble budget ${budget.toExponential(1)} SR-event fits: ${c.ensemble} members per fold × ${c.runs} runs for ` +
    `${c.srEvents.toLocaleString('en-US')} SR events cross-fitted (work ${c.srEventFits.toExponential(2)}); --ensemble or --runs set them instead`;
}
