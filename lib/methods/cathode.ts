import type { EventTable } from '../data/eventTable.js';
import { signalRegionMask, sidebandMask, countMask, type Window } from '../windows/index.js';
import { FlowEnsemble, sampleIntoWindow, type FitFlowOptions, type ConditionalDensity } from '../ml/flows/index.js';
import type { Matrix } from '../ml/matrix.js';
import type { Reporter } from '../util/reporter.js';
import { InputError } from '../util/errors.js';
import { featureMatrix, maskedColumn } from './features.js';
import type { BackgroundTemplate } from './types.js';

/** CATHODE settings (arXiv:2109.00546): density estimator, SR sampling. */
export interface CathodeOptions {
  /** Flow training options (preset and overrides). */
  readonly flow: Omit<FitFlowOptions, 'seed' | 'reporter' | 'xVal' | 'mVal'>;
  /** Independently trained flows whose samples are pooled. */
  readonly flows: number;
  /** Samples per SR data event (4 in the paper). */
  readonly oversampling: number;
  /** KDE bandwidth on logit-scaled SR m_JJ (0.01 in the paper). */
  readonly bandwidth: number;
  readonly seed: number;
  readonly reporter?: Reporter;
}

/**
 * Train the conditional density p(x | m_JJ) on the window's sideband (everything outside the SR).
 * The sideband-trained model never sees SR events, so a localised signal cannot leak into the template.
 */
export async function trainSidebandDensity(data: EventTable, window: Window, features: readonly string[], opts: CathodeOptions): Promise<FlowEnsemble> {
  const sb = sidebandMask(data, window);
  if (countMask(sb) < 1000) throw new InputError(`CATHODE, window ${window.id}: only ${countMask(sb)} sideband events; a density estimate needs at least 1000`);
  const x = featureMatrix(data, features, sb);
  const m = maskedColumn(data, 'mJJ', sb);
  return FlowEnsemble.fit(x, m, { ...opts.flow, size: opts.flows, seed: opts.seed, reporter: opts.reporter });
}

/**
 * CATHODE template: samples of the sideband-trained density at SR masses drawn from a KDE of the
 * SR data's m_JJ, oversampling × N_SR of them, classified against SR data with balanced classes.
 */
export function cathodeTemplate(density: ConditionalDensity, data: EventTable, window: Window, opts: Pick<CathodeOptions, 'oversampling' | 'bandwidth' | 'seed'>): BackgroundTemplate {
  const sr = signalRegionMask(data, window);
  const srMasses = maskedColumn(data, 'mJJ', sr);
  if (srMasses.length === 0) throw new InputError(`CATHODE, window ${window.id}: no data events in the SR`);
  const { x } = sampleIntoWindow(density, srMasses, { lo: window.srLow, hi: window.srHigh }, {
    oversampling: opts.oversampling, bandwidth: opts.bandwidth, seed: opts.seed,
  });
  return {
    method: 'cathode', window, x: x as Matrix<Float64Array>, classWeight: 'balanced',
    meta: { nTemplate: x.rows, oversampling: opts.oversampling, bandwidth: opts.bandwidth },
  };
}
