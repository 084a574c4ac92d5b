import type { EventTable } from '../data/eventTable.js';
import { signalRegionMask, sidebandMask, shortSidebandMask, countMask, type Window } from '../windows/index.js';

/** Event counts of one window: the first thing to look at before a scan. */
export interface WindowSummary {
  readonly windowId: number;
  readonly centreTeV: number;
  readonly srLowTeV: number;
  readonly srHighTeV: number;
  readonly nSR: number;
  readonly nSB: number;
  readonly nShortSB: number;
  /** Truth signal events in the SR and S/B there (only when the events carry labels). */
  readonly nSignalSR?: number;
  readonly signalOverBackgroundSR?: number;
}

/** SR, sideband and short-sideband counts per window, and the injected signal fraction in the SR when labels exist. */
export function windowSummary(events: EventTable, windows: readonly Window[], shortSidebandWidth: number): WindowSummary[] {
  const label = events.has('label') ? events.column('label') : undefined;
  return windows.map((w) => {
    const sr = signalRegionMask(events, w);
    const nSR = countMask(sr);
    const base = {
      windowId: w.id, centreTeV: w.centre, srLowTeV: w.srLow, srHighTeV: w.srHigh, nSR,
      nSB: countMask(sidebandMask(events, w)), nShortSB: countMask(shortSidebandMask(events, w, shortSidebandWidth)),
    };
    if (!label) return base;
    let s = 0;
    for (let i = 0; i < sr.length; i++) if (sr[i] && label[i] === 1) s++;
    return { ...base, nSignalSR: s, signalOverBackgroundSR: nSR > s ? s / (nSR - s) : Infinity };
  });
}
