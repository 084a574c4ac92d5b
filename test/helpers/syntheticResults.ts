/**
 * SYNTHETIC results documents for tests of the report: fake-but-plausible numbers from a seeded
 * generator, NOT the output of a scan and NOT a physics result. The scan will write real ones.
 *
 * The toy world: an LHCO-like dijet spectrum (the dijet function, ≈ 120k background events in the
 * standard SR 3.3–3.7 TeV) with a W′ → XY signal of `nSignal` events, Gaussian in m_JJ at 3.45 TeV.
 * Each method's classifier is a binormal ROC with a method-dependent separation and run-to-run
 * jitter; pass counts are Poisson; δsys takes the anchor values of docs/physics.md#anchor-numbers; significances use
 * the simple and Cowan formulas of docs/physics.md#significance. Look-elsewhere pseudo-experiments draw nine
 * overlapping-window Z values from shared 0.1 TeV slices, as overlapping windows are correlated.
 */
import { createHash } from 'node:crypto';
import { createRng, type Rng } from '../../lib/util/rng.js';
import { DEFAULT_METHODS } from '../../lib/methods/registry.js';
import {
  aggregateRuns,
  type CellRun,
  type DeltaSysStudy,
  type FeatureHistogram,
  type LookElsewhereResult,
  type MethodName,
  type MjjSpectra,
  type ResultsDocument,
  type RocRecord,
  type WindowRecord,
  type BumpHuntFit,
} from '../../lib/scan/results.js';

export interface SyntheticOptions {
  seed: number;
  nRuns: number;
  epsilonB: number[];
  methods: MethodName[];
  /** Window ids 1..9 of the default nine-window set to include. */
  windowIds: number[];
  /** Injected signal events (all m_JJ). */
  nSignal: number;
  include: { deltaSys: boolean; lookElsewhere: boolean; roc: boolean; mjjSpectra: boolean; featureHistograms: boolean; bumpHunt: boolean };
}

export const SYNTHETIC_DEFAULTS: SyntheticOptions = Object.freeze({
  seed: 20241100,
  nRuns: 5,
  epsilonB: [1e-2, 1e-3, 1e-4],
  // The default scan's methods (ANODE runs on request).
  methods: [...DEFAULT_METHODS],
  windowIds: [1, 2, 3, 4, 5, 6, 7, 8, 9],
  nSignal: 1000,
  include: { deltaSys: true, lookElsewhere: true, roc: true, mjjSpectra: true, featureHistograms: true, bumpHunt: true },
});

export const SYNTHETIC_NOTE =
  'SYNTHETIC: fake-but-plausible numbers from a seeded generator for tests (test/helpers/syntheticResults.ts); not a scan output, not a physics result.';

// ---- small numerics (test helper only) ------------------------------------------------------

/** erfc, Numerical Recipes' Chebyshev fit (|rel err| < 1.2e-7): plenty for synthetic numbers. */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
const normalCdf = (x: number): number => 0.5 * erfc(-x / Math.SQRT2);

/** Φ⁻¹(p), Acklam's rational approximation plus one Halley step. */
export function normalQuantile(p: number): number {
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  let x: number;
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p > 1 - 0.02425) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  const e = normalCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/** Simple significance of docs/physics.md#significance. */
function zSimple(nObs: number, nExp: number, sigmaRel: number): number {
  return (nObs - nExp) / Math.sqrt(nExp * nExp * (1 / nExp + sigmaRel * sigmaRel));
}

/** Cowan asymptotic significance with relative background uncertainty, signed (docs/physics.md#significance). */
function zCowan(n: number, b: number, s2: number): number {
  let q: number;
  if (s2 === 0) q = 2 * ((n > 0 ? n * Math.log(n / b) : 0) - (n - b));
  else {
    const t1 = n > 0 ? n * Math.log((n * (1 / b + s2)) / (1 + n * s2)) : 0;
    q = 2 * (t1 - (1 / s2) * Math.log((1 + n * s2) / (1 + b * s2)));
  }
  return Math.sign(n - b) * Math.sqrt(Math.max(0, q));
}

/** Dijet function dN/dm (arbitrary normalisation), x = m/13 TeV. */
const dijet = (mTeV: number): number => {
  const x = mTeV / 13;
  return (1 - x) ** 10 / x ** (4.5 + 0.2 * Math.log(x));
};

