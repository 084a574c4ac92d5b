import type { EventTable } from '../data/eventTable.js';
import { lowerShortSidebandMask, upperShortSidebandMask, shortSidebandMask, signalRegionMask, countMask, type Window, SIGNAL_REGION_AND_SHORT_SIDEBANDS } from '../windows/index.js';
import { InputError } from '../util/errors.js';
import { featureMatrix } from './features.js';
import type { BackgroundTemplate } from './types.js';
import type { MethodDescriptor } from './method.js';

/**
 * CWoLa Hunting (arXiv:1805.02664): the template is the data in the short sidebands, (lo − w, lo]
 * and [hi, hi + w). The lower and upper sidebands are weighted to equal total weight,
 * w = N_SB / (2 · N_part), so the template interpolates into the SR instead of following whichever
 * side has more events; SB vs SR balance comes from balanced class weights in the fit.
 */
export function cwolaTemplate(data: EventTable, window: Window, features: readonly string[], shortSidebandWidth: number): BackgroundTemplate {
  const lower = lowerShortSidebandMask(data, window, shortSidebandWidth);
  const upper = upperShortSidebandMask(data, window, shortSidebandWidth);
  const nLower = countMask(lower), nUpper = countMask(upper);
  if (nLower === 0 || nUpper === 0)
    throw new InputError(`CWoLa, window ${window.id}: the ${nLower === 0 ? 'lower' : 'upper'} short sideband (width ${shortSidebandWidth} ${window.units}) holds no data events`);
  const both = new Uint8Array(lower.length);
  for (let i = 0; i < both.length; i++) both[i] = lower[i] | upper[i];
  const x = featureMatrix(data, features, both);
  const weights = new Float64Array(x.rows);
  const nSB = nLower + nUpper;
  const wLower = nSB / (2 * nLower), wUpper = nSB / (2 * nUpper);
  for (let i = 0, k = 0; i < both.length; i++) if (both[i]) weights[k++] = lower[i] ? wLower : wUpper;
  return { method: 'cwola', window, x, weights, classWeight: 'balanced', meta: { nTemplate: nSB, nLowerSideband: nLower, nUpperSideband: nUpper, shortSidebandWidth } };
}

/** CWoLa Hunting in a scan: SR data vs the weighted short sidebands of the same sample (data and control). */
export const CWOLA: MethodDescriptor = {
  name: 'cwola',
  label: 'CWoLa',
  stages: [{
    kind: 'classify', role: 'scores', usesClassifier: true, dependsOn: [],
    seedLabel: (method) => `classify:${method}`,
    runsOn: () => true,
    keyInputs: (settings) => ({ shortSidebandWidth: settings.shortSidebandWidth }),
    templateSize: ({ events, window, settings }) => countMask(shortSidebandMask(events, window, settings.shortSidebandWidth)),
    run: async ({ events, window, settings }) => ({
      crossFit: { data: featureMatrix(events, settings.features, signalRegionMask(events, window)), template: cwolaTemplate(events, window, settings.features, settings.shortSidebandWidth) },
    }),
  }],
  massRegions: { own: SIGNAL_REGION_AND_SHORT_SIDEBANDS },
  deltaSys: true,
  lookElsewhereNull: { sample: 'control' },
  generatedTemplate: false,
  templateEvents: ({ events, window, settings }) => {
    const t = cwolaTemplate(events, window, settings.features, settings.shortSidebandWidth);
    return { x: t.x, weights: t.weights };
  },
};
