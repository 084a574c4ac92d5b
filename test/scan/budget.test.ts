import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifierWork, ENSEMBLE_LADDER, withinEnsembleBudget } from '../../lib/scan/budget.js';
import { presetConfig } from '../../lib/scan/presets.js';
import { leeVariants } from '../../lib/scan/lee.js';
import { runScan } from '../../lib/scan/scan.js';
import { scanConfigFromOptions } from '../../scripts/commands/scan.js';

const budgetOf = (c: ReturnType<typeof presetConfig>): number => c.ensembleBudget!.srEventFits;

describe('ensemble budget', () => {
  const def = presetConfig('default');

  it('counts runs × members summed over methods × SR events (CATHODE keeps its one member)', () => {
    // IAD 5 + CWoLa 5 + CATHODE 1 members, two runs, 1000 SR events
    expect(classifierWork(def, 2, 1000)).toBe(2 * 11 * 1000);
    expect(classifierWork({ ...def, ensemble: 50 }, 5, 1000)).toBe(5 * 101 * 1000);
  });

  it('the default scan stays at 5 × 2; one real-LHCO-sized window of IAD gets 50 × 5; one generated window of all methods 20 × 5', () => {
    // SR events cross-fitted by the default scan (data and control, nine windows) — the numbers
    // the generator gives today (2,313,102) — and the LHCO R&D signal region (122,124, IAD only).
    expect(withinEnsembleBudget(def, 2_313_102).config).toBe(def);
    const lhco = withinEnsembleBudget({ ...def, methods: ['iad'] }, 122_124);
    expect([lhco.config.ensemble, lhco.config.runs]).toEqual([50, 5]);
    expect(lhco.choice!.srEventFits).toBe(50 * 5 * 122_124);
    // The next rung would not fit: 50 × 10 on that SR is over the budget.
    expect(classifierWork({ ...def, methods: ['iad'], ensemble: 50 }, 10, 122_124)).toBeGreaterThan(budgetOf(def));
    const w5 = withinEnsembleBudget(def, 243_297);
    expect([w5.config.ensemble, w5.config.runs, w5.config.ensembleByMethod]).toEqual([20, 5, { cathode: 1 }]);
  });

  it('never goes below the configured numbers, and only to rungs at or above both', () => {
    const cfg = { ...def, methods: ['iad' as const], ensemble: 7, runs: 3 };
    // Plenty of budget: the top rung.
    expect(withinEnsembleBudget({ ...cfg, ensembleBudget: { srEventFits: 1e12 } }, 1000).config).toMatchObject({ ensemble: 50, runs: 10 });
    // No budget to spare: the configured 7 × 3, even though it is over the budget itself.
    expect(withinEnsembleBudget({ ...cfg, ensembleBudget: { srEventFits: 1 } }, 1000).config).toMatchObject({ ensemble: 7, runs: 3 });
    // 10 × 2 is cheaper than 10 × 5 but below the configured runs: skipped.
    expect(withinEnsembleBudget({ ...cfg, ensembleBudget: { srEventFits: 10 * 5 * 1000 } }, 1000).config).toMatchObject({ ensemble: 10, runs: 5 });
    expect(ENSEMBLE_LADDER.at(-1)).toEqual([50, 10]);
  });

  it('without a budget the configuration is returned as it is', () => {
    const paper = presetConfig('paper');
    expect(paper.ensembleBudget).toBeUndefined();
    expect(presetConfig('ci').ensembleBudget).toBeUndefined();
    expect(withinEnsembleBudget(paper, 10)).toEqual({ config: paper });
  });

  it('--ensemble or --runs on the command line replace the budget; pseudo-experiments repeat the chosen numbers', () => {
    const base = { preset: 'default', out: 'out/unused' };
    expect(scanConfigFromOptions(base).ensembleBudget).toEqual(def.ensembleBudget);
    expect(scanConfigFromOptions({ ...base, ensemble: '10' }).ensembleBudget).toBeUndefined();
    expect(scanConfigFromOptions({ ...base, runs: '3' }).ensembleBudget).toBeUndefined();
    const resolved = { ...def, ensemble: 20, runs: 5 };
    const toy = leeVariants(resolved, 1)[0].config;
    expect([toy.ensemble, toy.runs, toy.ensembleBudget]).toEqual([20, 5, undefined]);
  });

  it('a scan plans the members and runs the budget chose, and its results say so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-budget-'));
    const cfg = presetConfig('ci');
    cfg.dataset.generate!.background = 20_000;
    cfg.windows.ids = [5];
    cfg.methods = ['iad'];
    cfg.epsilonB = [1e-2];
    delete cfg.control;
    // Room for 5 members × 2 runs of one method on this SR, not for 10 × 2.
    const nSR = await import('../../lib/windows/index.js').then(async ({ loadWindows, signalRegionMask, countMask }) => {
      const { generateLhcoLike } = await import('../../lib/data/generate/index.js');
      const { deriveFeatures } = await import('../../lib/data/features.js');
      const w5 = (await loadWindows()).windows.find((w) => w.id === 5)!;
      const ev = deriveFeatures(generateLhcoLike(cfg.dataset.generate!));
      return countMask(signalRegionMask(ev, w5));
    });
    cfg.ensembleBudget = { srEventFits: 5 * 2 * nSR + 1 };
    const { results } = await runScan(cfg, { outDir: join(dir, 'out'), cacheDir: join(dir, 'cache') });
    expect(results.config.nRuns).toBe(2);
    expect(results.config.classifier.ensemble).toBe(5);
    expect(results.notes).toContainEqual(expect.stringMatching(new RegExp(`^ensemble budget .*: 5 members per fold × 2 runs for ${nSR.toLocaleString('en-US')} SR events`)));
  }, 120_000);
});
