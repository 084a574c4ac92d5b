/**
 * Signal W′ → X Y with X → qq̄, Y → qq̄ (two two-prong large-R jets). The W′ (Breit–Wigner mass,
 * ISR transverse recoil, rapidity from the parton luminosity) decays isotropically in its rest frame;
 * X and Y are boosted to the lab. Each resonance becomes one jet when its two quarks lie within the
 * jet radius (ΔR_qq ≈ m / (pT √(z(1−z))) < R); otherwise only the harder quark is reconstructed as a
 * QCD-like jet and the rest is lost (a low-mass, low-m_JJ tail, as in the full simulation).
 */
import type { Rng } from '../../util/rng.js';
import { fillTaus, smearJetMass, newJetSubstructure, qcdLogitTau21, sampleQcdJet, sampleSudakovRho, type JetSubstructure } from './jets.js';
import { jetResponse } from './background.js';
import { JET_ETA_MAX, JET_RADIUS, TRIGGER_PT_GEV, type BackgroundModelParams, type SignalModelParams } from './params.js';
import { writeJet, type RawColumns } from './rawColumns.js';

/** Non-relativistic Breit–Wigner (Cauchy) mass truncated to [lo, hi]. */
export function sampleBreitWigner(rng: Rng, mass: number, width: number, lo: number, hi: number): number {
  if (width <= 0) return mass;
  for (;;) {
    const m = mass + 0.5 * width * Math.tan(Math.PI * (rng.uniform() - 0.5));
    if (m > lo && m < hi) return m;
  }
}

/** Two-body decay momentum of M → m1 m2 in the M rest frame. */
export function twoBodyMomentum(M: number, m1: number, m2: number): number {
  const s = M * M;
  return Math.sqrt(Math.max((s - (m1 + m2) ** 2) * (s - (m1 - m2) ** 2), 0)) / (2 * M);
}

/** cos θ from dN/dcos θ ∝ 1 + a cos² θ (a ≥ −1), by rejection. */
export function sampleDecayCosine(rng: Rng, a: number): number {
  const max = 1 + Math.max(a, 0);
  for (;;) {
    const c = 2 * rng.uniform() - 1;
    if (rng.uniform() * max <= 1 + a * c * c) return c;
  }
}

/** A four-vector (E, px, py, pz), mutable scratch. */
interface P4 { e: number; px: number; py: number; pz: number }

/** Boost `v` in place by velocity (bx, by, bz). */
export function boostInPlace(v: P4, bx: number, by: number, bz: number): void {
  const b2 = bx * bx + by * by + bz * bz;
  if (b2 <= 0) return;
  const gamma = 1 / Math.sqrt(1 - b2);
  const bp = bx * v.px + by * v.py + bz * v.pz;
  const k = ((gamma - 1) * bp) / b2 + gamma * v.e;
  v.px += k * bx;
  v.py += k * by;
  v.pz += k * bz;
  v.e = gamma * (v.e + bp);
}

/** One reconstructed jet: 3-momentum (GeV) plus substructure. */
interface RecoJet extends JetSubstructure { px: number; py: number; pz: number }

/**
 * Reconstruct the jet of a resonance of true mass `mTrue` and lab momentum `v` into `out`.
 */
function resonanceJet(out: RecoJet, rng: Rng, v: P4, mTrue: number, s: SignalModelParams, p: BackgroundModelParams): void {
  const pT = Math.hypot(v.px, v.py);
  // Boosted limit: the prong energy fraction is z = (1 + cos θ)/2 with θ the rest-frame decay angle.
  const z = 0.5 * (1 + sampleDecayCosine(rng, s.prongDecayAnisotropy));
  const dRqq = mTrue / (pT * Math.sqrt(Math.max(z * (1 - z), 1e-12)));
  let scale: number;
  if (dRqq > JET_RADIUS) {
    // Only the harder quark is in the jet: a quark-initiated QCD-like jet carrying its momentum fraction.
    scale = Math.max(z, 1 - z);
    sampleQcdJet(out, rng, scale * pT, false, p);
  } else {
    scale = 1;
    const mRad = pT * sampleSudakovRho(rng, s.radiationSudakovAlpha, p.rhoMax);
    const extra2 = mRad * mRad + p.npMassShiftGeV * pT;
    const m2 = mTrue * mTrue + extra2;
    out.m = smearJetMass(rng, Math.sqrt(m2), pT, p);
    const rho = out.m / pT;
    // The larger the share of the mass from radiation, the more QCD-like the substructure.
    const frac = extra2 / m2;
    const twoProng = s.twoProngTau21Offset + s.twoProngTau21Slope * Math.log(dRqq / 0.5) + s.twoProngTau21Sigma * rng.normal();
    fillTaus(out, rng, rho, (1 - frac) * twoProng + frac * qcdLogitTau21(rng, rho, false, p), p);
  }
  // Colour-singlet decays radiate inside their own jet: no out-of-cone loss beyond an escaping prong,
  // only the detector resolution.
  const r = scale * jetResponse(rng, p.responseSigma, 0);
  out.px = r * v.px;
  out.py = r * v.py;
  out.pz = r * v.pz;
}

