import { describe, expect, it, afterAll } from 'vitest';
import '../helpers/memorizer.js';
import '../../lib/ml/trees/hgb.js';
import { crossFit, kFoldAssignment, runSeed, foldMemberSeed } from '../../lib/ml/crossFit.js';
import { EnsembleClassifier, FittedEnsemble } from '../../lib/ml/ensemble.js';
import { loadModel } from '../../lib/ml/classifier.js';
import { HistGradientBoosting } from '../../lib/ml/trees/hgb.js';
import { WorkerPool } from '../../lib/ml/pool/pool.js';
import { matrix } from '../../lib/ml/matrix.js';
import { rocAucTwoSample } from '../../lib/ml/auc.js';
import { createRng } from '../../lib/util/rng.js';

/** Distinct rows (a counter in column 0) so the memorizer can recognise each event. */
function events(n: number, seed: number, shift: number) {
  const rng = createRng(seed);
  const d = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) {
    d[i * 3] = seed * 1e6 + i;
    d[i * 3 + 1] = rng.normal() + shift;
    d[i * 3 + 2] = rng.normal();
  }
  return matrix(d, n, 3);
}

describe('kFoldAssignment', () => {
  it('fold sizes differ by at most one; seeded', () => {
    const f = kFoldAssignment(103, 5, createRng(1));
    const counts = [0, 0, 0, 0, 0];
    for (const x of f) counts[x]++;
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    expect(kFoldAssignment(103, 5, createRng(1))).toEqual(f);
    expect(kFoldAssignment(103, 5, createRng(2))).not.toEqual(f);
    expect(() => kFoldAssignment(3, 5, createRng(1))).toThrow(/3 events cannot fill 5 folds/);
  });

  it('run and (fold, member) seeds are derived by label: stable and distinct', () => {
    expect(runSeed(7, 0)).toBe(runSeed(7, 0));
    expect(new Set([0, 1, 2, 3].map((r) => runSeed(7, r))).size).toBe(4);
    const s = new Set<number>();
    for (let f = 0; f < 5; f++) for (let m = 0; m < 10; m++) s.add(foldMemberSeed(7, f, m));
    expect(s.size).toBe(50);
  });
});

