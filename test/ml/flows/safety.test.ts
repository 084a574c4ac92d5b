/**
 * Issue 21, item 1: a flow never hands out a non-finite event or one outside its training range.
 * The inverse keeps float64 values between blocks and the affine log-scale is bounded (in the density
 * and in sampling), and sampleChecked redraws what still fails the range check, deterministically.
 */
import { describe, expect, it } from 'vitest';
import { fitConditionalFlow, loadFlow, sampleIntoWindow, MafLayout, FittedFlow, type FlowDocument, type SampleCheck } from '../../../lib/ml/flows/index.js';
import { generateLhcoLike } from '../../../lib/data/generate/index.js';
import { deriveFeatures, FEATURE_SETS } from '../../../lib/data/features.js';
import type { BackgroundModelName } from '../../../lib/data/generate/params.js';
import { createRng } from '../../../lib/util/rng.js';
import type { Matrix } from '../../../lib/ml/matrix.js';
import { overflowToy } from '../../helpers/flowToys.js';
import { meanValidationLoss, MAX_NON_FINITE_VALIDATION } from '../../../lib/ml/flows/fit.js';

/** Rows that are non-finite, and rows strictly inside the flow's training range (the preprocessing's own criterion). */
function audit(flow: FittedFlow, x: Matrix): { nonFinite: number; outOfRange: number } {
  const { min, max } = flow.preprocessing;
  let nonFinite = 0, outOfRange = 0;
  for (let i = 0; i < x.rows; i++) {
    let nf = false, out = false;
    for (let j = 0; j < x.cols; j++) {
      const v = x.data[i * x.cols + j];
      if (!Number.isFinite(v)) nf = true;
      const s = (v - min[j]) / (max[j] - min[j]);
      if (!(s > 0 && s < 1)) out = true;
    }
    if (nf) nonFinite++;
    else if (out) outOfRange++;
  }
  return { nonFinite, outOfRange };
}

describe('checked flow sampling', () => {
  it('a flow pushed to overflow: the unchecked inverse emits non-finite events, sampleChecked none — redrawn or dropped, counted, deterministic', async () => {
    const t = overflowToy(3000, 1);
    const trained = await fitConditionalFlow(t.x, t.m, { seed: 1, blocks: 8, hidden: 8, epochs: 1, keepBestEpochs: 1 });
    // An unbounded log-scale (as before document version 3) with the α bias of every block at 100:
    // each block's inverse stretches by e^100, and eight of them overflow even float64.
    const doc = JSON.parse(JSON.stringify(trained.toJSON())) as FlowDocument;
    delete (doc.shape as { affineMaxLogScale?: number }).affineMaxLogScale;
    const flow0 = loadFlow(doc);
    const layout = new MafLayout(flow0.shape);
    for (let k = 0; k < layout.K; k++) for (let d = 0; d < layout.D; d++) flow0.members[0].params[k * layout.blockSize + layout.off.b3 + layout.D + d] = 100;
    const m = overflowToy(2000, 2).m;
    const z = new Float64Array(2000 * 3);
    const r = createRng(3);
    for (let i = 0; i < z.length; i++) z[i] = r.normal();
    expect(audit(flow0, flow0.sampleFromNoise(z, m)).nonFinite).toBeGreaterThan(0);
    const a = flow0.sampleChecked(m, createRng(4)), b = flow0.sampleChecked(m, createRng(4));
    expect(audit(flow0, a.x)).toEqual({ nonFinite: 0, outOfRange: 0 });
    expect(a.check.nonFinite).toBeGreaterThan(0);
    expect(a.check.redrawn).toBe(a.check.nonFinite + a.check.outOfRange);
    expect(a.x.rows + a.check.dropped).toBe(2000);
    expect(a.m.length).toBe(a.x.rows);
    expect(b.x.data).toEqual(a.x.data);
    expect(b.check).toEqual(a.check);
  });

  it('without invalid draws sampleChecked is sampleFromNoise of the documented draws and counts nothing', async () => {
    const t = overflowToy(3000, 5);
    const flow = await fitConditionalFlow(t.x, t.m, { seed: 5, blocks: 2, hidden: 8, epochs: 2, keepBestEpochs: 2, transform: 'rq-spline' });
    expect(flow.members.length).toBe(2);
    const m = t.m.subarray(0, 501);
    const s = flow.sampleChecked(m, createRng(6));
    const z = new Float64Array(501 * 3);
    for (let k = 0; k < 2; k++) {
      const rk = createRng(6).fork(`member:${k}`);
      for (let i = Math.floor((k * 501) / 2) * 3; i < Math.floor(((k + 1) * 501) / 2) * 3; i++) z[i] = rk.normal();
    }
    expect(s.check).toEqual({ requested: 501, nonFinite: 0, outOfRange: 0, redrawn: 0, dropped: 0 });
    expect(s.x.data).toEqual(flow.sampleFromNoise(z, m).data);
  });

  it.each([['affine'], ['rq-spline']] as const)('a %s flow trained on heavy tails and a feature pressed against its bound emits only finite in-range events', async (transform) => {
    for (const seed of [1, 2]) {
      const t = overflowToy(6000, seed);
      const flow = await fitConditionalFlow(t.x, t.m, { seed, blocks: 4, hidden: 32, epochs: 3, keepBestEpochs: 2, transform });
      const held = overflowToy(30_000, 100 + seed);
      const s = flow.sampleChecked(held.m, createRng(seed));
      // The first draws themselves are finite (the safe inverse), not only what the boundary check lets through.
      expect(s.check.nonFinite).toBe(0);
      expect(audit(flow, s.x)).toEqual({ nonFinite: 0, outOfRange: 0 });
      expect(s.x.rows).toBe(30_000 - s.check.dropped);
      expect(s.check.dropped).toBe(0);
    }
  });
});

