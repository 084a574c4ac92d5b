import type { EventTable } from '../data/eventTable.js';
import { shortSidebandMask, type Window } from '../windows/index.js';
import { createRng } from '../util/rng.js';
import { loadFlowEnsemble, type ConditionalDensity, type FlowEnsembleDocument } from '../ml/flows/index.js';
import { loadGan, type GanDocument } from '../ml/gan/index.js';
import type { Matrix } from '../ml/matrix.js';
import { InputError } from '../util/errors.js';
import { featureMatrix, maskedColumn } from './features.js';
import type { BackgroundTemplate } from './types.js';

/** A persisted sideband generator: a flow ensemble or a conditional GAN. */
export type GeneratorDocument = FlowEnsembleDocument | GanDocument;

/** Rebuild the sideband generator from its `toJSON()` document (flow ensemble or GAN, by `kind`). */
export function loadSidebandGenerator(doc: GeneratorDocument): ConditionalDensity {
  return doc.kind === 'conditional-gan' ? loadGan(doc) : loadFlowEnsemble(doc);
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