const newRecoJet = (): RecoJet => ({ ...newJetSubstructure(), px: 0, py: 0, pz: 0 });

const pseudorapidityOf = (j: RecoJet): number => Math.asinh(j.pz / Math.hypot(j.px, j.py));

/** Fill events [offset, offset + n) of `out` with signal (label 1) passing the trigger. */
export function generateSignalInto(
  out: RawColumns, offset: number, n: number, rng: Rng, s: SignalModelParams, p: BackgroundModelParams,
): void {
  const x: P4 = { e: 0, px: 0, py: 0, pz: 0 }, y: P4 = { e: 0, px: 0, py: 0, pz: 0 };
  const jx = newRecoJet(), jy = newRecoJet();
  for (let i = offset; i < offset + n; ) {
    const M = sampleBreitWigner(rng, s.wPrimeMassGeV, s.wPrimeWidthGeV, 0.5 * s.wPrimeMassGeV, 1.5 * s.wPrimeMassGeV);
    const mX = sampleBreitWigner(rng, s.xMassGeV, s.xWidthGeV, 0.5 * s.xMassGeV, 1.5 * s.xMassGeV);
    const mY = sampleBreitWigner(rng, s.yMassGeV, s.yWidthGeV, 0.5 * s.yMassGeV, 1.5 * s.yMassGeV);
    if (mX + mY >= M) continue;
    // W′ in the lab.
    const pTW = rng.exponential(1 / s.wPrimePtMeanGeV);
    const phiW = Math.PI * (2 * rng.uniform() - 1);
    const yW = s.wPrimeRapiditySigma * rng.normal();
    const mTW = Math.hypot(M, pTW);
    const eW = mTW * Math.cosh(yW);
    const bx = (pTW * Math.cos(phiW)) / eW, by = (pTW * Math.sin(phiW)) / eW, bz = (mTW * Math.sinh(yW)) / eW;
    // Isotropic decay in the W′ rest frame.
    const pStar = twoBodyMomentum(M, mX, mY);
    const cosT = 2 * rng.uniform() - 1, sinT = Math.sqrt(1 - cosT * cosT);
    const phi = Math.PI * (2 * rng.uniform() - 1);
    const dx = sinT * Math.cos(phi), dy = sinT * Math.sin(phi), dz = cosT;
    x.e = Math.hypot(pStar, mX); x.px = pStar * dx; x.py = pStar * dy; x.pz = pStar * dz;
    y.e = Math.hypot(pStar, mY); y.px = -pStar * dx; y.py = -pStar * dy; y.pz = -pStar * dz;
    boostInPlace(x, bx, by, bz);
    boostInPlace(y, bx, by, bz);
    resonanceJet(jx, rng, x, mX, s, p);
    resonanceJet(jy, rng, y, mY, s, p);
    if (Math.abs(pseudorapidityOf(jx)) > JET_ETA_MAX || Math.abs(pseudorapidityOf(jy)) > JET_ETA_MAX) continue;
    const pTx = Math.hypot(jx.px, jx.py), pTy = Math.hypot(jy.px, jy.py);
    if (Math.max(pTx, pTy) <= TRIGGER_PT_GEV) continue;
    const xLeads = pTx >= pTy;
    writeJet(out, xLeads ? 1 : 2, i, jx.px, jx.py, jx.pz, jx.m, jx.tau1, jx.tau2, jx.tau3);
    writeJet(out, xLeads ? 2 : 1, i, jy.px, jy.py, jy.pz, jy.m, jy.tau1, jy.tau2, jy.tau3);
    out.label[i] = 1;
    i++;
  }
}
