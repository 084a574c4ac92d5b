/**
 * Closure of the conditional flow on an analytic toy with known density:
 * m ~ U(3, 4); x1 = μ(m) + σ(m)·z1, x2 = 0.5·x1 + 0.3·σ(m)·z2, x3 = 1 + 0.5·σ(m)·z3.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../lib/util/rng.js';
import type { Matrix } from '../../../lib/ml/matrix.js';
import { fitConditionalFlow, loadFlow, FittedFlow } from '../../../lib/ml/flows/index.js';
import { conditionalGaussianToy as toy } from '../../helpers/flowToys.js';

/** Two-sample Kolmogorov–Smirnov distance. */
function ks(a: number[], b: number[]): number {
  const x = [...a].sort((p, q) => p - q), y = [...b].sort((p, q) => p - q);
  let i = 0, j = 0, d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i], y[j]);
    while (i < x.length && x[i] <= v) i++;
    while (j < y.length && y[j] <= v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}

function correlation(x: Matrix<Float64Array>): number[][] {
  const { rows: n, cols: d } = x;
  const mean = new Array(d).fill(0);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j] += x.data[i * d + j] / n;
  const cov = Array.from({ length: d }, () => new Array(d).fill(0));
  for (let i = 0; i < n; i++)
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) cov[a][b] += (x.data[i * d + a] - mean[a]) * (x.data[i * d + b] - mean[b]);
  return cov.map((r, a) => r.map((v, b) => v / Math.sqrt(cov[a][a] * cov[b][b])));
}

const column = (x: Matrix<Float64Array>, j: number): number[] => Array.from({ length: x.rows }, (_, i) => x.data[i * x.cols + j]);

describe('conditional MAF closure on a conditional Gaussian', () => {
  const rng = createRng(2024);
  const train = toy(40_000, rng.fork('train'));
  const test = toy(20_000, rng.fork('test'));
  let flow: FittedFlow;

  it('learned mean log-likelihood is within 0.02 nats/event of the true density on held-out data', async () => {
    flow = await fitConditionalFlow(train.x, train.m, {
      seed: 5, blocks: 5, hidden: 32, epochs: 12, batchSize: 256, learningRate: 1e-3, keepBestEpochs: 3, maxEvents: null, threads: 1,
    });
    const lp = flow.logProb(test.x, test.m);
    let sumFlow = 0, sumTrue = 0, n = 0;
    for (let i = 0; i < test.x.rows; i++) {
      if (lp[i] === -Infinity) continue; // outside the training range (density zero by construction)
      sumFlow += lp[i]; sumTrue += test.logP[i]; n++;
    }
    expect(n).toBeGreaterThan(test.x.rows - 20);
    const gap = (sumTrue - sumFlow) / n;
    expect(Math.abs(gap)).toBeLessThan(0.02);
  });

  it('samples at the held-out masses match the truth (KS per dimension, correlation matrix)', () => {
    const s = flow.sample(test.m, createRng(77));
    const truth = toy(test.x.rows, createRng(78), test.m).x;
    const n = test.x.rows;
    // KS critical value at α = 0.001 for two samples of n: 1.95·sqrt(2/n).
    for (let j = 0; j < 3; j++) expect(ks(column(s, j), column(truth, j))).toBeLessThan(1.95 * Math.sqrt(2 / n));
    const cs = correlation(s), ct = correlation(truth);
    for (let a = 0; a < 3; a++)
      for (let b = a + 1; b < 3; b++) {
        // Difference of two sample correlations: σ ≈ sqrt(2)·(1 − ρ²)/sqrt(n); 4σ tolerance.
        const sd = (Math.SQRT2 * (1 - ct[a][b] ** 2)) / Math.sqrt(n);
        expect(Math.abs(cs[a][b] - ct[a][b])).toBeLessThan(4 * sd);
      }
  });

  it('round-trips through JSON with identical log-likelihoods and samples', () => {
    const back = loadFlow(JSON.parse(JSON.stringify(flow.toJSON())));
    const sub = { data: test.x.data.subarray(0, 3000), rows: 1000, cols: 3 };
    const mm = test.m.subarray(0, 1000);
    expect(back.logProb(sub, mm)).toEqual(flow.logProb(sub, mm));
    expect(back.sample(mm, createRng(3)).data).toEqual(flow.sample(mm, createRng(3)).data);
    expect(back.options).toEqual(flow.options);
  });
});
