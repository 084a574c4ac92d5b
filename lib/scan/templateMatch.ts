/**
 * Plan-time comparison of the IAD template with the data it is compared with. IAD takes its template as
 * a perfect background model, so whatever separates template from SR data becomes "signal": a template
 * with two columns swapped, another feature definition or another shower model would be reported as a
 * discovery. Per window and classifier feature, the two-sample Kolmogorov–Smirnov distance D between the
 * SR data and the template's SR events is measured before any training, and a distance beyond the
 * samples' noise is reported ({@link NOTICEABLE_TEMPLATE_MISMATCH}). It is not refused: a signal moves
 * the marginals too — with a fraction f of signal in the SR, |F_data − F_template| ≤ f, so D is a lower
 * bound on the signal fraction that could explain it, which the message states. (A generated scan with
 * 600 signal events on 20k background has D = 0.11 in Δm_J from its signal alone.)
 * Measured (window 5): real LHCO SR data vs its extra background D = 0.005–0.007; the generated data vs
 * its template 0.004–0.007; vs the alternative background model 0.02–0.06 (IAD Z 14 on background);
 * m_J1 ↔ Δm_J swapped 0.15, τ21 of the two jets swapped 0.19–0.21; pure LHCO signal vs background
 * 0.34–0.65.
 */
import { featureNames, maskIndices } from '../methods/features.js';
import { ksTwoSample } from '../stats/ks.js';
import { signalRegionMask, type Window } from '../windows/index.js';
import type { EventTable } from '../data/eventTable.js';

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

/** "window 5, mJ1: KS D = 0.035 (p = 2.0e-20; SR data median 0.102, template 0.098; 24607 vs 20000 events)". */
export function describeComparison(c: TemplateComparison): string {
  return `window ${c.windowId}, ${c.feature}: KS D = ${fmt(c.d)} (p ${c.pValue >= 1e-3 ? `= ${c.pValue.toFixed(3)}` : c.pValue < 1e-300 ? '< 1e-300' : `= ${c.pValue.toExponential(1)}`}; SR data median ${fmt(c.medianData)}, template ${fmt(c.medianTemplate)}; ${c.nData} vs ${c.nTemplate} events)`;
}

/**
 * The warning for one noticeable comparison: what differs, the signal fraction that would be needed to
 * explain it, and what else it may be.
 */
export function describeMismatch(c: TemplateComparison): string {
  return `IAD template differs from the SR data beyond its counting noise — ${describeComparison(c)}: ` +
    `only a signal making up at least ${fmt(100 * c.d)} % of the SR events can do that; otherwise IAD's significance there is the template's mismodelling ` +
    '(check its columns — a .npy holds mJJ, mJ1, deltaMJ, tau21J1, tau21J2, label in that order — units, feature definitions and simulation)';
}
