import { describe, expect, it } from 'vitest';
import { EventTable } from '../../lib/data/eventTable.js';
import { resolveReweighting, sidebandReweighting, SIDEBAND_REWEIGHTING_DEFAULTS } from '../../lib/methods/sidebandReweighting.js';
import { CATHODE, SIDEBAND_DENSITY_STAGE } from '../../lib/methods/cathode.js';
import type { ConditionalDensity } from '../../lib/ml/flows/index.js';
import type { MethodSettings } from '../../lib/methods/types.js';
import { createRng, type Rng } from '../../lib/util/rng.js';
import { ConfigError, InputError } from '../../lib/util/errors.js';
import type { Window } from '../../lib/windows/index.js';

const window: Window = { id: 5, srLow: 3.3, srHigh: 3.7, centre: 3.5, units: 'TeV' };

/** A "generator" whose two features are N(0, 1) at every mass: too narrow for data drawn with σ = 1.25. */
const narrow: ConditionalDensity = {
  dims: 2,
  logProb: () => { throw new Error('not used'); },
  sample(m: Float64Array, rng: Rng) {
    const data = new Float64Array(m.length * 2);
    for (let i = 0; i < data.length; i++) data[i] = rng.normal();
    return { data, rows: m.length, cols: 2 };
  },
};

/** Data with feature a ~ N(0, σ²), b ~ N(0, 1), m_JJ uniform over 2.5–4.5 TeV. */
function dataset(n: number, sigma: number, seed: number): EventTable {
  const rng = createRng(seed);
  const a = new Float64Array(n), b = new Float64Array(n), m = new Float64Array(n);
  for (let i = 0; i < n; i++) { a[i] = sigma * rng.normal(); b[i] = rng.normal(); m[i] = 2.5 + 2 * rng.uniform(); }
  return new EventTable({ mJJ: m, a, b }, { mJJ: 'TeV' });
}

function weightedTail(x: Float64Array, w: Float64Array | undefined, cut: number): number {
  let pass = 0, all = 0;
  for (let i = 0; i < x.length / 2; i++) {
    const wi = w ? w[i] : 1;
    all += wi;
    if (Math.abs(x[2 * i]) > cut) pass += wi;
  }
  return pass / all;
}

