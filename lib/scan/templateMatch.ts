/**
 * Plan-time check that the IAD template describes the data it is compared with. IAD takes its template
 * as a perfect background model, so whatever separates template from SR data becomes "signal": a template
 * with two columns swapped, another feature definition or another shower model would be reported as a
 * discovery. Per window and classifier feature, the two-sample Kolmogorov–Smirnov distance D between
 * the SR data and the template's SR events is measured before any training:
 * - D above {@link GROSS_TEMPLATE_MISMATCH} (and far beyond the samples' noise) is refused: a signal would have to make up a large share of
 *   the SR to move a marginal that far (pure LHCO signal against background: D = 0.34–0.65 per feature);
 * - D above {@link NOTICEABLE_TEMPLATE_MISMATCH} with p below its threshold is reported: IAD's
 *   significance there includes the template's mismodelling.
 * Measured (window 5): real LHCO SR data vs its extra background D = 0.005–0.007; the generated data vs
 * its template 0.004–0.007; vs the alternative background model 0.02–0.06 (IAD Z 14 on background);
 * m_J1 ↔ Δm_J swapped 0.15, τ21 of the two jets swapped 0.19–0.21.
 */
import { featureNames, maskIndices } from '../methods/features.js';
import { ksTwoSample } from '../stats/ks.js';
import { InputError } from '../util/errors.js';
import { signalRegionMask, type Window } from '../windows/index.js';
import type { EventTable } from '../data/eventTable.js';

/**
 * KS distance (and p-value: small samples alone can reach the distance) beyond which a template cannot be
 * the SR data's background: refused.
 */
export const GROSS_TEMPLATE_MISMATCH = Object.freeze({ d: 0.1, pValue: 1e-6 });

/** KS distance and p-value beyond which a template's difference from the SR data is reported. */
export const NOTICEABLE_TEMPLATE_MISMATCH = Object.freeze({ d: 0.02, pValue: 1e-3 });

/** The SR data and the template in one window and feature. */
export interface TemplateComparison {
  readonly windowId: number;
  readonly feature: string;
  /** Two-sample KS distance of the SR data and the template's SR events. */
  readonly d: number;
  readonly pValue: number;
  readonly nData: number;
  readonly nTemplate: number;
  readonly medianData: number;
  readonly medianTemplate: number;
}

function column(events: EventTable, name: string, rows: ArrayLike<number>): Float64Array {
  const c = events.column(name);
  return Float64Array.from(rows, (i) => c[i]);
}

function median(sorted: Float64Array): number {
  return sorted.length ? sorted[sorted.length >> 1] : NaN;
}

/**
 * KS comparison of the SR data and the IAD template in every window and classifier feature
 * (windows where either holds no SR event are skipped: the coverage check names them).
 */
export function compareTemplateWithData(data: EventTable, template: EventTable, windows: readonly Window[], featureSet: string): TemplateComparison[] {
  const out: TemplateComparison[] = [];
  for (const w of windows) {
    const rd = maskIndices(signalRegionMask(data, w)), rt = maskIndices(signalRegionMask(template, w));
    if (rd.length === 0 || rt.length === 0) continue;
    for (const feature of featureNames(featureSet)) {
      const a = column(data, feature, rd).sort(), b = column(template, feature, rt).sort();
      const { d, pValue } = ksTwoSample(a, b);
      out.push({ windowId: w.id, feature, d, pValue, nData: a.length, nTemplate: b.length, medianData: median(a), medianTemplate: median(b) });
    }
  }
  return out;
}

/** The comparisons worth reporting ({@link NOTICEABLE_TEMPLATE_MISMATCH}). */
export function noticeableMismatches(comparisons: readonly TemplateComparison[]): TemplateComparison[] {
  return comparisons.filter((c) => c.d > NOTICEABLE_TEMPLATE_MISMATCH.d && c.pValue < NOTICEABLE_TEMPLATE_MISMATCH.pValue);
}

const fmt = (x: number): string => Number(x.toPrecision(3)).toString();

/** "window 5, mJ1: KS D = 0.035 (p = 2e-20; SR data median 0.102, template 0.098)". */
export function describeComparison(c: TemplateComparison): string {
  return `window ${c.windowId}, ${c.feature}: KS D = ${fmt(c.d)} (p = ${c.pValue >= 1e-3 ? c.pValue.toFixed(3) : c.pValue < 1e-300 ? '< 1e-300' : c.pValue.toExponential(1)}; SR data median ${fmt(c.medianData)}, template ${fmt(c.medianTemplate)}; ${c.nData} vs ${c.nTemplate} events)`;
}

/**
 * Refuse an IAD template that cannot be the SR data's background (see the module comment).
 * @returns every comparison, for the caller's notes.
 * @throws InputError naming the template, each window and feature, D and the medians.
 */
export function checkTemplateMatchesData(data: EventTable, template: EventTable, templatePath: string, windows: readonly Window[], featureSet: string): TemplateComparison[] {
  const all = compareTemplateWithData(data, template, windows, featureSet);
  const gross = all.filter((c) => c.d > GROSS_TEMPLATE_MISMATCH.d && c.pValue < GROSS_TEMPLATE_MISMATCH.pValue);
  if (gross.length)
    throw new InputError(
      `IAD template ${templatePath} does not describe the SR data: ${gross.map(describeComparison).join('; ')}. ` +
        `A KS distance above ${GROSS_TEMPLATE_MISMATCH.d} would need a signal making up a large share of the SR; IAD would report the difference as a discovery. ` +
        'Check the template\'s columns (order of a .npy: mJJ, mJ1, deltaMJ, tau21J1, tau21J2, label), units and feature definitions',
    );
  return all;
}