/** ∫ dijet over (lo, hi) by Simpson's rule. */
function integrate(f: (m: number) => number, lo: number, hi: number, n = 64): number {
  const h = (hi - lo) / n;
  let s = f(lo) + f(hi);
  for (let i = 1; i < n; i++) s += f(lo + i * h) * (i % 2 ? 4 : 2);
  return (s * h) / 3;
}

// ---- the toy world ----------------------------------------------------------------------------

/** The reconstructed W′ peak sits a little below 3.5 TeV (final-state radiation). */
const SIGNAL_MASS_TEV = 3.45;
const SIGNAL_WIDTH_TEV = 0.1;
/** Background normalisation: ≈ 120k events in the standard SR (3.3, 3.7). */
const B_NORM = 120_000 / integrate(dijet, 3.3, 3.7);
const background = (lo: number, hi: number): number => B_NORM * integrate(dijet, lo, hi);
const signalFraction = (lo: number, hi: number): number =>
  normalCdf((hi - SIGNAL_MASS_TEV) / SIGNAL_WIDTH_TEV) - normalCdf((lo - SIGNAL_MASS_TEV) / SIGNAL_WIDTH_TEV);

/** Binormal separation d′ of each method's classifier (weakly supervised at S/B ~ 1 %). */
const SEPARATION: Record<MethodName, number> = { iad: 1.55, cathode: 1.4, cwola: 1.25, anode: 1.3 };
/** δsys anchors (docs/physics.md#anchor-numbers) at ε_B = 1e-2, 1e-3, 1e-4, interpolated in log ε_B. */
const DELTA_SYS_ANCHORS: Record<MethodName, [number, number, number]> = { iad: [0, 0, 0], cwola: [0.14, 0.14, 0.12], cathode: [0.07, 0.14, 0.25], anode: [0.1, 0.2, 0.3] };
function deltaSysAnchor(method: MethodName, epsilonB: number): number {
  const a = DELTA_SYS_ANCHORS[method];
  const t = Math.min(2, Math.max(0, -Math.log10(epsilonB) - 2));
  const i = Math.min(1, Math.floor(t));
  return a[i] + (t - i) * (a[i + 1] - a[i]);
}
const tprAt = (fpr: number, dPrime: number): number => normalCdf(normalQuantile(fpr) + dPrime);

function templateSize(method: MethodName, nSR: number, w: WindowRecord): number {
  if (method === 'iad') return Math.round(2.2 * nSR); // the extra-QCD SR sample
  if (method === 'cathode') return 4 * nSR; // 4 × N_SR samples
  return Math.round(background(w.srLow - 0.2, w.srLow) + background(w.srHigh, w.srHigh + 0.2)); // short sidebands
}

