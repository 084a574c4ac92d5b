/**
 * ANODE in a scan: registered in lib/methods only, it plans, runs and reports like the others, and
 * shares CATHODE's sideband density (one flow task per window and sample when both run).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScan } from '../../lib/scan/scan.js';
import { validateResults } from '../../lib/scan/validateResults.js';
import { tinyScanConfig } from '../helpers/tinyScan.js';

describe('ANODE as a fourth method', () => {
  it('one shared flow task with CATHODE; ANODE cells, ROC and template histograms in validated results', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-anode-scan-'));
    try {
      const cfg = tinyScanConfig(4);
      cfg.methods = ['cathode', 'anode'];
      cfg.cathode = { ...cfg.cathode, flow: { preset: 'default', epochs: 2, maxEvents: 20_000 } };
      const { results, planPath } = await runScan(cfg, { outDir: dir, cacheDir: join(dir, 'cache') });
      const plan = JSON.parse((await import('node:fs')).readFileSync(planPath, 'utf8')) as { tasks: { kind: string; method: string; dependsOn: string[]; key: string }[] };
      const flows = plan.tasks.filter((t) => t.kind === 'flow');
      expect(flows).toHaveLength(1);
      const anode = plan.tasks.find((t) => t.method === 'anode')!;
      expect(anode.kind).toBe('anode-scores');
      expect(anode.dependsOn).toEqual([flows[0].key]);
      validateResults(results, 'anode scan');
      const cells = results.runs.filter((r) => r.method === 'anode');
      expect(cells).toHaveLength(1);
      expect(cells[0].nSR).toBe(results.runs.find((r) => r.method === 'cathode')!.nSR);
      // The template passes ε_B of its own events (per-fold thresholds on a 4 × oversampled template).
      expect(Math.abs(cells[0].epsilonEff - 1e-2)).toBeLessThan(2e-3);
      expect(results.roc!.some((r) => r.method === 'anode' && r.auc! > 0.5)).toBe(true);
      expect(results.featureHistograms!.some((h) => h.method === 'anode')).toBe(true);
      expect(results.templateCorrelations!.some((t) => t.method === 'anode')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
