import { describe, expect, it } from 'vitest';
import { rocAuc, rocAucTwoSample } from '../../lib/ml/auc.js';
import { Standardizer } from '../../lib/ml/standardize.js';
import { matrix } from '../../lib/ml/matrix.js';
import { createRng } from '../../lib/util/rng.js';

/** O(n²) definition: Σ_pos Σ_neg w_i w_j ([s_i > s_j] + ½[s_i = s_j]) / (Σw⁺ Σw⁻). */
function bruteAuc(s: number[], y: number[], w?: number[]): number {
  let num = 0, wp = 0, wn = 0;
  for (let i = 0; i < s.length; i++) {
    const wi = w ? w[i] : 1;
    if (y[i] === 1) wp += wi;
    else wn += wi;
    if (y[i] !== 1) continue;
    for (let j = 0; j < s.length; j++) {
      if (y[j] !== 0) continue;
      const wj = w ? w[j] : 1;
      num += wi * wj * (s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0);
    }
  }
  return num / (wp * wn);
}

describe('rocAuc (Mann–Whitney)', () => {
  it('closed forms: separated 1, reversed 0, all tied 1/2', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
    expect(rocAuc([0.5, 0.5, 0.5], [0, 1, 1])).toBe(0.5);
    expect(rocAucTwoSample([3, 1], [2])).toBe(0.5);
  });

  it('matches the pairwise definition with heavy ties and weights', () => {
    const rng = createRng(1);
    const n = 300;
    const s = Array.from({ length: n }, () => Math.floor(rng.uniform() * 7));
    const y = Array.from({ length: n }, (_, i) => (rng.uniform() < 0.3 + 0.05 * s[i] ? 1 : 0));
    const w = Array.from({ length: n }, () => rng.uniform() * 2);
    expect(rocAuc(s, y)).toBeCloseTo(bruteAuc(s, y), 12);
    expect(rocAuc(s, y, w)).toBeCloseTo(bruteAuc(s, y, w), 12);
  });

  it('rejects a single class and bad labels', () => {
    expect(() => rocAuc([1, 2], [1, 1])).toThrow(/need both classes/);
    expect(() => rocAuc([1, 2], [0, 2])).toThrow(/label at index 1 is 2/);
    expect(() => rocAuc([1, 2], [0])).toThrow(/labels has 1 entries, scores has 2/);
  });
});

describe('Standardizer', () => {
  it('training set gets mean 0, sd 1 per feature; constants get scale 1; JSON round trip', () => {
    const rng = createRng(2);
    const n = 1000;
    const X = matrix(Float64Array.from({ length: n * 3 }, (_, k) => (k % 3 === 2 ? 7 : (k % 3 + 1) * 10 * rng.normal() + 5)), n, 3);
    const s = Standardizer.fit(X);
    const Z = s.transform(X);
    for (let j = 0; j < 2; j++) {
      let m = 0, v = 0;
      for (let i = 0; i < n; i++) m += Z.data[i * 3 + j] / n;
      for (let i = 0; i < n; i++) v += (Z.data[i * 3 + j] - m) ** 2 / n;
      expect(m).toBeCloseTo(0, 12);
      expect(v).toBeCloseTo(1, 12);
    }
    expect(s.scale[2]).toBe(1);
    expect(Z.data[2]).toBe(0);
    const back = Standardizer.fromJSON(JSON.parse(JSON.stringify(s.toJSON())));
    expect(back.transform(X).data).toEqual(Z.data);
  });

  it('weighted moments equal those of duplicated rows', () => {
    const X = matrix(Float64Array.from([1, 2, 4]), 3, 1);
    const Xd = matrix(Float64Array.from([1, 2, 2, 4, 4, 4]), 6, 1);
    const a = Standardizer.fit(X, [1, 2, 3]), b = Standardizer.fit(Xd);
    expect(a.mean[0]).toBeCloseTo(b.mean[0], 14);
    expect(a.scale[0]).toBeCloseTo(b.scale[0], 14);
  });
});
