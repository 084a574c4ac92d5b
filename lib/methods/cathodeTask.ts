/**
 * CATHODE's density estimation as a worker-pool task: train the sideband generator of one window (the
 * conditional flow, or the experimental conditional GAN) and sample it into the SR. Generators train
 * single-threaded; a scan trains several windows at once, one per worker, which uses both cores
 * without per-batch synchronisation.
 */
import { registerTaskHandler } from '../ml/pool/registry.js';
import type { EventTable } from '../data/eventTable.js';
import { signalRegionMask, sidebandMask, shortSidebandMask, countMask, windowInTeV, type Window } from '../windows/index.js';
import { toShared } from '../ml/pool/pool.js';
import { InputError } from '../util/errors.js';
import { sharedEpochCounter } from '../util/reporter.js';
import { featureMatrix, maskedColumn } from './features.js';
import { FlowEnsemble, sampleIntoWindow, type FitFlowOptions, type SampleCheck } from '../ml/flows/index.js';
import { fitConditionalGan, type GanOptions } from '../ml/gan/index.js';
import type { FlowEnsembleDocument } from '../ml/flows/index.js';
import type { GanDocument } from '../ml/gan/index.js';

/** A persisted sideband generator: a flow ensemble or a conditional GAN. */
export type GeneratorDocument = FlowEnsembleDocument | GanDocument;

export const CATHODE_FLOW_TASK = 'methods.cathode.flow';

export interface CathodeFlowPayload {
  /** Sideband events × features, row-major (shared), and their m_JJ (TeV, shared). */
  readonly x: Float64Array;
  readonly rows: number;
  readonly cols: number;
  readonly m: Float64Array;
  /** SR data masses for the KDE, and the SR bounds (TeV). */
  readonly srMasses: Float64Array;
  readonly window: { lo: number; hi: number };
  /** Window id and sample role (`data`, `control`), for error messages. */
  readonly windowId: number;
  readonly sample?: string;
  readonly flow: Omit<FitFlowOptions, 'seed' | 'reporter' | 'xVal' | 'mVal'>;
  readonly flows: number;
  /** Disjoint random parts of the sideband the flows train on (flow k on part k mod partitions; default 1). */
  readonly partitions?: number;
  /** Template generator: the conditional MAF ensemble (default) or the conditional GAN. */
  readonly generator?: 'flow' | 'gan';
  /** Conditional-GAN options (generator 'gan'); the seed comes from `seed`. */
  readonly gan?: Partial<Omit<GanOptions, 'seed'>>;
  readonly oversampling: number;
  readonly bandwidth: number;
  readonly seed: number;
  /** Shared [epochs done, epochs planned] of the training, for the caller to show progress (sharedEpochCounter). */
  readonly progress?: Int32Array;
}

export interface CathodeFlowResult {
  /** oversampling × N_SR samples × features, row-major. */
  readonly samples: Float64Array;
  readonly rows: number;
  readonly cols: number;
  readonly flow: GeneratorDocument;
  /**
   * The flow's boundary check of the template draw: events redrawn because they were non-finite or
   * outside the training range, and events dropped after every redraw failed (flows only).
   */
  readonly check?: SampleCheck;
  /** Template rows drawn by each flow, in order (partitioned ensembles: the row blocks' flows). */
  readonly rowsPerFlow?: readonly number[];
}

/**
 * The CATHODE flow task of one window (arXiv:2109.00546): the window's sideband (everything outside
 * the SR, or within `sidebandWidthTeV` of it) as shared training data, the SR data masses for the KDE.
 * The sideband-trained density never sees SR events, so a localised signal cannot leak into the template.
 */
export function cathodeFlowPayload(
  events: EventTable, window: Window, features: readonly string[],
  opts: Pick<CathodeFlowPayload, 'flow' | 'flows' | 'partitions' | 'generator' | 'gan' | 'oversampling' | 'bandwidth' | 'seed' | 'sample'> & { sidebandWidthTeV?: number },
): CathodeFlowPayload {
  // The flow's SR bounds are compared with m_JJ in TeV: a window built in GeV is converted here.
  const tev = windowInTeV(window);
  const { sidebandWidthTeV, ...rest } = opts;
  const sb = sidebandWidthTeV === undefined ? sidebandMask(events, window) : shortSidebandMask(events, tev, sidebandWidthTeV);
  const where = sidebandWidthTeV === undefined ? 'sideband' : `sideband (${sidebandWidthTeV} TeV either side of the SR)`;
  if (countMask(sb) < 1000) throw new InputError(`CATHODE, window ${window.id}: only ${countMask(sb)} events in the ${where}; a density estimate needs at least 1000`);
  const x = featureMatrix(events, features, sb);
  return {
    x: toShared(x.data), rows: x.rows, cols: x.cols, m: toShared(maskedColumn(events, 'mJJ', sb)),
    srMasses: maskedColumn(events, 'mJJ', signalRegionMask(events, window)), window: { lo: tev.srLow, hi: tev.srHigh }, windowId: window.id, ...rest,
  };
}

/** Train the sideband flow(s) and sample oversampling × N_SR template events into the SR. */
export async function trainAndSampleFlow(p: CathodeFlowPayload): Promise<CathodeFlowResult> {
  const train = { data: p.x, rows: p.rows, cols: p.cols };
  const gan = p.generator === 'gan';
  const reporter = p.progress ? sharedEpochCounter(p.progress, gan ? 1 : p.flows) : undefined;
  const density = gan
    ? await fitConditionalGan(train, p.m, { ...p.gan, seed: p.seed, reporter })
    : await FlowEnsemble.fit(train, p.m, { ...p.flow, size: p.flows, ...(p.partitions ? { partitions: p.partitions } : {}), seed: p.seed, reporter });
  const { x, check, rowsPerFlow } = sampleIntoWindow(density, p.srMasses, p.window, { oversampling: p.oversampling, bandwidth: p.bandwidth, seed: p.seed });
  assertFiniteTemplate(x.data, x.rows, x.cols, `CATHODE template of window ${p.windowId}${p.sample ? ` (${p.sample} sample)` : ''}`);
  return {
    samples: x.data as Float64Array, rows: x.rows, cols: x.cols, flow: density.toJSON(), ...(check ? { check } : {}),
    ...(p.partitions && p.partitions > 1 && rowsPerFlow ? { rowsPerFlow: [...rowsPerFlow] } : {}),
  };
}

/**
 * Refuse a template with non-finite events before it reaches a classifier (whose binning would fail
 * without saying where): one error naming the template (window, method, sample), the count and the first row.
 */
export function assertFiniteTemplate(data: ArrayLike<number>, rows: number, cols: number, what: string): void {
  let bad = 0, first = -1;
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++)
      if (!Number.isFinite(data[i * cols + j])) { bad++; if (first < 0) first = i; break; }
  if (bad > 0) throw new InputError(`${what}: ${bad} of ${rows} events are non-finite (first at row ${first}); the generator produced invalid samples`);
}

registerTaskHandler(CATHODE_FLOW_TASK, import.meta.url, trainAndSampleFlow);