/** A synthetic results document (see the file comment). Same options → same document. */
export function syntheticResults(options: Partial<SyntheticOptions> = {}): ResultsDocument {
  const o: SyntheticOptions = { ...SYNTHETIC_DEFAULTS, ...options, include: { ...SYNTHETIC_DEFAULTS.include, ...options.include } };
  const root = createRng(o.seed);
  const windows: WindowRecord[] = o.windowIds.map((id) => {
    const centre = Math.round((3.5 + (id - 5) * 0.1) * 10) / 10;
    return { id, srLow: Math.round((centre - 0.2) * 10) / 10, srHigh: Math.round((centre + 0.2) * 10) / 10, centre, units: 'TeV' };
  });
  const runSeeds = Array.from({ length: o.nRuns }, (_, r) => root.fork(`run:${r}`).nextUint32());

  // Data in each SR: fixed across runs (runs repeat the training, not the data).
  const dataRng = root.fork('data');
  const srCounts = new Map(
    windows.map((w) => {
      const b = dataRng.poisson(background(w.srLow, w.srHigh));
      const s = dataRng.poisson(o.nSignal * signalFraction(w.srLow, w.srHigh));
      return [w.id, { b, s }];
    }),
  );

  const runs: CellRun[] = [];
  for (const w of windows)
    for (const method of o.methods)
      for (const epsilonB of o.epsilonB)
        for (let run = 0; run < o.nRuns; run++) {
          const rng = root.fork(`cell:${w.id}/${method}/${epsilonB}/${run}`);
          const { b, s } = srCounts.get(w.id)!;
          const nSR = b + s;
          const nTemplate = templateSize(method, nSR, w);
          const nTemplatePass = Math.max(1, Math.round(epsilonB * nTemplate));
          const epsilonEff = nTemplatePass / nTemplate;
          const deltaSys = deltaSysAnchor(method, epsilonB);
          // The true background mis-modelling of this run scatters around δsys.
          const bias = deltaSys * (1 + 0.3 * rng.normal());
          const tpr = Math.min(1, tprAt(epsilonB, SEPARATION[method]) * Math.exp(0.2 * rng.normal()));
          const nSignalPass = Math.min(s, rng.poisson(s * tpr));
          const nObs = Math.min(nSR, rng.poisson(Math.max(0, b * epsilonEff * (1 + bias))) + nSignalPass);
          const nExp = epsilonEff * nSR * (1 + deltaSys);
          const sigmaExp = Math.sqrt(1 / nTemplatePass + deltaSys * deltaSys);
          const zs = zSimple(nObs, nExp, sigmaExp);
          const zc = zCowan(nObs, nExp, sigmaExp * sigmaExp);
          runs.push({
            windowId: w.id, method, epsilonB, run, seed: runSeeds[run],
            nSR, nTemplate, nTemplatePass, nTemplatePassEff: nTemplatePass, epsilonEff, nObs, nExp, deltaSys, sigmaSys: deltaSys, sigmaExp,
            sigmaB: nExp * sigmaExp,
            zSimple: zs, zSimpleOneSided: Math.max(0, zs), zCowan: zc, zCowanOneSided: Math.max(0, zc),
            nSignalSR: s, nSignalPass,
          });
        }

  const doc: ResultsDocument = {
    schema: 'sidewinder/results',
    version: 1,
    writer: 'sidewinder synthetic fixture (test/helpers/syntheticResults.ts)',
    createdAt: '2026-01-01T00:00:00Z',
    notes: [SYNTHETIC_NOTE],
    config: {
      preset: 'synthetic',
      methods: [...o.methods],
      windows,
      epsilonB: [...o.epsilonB],
      nRuns: o.nRuns,
      nFolds: 5,
      features: ['mJ1', 'deltaMJ', 'tau21J1', 'tau21J2'],
      classifier: { kind: 'hgb-ensemble', nEnsemble: 10, maxIter: 200, maxLeafNodes: 31, learningRate: 0.1 },
      densityEstimator: { kind: 'maf', nBlocks: 15, hidden: 128, epochs: 100 },
      seeds: { root: o.seed, runs: runSeeds },
      signalInjection: { nSignal: o.nSignal, massTeV: SIGNAL_MASS_TEV },
    },
    dataset: {
      path: 'synthetic:lhco-like',
      sha256: createHash('sha256').update(`synthetic:${o.seed}`).digest('hex'),
      // events of the toy spectrum between 2.5 and 5 TeV (the SRs overlap: their counts do not add up)
      nEvents: Math.round(background(2.5, 5)) + o.nSignal,
      nSignal: o.nSignal,
      description: 'synthetic counts, no events behind them',
    },
    versions: { sidewinder: '0.1.0', node: process.versions.node },
    runs,
    aggregates: aggregateRuns(runs),
  };

  if (o.include.deltaSys) doc.deltaSys = syntheticDeltaSys(root.fork('deltaSys'), o, windows);
  if (o.include.lookElsewhere) doc.lookElsewhere = syntheticLookElsewhere(root.fork('lee'), o, doc);
  if (o.include.roc) doc.roc = syntheticRoc(o);
  if (o.include.mjjSpectra) doc.mjjSpectra = syntheticSpectra(root.fork('spectra'), o);
  if (o.include.featureHistograms) doc.featureHistograms = syntheticFeatures(root.fork('features'), o, windows);
  if (o.include.bumpHunt) doc.bumpHunt = windows.map((w): BumpHuntFit => {
    const r = root.fork(`fit:${w.id}`);
    return { windowId: w.id, z: Math.max(0, r.normal() + 1.2 * o.nSignal * signalFraction(w.srLow, w.srHigh) / 900), p0: 3.1e-3 * (1 + 0.05 * r.normal()), p1: 10 + 0.4 * r.normal(), p2: 4.5 + 0.2 * r.normal(), p3: 0.2 + 0.05 * r.normal(), chi2: 28 + 7 * r.normal() ** 2, ndf: 27, sqrtSTeV: 13 };
  });
  return doc;
}

