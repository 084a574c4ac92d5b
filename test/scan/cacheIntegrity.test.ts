/**
 * Issue 16, item 3: a damaged cache entry never changes a result. Each kind of damage to a scores
 * file (or its manifest) of a real small scan is detected by the checksums, recomputed with one
 * warning, and the rerun's numbers equal the undamaged run's.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlanSamples, mergeScan, readPlan, runPlanTasks, runScan } from '../../lib/scan/scan.js';
import { taskStatuses } from '../../lib/scan/engines/status.js';
import { recordingReporter, tinyScanConfig } from '../helpers/tinyScan.js';

describe('cache integrity on a real scan', () => {
  it('flipped byte, zeroed file, deleted file, truncated file, garbage or version-1 manifest: recomputed, same numbers; merge and status see the damage', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sw-cache-scan-'));
    const cacheDir = join(out, 'cache');
    const cfg = tinyScanConfig();
    const first = await runScan(cfg, { outDir: out, cacheDir });
    expect(first.computed).toBe(2);
    const plan = readPlan(first.planPath);
    const iad = plan.tasks[0];
    expect(iad.method).toBe('iad');
    const entry = (key: string): string => join(cacheDir, key.slice(0, 2), key);
    const scores = join(entry(iad.key), 'dataScores.bin');
    const clean = readFileSync(scores);
    // The IAD cell must have events passing its cut, so that damaged scores would change N_obs.
    expect(first.results.runs.filter((r) => r.method === 'iad').every((r) => r.nObs > 0)).toBe(true);

    // Merge and status refuse / list a damaged entry (checked before anything in --out is touched).
    const flipped = Buffer.from(clean);
    flipped[8 * 10 + 7] ^= 0x40; // top byte of the 11th score: a score in (0, 1) becomes ≈ 1e+300, passing every cut
    writeFileSync(scores, flipped);
    const datasets = await loadPlanSamples(plan);
    await expect(mergeScan(plan, datasets, { cacheDir, outDir: out })).rejects.toThrow(
      /1 of 2 task results are not in .* yet \(tasks 0\); 1 of them damaged there \(task 0 · window 5 \(3\.5 TeV\) · iad · data · run 0: dataScores\.bin does not match its SHA-256 checksum\)/,
    );
    expect(existsSync(join(out, 'results.json'))).toBe(true);
    const status = taskStatuses(plan, cacheDir, out);
    expect(status.map((s) => s.state)).toEqual(['damaged', 'done']);
    expect(status[0].message).toMatch(/dataScores\.bin does not match its SHA-256/);

    const damage: [string, () => void, RegExp][] = [
      ['one byte flipped', () => writeFileSync(scores, flipped), /dataScores\.bin does not match its SHA-256 checksum/],
      ['zeroed in place', () => writeFileSync(scores, new Uint8Array(statSync(scores).size)), /dataScores\.bin does not match its SHA-256 checksum/],
      ['deleted', () => rmSync(scores), /dataScores\.bin is missing/],
      ['truncated', () => writeFileSync(scores, clean.subarray(0, clean.length - 5)), new RegExp(`dataScores\\.bin has ${clean.length - 5} bytes, expected`)],
      ['garbage manifest', () => writeFileSync(join(entry(iad.key), 'manifest.json'), 'PK\u0003\u0004 not json'), /manifest\.json is not valid JSON/],
    ];
    for (const [what, corrupt, reason] of damage) {
      corrupt();
      const r = recordingReporter();
      // The first case reruns the whole scan; the others rerun its task and merge stages on the
      // already loaded samples (what runScan does after loading them), to keep the test short.
      const again = what === 'one byte flipped'
        ? await runScan(cfg, { outDir: out, cacheDir, reporter: r })
        : { ...(await runPlanTasks(plan, datasets, { cacheDir, reporter: r })), ...(await mergeScan(plan, datasets, { cacheDir, outDir: out })) };
      expect([what, again.computed, again.cached]).toEqual([what, 1, 1]);
      // The rerun of the whole scan also repeats the plan-time warnings (this tiny scan's 600 signal events
      // are several per cent of its SR, which moves the marginals the IAD template is compared on): only the
      // cache's count here.
      const cacheWarnings = r.warnings.filter((w) => !w.startsWith('IAD template differs'));
      expect(cacheWarnings, what).toHaveLength(1);
      expect(cacheWarnings[0]).toMatch(/^task 0 · window 5 \(3\.5 TeV\) · iad · data · run 0: cached result \w+… in .* is damaged \(/);
      expect(cacheWarnings[0]).toMatch(reason);
      expect(cacheWarnings[0]).toMatch(/; recomputing it$/);
      expect(again.results.runs, what).toEqual(first.results.runs);
      expect(again.results.aggregates, what).toEqual(first.results.aggregates);
      expect(readFileSync(scores).equals(clean), what).toBe(true);
    }

    // Entries of an older sidewinder (manifest version 1, no checksums): all recomputed, said once.
    for (const t of plan.tasks) {
      const p = join(entry(t.key), 'manifest.json');
      const m = JSON.parse(readFileSync(p, 'utf8')) as { version: number; valueSha256?: string; arrays: { sha256?: string }[] };
      m.version = 1;
      delete m.valueSha256;
      for (const a of m.arrays) delete a.sha256;
      writeFileSync(p, JSON.stringify(m));
    }
    const r = recordingReporter();
    expect((await runPlanTasks(plan, datasets, { cacheDir, reporter: r })).computed).toBe(2);
    const legacy = await mergeScan(plan, datasets, { cacheDir, outDir: out });
    expect(r.warnings).toEqual([expect.stringMatching(/without checksums \(cache-entry version 1\) are recomputed/)]);
    expect(legacy.results.runs).toEqual(first.results.runs);
  }, 120_000);
});
