/**
 * Exploratory tuning of the LHCO-like generator against the real LHCO SR events (not a test).
 * `node --import tsx scripts/tune-generator.ts [report|fit-bkg|fit-sig]`
 * - report: KS distance per SR feature (generated vs real), SR fractions, quantiles.
 * - fit-bkg / fit-sig: Nelder–Mead on the shape parameters, minimising the summed squared KS
 *   distances of the four SR features (plus the SR-fraction target). Prints the best parameters;
 *   they are copied by hand into lib/data/generate/params.ts.
 */
import { createRng } from '../lib/util/rng.js';
import { deriveFeatures } from '../lib/data/features.js';
import { generateBackgroundInto } from '../lib/data/generate/background.js';
import { generateSignalInto } from '../lib/data/generate/signal.js';
import { allocateRawColumns, rawColumnsToTable } from '../lib/data/generate/rawColumns.js';
import { DEFAULT_BACKGROUND_PARAMS, DEFAULT_SIGNAL_PARAMS, ALTERNATIVE_BACKGROUND_PARAMS, type BackgroundModelParams, type SignalModelParams } from '../lib/data/generate/params.js';
import { ksStatistic } from '../test/helpers/ks.js';
import { readNpyF64, npyColumn, lhcoSrDir } from '../test/helpers/lhcoSr.js';

const dir = lhcoSrDir;
if (!dir) throw new Error('LHCO SR files not found');
const realBkg = readNpyF64(dir + 'extrabkg_sr.npy');
const realSig = readNpyF64(dir + 'innerdata_extrasig.npy');
const FEATS = ['mJ1', 'deltaMJ', 'tau21J1', 'tau21J2'] as const;
const real = (m: typeof realBkg) => FEATS.map((_, j) => npyColumn(m, j + 1));
const realB = real(realBkg), realS = real(realSig);
const realMjjB = npyColumn(realBkg, 0);
function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) { ma += a[i]; mb += b[i]; }
  ma /= n; mb /= n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) { const x = a[i] - ma, y = b[i] - mb; sab += x * y; saa += x * x; sbb += y * y; }
  return sab / Math.sqrt(saa * sbb);
}
const realCorr = realB.map((a) => realB.map((b) => pearson(a, b)));

function sr(kind: 'bkg' | 'sig', n: number, p: BackgroundModelParams, s: SignalModelParams, seed = 11) {
  const cols = allocateRawColumns(n);
  const rng = createRng(seed);
  if (kind === 'bkg') generateBackgroundInto(cols, 0, n, rng, p);
  else generateSignalInto(cols, 0, n, rng, s, p);
  const f = deriveFeatures(rawColumnsToTable(cols));
  const mjj = f.column('mJJ');
  const idx: number[] = [];
  for (let i = 0; i < n; i++) if (mjj[i] > 3.3 && mjj[i] < 3.7) idx.push(i);
  const t = f.take(idx);
  return { frac: idx.length / n, feats: FEATS.map((k) => t.column(k)), mjj: f.column('mJJ'), srMjj: t.column('mJJ') };
}

const q = (a: ArrayLike<number>) => { const s = Float64Array.from(a).sort(); return [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99].map((x) => s[Math.floor(x * (s.length - 1))].toFixed(3)).join(' '); };