describe('crossFit', () => {
  const pool2 = new WorkerPool({ size: 2 });
  const pool1 = new WorkerPool({ size: 1 });
  afterAll(async () => {
    await pool2.close();
    await pool1.close();
  });

  it('every data and template event is scored once, by the model of its own fold, which never saw it', async () => {
    const data = events(230, 1, 0), template = events(170, 2, 0);
    const r = await crossFit({ kind: 'memorizer' }, data, template, { seed: 3, members: 2, pool: pool2 });
    const n = 400;
    const foldSize = (f: number) => [...r.dataFold, ...r.templateFold].filter((x) => x === f).length;
    for (const [scores, folds] of [[r.dataMemberScores, r.dataFold], [r.templateMemberScores, r.templateFold]] as const) {
      const nSet = folds.length;
      for (let m = 0; m < 2; m++)
        for (let i = 0; i < nSet; i++) {
          // Not −1 (unseen), and equal to the training size of its fold's model: n − |fold|.
          expect(scores[m * nSet + i]).toBe(n - foldSize(folds[i]));
        }
    }
    // Folds are stratified: each set is split evenly.
    for (const folds of [r.dataFold, r.templateFold]) {
      const c = [0, 0, 0, 0, 0];
      for (const f of folds) c[f]++;
      expect(Math.max(...c) - Math.min(...c)).toBeLessThanOrEqual(1);
    }
  });

  it('same seed → identical scores inline, on 1 worker and on 2 workers; another seed differs', async () => {
    const data = events(3000, 4, 0.4), template = events(3000, 5, 0);
    const spec = { kind: 'hgb', options: { maxIter: 20, earlyStopping: true, validationFraction: 0.5 } };
    const opts = { seed: 11, members: 2, k: 5 };
    const inline = await crossFit(spec, data, template, opts);
    const one = await crossFit(spec, data, template, { ...opts, pool: pool1 });
    const two = await crossFit(spec, data, template, { ...opts, pool: pool2 });
    expect(one.dataScores).toEqual(inline.dataScores);
    expect(two.dataScores).toEqual(inline.dataScores);
    expect(two.templateScores).toEqual(inline.templateScores);
    const other = await crossFit(spec, data, template, { ...opts, seed: 12, pool: pool2 });
    expect(other.dataScores).not.toEqual(inline.dataScores);
    // The classifier learned the shifted feature out of fold.
    expect(rocAucTwoSample(inline.dataScores, inline.templateScores)).toBeGreaterThan(0.55);
    // Averaging: member mean.
    for (let i = 0; i < 10; i++) expect(inline.dataScores[i]).toBeCloseTo((inline.dataMemberScores[i] + inline.dataMemberScores[3000 + i]) / 2, 15);
  });

  it('shared per-fold binning: identical on 0, 1 and 2 workers; member 0 is bit-identical to unshared binning; member m is the fit on member 0\'s edges', async () => {
    const data = events(2500, 14, 0.4), template = events(2000, 15, 0);
    const options = { maxIter: 15, earlyStopping: true, validationFraction: 0.5 };
    const spec = { kind: 'hgb', options };
    const opts = { seed: 21, members: 3, k: 4 };
    const inline = await crossFit(spec, data, template, opts);
    const one = await crossFit(spec, data, template, { ...opts, pool: pool1 });
    const two = await crossFit(spec, data, template, { ...opts, pool: pool2 });
    for (const r of [one, two]) {
      expect(r.dataMemberScores).toEqual(inline.dataMemberScores);
      expect(r.templateMemberScores).toEqual(inline.templateMemberScores);
    }
    const unshared = await crossFit(spec, data, template, { ...opts, pool: pool2, shareBinning: false });
    const nD = 2500, nT = 2000;
    // Member 0 (and so any one-member ensemble): exactly the unshared numbers.
    expect(inline.dataMemberScores.subarray(0, nD)).toEqual(unshared.dataMemberScores.subarray(0, nD));
    expect(inline.templateMemberScores.subarray(0, nT)).toEqual(unshared.templateMemberScores.subarray(0, nT));
    const single = await crossFit(spec, data, template, { ...opts, members: 1 });
    expect(single.dataScores).toEqual(inline.dataMemberScores.subarray(0, nD));
    // Members 1, 2 use member 0's edges, so they differ from their unshared fits, but only by binning.
    expect(inline.dataMemberScores.subarray(nD)).not.toEqual(unshared.dataMemberScores.subarray(nD));
    // Member 2 of fold 1, rebuilt by hand through the public API: edges from member 0's recipe on the fold's training rows.
    const f = 1, m = 2;
    const all = new Float64Array((nD + nT) * 3);
    all.set(data.data, 0);
    all.set(template.data, nD * 3);
    const folds = [...inline.dataFold, ...inline.templateFold];
    const labels = Uint8Array.from(folds, (_, i) => (i < nD ? 1 : 0));
    const tr = folds.flatMap((g, i) => (g === f ? [] : [i])), te = folds.flatMap((g, i) => (g === f ? [i] : []));
    const rows = (idx: number[]) => matrix(Float64Array.from(idx.flatMap((i) => [all[i * 3], all[i * 3 + 1], all[i * 3 + 2]])), idx.length, 3);
    const Xtr = rows(tr), ytr = Uint8Array.from(tr, (i) => labels[i]);
    const clf = new HistGradientBoosting(options);
    const edges = clf.binEdges(Xtr, ytr, foldMemberSeed(21, f, 0));
    const { binRowsInto } = await import('../../lib/ml/trees/binning.js');
    const bins = new Uint8Array(Xtr.rows * 3);
    binRowsInto(bins, Xtr, edges);
    const p = clf.fitBinned(bins, edges, ytr, { seed: foldMemberSeed(21, f, m) }).predictProba(rows(te));
    const memberOf = (i: number) => (i < nD ? inline.dataMemberScores[m * nD + i] : inline.templateMemberScores[m * nT + i - nD]);
    expect(Float64Array.from(te, memberOf)).toEqual(p);
  });

  it('template weights reach the fits: unit weights = no weights, weight 3 changes the scores; bad lengths are named', async () => {
    const data = events(1500, 6, 0.5), template = events(1500, 7, 0);
    const spec = { kind: 'hgb', options: { maxIter: 10, earlyStopping: false } };
    const w = new Float64Array(1500).fill(1);
    const a = await crossFit(spec, data, template, { seed: 1, templateWeight: w });
    const b = await crossFit(spec, data, template, { seed: 1 });
    expect(a.dataScores).toEqual(b.dataScores);
    w.fill(3);
    const c = await crossFit(spec, data, template, { seed: 1, templateWeight: w });
    expect(c.dataScores).not.toEqual(b.dataScores);
    await expect(crossFit(spec, data, template, { seed: 1, templateWeight: new Float64Array(3) })).rejects.toThrow(/templateWeight has 3 entries, template has 1500 rows/);
  });

  it('ensembles as a model kind cross-fit in workers (base kind imported there too)', async () => {
    const data = events(1000, 8, 0.5), template = events(1000, 9, 0);
    const spec = { kind: 'ensemble', options: { members: 2, base: 'hgb', baseOptions: { maxIter: 5, earlyStopping: false } } };
    const inline = await crossFit(spec, data, template, { seed: 2 });
    const pooled = await crossFit(spec, data, template, { seed: 2, pool: pool2 });
    expect(pooled.dataScores).toEqual(inline.dataScores);
  });

  it('template groups: the model of fold f trains on the data and on group f mod G only; the other groups are its calibration rows', async () => {
    const data = events(230, 1, 0), template = events(170, 2, 0);
    const groups = Uint8Array.from({ length: 170 }, (_, i) => i % 3 === 0 ? 1 : 0);
    const r = await crossFit({ kind: 'memorizer' }, data, template, { seed: 3, pool: pool2, templateGroups: groups });
    const trained = (f: number): number =>
      r.dataFold.filter((x) => x !== f).length + [...r.templateFold].filter((x, i) => x !== f && groups[i] === f % 2).length;
    // Every event scored out of fold by its fold's model, whose training size shows which template rows it saw.
    r.dataFold.forEach((f, i) => expect(r.dataScores[i]).toBe(trained(f)));
    r.templateFold.forEach((f, i) => expect(r.templateScores[i]).toBe(trained(f)));
    expect(trained(0)).not.toBe(trained(1));
    expect(r.templateCalibration).toEqual(Uint8Array.from(groups, (g, i) => (g !== r.templateFold[i] % 2 ? 1 : 0)));
    // Without groups nothing changes: no calibration mask.
    expect((await crossFit({ kind: 'memorizer' }, data, template, { seed: 3 })).templateCalibration).toBeUndefined();
  });

  it('template groups with shared binning: a group unlike the data is learned only by its own folds; same on workers', async () => {
    // Group 0 is drawn like the data, group 1 is shifted: models trained on group 0 cannot separate, on group 1 they can.
    // No counter column here: the samples must differ only in their distributions.
    const gauss = (n: number, seed: number, shift: number) => {
      const rng = createRng(seed);
      return Float64Array.from({ length: n * 2 }, (_, j) => rng.normal() + (j % 2 === 0 ? shift : 0));
    };
    const data = matrix(gauss(2000, 4, 0), 2000, 2);
    const template = matrix(Float64Array.from([...gauss(2000, 5, 0), ...gauss(2000, 6, 2)]), 4000, 2);
    const groups = Uint8Array.from({ length: 4000 }, (_, i) => (i < 2000 ? 0 : 1));
    const spec = { kind: 'hgb', options: { maxIter: 20, earlyStopping: true, validationFraction: 0.5 } };
    const opts = { seed: 11, members: 2, k: 4, templateGroups: groups };
    const inline = await crossFit(spec, data, template, opts);
    expect((await crossFit(spec, data, template, { ...opts, pool: pool2 })).dataScores).toEqual(inline.dataScores);
    // AUC of the data against the like-data group, per fold parity: ≈ 0.5 where the model trained on it.
    const aucOf = (parity: number): number => {
      const d = inline.dataScores.filter((_, i) => inline.dataFold[i] % 2 === parity);
      const t = inline.templateScores.filter((_, i) => i < 2000 && inline.templateFold[i] % 2 === parity);
      return rocAucTwoSample(d, t);
    };
    expect(Math.abs(aucOf(0) - 0.5)).toBeLessThan(0.04);
    // Models trained against the shifted group call everything near the data's mean "data".
    const mean = (v: Float64Array, parity: number, fold: Uint8Array): number => {
      const x = v.filter((_, i) => fold[i] % 2 === parity);
      return x.reduce((a, b) => a + b, 0) / x.length;
    };
    expect(mean(inline.dataScores, 1, inline.dataFold)).toBeGreaterThan(mean(inline.dataScores, 0, inline.dataFold) + 0.2);
  });

  it('template groups are checked: one label per event, 2 to k groups, none empty', async () => {
    const data = events(50, 1, 0), template = events(40, 2, 0);
    await expect(crossFit({ kind: 'memorizer' }, data, template, { seed: 1, templateGroups: new Uint8Array(39) })).rejects.toThrow(/templateGroups has 39 entries, template has 40 rows/);
    await expect(crossFit({ kind: 'memorizer' }, data, template, { seed: 1, templateGroups: new Uint8Array(40) })).rejects.toThrow(/2 to k = 5 groups, got 1/);
    await expect(crossFit({ kind: 'memorizer' }, data, template, { seed: 1, templateGroups: new Uint8Array(40).fill(2, 0, 20) })).rejects.toThrow(/group 1 of 0…2 has no events/);
  });

  it('unknown model kinds are refused with a suggestion', async () => {
    await expect(crossFit({ kind: 'hbg' }, events(10, 1, 0), events(10, 2, 0), { seed: 1 })).rejects.toThrow(/model kind "hbg" is not registered.*did you mean "hgb"/);
  });
});

