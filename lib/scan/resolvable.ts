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
 * naming window, method, template size and the size needed. An ε_B that no data cell resolves is
 * kept and every cell at it refused (one warning, not one per cell): a preset's 10⁻⁴ on a user's
 * 40k-event template should not stop the scan at 10⁻² and 10⁻³. The scan is refused only when no
 * requested ε_B is resolved by any data cell (it could report nothing).
 * @throws ConfigError naming the ε_B, the largest template and the size needed.
 */
export function checkWorkingPointsResolvable(
  config: ScanConfig, windows: readonly Window[], shortSidebandWidth: number, datasets: Readonly<Record<string, ScanDataset>>, reporter: Reporter,
): UnresolvedWorkingPoint[] {
  const min = config.minTemplatePass ?? DEFAULT_MIN_TEMPLATE_PASS;
  const sizes = templateSizes(config, windows, shortSidebandWidth, datasets);
  const unresolved = unresolvedWorkingPoints(sizes, config.epsilonB, min);
  const dataCells = sizes.filter((s) => s.sample === 'data' && s.role === 'scores');
  const largest = Math.max(...dataCells.map((s) => s.nTemplate));
  const unresolvable = (e: number) => `ε_B ${e} cannot be resolved in any window: the largest template has ${largest} events, and ${min} passing events (minTemplatePass) need ≥ ${templateEventsNeeded(e, min)}`;
  const nowhere = config.epsilonB.filter((e) => dataCells.length > 0 && unresolved.filter((u) => u.epsilonB === e && u.sample === 'data' && u.role === 'scores').length === dataCells.length);
  if (nowhere.length === config.epsilonB.length)
    throw new ConfigError(`${nowhere.map(unresolvable).join('; ')}; use working points the templates can resolve, or larger samples (or a smaller minTemplatePass)`);
  for (const e of nowhere)
    reporter.log('warn', `${unresolvable(e)}; every cell at this working point will be refused (no significance reported); drop it with --epsilon-b, or use larger samples`, { epsilonB: e, nTemplate: largest, nTemplateNeeded: templateEventsNeeded(e, min) });
  for (const u of unresolved) {
    if (nowhere.includes(u.epsilonB)) continue;
    reporter.log(
      'warn',
      `ε_B ${u.epsilonB}: window ${u.windowId}, ${METHOD_LABELS[u.method]}${u.role === 'closure' ? ` ${u.kind.replace(/-/g, ' ')}` : ''} (${u.sample} sample): the template has ${u.nTemplate} events, ` +
        `${min} passing events need ≥ ${u.nTemplateNeeded}; this cell will be refused (no significance reported)`,
      { windowId: u.windowId, method: u.method, sample: u.sample, epsilonB: u.epsilonB, nTemplate: u.nTemplate, nTemplateNeeded: u.nTemplateNeeded },
    );
  }
  return unresolved;
}
