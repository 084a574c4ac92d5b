/**
 * Plan-time check that every sample covers the m_JJ regions its methods read in every window
 * (lib/windows/coverage.ts): a file cut inside a window is refused before any training, naming the
 * sample, window, region and where its events stop, and naming the windows that can run.
 */
import { methodDescriptor } from '../methods/registry.js';
import type { MethodName } from '../methods/types.js';
import { InputError } from '../util/errors.js';
import {
  describeCoverage, formatMass, sortedMassesTeV, windowCoverage, SIGNAL_REGION_AND_SHORT_SIDEBANDS, type RegionCoverage, type Window,
} from '../windows/index.js';
import type { ScanConfig } from './config.js';
import type { ScanDataset } from './dataset.js';
import { methodSettings } from './plan.js';
import { METHOD_LABELS } from './results.js';

/** A region of one window that a sample does not cover, and the methods that read it there. */
export interface CoverageGap {
  readonly sample: string;
  readonly windowId: number;
  readonly coverage: RegionCoverage;
  readonly methods: readonly MethodName[];
}

/**
 * Every (sample, window, region) a configured method reads that its sample does not cover.
 * @param sorted each sample's sorted m_JJ (TeV), filled as samples are read: pass a map to reuse them.
 */
export function coverageGaps(
  config: ScanConfig, windows: readonly Window[], shortSidebandWidth: number, datasets: Readonly<Record<string, ScanDataset>>,
  sorted = new Map<string, Float64Array>(),
): CoverageGap[] {
  const settings = methodSettings(config, shortSidebandWidth);
  const massesOf = (role: string) => {
    if (!sorted.has(role)) sorted.set(role, sortedMassesTeV(datasets[role].events));
    return sorted.get(role)!;
  };
  const gaps = new Map<string, { sample: string; windowId: number; coverage: RegionCoverage; methods: MethodName[] }>();
  const ownSamples = (['data', 'control'] as const).filter((s) => datasets[s]);
  for (const method of config.methods) {
    const d = methodDescriptor(method);
    for (const own of ownSamples) {
      if (!d.stages.some((st) => st.runsOn(own, settings))) continue;
      for (const [key, regions] of Object.entries(d.massRegions)) {
        const role = key === 'own' ? own : key;
        if (!datasets[role]) continue;
        for (const w of windows)
          for (const c of windowCoverage(massesOf(role), w, shortSidebandWidth, regions)) {
            if (c.status === 'covered') continue;
            const id = `${role}/${w.id}/${c.region}`;
            const g = gaps.get(id) ?? { sample: role, windowId: w.id, coverage: c, methods: [] };
            if (!g.methods.includes(method)) g.methods.push(method);
            gaps.set(id, g);
          }
      }
    }
  }
  const order = (g: CoverageGap) => SIGNAL_REGION_AND_SHORT_SIDEBANDS.indexOf(g.coverage.region);
  return [...gaps.values()].sort((a, b) => a.sample.localeCompare(b.sample) || a.windowId - b.windowId || order(a) - order(b));
}

/**
 * Refuse a scan whose samples stop inside a region a method reads (see {@link coverageGaps}).
 * @throws InputError listing each gap by sample, window and region, with the windows that can run.
 */
export function checkWindowCoverage(config: ScanConfig, windows: readonly Window[], shortSidebandWidth: number, datasets: Readonly<Record<string, ScanDataset>>): void {
  const sorted = new Map<string, Float64Array>();
  const gaps = coverageGaps(config, windows, shortSidebandWidth, datasets, sorted);
  if (gaps.length === 0) return;
  const bySample = new Map<string, CoverageGap[]>();
  for (const g of gaps) bySample.set(g.sample, [...(bySample.get(g.sample) ?? []), g]);
  const clauses = [...bySample].map(([sample, list]) => {
    const ds = datasets[sample];
    // Every sample with a gap was sorted while its gaps were found.
    const m = sorted.get(sample)!;
    const span = m.length ? `m_JJ ${formatMass(m[0])}–${formatMass(m[m.length - 1])} TeV` : 'no m_JJ values';
    const where = ds.path.startsWith('generated:') ? `the generated ${sample} sample (${span})` : `${sample} (${ds.path}; ${span})`;
    const ids = [...new Set(list.map((g) => g.windowId))];
    const lines = ids.map((id) => `window ${id}: ${list.filter((g) => g.windowId === id)
      .map((g) => `${describeCoverage(g.coverage)} [${g.methods.map((m) => METHOD_LABELS[m]).join(', ')}]`).join(', ')}`);
    return `${where} does not cover every window it is read in — ${lines.join('; ')}`;
  });
  const bad = new Set(gaps.map((g) => g.windowId));
  const good = windows.filter((w) => !bad.has(w.id)).map((w) => w.id);
  const advice = good.length
    ? `run the windows the samples cover with --windows ${good.join(',')}, or leave out the methods named`
    : 'no window is covered for these methods; check the file\'s m_JJ range and units, or leave out the methods named';
  throw new InputError(`${clauses.join('; ')}. A sample cut inside a window would bias that window (an IAD template not cut at the same edge fakes an excess; a missing sideband leaves nothing to interpolate from): ${advice}`);
}
