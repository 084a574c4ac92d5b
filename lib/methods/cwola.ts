import type { EventTable } from '../data/eventTable.js';
import { lowerShortSidebandMask, upperShortSidebandMask, countMask, type Window } from '../windows/index.js';
import { InputError } from '../util/errors.js';
import { featureMatrix } from './features.js';
import type { BackgroundTemplate } from './types.js';

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
