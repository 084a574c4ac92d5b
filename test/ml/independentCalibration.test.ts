/**
 * Why a cut should be calibrated on a template the classifier never learned against (crossFit's
 * `templateGroups`, CATHODE's `independentCalibration`). A density estimated from a finite sample
 * has its own fluctuations; a classifier trained on data vs samples of it finds them, so its cut
 * selects where the estimate is too low and the data pass in excess of the template although both
 * come from the same distribution. An estimate from an independent sample does not share those
 * fluctuations: calibrated on it, the excess is centred on zero.
 */
import { describe, expect, it } from 'vitest';
import '../../lib/ml/trees/hgb.js';
import { crossFit, calibrationTemplate } from '../../lib/ml/crossFit.js';
import { cutAndCount } from '../../lib/stats/cutAndCount.js';
import { matrix, type Matrix } from '../../lib/ml/matrix.js';
import { createRng, type Rng } from '../../lib/util/rng.js';

const BINS = 16;

/** n events of the true density: uniform on the unit square. */
function truth(n: number, rng: Rng): Float64Array {
  return Float64Array.from({ length: 2 * n }, () => rng.uniform());
}

/** A histogram density estimate (BINS × BINS cells) of `train`, sampled n times: a cell by its count, uniform inside. */
function histogramTemplate(train: Float64Array, n: number, rng: Rng): Float64Array {
  const counts = new Float64Array(BINS * BINS);
  for (let i = 0; i < train.length; i += 2) counts[Math.floor(train[i] * BINS) * BINS + Math.floor(train[i + 1] * BINS)]++;
  const cdf = new Float64Array(counts.length);
  counts.reduce((acc, c, j) => (cdf[j] = acc + c), 0);
  const total = cdf[cdf.length - 1];
  const out = new Float64Array(2 * n);
  for (let k = 0; k < n; k++) {
    const u = rng.uniform() * total;
    let j = 0;
    while (cdf[j] <= u) j++;
    out[2 * k] = (Math.floor(j / BINS) + rng.uniform()) / BINS;
    out[2 * k + 1] = ((j % BINS) + rng.uniform()) / BINS;
  }
  return out;
}

const EPSILON_B = 0.05;
const spec = { kind: 'hgb', options: { maxIter: 60, maxLeafNodes: 15, learningRate: 0.1, minSamplesLeaf: 20, earlyStopping: false } };

/** (N_obs / N_exp − 1) at ε_B of one pseudo-experiment, calibrated on the template trained against or on an independent one. */
async function excess(seed: number): Promise<{ self: number; independent: number; error: number }> {
  const rng = createRng(seed);
  const data: Matrix = matrix(truth(16000, rng.fork('data')), 16000, 2);
  // The same number of training events either way: one estimate from all of them, or two from disjoint halves.
  const train = truth(16000, rng.fork('train'));
  const one = histogramTemplate(train, 64000, rng.fork('one'));
  const halves = [train.subarray(0, 16000), train.subarray(16000)].map((h, k) => histogramTemplate(h, 32000, rng.fork(`half:${k}`)));
  const count = (t: ReturnType<typeof calibrationTemplate>, r: Awaited<ReturnType<typeof crossFit>>) =>
    cutAndCount({ templateScores: t.templateScores, dataScores: r.dataScores, folds: { data: r.dataFold, template: t.templateFold } }, { epsilonB: [EPSILON_B], deltaSys: 0 })[0];
  const opts = { k: 4, seed, classWeight: 'balanced' as const };
  const a = await crossFit(spec, data, matrix(one, 64000, 2), opts);
  const selfRow = count(calibrationTemplate(a), a);
  const groups = Uint8Array.from({ length: 64000 }, (_, i) => (i < 32000 ? 0 : 1));
  const b = await crossFit(spec, data, matrix(Float64Array.from([...halves[0], ...halves[1]]), 64000, 2), { ...opts, templateGroups: groups });
  const indRow = count(calibrationTemplate(b, b.templateCalibration), b);
  return { self: selfRow.nObs / selfRow.nExp - 1, independent: indRow.nObs / indRow.nExp - 1, error: Math.sqrt(selfRow.nObs) / selfRow.nExp };
}

describe('independent calibration of the cut (finite-sample histogram templates, 12 pseudo-experiments)', () => {
  it('self-calibrated, the data pass in excess of their own density; calibrated on an independent estimate, they do not', async () => {
    const toys = await Promise.all(Array.from({ length: 12 }, (_, t) => excess(100 + t)));
    const summary = (v: number[]) => {
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1));
      return { mean, se: sd / Math.sqrt(v.length) };
    };
    const self = summary(toys.map((t) => t.self)), ind = summary(toys.map((t) => t.independent));
    const counting = toys[0].error;
    const paired = summary(toys.map((t) => t.self - t.independent));
    console.log(`excess at ε_B ${EPSILON_B}: self-calibrated ${self.mean.toFixed(3)} ± ${self.se.toFixed(3)}, independent ${ind.mean.toFixed(3)} ± ${ind.se.toFixed(3)}, paired difference ${paired.mean.toFixed(3)} ± ${paired.se.toFixed(3)} (counting ± ${counting.toFixed(3)} per toy)`);
    // Each cell of the estimate holds ≈ 62 training events (± 13 %): the classifier finds the low ones.
    expect(self.mean).toBeGreaterThan(4 * self.se);
    // Calibrated on the other half's estimate: centred on zero within its error.
    expect(Math.abs(ind.mean)).toBeLessThan(3 * ind.se);
    // Paired on the same data and training events: the independent calibration removes the excess.
    const removed = summary(toys.map((t) => t.self - t.independent));
    expect(removed.mean).toBeGreaterThan(3 * removed.se);
  });
});