function syntheticDeltaSys(rng: Rng, o: SyntheticOptions, windows: WindowRecord[]): DeltaSysStudy[] {
  const out: DeltaSysStudy[] = [];
  for (const method of o.methods) {
    const sources = method === 'cathode' ? (['mc', 'data-driven', 'combined'] as const) : (['mc'] as const);
    for (const epsilonB of o.epsilonB) {
      const byWindow = new Map<string, number[]>();
      for (const source of sources) {
        let values: number[];
        if (source === 'combined') {
          const mc = byWindow.get('mc')!;
          const dd = byWindow.get('data-driven')!;
          values = mc.map((v, i) => Math.hypot(v, dd[i]));
        } else {
          // Data-driven CATHODE δsys grows to ≈ 0.7–0.8 at ε_B = 1e-4 (docs/physics.md#anchor-numbers).
          const centre = source === 'data-driven' ? 0.75 * (-Math.log10(epsilonB) - 1) / 3 : deltaSysAnchor(method, epsilonB);
          const stat = 1 / Math.sqrt(epsilonB * 1.2e5);
          values = windows.map(() => centre + stat * rng.normal());
        }
        byWindow.set(source, values);
        const n = values.length;
        const mean = values.reduce((a, v) => a + v, 0) / n;
        const std = n < 2 ? 0 : Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
        out.push({
          method, epsilonB, source, mean, std,
          stdErr: std / Math.sqrt(n),
          n,
          perWindow: windows.map((w, i) => ({ windowId: w.id, value: values[i] })),
        });
      }
    }
  }
  return out;
}

function syntheticLookElsewhere(rng: Rng, o: SyntheticOptions, doc: ResultsDocument): LookElsewhereResult[] {
  const nPseudo = 4000;
  const nWindows = doc.config.windows.length;
  const epsilonB = o.epsilonB[Math.min(1, o.epsilonB.length - 1)];
  const out: LookElsewhereResult[] = [];
  for (const method of o.methods) {
    const cells = doc.aggregates.filter((a) => a.method === method && a.epsilonB === epsilonB);
    const best = cells.reduce((x, y) => (y.z.cowanOneSided.mean > x.z.cowanOneSided.mean ? y : x));
    const localZMax = best.z.cowanOneSided.mean;
    // Window n covers 0.1 TeV slices n..n+3: overlapping windows share slices, hence are correlated.
    const r = rng.fork(method);
    const maxZ: number[] = [];
    for (let e = 0; e < nPseudo; e++) {
      const g = Array.from({ length: nWindows + 3 }, () => r.normal());
      let m = 0;
      for (let w = 0; w < nWindows; w++) m = Math.max(m, (g[w] + g[w + 1] + g[w + 2] + g[w + 3]) / 2);
      maxZ.push(m);
    }
    const nAbove = maxZ.filter((z) => z >= localZMax).length;
    const globalP = Math.max(nAbove, 0.5) / nPseudo; // half a count when none exceed: an estimate, not 0
    const localP = 1 - normalCdf(localZMax);
    const sidakP = 1 - (1 - localP) ** nWindows;
    const edges = Array.from({ length: 31 }, (_, i) => i * 0.2);
    const counts = new Array<number>(30).fill(0);
    for (const z of maxZ) counts[Math.min(29, Math.floor(z / 0.2))]++;
    out.push({
      method, epsilonB, statistic: 'cowanOneSided', localZMax, localZMaxWindowId: best.windowId, localP,
      globalP, globalZ: Math.max(0, normalQuantile(1 - globalP)), nPseudoExperiments: nPseudo, nWindows,
      sidakBound: { globalP: sidakP, globalZ: Math.max(0, normalQuantile(1 - sidakP)) },
      maxLocalZHistogram: { edges, counts },
    });
  }
  return out;
}

function syntheticRoc(o: SyntheticOptions): RocRecord[] {
  const windowId = o.windowIds.includes(5) ? 5 : o.windowIds[0];
  const fpr = Array.from({ length: 61 }, (_, i) => 10 ** (-5 + (5 * i) / 60));
  return o.methods.map((method) => {
    const tpr = fpr.map((f) => tprAt(f, SEPARATION[method]));
    let auc = 0;
    for (let i = 1; i < fpr.length; i++) auc += ((fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1])) / 2;
    return { windowId, method, fpr: [0, ...fpr], tpr: [0, ...tpr], auc: auc + (fpr[0] * tpr[0]) / 2 };
  });
}