function report(p: BackgroundModelParams, s: SignalModelParams, label: string) {
  const b = sr('bkg', 200_000, p, s);
  const g = sr('sig', 50_000, p, s);
  console.log(`== ${label}: background SR fraction ${(100 * b.frac).toFixed(2)} % (target 12.1), signal ${(100 * g.frac).toFixed(1)} % (target 77)`);
  FEATS.forEach((k, j) => {
    console.log(`${k.padEnd(8)} KS bkg ${ksStatistic(b.feats[j], realB[j]).toFixed(4)}  sig ${ksStatistic(g.feats[j], realS[j]).toFixed(4)}`);
    console.log(`   gen bkg ${q(b.feats[j])}\n  real bkg ${q(realB[j])}\n   gen sig ${q(g.feats[j])}\n  real sig ${q(realS[j])}`);
  });
  console.log(`mJJ SR KS bkg ${ksStatistic(b.srMjj, npyColumn(realBkg, 0)).toFixed(4)} sig ${ksStatistic(g.srMjj, npyColumn(realSig, 0)).toFixed(4)}`);
  const h = new Array(30).fill(0);
  for (const m of b.mjj) { const k = Math.floor((m - 2.4) / 0.1); if (k >= 0 && k < 30) h[k]++; }
  console.log('bkg mJJ 100 GeV bins from 2.4 TeV:', h.join(' '));
}

function nelderMead(f: (x: number[]) => number, x0: number[], step: number[], iters: number): number[] {
  const n = x0.length;
  let simplex = [x0, ...x0.map((_, i) => x0.map((v, j) => (i === j ? v + step[j] : v)))].map((x) => ({ x, f: f(x) }));
  for (let it = 0; it < iters; it++) {
    simplex.sort((a, b) => a.f - b.f);
    if (it % 10 === 0) console.log(`iter ${it} best ${simplex[0].f.toFixed(5)} x=${simplex[0].x.map((v) => v.toFixed(4)).join(', ')}`);
    const c = new Array(n).fill(0);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) c[j] += simplex[i].x[j] / n;
    const worst = simplex[n];
    const pt = (t: number) => c.map((v, j) => v + t * (worst.x[j] - v));
    const r = pt(-1), fr = f(r);
    if (fr < simplex[0].f) {
      const e = pt(-2), fe = f(e);
      simplex[n] = fe < fr ? { x: e, f: fe } : { x: r, f: fr };
    } else if (fr < simplex[n - 1].f) simplex[n] = { x: r, f: fr };
    else {
      const k = pt(0.5), fk = f(k);
      if (fk < worst.f) simplex[n] = { x: k, f: fk };
      else simplex = simplex.map((v, i) => (i === 0 ? v : { x: v.x.map((xx, j) => simplex[0].x[j] + 0.5 * (xx - simplex[0].x[j])), f: 0 })).map((v, i) => (i === 0 ? v : { x: v.x, f: f(v.x) }));
    }
  }
  simplex.sort((a, b) => a.f - b.f);
  return simplex[0].x;
}

