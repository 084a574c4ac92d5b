/**
 * Plan-time check of the working points: can each window's background template resolve each
 * requested ε_B? Template sizes are known once the samples are loaded; each method's stage gives its
 * own (`templateSize`; e.g. IAD: the template sample's SR events; CATHODE: round(oversampling · N_SR)). A template of N events resolves ε_B only when
 * N · ε_B ≥ minTemplatePass (lib/stats `templateResolution`); the realised pass count is checked again
 * when the cells are counted.
 */
import type { Window } from '../windows/index.js';
import { methodDescriptor } from '../methods/registry.js';
import { DEFAULT_MIN_TEMPLATE_PASS, templateEventsNeeded } from '../stats/workingPoints.js';
import { ConfigError } from '../util/errors.js';
import type { Reporter } from '../util/reporter.js';
import type { ScanConfig } from './config.js';
import type { ScanDataset } from './dataset.js';
import { METHOD_LABELS, type MethodName } from './results.js';
import { methodSettings } from './plan.js';

/** The background template of one (sample, window, method, task kind) and its size. */
export interface TemplateSize {
  readonly sample: 'data' | 'control';
  readonly windowId: number;
  readonly method: MethodName;
  /** The task kind (`classify`, or e.g. CATHODE's `sideband-closure`) and its role: a scores cell or a closure. */
  readonly kind: string;
  readonly role: 'scores' | 'closure';
  readonly nTemplate: number;
}

/** A working point a template cannot resolve. */
export interface UnresolvedWorkingPoint extends TemplateSize {
  readonly epsilonB: number;
  readonly nTemplateNeeded: number;
}

/** Template sizes of every cell a scan will count (the scores and closure tasks of lib/scan/plan.ts `buildPlan`). */
export function templateSizes(config: ScanConfig, windows: readonly Window[], shortSidebandWidth: number, datasets: Readonly<Record<string, ScanDataset>>): TemplateSize[] {
  const out: TemplateSize[] = [];
  const samples = (datasets.control ? ['data', 'control'] : ['data']) as ('data' | 'control')[];
  const settings = methodSettings(config, shortSidebandWidth);
  for (const sample of samples)
    for (const w of windows)
      for (const method of config.methods)
        for (const stage of methodDescriptor(method).stages) {
          if (stage.role === 'generator' || !stage.templateSize || !stage.runsOn(sample, settings)) continue;
          const input = { window: w, settings, events: datasets[sample].events, sample: (role: string) => datasets[role].events };
          out.push({ sample, windowId: w.id, method, kind: stage.kind, role: stage.role, nTemplate: stage.templateSize(input) });
        }
  return out;
}

/** Every (template, ε_B) with N_template · ε_B below the minimum. */
export function unresolvedWorkingPoints(sizes: readonly TemplateSize[], epsilonB: readonly number[], minTemplatePass: number): UnresolvedWorkingPoint[] {
  return epsilonB.flatMap((e) => {
    const needed = templateEventsNeeded(e, minTemplatePass);
    return sizes.filter((s) => s.nTemplate < needed).map((s) => ({ ...s, epsilonB: e, nTemplateNeeded: needed }));
  });
}

/**
 * Warn (before any training) about every window whose template cannot resolve a requested ε_B,
 * naming window, method, template size and the size needed; refuse the scan when every data cell of
 * some ε_B would be refused (it could report nothing at that working point).
 * @throws ConfigError naming the ε_B, the largest template and the size needed.
 */
export function checkWorkingPointsResolvable(
  config: ScanConfig, windows: readonly Window[], shortSidebandWidth: number, datasets: Readonly<Record<string, ScanDataset>>, reporter: Reporter,
): UnresolvedWorkingPoint[] {
  const min = config.minTemplatePass ?? DEFAULT_MIN_TEMPLATE_PASS;
  const sizes = templateSizes(config, windows, shortSidebandWidth, datasets);
  const unresolved = unresolvedWorkingPoints(sizes, config.epsilonB, min);
  const dataCells = sizes.filter((s) => s.sample === 'data' && s.role === 'scores');
  for (const e of config.epsilonB) {
    const mine = unresolved.filter((u) => u.epsilonB === e);
    if (mine.length === 0) continue;
    const refusedData = mine.filter((u) => u.sample === 'data' && u.role === 'scores');
    if (refusedData.length === dataCells.length) {
      const largest = Math.max(...dataCells.map((s) => s.nTemplate));
      throw new ConfigError(
        `ε_B ${e} cannot be resolved in any window: the largest template has ${largest} events, and ${min} passing events (minTemplatePass) need ≥ ${mine[0].nTemplateNeeded}; ` +
          `remove ${e} from the working points, or use larger samples (or a smaller minTemplatePass)`,
      );
    }
    for (const u of mine)
      reporter.log(
        'warn',
        `ε_B ${e}: window ${u.windowId}, ${METHOD_LABELS[u.method]}${u.role === 'closure' ? ` ${u.kind.replace(/-/g, ' ')}` : ''} (${u.sample} sample): the template has ${u.nTemplate} events, ` +
          `${min} passing events need ≥ ${u.nTemplateNeeded}; this cell will be refused (no significance reported)`,
        { windowId: u.windowId, method: u.method, sample: u.sample, epsilonB: e, nTemplate: u.nTemplate, nTemplateNeeded: u.nTemplateNeeded },
      );
  }
  return unresolved;
}
