import type { EventTable } from '../data/eventTable.js';
import { signalRegionMask, countMask, type Window } from '../windows/index.js';
import { InputError } from '../util/errors.js';
import { featureMatrix, maskIndices } from './features.js';
import type { BackgroundTemplate } from './types.js';
import type { MethodDescriptor } from './method.js';

/**
 * Idealized anomaly detector: the template is an independent simulated background sample inside
 * the signal region — a perfect background model, hence the upper bound on performance.
 * @param backgroundSample background-only events (any m_JJ range; the SR is selected here).
 */
export function iadTemplate(backgroundSample: EventTable, window: Window, features: readonly string[]): BackgroundTemplate {
  const sr = signalRegionMask(backgroundSample, window);
  const n = countMask(sr);
  if (n === 0) throw new InputError(`IAD, window ${window.id}: the background template has no events in the SR (${window.srLow}, ${window.srHigh}) ${window.units}`);
  return { method: 'iad', window, x: featureMatrix(backgroundSample, features, sr), classWeight: 'balanced', meta: { nTemplate: n } };
}

/** IAD in a scan: one classifier per window, SR data vs the template sample's SR events; data sample only. */
export const IAD: MethodDescriptor = {
  name: 'iad',
  label: 'IAD',
  stages: [{
    kind: 'classify', role: 'scores', usesClassifier: true, dependsOn: [], extraSamples: ['template'],
    seedLabel: (method) => `classify:${method}`,
    // On the control sample (another background model) IAD would only measure the model mismatch.
    runsOn: (sample) => sample === 'data',
    keyInputs: (_settings, datasets) => ({ template: datasets.template }),
    templateSize: ({ window, sample }) => countMask(signalRegionMask(sample('template'), window)),
    run: async ({ events, window, settings, sample }) => ({
      crossFit: { data: featureMatrix(events, settings.features, signalRegionMask(events, window)), template: iadTemplate(sample('template'), window, settings.features) },
    }),
  }],
  // A perfect background template by construction: no shift.
  // Data and template must stop at the same edges, or the mass-correlated features alone separate them.
  massRegions: { own: ['signal-region'], template: ['signal-region'] },
  deltaSys: false,
  lookElsewhereNull: { sample: 'template', rows: ({ window, sample }) => maskIndices(signalRegionMask(sample('template'), window)) },
  generatedTemplate: false,
  templateEvents: ({ window, settings, sample }) => ({ x: iadTemplate(sample('template'), window, settings.features).x }),
};
