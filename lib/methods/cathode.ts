import type { EventTable } from '../data/eventTable.js';
import { signalRegionMask, sidebandMask, shortSidebandMask, countMask, type Window } from '../windows/index.js';
import { createRng } from '../util/rng.js';
import { FlowEnsemble, loadFlowEnsemble, sampleIntoWindow, type FitFlowOptions, type ConditionalDensity, type FlowEnsembleDocument } from '../ml/flows/index.js';
import { fitConditionalGan, loadGan, type FittedGan, type GanDocument, type GanOptions } from '../ml/gan/index.js';
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
  /** Template generator: the conditional MAF ensemble (default) or the conditional GAN. */
  readonly generator?: 'flow' | 'gan';
  /** Conditional-GAN options (generator 'gan'); the seed comes from `seed`. */
  readonly gan?: Partial<Omit<GanOptions, 'seed'>>;
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
export async function trainSidebandDensity(data: EventTable, window: Window, features: readonly string[], opts: CathodeOptions): Promise<FlowEnsemble | FittedGan> {
  const sb = sidebandMask(data, window);
  if (countMask(sb) < 1000) throw new InputError(`CATHODE, window ${window.id}: only ${countMask(sb)} sideband events; a density estimate needs at least 1000`);
  const x = featureMatrix(data, features, sb);
  const m = maskedColumn(data, 'mJJ', sb);
  if (opts.generator === 'gan') return fitConditionalGan(x, m, { ...opts.gan, seed: opts.seed, reporter: opts.reporter });
  return FlowEnsemble.fit(x, m, { ...opts.flow, size: opts.flows, seed: opts.seed, reporter: opts.reporter });
}

/** A persisted sideband generator: a flow ensemble or a conditional GAN. */
export type GeneratorDocument = FlowEnsembleDocument | GanDocument;

/** Rebuild the sideband generator from its `toJSON()` document (flow ensemble or GAN, by `kind`). */
export function loadSidebandGenerator(doc: GeneratorDocument): ConditionalDensity {
  return doc.kind === 'conditional-gan' ? loadGan(doc) : loadFlowEnsemble(doc);
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

/**
 * CATHODE's data-driven closure in the sidebands (arXiv:2411.00085): the sideband-trained density,
 * sampled at the masses of the short-sideband data (oversampling × each event's m_JJ), against that
 * data. The data there carry no SR signal and were seen in training, so any selection excess
 * measures the density estimator's mismodelling: a data-driven δsys.
 * @returns the short-sideband data (label 1) and the flow samples as a balanced template.
 */
export function sidebandClosureTemplate(
  density: ConditionalDensity, data: EventTable, window: Window, features: readonly string[], shortSidebandWidth: number,
  opts: { oversampling: number; seed: number },
): { data: Matrix<Float64Array>; template: BackgroundTemplate } {
  const ssb = shortSidebandMask(data, window, shortSidebandWidth);
  const masses = maskedColumn(data, 'mJJ', ssb);
  if (masses.length === 0) throw new InputError(`CATHODE sideband closure, window ${window.id}: no data in the short sidebands`);
  const reps = Math.max(1, Math.round(opts.oversampling));
  const m = new Float64Array(masses.length * reps);
  for (let r = 0; r < reps; r++) m.set(masses, r * masses.length);
  const x = density.sample(m, createRng(opts.seed).fork('sideband-closure')) as Matrix<Float64Array>;
  return {
    data: featureMatrix(data, features, ssb),
    template: { method: 'cathode', window, x, classWeight: 'balanced', meta: { nTemplate: x.rows, region: 'short sidebands', oversampling: reps } },
  };
}
