/**
 * Features stored on a grid (rounded jet masses, values written with few digits). A classifier tells
 * gridded values from continuous ones by the grid alone: CATHODE's flow samples continuous values, so
 * against data whose m_J1 and m_J2 were rounded to 1 GeV its classifier found background-only
 * Z_Cowan 5–6 at ε_B = 10⁻² (and rounded to 50 GeV the flow diverged); an IAD template gridded
 * differently from the data is separated from it the same way. Refused before any training.
 */
import { featureNames } from '../methods/features.js';
import { InputError } from '../util/errors.js';
import { evenlyStridedRows } from '../util/strided.js';
import type { ScanConfig } from './config.js';
import type { ScanDataset } from './dataset.js';

/** Above this fraction of events sharing their value with another event, a feature is gridded. */
export const GRIDDED_TIE_FRACTION = 0.5;

/** Rows looked at per feature (evenly spaced): enough for the fraction, cheap on 1M events. */
const MAX_ROWS = 200_000;

/** How a feature's values are spread: ties and the smallest step between distinct values. */
export interface FeatureResolution {
  readonly feature: string;
  readonly rows: number;
  readonly distinct: number;
  /** Fraction of the rows whose value occurs more than once. */
  readonly tieFraction: number;
  /** Smallest positive difference between distinct values. */
  readonly smallestStep: number;
}

/** Ties and smallest step of one column (at most {@link MAX_ROWS} evenly spaced rows). */
export function featureResolution(feature: string, values: ArrayLike<number>): FeatureResolution {
  const v = Float64Array.from(evenlyStridedRows(values.length, MAX_ROWS), (r) => values[r]).sort();
  let tied = 0, distinct = 0, smallestStep = Infinity;
  for (let i = 0; i < v.length; i++) {
    const repeated = (i > 0 && v[i] === v[i - 1]) || (i + 1 < v.length && v[i] === v[i + 1]);
    if (repeated) tied++;
    if (i === 0 || v[i] !== v[i - 1]) {
      distinct++;
      if (i > 0) smallestStep = Math.min(smallestStep, v[i] - v[i - 1]);
    }
  }
  return { feature, rows: v.length, distinct, tieFraction: v.length ? tied / v.length : 0, smallestStep };
}

const describe = (r: FeatureResolution, unit: string): string =>
  `"${r.feature}" takes ${r.distinct} distinct values in ${r.rows} events (${(100 * r.tieFraction).toFixed(1)} % share their value with another; steps down to ${r.smallestStep.toPrecision(3)}${unit ? ` ${unit}` : ''})`;

/**
 * Refuse CATHODE on gridded data features, and IAD when a feature is gridded in the data but not in
 * the template or the other way round.
 * @throws InputError naming the file, the feature, its distinct values and step, and what to do.
 */
export function checkFeatureResolution(config: Pick<ScanConfig, 'methods' | 'features'>, datasets: Readonly<Record<string, ScanDataset>>): void {
  const data = datasets.data;
  const template = config.methods.includes('iad') ? datasets.template : undefined;
  if (!data || !(config.methods.includes('cathode') || template)) return;
  for (const f of featureNames(config.features)) {
    const inData = featureResolution(f, data.events.column(f));
    const unit = data.events.unit(f);
    const gridded = inData.tieFraction > GRIDDED_TIE_FRACTION;
    if (gridded && config.methods.includes('cathode'))
      throw new InputError(
        `${data.path}: feature ${describe(inData, unit)}: the values sit on a grid. CATHODE's flow samples continuous values, and its classifier tells them ` +
          'from gridded data by the grid alone (background read as signal). Give the unrounded values, or leave CATHODE out (--methods iad,cwola)',
      );
    if (!template) continue;
    const inTemplate = featureResolution(f, template.events.column(f));
    if (gridded !== inTemplate.tieFraction > GRIDDED_TIE_FRACTION)
      throw new InputError(
        `feature "${f}" is stored on a grid in ${gridded ? `the data (${data.path})` : `the IAD template (${template.path})`} but not in ${gridded ? `the IAD template (${template.path})` : `the data (${data.path})`}: ` +
          `data ${describe(inData, unit)}; template ${describe(inTemplate, unit)}. IAD's classifier would tell them apart by the grid alone; write both with the same precision`,
      );
  }
}