/** Window 5 (SR 3.3–3.7 TeV) of a generated dataset, baseline features; `hardness` > 0 makes the m_JJ spectrum harder (events kept with probability (m_JJ / 4.5 TeV)^hardness). */
function sidebandAndSr(background: BackgroundModelName, seed: number, signal: { wPrimeMassGeV: number; xMassGeV: number; yMassGeV: number; xWidthGeV: number }, hardness: number) {
  const events = deriveFeatures(generateLhcoLike({ background: hardness > 0 ? 24_000 : 10_000, signal: 200, seed, backgroundModel: background, signalModel: signal }));
  const mjj = events.column('mJJ');
  const cols = FEATURE_SETS.baseline.map((n) => events.column(n));
  const keep = createRng(seed).fork('spectrum');
  const sb: number[] = [], sr: number[] = [];
  for (let i = 0; i < mjj.length; i++) {
    if (hardness > 0 && keep.uniform() > Math.min(1, (mjj[i] / 4.5) ** hardness)) continue;
    if (mjj[i] > 3.3 && mjj[i] < 3.7) sr.push(i);
    else sb.push(i);
  }
  const x = new Float64Array(sb.length * 4);
  sb.forEach((i, r) => cols.forEach((c, j) => (x[r * 4 + j] = c[i])));
  return { x: { data: x, rows: sb.length, cols: 4 }, m: Float64Array.from(sb, (i) => mjj[i]), srMasses: Float64Array.from(sr, (i) => mjj[i]) };
}

describe('sweep: affine and spline flows on 24 generated datasets', () => {
  // 3 seeds × both background models × 2 signal hypotheses × our and a harder m_JJ spectrum.
  const signals = [
    { wPrimeMassGeV: 3500, xMassGeV: 500, yMassGeV: 100, xWidthGeV: 10 },
    { wPrimeMassGeV: 3800, xMassGeV: 300, yMassGeV: 200, xWidthGeV: 40 },
  ];
  const datasets = [1, 2, 3].flatMap((seed) => (['default', 'alternative'] as const).flatMap((bg) => signals.flatMap((signal) => [0, 3].map((hardness) => ({ seed, bg, signal, hardness })))));
  // Generated once, used by both transforms.
  const generated = new Map<number, ReturnType<typeof sidebandAndSr>>();
  const dataset = (i: number) => {
    const d = datasets[i];
    if (!generated.has(i)) generated.set(i, sidebandAndSr(d.bg, d.seed, d.signal, d.hardness));
    return generated.get(i)!;
  };

  it.each([['affine'], ['rq-spline']] as const)('%s: zero non-finite or out-of-range template events in every dataset', async (transform) => {
    expect(datasets.length).toBe(24);
    let total: SampleCheck = { requested: 0, nonFinite: 0, outOfRange: 0, redrawn: 0, dropped: 0 };
    for (const [i, d] of datasets.entries()) {
      const { x, m, srMasses } = dataset(i);
      const flow = await fitConditionalFlow(x, m, { seed: d.seed, blocks: 2, hidden: 16, epochs: 2, keepBestEpochs: 1, transform, splineBins: 6 });
      const s = sampleIntoWindow(flow, srMasses, { lo: 3.3, hi: 3.7 }, { seed: d.seed, oversampling: 4 });
      expect(audit(flow, s.x)).toEqual({ nonFinite: 0, outOfRange: 0 });
      expect(s.check!.dropped).toBe(0);
      expect(s.x.rows).toBe(Math.round(4 * srMasses.length));
      total = { requested: total.requested + s.check!.requested, nonFinite: total.nonFinite + s.check!.nonFinite, outOfRange: total.outOfRange + s.check!.outOfRange, redrawn: total.redrawn + s.check!.redrawn, dropped: total.dropped + s.check!.dropped };
    }
    console.log(`${transform} sweep: ${JSON.stringify(total)}`);
    // Redraws may fix out-of-range events; non-finite ones must never be drawn at all.
    expect(total.nonFinite).toBe(0);
  });
});

describe('validation loss with a non-finite event', () => {
  it('leaves out and counts the events whose log p is non-finite; all of them non-finite is NaN (a diverged fit)', () => {
    expect(meanValidationLoss(Float64Array.of(-1, -3))).toEqual({ loss: 2, nonFinite: 0 });
    // One event's float32 forward pass overflowed (a 183k-event window-2 fit: 1 of 36598): the rest decide the epoch.
    expect(meanValidationLoss(Float64Array.of(-1, NaN, -3, -Infinity))).toEqual({ loss: 2, nonFinite: 2 });
    const diverged = meanValidationLoss(Float64Array.of(NaN, NaN));
    expect(diverged.nonFinite).toBe(2);
    expect(diverged.loss).toBeNaN();
    // More than this share non-finite stops the fit as diverged.
    expect(MAX_NON_FINITE_VALIDATION).toBeLessThan(0.01);
  });
});
