import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkLookElsewhere, runToyStudy, zMoments, TOY_DEFAULTS, type ToyLookElsewhere } from '../../scripts/toyStudy.js';
import { correlatedMaxGlobalPValue } from '../../lib/stats/lookElsewhere.js';
import { normalSf } from '../../lib/util/special.js';
import { cholesky } from '../../lib/stats/fit/linalg.js';
import { createRng } from '../../lib/util/rng.js';

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
      // CWoLa's control measures a δsys per toy: one applied flag per resolved cell, counted in deltaSysApplied.
      const cw = get('cwola', 1e-2);
      expect(cw.deltaSysAppliedByCell).toHaveLength(cw.zCowan.length);
      expect(cw.deltaSysAppliedByCell.filter(Boolean).length).toBe(cw.deltaSysApplied);
      expect(get('iad', 1e-2).deltaSysApplied).toBe(0);
      expect(get('cwola', 1e-3).zCowan).toHaveLength(0);
      expect(get('cwola', 1e-3).refused).toBe(12);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 300_000);
});

describe('look-elsewhere check of the toy study', () => {
  // Toys drawn from the model itself: five windows with neighbour correlation 0.6, local Zs ~ N(0, C)
  // clipped at 0 (one-sided), global p from the model. The check must then find uniform p-values and
  // the model's tail; it is the same code that judges the retrained toys.
  const c = Array.from({ length: 5 }, (_, i) => Array.from({ length: 5 }, (_, j) => (i === j ? 1 : Math.abs(i - j) === 1 ? 0.6 : Math.abs(i - j) === 2 ? 0.2 : 0)));
  const rng = createRng(3);
  const toysFromModel = (n: number): ToyLookElsewhere[] => Array.from({ length: n }, () => {
    const u = c.map(() => rng.normal());
    const z = c.map((_, i) => u.reduce((a, x, j) => a + (j <= i ? L[i * 5 + j] * x : 0), 0));
    const localZMax = Math.max(0, ...z);
    return { localZMax, globalP: correlatedMaxGlobalPValue(localZMax, c, { rng, draws: 5000 }).globalP, correlation: c };
  });
  // z = L u with C = L Lᵀ (the Cholesky factor the look-elsewhere code itself uses).
  const L = cholesky(Float64Array.from(c.flat()), 5)!;

  it('finds uniform global p and the predicted tail on toys of the model, and a wrong model out', () => {
    const toys = toysFromModel(200);
    const check = checkLookElsewhere(toys, { draws: 20_000 })!;
    expect(check.ks.pValue).toBeGreaterThan(0.01);
    // Five windows correlated 0.6 between neighbours: between one window and five independent ones.
    expect(check.trialsFactorAt3.mean).toBeGreaterThan(1.5);
    expect(check.trialsFactorAt3.mean).toBeLessThan(5);
    for (const t of check.tail) expect(Math.abs(t.observed - t.predicted)).toBeLessThan(3 * t.observedErr);
    // The same maxima judged by a model that ignores four of the windows: p too small, KS sees it.
    const one = [[1]];
    const wrong = toys.map((t) => ({ ...t, globalP: normalSf(t.localZMax), correlation: one }));
    expect(checkLookElsewhere(wrong, { draws: 1000 })!.ks.pValue).toBeLessThan(1e-3);
  });

  it('needs at least five toys and a correlation per toy', () => {
    expect(checkLookElsewhere(toysFromModel(4))).toBeUndefined();
    expect(checkLookElsewhere([...toysFromModel(5), { localZMax: 1, globalP: 0.5 }])).toBeUndefined();
  });

  it('on retrained background-only scans of five windows (CI size), the global p are compatible with U(0, 1)', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sw-lee-toys-'));
    const t0 = Date.now();
    try {
      const summary = await runToyStudy({
        ...TOY_DEFAULTS, toys: 10, windows: [3, 4, 5, 6, 7], background: 40_000, template: 40_000, control: 40_000,
        controlModel: 'none', methods: ['iad'], epsilonB: [1e-2], firstSeed: 9000, outDir: out,
      });
      const check = checkLookElsewhere(summary[0].lookElsewhere)!;
      console.log(`look-elsewhere toys (CI size, ${((Date.now() - t0) / 1000).toFixed(0)} s): KS p ${check.ks.pValue.toFixed(3)}, trials factor at Z = 3 ${check.trialsFactorAt3.mean.toFixed(2)}, tail ${check.tail.map((t) => `${t.observed.toFixed(2)} vs ${t.predicted.toFixed(2)}`).join(' / ')}`);
      expect(check.toys).toBe(10);
      expect(check.ks.pValue).toBeGreaterThan(0.01);
      expect(check.trialsFactorAt3.min).toBeGreaterThanOrEqual(1);
      // At most the number of windows (independent windows), up to the Monte Carlo's ≈ 3 % at this p.
      expect(check.trialsFactorAt3.max).toBeLessThanOrEqual(5 * 1.1);
      for (const t of check.tail) expect(Math.abs(t.observed - t.predicted)).toBeLessThan(3 * t.observedErr + 0.05);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 300_000);
});
