/**
 * CATHODE's MC δsys is the bias of flows trained on the control sample's sidebands. A flow trained on
 * fewer events is less accurate and its template more biased, so a control whose flows see many more
 * events than the data's measures a bias smaller than the data's (stress test: 5k data events against a
 * 200k control, CATHODE read 2.5–3.6σ in windows without signal). Compared per window before training
 * (a warning) and kept as a note beside the numbers.
 */
import { resolveFlowOptions } from '../ml/flows/options.js';
import { sidebandMask, shortSidebandMask, countMask, windowInTeV, type Window } from '../windows/index.js';
import type { EventTable } from '../data/eventTable.js';
import type { ScanConfig } from './config.js';

/** Above this ratio of the control's flow training events to the data's, the MC δsys is not the data's. */
export const CONTROL_STATISTICS_RATIO = 2;

/** Flow training events of data and control in one window. */
export interface ControlStatistics {
  readonly windowId: number;
  readonly dataEvents: number;
  readonly controlEvents: number;
}

/** Sideband events CATHODE's flow trains on in `window` (its sideband, capped at the flow's `maxEvents`). */
function flowTrainingEvents(events: EventTable, window: Window, config: Pick<ScanConfig, 'cathode'>): number {
  const w = windowInTeV(window);
  const sb = config.cathode.sidebandWidthTeV === undefined ? sidebandMask(events, w) : shortSidebandMask(events, w, config.cathode.sidebandWidthTeV);
  const n = countMask(sb);
  if (config.cathode.generator === 'gan') return n;
  const { maxEvents } = resolveFlowOptions({ seed: 0, ...config.cathode.flow });
  return maxEvents === null ? n : Math.min(n, maxEvents);
}

/**
 * The windows where the control's flows train on more than {@link CONTROL_STATISTICS_RATIO} × the data's
 * events (only when CATHODE runs and its δsys is measured on a control).
 */
export function controlOutnumbersData(
  config: Pick<ScanConfig, 'methods' | 'cathode' | 'deltaSys'>, windows: readonly Window[], data: EventTable, control: EventTable | undefined,
): ControlStatistics[] {
  if (!control || !config.methods.includes('cathode') || config.deltaSys.values?.cathode !== undefined) return [];
  return windows
    .map((w) => ({ windowId: w.id, dataEvents: flowTrainingEvents(data, w, config), controlEvents: flowTrainingEvents(control, w, config) }))
    .filter((s) => s.controlEvents > CONTROL_STATISTICS_RATIO * s.dataEvents);
}

/** One line for the log and the results' notes. */
export function describeControlStatistics(list: readonly ControlStatistics[]): string {
  const each = list.map((s) => `window ${s.windowId}: ${s.dataEvents} vs ${s.controlEvents}`).join('; ');
  return (
    `CATHODE's flows train on far fewer sideband events in the data than in the control (${each}): a flow trained on fewer events is less accurate, ` +
    'so the MC δsys measured on the control understates the data\'s template bias and CATHODE\'s significances there are too large. Give a control sample of the data\'s size'
  );
}
