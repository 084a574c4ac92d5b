/**
 * The classical comparison is stored beside the scan's results; when the fit refuses its spectrum the
 * scan's own results must still be written (they come after every task has run), with a note.
 */
import { describe, expect, it, vi } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../lib/util/errors.js';
import { runScan } from '../../lib/scan/scan.js';
import { tinyScanConfig } from '../helpers/tinyScan.js';

vi.mock('../../lib/scan/classicalBumpHunt.js', () => ({
  classicalBumpHunt: () => { throw new ConfigError('fitBumpHunt: a refusal made up by this test'); },
}));

describe('a fit-based bump hunt that throws', () => {
  it('leaves bumpHunt empty with a note, and results.json is written', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sw-classical-'));
    const cfg = tinyScanConfig();
    cfg.methods = ['iad'];
    const { results, resultsPath } = await runScan(cfg, { outDir: out, cacheDir: join(out, 'cache') });
    expect(existsSync(resultsPath)).toBe(true);
    expect(results.bumpHunt ?? []).toEqual([]);
    expect(results.notes).toContain('fit-based bump hunt not run: fitBumpHunt: a refusal made up by this test');
    expect(results.runs.length).toBeGreaterThan(0);
  }, 120_000);
});
