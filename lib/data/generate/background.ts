/**
 * QCD dijet background, event by event: partonic pT from a falling power law, dijet rapidities
 * (y*, boost), back-to-back azimuths with ISR smearing, a jet response with out-of-cone losses
 * (pT imbalance), then per-jet Sudakov masses and N-subjettiness. m_JJ and ΔR follow from the jets.
 */
import type { Rng } from '../../util/rng.js';
import { ConfigError } from '../../util/errors.js';
import { dijetMass } from '../features.js';
import { newJetSubstructure, sampleQcdJet } from './jets.js';
import { JET_ETA_MAX, SQRT_S_GEV, TRIGGER_PT_GEV, type BackgroundModelParams } from './params.js';
import { writeJet, type RawColumns } from './rawColumns.js';

/** Rejection sampling into an m_JJ window gives up if this many candidates yield no event. */
const WINDOW_GIVE_UP = 2_000_000;

/** Optional m_JJ window (GeV, open interval) events must fall in (rejection sampling). */
export interface MjjWindowGeV { low: number; high: number }

/**
 * Jet response r = (1 + σ N)(1 − loss) / (1 − ⟨loss⟩): loss ~ exponential (out-of-cone FSR), capped;
 * divided by its mean as the jet-energy-scale calibration does, so the mean response is ≈ 1.
 */
export function jetResponse(rng: Rng, sigma: number, lossMean: number): number {
  if (lossMean <= 0) return 1 + sigma * rng.normal();
  const loss = Math.min(rng.exponential(1 / lossMean), 0.6);
  return ((1 + sigma * rng.normal()) * (1 - loss)) / (1 - lossMean);
}

/**
 * Sample y* ≥ 0 from e^{2y}·cosh(y)^−k (k > 2). In t = tanh y the density is
 * (1 + t)^{2+a} (1 − t)^a with a = k/2 − 2: bounded for k ≥ 4, so uniform-t rejection is efficient
 * (max at t = 1/(1 + a)). For 2 < k < 4 propose from the large-y limit 2^k e^{(2−k)y} instead
 * (exponential with rate k − 2) and accept with (1 + e^{−2y})^{−k}.
 */
export function sampleYStar(rng: Rng, k: number): number {
  const a = k / 2 - 2;
  if (a >= 0) {
    const tMax = 1 / (1 + a);
    const fMax = Math.pow(1 + tMax, 2 + a) * Math.pow(1 - tMax, a);
    for (;;) {
      const t = rng.uniform();
      if (rng.uniform() * fMax < Math.pow(1 + t, 2 + a) * Math.pow(1 - t, a)) return Math.atanh(t);
    }
  }
  for (;;) {
    const y = rng.exponential(k - 2);
    if (rng.uniform() < Math.pow(1 + Math.exp(-2 * y), -k)) return y;
  }
}

/** Partonic pT (GeV) from pT^−n (1 − x_T)^a above pTMin. */
export function samplePartonPt(rng: Rng, p: BackgroundModelParams): number {
  const xMin = (2 * p.pTMinGeV) / SQRT_S_GEV;
  for (;;) {
    const pt = p.pTMinGeV * Math.pow(1 - rng.uniform(), -1 / (p.pTPower - 1));
    const xT = (2 * pt) / SQRT_S_GEV;
    if (xT >= 1) continue;
    if (rng.uniform() < Math.pow((1 - xT) / (1 - xMin), p.pTSoftening)) return pt;
  }
}

/**
 * Fill events [offset, offset + n) of `out` with background (label 0), passing the leading-jet
 * trigger and, when given, the m_JJ window. Jets are written in pT order (j1 leading), as in LHCO.
 */
export function generateBackgroundInto(
  out: RawColumns, offset: number, n: number, rng: Rng, p: BackgroundModelParams, window?: MjjWindowGeV,
): void {
  const a = newJetSubstructure(), b = newJetSubstructure();
  let candidates = 0;
  for (let i = offset; i < offset + n; ) {
    if (window && ++candidates === WINDOW_GIVE_UP && i === offset)
      throw new ConfigError(`extra SR background: no event fell in m_JJ (${window.low / 1000}, ${window.high / 1000}) TeV among ${WINDOW_GIVE_UP} generated; choose a window where the spectrum has events (≈ 2.4–7 TeV)`);
    const pt = samplePartonPt(rng, p);
    const pT1 = pt * jetResponse(rng, p.responseSigma, p.outOfConeMean);
    const pT2 = pt * jetResponse(rng, p.responseSigma, p.outOfConeMean);
    // Trigger first: it rejects ~40 % of candidates, before the costlier rapidity sampling.
    if (Math.max(pT1, pT2) <= TRIGGER_PT_GEV) continue;
    const yStar = sampleYStar(rng, p.yStarDamping) * (rng.uniform() < 0.5 ? -1 : 1);
    const yBoost = p.yBoostSigma * rng.normal();
    const y1 = yBoost + yStar, y2 = yBoost - yStar;
    if (Math.abs(y1) > JET_ETA_MAX || Math.abs(y2) > JET_ETA_MAX) continue;
    const phi1 = Math.PI * (2 * rng.uniform() - 1);
    const phi2 = phi1 + Math.PI + p.deltaPhiSigma * rng.normal();
    sampleQcdJet(a, rng, pT1, rng.uniform() < p.gluonFraction, p);
    sampleQcdJet(b, rng, pT2, rng.uniform() < p.gluonFraction, p);
    // Rapidity y fixes pz = mT sinh y for a massive jet.
    const px1 = pT1 * Math.cos(phi1), py1 = pT1 * Math.sin(phi1), pz1 = Math.hypot(pT1, a.m) * Math.sinh(y1);
    const px2 = pT2 * Math.cos(phi2), py2 = pT2 * Math.sin(phi2), pz2 = Math.hypot(pT2, b.m) * Math.sinh(y2);
    // Energy conservation: the dijet system's light-cone momenta x1,2 √s = Σ(E ± pz) must stay below √s.
    const e1 = Math.sqrt(pT1 * pT1 + pz1 * pz1 + a.m * a.m), e2 = Math.sqrt(pT2 * pT2 + pz2 * pz2 + b.m * b.m);
    if (e1 + e2 + pz1 + pz2 >= SQRT_S_GEV || e1 + e2 - pz1 - pz2 >= SQRT_S_GEV) continue;
    if (window) {
      const mjj = dijetMass(px1, py1, pz1, a.m, px2, py2, pz2, b.m);
      if (!(mjj > window.low && mjj < window.high)) continue;
    }
    const firstLeads = pT1 >= pT2;
    writeJet(out, firstLeads ? 1 : 2, i, px1, py1, pz1, a.m, a.tau1, a.tau2, a.tau3);
    writeJet(out, firstLeads ? 2 : 1, i, px2, py2, pz2, b.m, b.tau1, b.tau2, b.tau3);
    out.label[i] = 0;
    i++;
  }
}
