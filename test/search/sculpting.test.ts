/**
 * Sculpting measures on toys with a known score–mass correlation, and the DDT decorrelation's dCor
 * reduction on held-out toys.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../lib/util/rng.js';
import { normalSf } from '../../lib/util/special.js';
import { fillHistogram } from '../../lib/stats/fit/index.js';
import { decorrelatedScore, fitDecorrelationMap, shapeRatio, weightedDcor } from '../../lib/search/sculpting.js';

/** dCor of a bivariate normal with correlation ρ (Székely, Rizzo & Bakirov 2007, Thm 7). */
function dcorBivariateNormal(rho: number): number {
  const r = Math.abs(rho);
  const num = r * Math.asin(r) + Math.sqrt(1 - r * r) - r * Math.asin(r / 2) - Math.sqrt(4 - r * r) + 1;
  const den = 1 + Math.PI / 3 - Math.sqrt(3);
  return Math.sqrt(num / den);
}

/** Background toy: m = 500 + 200·E (E ~ Exp(1)); score = ρ z(m) + √(1−ρ²) ε with z(m) = Φ⁻¹(F(m)) standard normal. */
function toy(n: number, rho: number, seed: number) {
  const rng = createRng(seed);
  const m = new Float64Array(n), z = new Float64Array(n), s = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    z[i] = rng.normal();
    // F(m) = Φ(z) ⇒ m = 500 − 200 ln(1 − Φ(z)) = 500 − 200 ln Φ̄(z)
    m[i] = 500 - 200 * Math.log(normalSf(z[i]));
    s[i] = rho * z[i] + Math.sqrt(1 - rho * rho) * rng.normal();
  }
  return { m, z, s };
}

const edges = Float64Array.from({ length: 31 }, (_, i) => 500 + 40 * i); // 500–1700

describe('sculpting measures on a toy with a known correlation', () => {
  it('dCor(score, z) reproduces the bivariate-normal closed form (resampling with unit weights)', () => {
    for (const rho of [0, 0.3, 0.7]) {
      const { z, s } = toy(20_000, rho, 3);
      const d = weightedDcor(s, z, new Float64Array(z.length).fill(1), 20_000, createRng(4));
      expect(Math.abs(d - dcorBivariateNormal(rho))).toBeLessThan(0.03);
    }
  });

  it('weights enter as resampling probabilities: dCor of a weighted sample equals the unweighted one it stands for', () => {
    // half the entries carry weight 0: they must not count
    const { z, s } = toy(20_000, 0.5, 8);
    const w = Float64Array.from(z, (_, i) => (i % 2 ? 1 : 0));
    const scrambled = Float64Array.from(s, (v, i) => (i % 2 ? v : -100 * z[i])); // perfectly anti-correlated where w = 0
    const d = weightedDcor(scrambled, z, w, 10_000, createRng(9));
    expect(Math.abs(d - dcorBivariateNormal(0.5))).toBeLessThan(0.04);
  });

  it('shape ratio of a score cut follows P(pass | m)/P(pass) = Φ̄((c − ρ z(m))/√(1−ρ²))/Φ̄(c); flat for ρ = 0', () => {
    const n = 400_000, c = 1;
    for (const rho of [0, 0.5]) {
      const { m, s } = toy(n, rho, 21);
      const before = fillHistogram(m, edges);
      const pass: number[] = [];
      for (let i = 0; i < n; i++) if (s[i] >= c) pass.push(m[i]);
      const after = fillHistogram(pass, edges);
      const r = shapeRatio(before, after, [500, 1700]);
      if (rho === 0) {
        expect(r.chi2Flat / r.ndf).toBeLessThan(1.6);
        continue;
      }
      expect(r.chi2Flat / r.ndf).toBeGreaterThan(20); // visibly sculpted
      // closed form at each bin centre, normalised like the measured ratio over the range
      const exp = r.centres.map((mc) => {
        const zc = normalSfInv(Math.exp(-(mc - 500) / 200));
        return normalSf((c - rho * zc) / Math.sqrt(1 - rho * rho));
      });
      let num = 0, den = 0;
      r.centres.forEach((_, i) => { num += (before.values[i] / n) * exp[i]; den += before.values[i] / n; });
      const pPass = num / den;
      let chi2 = 0, k = 0;
      r.ratio.forEach((v, i) => { if (Number.isFinite(v)) { chi2 += ((v - exp[i] / pPass) / r.error[i]) ** 2; k++; } });
      expect(chi2 / k).toBeLessThan(2); // bin-centre evaluation, errors from the after-cut counts only
    }
  });
});

/** Φ̄⁻¹ by bisection (test-only, independent of lib's normalIsf). */
function normalSfInv(p: number): number {
  let lo = -40, hi = 40;
  for (let k = 0; k < 200; k++) { const mid = 0.5 * (lo + hi); if (normalSf(mid) > p) lo = mid; else hi = mid; }
  return 0.5 * (lo + hi);
}

describe('DDT decorrelation', () => {
  it('reduces dCor(score, mass) on held-out background and keeps the background shape under a cut', () => {
    const train = toy(100_000, 0.7, 31), test = toy(40_000, 0.7, 32);
    const w = (n: number) => Float64Array.from({ length: n }, (_, i) => 0.5 + (i % 7) / 7); // varying weights
    const wTest = w(test.m.length);
    const map = fitDecorrelationMap(train.s, train.m, w(train.m.length), 25);
    const u = decorrelatedScore(map, test.s, test.m);
    const rng = createRng(5);
    const before = weightedDcor(test.s, test.m, wTest, 20_000, rng.fork('a'));
    const after = weightedDcor(u, test.m, wTest, 20_000, rng.fork('b'));
    expect(before).toBeGreaterThan(0.5);
    expect(after).toBeLessThan(0.05);
    expect(after).toBeLessThan(before / 10);
    // u is uniform on background: a cut u ≥ 0.8 keeps ≈ 20 % of the weight, flat in mass
    const keep: number[] = [], kw: number[] = [];
    let kept = 0, total = 0;
    for (let i = 0; i < u.length; i++) { total += wTest[i]; if (u[i] >= 0.8) { keep.push(test.m[i]); kw.push(wTest[i]); kept += wTest[i]; } }
    expect(kept / total).toBeGreaterThan(0.18);
    expect(kept / total).toBeLessThan(0.22);
    const r = shapeRatio(fillHistogram(test.m, edges, { weights: wTest }), fillHistogram(keep, edges, { weights: kw }), [500, 1300]);
    expect(r.chi2Flat / r.ndf).toBeLessThan(2);
    // while the raw score cut at the same efficiency sculpts
    const thr = [...test.s].sort((a, b) => a - b)[Math.floor(0.8 * test.s.length)];
    const raw: number[] = [], rw: number[] = [];
    for (let i = 0; i < test.s.length; i++) if (test.s[i] >= thr) { raw.push(test.m[i]); rw.push(wTest[i]); }
    const rr = shapeRatio(fillHistogram(test.m, edges, { weights: wTest }), fillHistogram(raw, edges, { weights: rw }), [500, 1300]);
    expect(rr.chi2Flat / rr.ndf).toBeGreaterThan(20);
  });
});
