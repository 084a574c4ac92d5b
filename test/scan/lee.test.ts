/**
 * `sidewinder lee` at small size: background-only pseudo-experiments that repeat a tiny scan
 * (retraining), their global p in results.json, resumption, and the refusal for file data.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScan } from '../../lib/scan/scan.js';
import { leeVariants, runLookElsewhere } from '../../lib/scan/lee.js';
import { validateSchema } from '../../lib/util/schema.js';
import { ConfigError } from '../../lib/util/errors.js';
import { tinyScanConfig } from '../helpers/tinyScan.js';

describe('look-elsewhere from pseudo-experiments with retraining', () => {
  it('rewrites the scan\'s global p as (1 + #toys with max Z ≥ observed)/(1 + N); a rerun resumes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-lee-'));
    try {
      const cfg = tinyScanConfig(3);
      cfg.windows.ids = [4, 5];
      await runScan(cfg, { outDir: dir, cacheDir: join(dir, 'cache') });
      const first = await runLookElsewhere({ scanDir: dir, toys: 3 });
      const lee = validateSchema<{ toys: number; maxLocalZ: { method: string; epsilonB: number; values: number[] }[] }>('lee', JSON.parse(readFileSync(first.summaryPath, 'utf8')), first.summaryPath);
      expect(lee.toys).toBe(3);
      for (const l of first.results.lookElsewhere!) {
        const toys = lee.maxLocalZ.find((m) => m.method === l.method && m.epsilonB === l.epsilonB)!.values;
        expect(toys).toHaveLength(3);
        const k = toys.filter((z) => z >= l.localZMax).length;
        expect(l).toMatchObject({ globalMethod: 'pseudo-experiments', nPseudoExperiments: 3, nExceeding: k, globalP: (1 + k) / 4 });
      }
      // Toys are different pseudo-data: their maxima differ.
      expect(new Set(lee.maxLocalZ[0].values).size).toBeGreaterThan(1);
      const onDisk = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as typeof first.results;
      expect(onDisk.lookElsewhere).toEqual(first.results.lookElsewhere);
      expect(onDisk.notes!.filter((n) => n.startsWith('look-elsewhere:'))).toHaveLength(1);
      // Four toys: the three finished ones are reused (same maxima), one more runs.
      const again = await runLookElsewhere({ scanDir: dir, toys: 4 });
      for (const m of again.summary.maxLocalZ) expect(m.values.slice(0, 3)).toEqual(lee.maxLocalZ.find((x) => x.method === m.method && x.epsilonB === m.epsilonB)!.values);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('pseudo-data come from the data\'s generator without signal; data read from files are refused', () => {
    const cfg = tinyScanConfig(1);
    const v = leeVariants(cfg, 2, 500);
    expect(v.map((x) => x.config.dataset.generate)).toEqual([
      { ...cfg.dataset.generate, signal: 0, seed: 500 }, { ...cfg.dataset.generate, signal: 0, seed: 501 },
    ]);
    expect(v[0].config.template).toEqual(cfg.template);
    expect(v[0].config.seed).toBe(cfg.seed);
    expect(() => leeVariants({ ...cfg, dataset: { path: '/data/real.h5' } }, 2)).toThrow(ConfigError);
    expect(() => leeVariants({ ...cfg, dataset: { path: '/data/real.h5' } }, 2)).toThrow(/read its data from files/);
  });
});
