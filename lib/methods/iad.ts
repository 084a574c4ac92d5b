import type { EventTable } from '../data/eventTable.js';
import { signalRegionMask, countMask, type Window } from '../windows/index.js';
import { InputError } from '../util/errors.js';
import { featureMatrix } from './features.js';
import type { BackgroundTemplate } from './types.js';

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