describe('sideband reweighting of a generated template', () => {
  it('restores the tails a too-narrow generator misses (data σ = 1.25 vs generator σ = 1)', async () => {
    const sigma = 1.25;
    const events = dataset(120_000, sigma, 1);
    const template = narrow.sample(new Float64Array(100_000).fill(3.5), createRng(2).fork('sr'));
    const { weights, summary } = await sidebandReweighting(narrow, events, window, ['a', 'b'], template, SIDEBAND_REWEIGHTING_DEFAULTS, { seed: 3, what: 'test' });
    // Closed form: P(|a| > 2.5) is 1.24 % for the generator and 4.55 % for σ = 1.25.
    const cut = 2.5, trueTail = 0.0455, rawTail = weightedTail(template.data, undefined, cut);
    expect(rawTail).toBeCloseTo(0.0124, 2);
    const tail = weightedTail(template.data, weights, cut);
    expect(Math.abs(tail - trueTail) / trueTail).toBeLessThan(0.2);
    // The second feature is modelled right: its weights are flat in b, the mean weight is 1.
    expect(weights.reduce((s, w) => s + w, 0) / weights.length).toBeCloseTo(1, 10);
    expect(summary.sidebandEvents).toBe(events.column('mJJ').filter((m) => (m > 2.8 && m <= 3.3) || (m >= 3.7 && m < 4.2)).length);
    expect(summary.generatorEvents).toBe(SIDEBAND_REWEIGHTING_DEFAULTS.oversampling * summary.sidebandEvents);
    expect(summary.weightQuantiles[0]).toBeLessThan(1);
    expect(summary.weightQuantiles[4]).toBeGreaterThan(2);
  }, 60_000);

  it('leaves a generator that matches the data nearly unweighted', async () => {
    const events = dataset(80_000, 1, 4);
    const template = narrow.sample(new Float64Array(50_000).fill(3.5), createRng(5));
    const { weights } = await sidebandReweighting(narrow, events, window, ['a', 'b'], template, SIDEBAND_REWEIGHTING_DEFAULTS, { seed: 6, what: 'test' });
    const cut = 2.5;
    const raw = weightedTail(template.data, undefined, cut), tail = weightedTail(template.data, weights, cut);
    // Within 3 binomial standard errors of the unweighted fraction.
    expect(Math.abs(tail - raw)).toBeLessThan(3 * Math.sqrt((raw * (1 - raw)) / 50_000) + 0.002);
  }, 60_000);

  it('is deterministic for a seed', async () => {
    const events = dataset(20_000, 1.25, 7);
    const template = narrow.sample(new Float64Array(5_000).fill(3.5), createRng(8));
    const a = await sidebandReweighting(narrow, events, window, ['a', 'b'], template, SIDEBAND_REWEIGHTING_DEFAULTS, { seed: 9, what: 'test' });
    const b = await sidebandReweighting(narrow, events, window, ['a', 'b'], template, SIDEBAND_REWEIGHTING_DEFAULTS, { seed: 9, what: 'test' });
    expect(Buffer.from(a.weights.buffer).equals(Buffer.from(b.weights.buffer))).toBe(true);
  }, 60_000);

  it('refuses a band with too few events, naming the template and the setting', async () => {
    const events = dataset(2_000, 1, 10);
    const template = narrow.sample(new Float64Array(100).fill(3.5), createRng(11));
    await expect(sidebandReweighting(narrow, events, window, ['a', 'b'], template, { ...SIDEBAND_REWEIGHTING_DEFAULTS, sidebandWidthTeV: 0.1 }, { seed: 1, what: 'window 5, method cathode, data sample' }))
      .rejects.toThrow(InputError);
    await expect(sidebandReweighting(narrow, events, window, ['a', 'b'], template, { ...SIDEBAND_REWEIGHTING_DEFAULTS, sidebandWidthTeV: 0.1 }, { seed: 1, what: 'window 5, method cathode, data sample' }))
      .rejects.toThrow(/window 5, method cathode, data sample: only \d+ sideband events within 0.1 TeV.*cathode\.reweighting\.sidebandWidthTeV.*scan --no-reweighting/);
  });

  it('checks its settings', () => {
    expect(resolveReweighting({})).toEqual(SIDEBAND_REWEIGHTING_DEFAULTS);
    expect(() => resolveReweighting({ sidebandWidthTeV: 0 })).toThrow(ConfigError);
    expect(() => resolveReweighting({ oversampling: 1.5 })).toThrow(/oversampling must be an integer/);
    expect(() => resolveReweighting({ maxWeight: 1 })).toThrow(/maxWeight must be > 1/);
  });
});

describe('CATHODE cache keys with and without reweighting', () => {
  const base: MethodSettings = { features: ['a', 'b'], shortSidebandWidth: 0.2, dataDrivenDeltaSys: false, cathode: { flow: { preset: 'default' }, flows: 1, oversampling: 10, bandwidth: 0.01 } };
  const reweighted: MethodSettings = { ...base, cathode: { ...base.cathode, reweighting: { sidebandWidthTeV: 0.5 } } };
  const classify = CATHODE.stages.find((s) => s.role === 'scores')!;

  it('reweighting does not retrain the density: the flow key is the same', () => {
    expect(SIDEBAND_DENSITY_STAGE.keyInputs(reweighted, {})).toEqual(SIDEBAND_DENSITY_STAGE.keyInputs(base, {}));
  });

  it('enters the classifier key only when set, resolved over its defaults', () => {
    expect(classify.keyInputs(base, {})).toEqual({});
    expect(classify.keyInputs(reweighted, {})).toEqual({ reweighting: { ...SIDEBAND_REWEIGHTING_DEFAULTS, sidebandWidthTeV: 0.5 } });
    expect(() => classify.checkSettings!({ ...base, cathode: { ...base.cathode, reweighting: { maxWeight: 0.5 } } })).toThrow(ConfigError);
  });
});

describe('sideband reweighting refuses invalid generator samples', () => {
  it('names the template and the reweighting when the generator emits non-finite events', async () => {
    const broken: ConditionalDensity = { ...narrow, sample: (m, rng) => { const s = narrow.sample(m, rng); s.data[7] = NaN; return s; } };
    const events = dataset(20_000, 1, 12);
    const template = narrow.sample(new Float64Array(1_000).fill(3.5), createRng(13));
    await expect(sidebandReweighting(broken, events, window, ['a', 'b'], template, SIDEBAND_REWEIGHTING_DEFAULTS, { seed: 1, what: 'window 5, method cathode, control sample' }))
      .rejects.toThrow(/window 5, method cathode, control sample: the generator's samples in the sideband bands \(reweighting\): 1 of \d+ events are non-finite/);
  });
});