describe('EnsembleClassifier', () => {
  it('averages members with label-derived seeds; round-trips through JSON', async () => {
    const X = events(12_000, 10, 0);
    const y = Uint8Array.from({ length: 12_000 }, (_, i) => (X.data[i * 3 + 1] + 0.3 * X.data[i * 3 + 2] > 0 ? 1 : 0));
    const e = await new EnsembleClassifier({ members: 3, baseOptions: { maxIter: 15 } }).fit(X, y, { seed: 4 });
    expect(e.members.length).toBe(3);
    const test = events(500, 11, 0);
    const p = e.predictProba(test);
    const ps = e.members.map((m) => m.predictProba(test));
    for (let i = 0; i < 500; i++) expect(p[i]).toBeCloseTo((ps[0][i] + ps[1][i] + ps[2][i]) / 3, 15);
    // Members differ (different validation splits) …
    expect(ps[0]).not.toEqual(ps[1]);
    // … and member 1 is the model a plain fit with its derived seed gives.
    const { memberSeed } = await import('../../lib/ml/ensemble.js');
    expect(new HistGradientBoosting({ maxIter: 15 }).fit(X, y, { seed: memberSeed(4, 1) }).predictProba(test)).toEqual(ps[1]);
    const back = loadModel(JSON.parse(JSON.stringify(e.toJSON())));
    expect(back).toBeInstanceOf(FittedEnsemble);
    expect(back.predictProba(test)).toEqual(p);
  });
});

describe('predictProbaParallel', () => {
  it('scores on 2 workers exactly as predictProba does', async () => {
    const { predictProbaParallel } = await import('../../lib/ml/predictParallel.js');
    const X = events(8000, 12, 0);
    const y = Uint8Array.from({ length: 8000 }, (_, i) => (X.data[i * 3 + 1] > 0.2 ? 1 : 0));
    const m = new HistGradientBoosting({ maxIter: 20 }).fit(X, y, { seed: 1 });
    const test = events(5001, 13, 0);
    const pool = new WorkerPool({ size: 2 });
    try {
      expect(await predictProbaParallel(m, test, { pool, blocks: 3 })).toEqual(m.predictProba(test));
    } finally {
      await pool.close();
    }
  });
});
