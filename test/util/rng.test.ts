import { describe, expect, it } from 'vitest';
import { createRng } from '../../lib/util/rng.js';

describe('Rng', () => {
  it('same seed gives the same stream; different seeds differ', () => {
    const a = createRng(42), b = createRng(42), c = createRng(43);
    const xa = Array.from({ length: 5 }, () => a.nextUint32());
    const xb = Array.from({ length: 5 }, () => b.nextUint32());
    const xc = Array.from({ length: 5 }, () => c.nextUint32());
    expect(xa).toEqual(xb);
    expect(xa).not.toEqual(xc);
  });

  it('fork depends on the label and the seed, not on the parent position', () => {
    const a = createRng(7);
    const f1 = a.fork('fold:1').uniform();
    a.uniform(); a.uniform();
    expect(a.fork('fold:1').uniform()).toBe(f1);
    expect(a.fork('fold:2').uniform()).not.toBe(f1);
    expect(createRng(8).fork('fold:1').uniform()).not.toBe(f1);
  });

  it('uniform has mean 1/2 and variance 1/12; normal has mean 0 and variance 1', () => {
    const r = createRng(1);
    const n = 200_000;
    let s = 0, s2 = 0, t = 0, t2 = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform(); s += u; s2 += u * u;
      const z = r.normal(); t += z; t2 += z * z;
    }
    expect(Math.abs(s / n - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(s2 / n - (s / n) ** 2 - 1 / 12)).toBeLessThan(0.002);
    expect(Math.abs(t / n)).toBeLessThan(4 / Math.sqrt(n));
    expect(Math.abs(t2 / n - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
  });

  it('poisson has the right mean and variance for small and large means', () => {
    const r = createRng(3);
    for (const mu of [0.5, 4, 80]) {
      const n = 50_000;
      let s = 0, s2 = 0;
      for (let i = 0; i < n; i++) { const k = r.poisson(mu); s += k; s2 += k * k; }
      const mean = s / n, v = s2 / n - mean * mean;
      expect(Math.abs(mean - mu)).toBeLessThan(5 * Math.sqrt(mu / n));
      expect(Math.abs(v / mu - 1)).toBeLessThan(0.05);
    }
  });

  it('permutation is a permutation', () => {
    const p = createRng(5).permutation(1000);
    expect([...p].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });
});