function syntheticSpectra(rng: Rng, o: SyntheticOptions): MjjSpectra {
  const edgesTeV = Array.from({ length: 41 }, (_, i) => Math.round((2.6 + i * 0.05) * 100) / 100);
  const bins = edgesTeV.slice(1).map((hi, i) => ({ lo: edgesTeV[i], hi }));
  const bExp = bins.map((b) => background(b.lo, b.hi));
  const sExp = bins.map((b) => o.nSignal * signalFraction(b.lo, b.hi));
  const countsBeforeCut = bins.map((_, i) => rng.poisson(bExp[i] + sExp[i]));
  const afterCut = o.methods.flatMap((method) =>
    o.epsilonB.map((epsilonB) => {
      const d = deltaSysAnchor(method, epsilonB);
      const tpr = tprAt(epsilonB, SEPARATION[method]);
      return {
        method, epsilonB,
        counts: bins.map((_, i) => rng.poisson(bExp[i] * epsilonB * (1 + d * (1 + 0.3 * rng.normal())) + sExp[i] * tpr)),
        expectedBackground: bins.map((_, i) => bExp[i] * epsilonB * (1 + d)),
      };
    }),
  );
  return { edgesTeV, countsBeforeCut, afterCut };
}

/** Feature shapes in the SR: background (QCD) and signal (X 500 GeV, Y 100 GeV, two-prong). */
const FEATURES: { feature: string; unit: string; lo: number; hi: number; bkg: (x: number) => number; sig: (x: number) => number }[] = [
  { feature: 'mJ1', unit: 'TeV', lo: 0, hi: 0.8, bkg: (x) => x * Math.exp(-x / 0.06), sig: (x) => Math.exp(-0.5 * ((x - 0.1) / 0.012) ** 2) },
  { feature: 'deltaMJ', unit: 'TeV', lo: 0, hi: 0.8, bkg: (x) => Math.exp(-x / 0.12), sig: (x) => Math.exp(-0.5 * ((x - 0.4) / 0.03) ** 2) },
  { feature: 'tau21J1', unit: '', lo: 0, hi: 1, bkg: (x) => x ** 3 * (1 - x) ** 1.2, sig: (x) => x ** 1.5 * (1 - x) ** 3 },
  { feature: 'tau21J2', unit: '', lo: 0, hi: 1, bkg: (x) => x ** 3.2 * (1 - x) ** 1.3, sig: (x) => x ** 1.5 * (1 - x) ** 3 },
];

function syntheticFeatures(rng: Rng, o: SyntheticOptions, windows: WindowRecord[]): FeatureHistogram[] {
  const w = windows.find((x) => x.id === 5) ?? windows[0];
  const nB = background(w.srLow, w.srHigh);
  const nS = o.nSignal * signalFraction(w.srLow, w.srHigh);
  const nBins = 32;
  const out: FeatureHistogram[] = [];
  for (const method of o.methods) {
    // Templates: IAD exact, CATHODE slightly too broad, CWoLa's sidebands slightly shifted.
    const stretch = method === 'cathode' ? 1.04 : method === 'cwola' ? 0.97 : 1;
    const upsample = method === 'cathode' ? 4 : method === 'iad' ? 2.2 : 1.6;
    for (const f of FEATURES) {
      const edges = Array.from({ length: nBins + 1 }, (_, i) => f.lo + ((f.hi - f.lo) * i) / nBins);
      const mass = (g: (x: number) => number, lo: number, hi: number) => integrate(g, lo, hi, 16);
      const bTot = mass(f.bkg, f.lo, f.hi);
      const sTot = mass(f.sig, f.lo, f.hi);
      const tmplShape = (x: number) => f.bkg(Math.min(f.hi, x / stretch));
      const tTot = mass(tmplShape, f.lo, f.hi);
      const dataCounts: number[] = [];
      const templateCounts: number[] = [];
      const templateSumW2: number[] = [];
      const weight = 1 / upsample;
      for (let i = 0; i < nBins; i++) {
        const [lo, hi] = [edges[i], edges[i + 1]];
        dataCounts.push(rng.poisson((nB * mass(f.bkg, lo, hi)) / bTot + (nS * mass(f.sig, lo, hi)) / sTot));
        const nT = rng.poisson((upsample * nB * mass(tmplShape, lo, hi)) / tTot);
        templateCounts.push(nT * weight);
        templateSumW2.push(nT * weight * weight);
      }
      out.push({ windowId: w.id, method, feature: f.feature, unit: f.unit, edges, dataCounts, templateCounts, templateSumW2 });
    }
  }
  return out;
}
