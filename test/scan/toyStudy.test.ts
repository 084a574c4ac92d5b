import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runToyStudy, zMoments, TOY_DEFAULTS } from '../../scripts/toyStudy.js';

/**
 * CI-sized background-only toy study (the full one: `node --import tsx scripts/toyStudy.ts`, see its
 * header). 12 toys of window 5 with 40k data events, IAD and CWoLa (no flows: CATHODE's cost is its
 * flows, and a flow small enough for CI has a template bias of order 1, so its Z says nothing about the
 * statistics). Every sample and seed is re-drawn per toy.
 *
 * What it checks at this size, with tolerances from the sample sizes (n = 12 Z per cell: the mean's
 * standard error is ≈ 0.29, a std's ≈ 0.21):
 *  - the signed Z of IAD and CWoLa at ε_B = 1e-2 and IAD at 1e-3 have |mean| < 0.85 and
 *    0.5 < std < 1.6 (≈ 3σ bands around N(0, 1));
 *  - CWoLa at ε_B = 1e-3 is refused in every toy: its short sidebands hold ≈ 5k events < the
 *    10,000 needed for 10 passing template events — never reported with an ε_B it does not have.
 */
describe('background-only toy study (CI size)', () => {
  it('Z per cell is compatible with N(0, 1); unresolvable cells are refused', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sw-toys-'));
    const t0 = Date.now();
    try {
      const summary = await runToyStudy({
        ...TOY_DEFAULTS, toys: 12, windows: [5], background: 40_000, template: 40_000, control: 40_000,
        methods: ['iad', 'cwola'], firstSeed: 7000, outDir: out,
      });
      const get = (m: string, e: number) => summary.find((s) => s.method === m && s.epsilonB === e)!;
      const lines = summary.map((s) => {
        const z = zMoments(s.zCowan);
        return `${s.method} ε_B=${s.epsilonB}: ${s.zCowan.length} cells, ${s.refused} refused${z ? `, mean ${z.mean.toFixed(2)} ± ${z.meanErr.toFixed(2)}, std ${z.std.toFixed(2)} ± ${z.stdErr.toFixed(2)}` : ''}`;
      });
      console.log(`toy study (CI size), ${((Date.now() - t0) / 1000).toFixed(0)} s:\n  ${lines.join('\n  ')}`);
      for (const [m, e] of [['iad', 1e-2], ['iad', 1e-3], ['cwola', 1e-2]] as const) {
        const z = zMoments(get(m, e).zCowan)!;
        expect(get(m, e).zCowan).toHaveLength(12);
        expect(Math.abs(z.mean)).toBeLessThan(0.85);
        expect(z.std).toBeGreaterThan(0.5);
        expect(z.std).toBeLessThan(1.6);
      }
      expect(get('cwola', 1e-3).zCowan).toHaveLength(0);
      expect(get('cwola', 1e-3).refused).toBe(12);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 300_000);
});