const mode = process.argv[2] ?? 'report';
if (mode === 'report') {
  const over = process.argv[3] && process.argv[3] !== 'alt' ? (JSON.parse(process.argv[3]) as Partial<SignalModelParams & BackgroundModelParams>) : {};
  report({ ...DEFAULT_BACKGROUND_PARAMS, ...over } as BackgroundModelParams, { ...DEFAULT_SIGNAL_PARAMS, ...over } as SignalModelParams, 'default');
  if (process.argv[3] === 'alt') report(ALTERNATIVE_BACKGROUND_PARAMS, DEFAULT_SIGNAL_PARAMS, 'alternative');
} else if (mode === 'fit-spectrum') {
  // m_JJ spectrum only: the SR-fraction target and the m_JJ shape inside the SR.
  const keys = ['pTPower', 'yStarDamping', 'outOfConeMean'] as const;
  const mk = (x: number[]): BackgroundModelParams => ({ ...DEFAULT_BACKGROUND_PARAMS, ...Object.fromEntries(keys.map((k, i) => [k, x[i]])) });
  const f = (x: number[]) => {
    const p = mk(x);
    if (p.pTPower < 2.5 || p.yStarDamping < 2.5 || p.outOfConeMean < 0.001 || p.outOfConeMean > 0.3) return 10;
    const b = sr('bkg', 150_000, p, DEFAULT_SIGNAL_PARAMS, 5);
    return ksStatistic(b.srMjj, realMjjB) ** 2 + ((b.frac - 0.121) / 0.01) ** 2 * 0.0005;
  };
  const x = nelderMead(f, keys.map((k) => DEFAULT_BACKGROUND_PARAMS[k]), [0.5, 0.5, 0.03], Number(process.argv[3] ?? 40));
  console.log(JSON.stringify(mk(x), null, 2));
  report(mk(x), DEFAULT_SIGNAL_PARAMS, 'fitted');
} else if (mode === 'fit-bkg') {
  const keys = ['massResolution', 'massResolutionPtFraction', 'sudakovAlphaQuark', 'rhoMax', 'npMassShiftGeV', 'gluonFraction', 'tau21Offset', 'tau21Slope', 'tau21GluonShift', 'tau21Sigma'] as const;
  const mk = (x: number[]): BackgroundModelParams => ({ ...DEFAULT_BACKGROUND_PARAMS, ...Object.fromEntries(keys.map((k, i) => [k, x[i]])) });
  const f = (x: number[]) => {
    const p = mk(x);
    if (p.massResolution < 0.005 || p.massResolutionPtFraction < 0 || p.sudakovAlphaQuark <= 0.02 || p.rhoMax < 0.2 || p.rhoMax > 1 || p.npMassShiftGeV < 0 || p.gluonFraction < 0 || p.gluonFraction > 1 || p.tau21Sigma < 0.05) return 10;
    const b = sr('bkg', 80_000, p, DEFAULT_SIGNAL_PARAMS, 5);
    // Marginals (KS²) plus the linear correlations between the four features (weighted so a 0.1
    // correlation mismatch costs about as much as a KS distance of 0.02).
    let c = 0;
    for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) c += (pearson(b.feats[i], b.feats[j]) - realCorr[i][j]) ** 2;
    return b.feats.reduce((acc, a, j) => acc + ksStatistic(a, realB[j]) ** 2, 0) + 0.04 * c;
  };
  const x = nelderMead(f, keys.map((k) => DEFAULT_BACKGROUND_PARAMS[k]), keys.map((k) => 0.15 * Math.abs(DEFAULT_BACKGROUND_PARAMS[k]) + 0.05), Number(process.argv[3] ?? 150));
  console.log(JSON.stringify(mk(x), null, 2));
  report(mk(x), DEFAULT_SIGNAL_PARAMS, 'fitted');
} else if (mode === 'fit-sig') {
  const keys = ['wPrimeWidthGeV', 'wPrimePtMeanGeV', 'prongDecayAnisotropy', 'radiationSudakovAlpha', 'twoProngTau21Offset', 'twoProngTau21Slope', 'twoProngTau21Sigma'] as const;
  const mk = (x: number[]): SignalModelParams => ({ ...DEFAULT_SIGNAL_PARAMS, ...Object.fromEntries(keys.map((k, i) => [k, x[i]])) });
  const f = (x: number[]) => {
    const s = mk(x);
    if (s.prongDecayAnisotropy < -1 || s.wPrimeWidthGeV < 0 || s.wPrimePtMeanGeV <= 1 || s.radiationSudakovAlpha <= 0.002 || s.twoProngTau21Sigma < 0.05) return 10;
    const g = sr('sig', 20_000, DEFAULT_BACKGROUND_PARAMS, s, 5);
    return g.feats.reduce((acc, a, j) => acc + ksStatistic(a, realS[j]) ** 2, 0) + ((g.frac - 0.77) / 0.05) ** 2 * 0.01;
  };
  const x = nelderMead(f, keys.map((k) => DEFAULT_SIGNAL_PARAMS[k]), keys.map((k) => 0.15 * Math.abs(DEFAULT_SIGNAL_PARAMS[k]) + 0.05), Number(process.argv[3] ?? 100));
  console.log(JSON.stringify(mk(x), null, 2));
  report(DEFAULT_BACKGROUND_PARAMS, mk(x), 'fitted');
}
