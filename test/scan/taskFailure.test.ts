/**
 * A task that fails stops its own method, not the scan's others (stress test: a diverged CATHODE flow
 * cost IAD's and CWoLa's results too): their tasks still run and are cached, the error names the failed
 * task and says how to write the other methods' results, and that rerun computes nothing.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { presetConfig } from '../../lib/scan/presets.js';
import { runScan } from '../../lib/scan/scan.js';
import { InputError } from '../../lib/util/errors.js';

describe('a failing method', () => {
  it('a diverged CATHODE flow: IAD and CWoLa still run; the error names the flow task and the rerun that writes their results from the cache', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sw-fail-'));
    try {
      const cfg = presetConfig('ci');
      cfg.windows.ids = [5];
      delete cfg.control;
      cfg.cathode = { ...cfg.cathode, flow: { ...cfg.cathode.flow, epochs: 1, maxEvents: 20_000, learningRate: 1e6 } };
      const cacheDir = join(out, 'cache');
      const err = await runScan(cfg, { outDir: out, cacheDir }).then(() => undefined, (e: unknown) => e as Error);
      expect(err).toBeInstanceOf(InputError);
      expect(err!.message).toMatch(/^task \d+ · window 5 \(3\.5 TeV\) · cathode flow · data · run 0: fitConditionalFlow: validation loss is NaN at epoch 1, (\d+) of \1 validation events with a non-finite log-likelihood \(diverged; lower learningRate\)/);
      expect(err!.message).toContain(`; the iad, cwola tasks finished and are cached in ${cacheDir}: rerun with --methods iad,cwola`);
      const rerun = await runScan({ ...cfg, methods: ['iad', 'cwola'] }, { outDir: out, cacheDir });
      expect(rerun.computed).toBe(0);
      expect(rerun.cached).toBeGreaterThan(0);
      expect(rerun.results.config.methods).toEqual(['iad', 'cwola']);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
