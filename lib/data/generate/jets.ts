/**
 * Per-jet samplers shared by background and signal: QCD jet masses (Sudakov + hadronisation shift)
 * and N-subjettiness. Pure functions of an Rng and scalars; results go into a caller-owned scratch
 * object so the event loops allocate nothing.
 */
import type { Rng } from '../../util/rng.js';
import { GLUON_TO_QUARK_CASIMIR, type BackgroundModelParams } from './params.js';

/** Substructure of one jet: mass (GeV) and τ1, τ2, τ3. */
export interface JetSubstructure { m: number; tau1: number; tau2: number; tau3: number }

export const newJetSubstructure = (): JetSubstructure => ({ m: 0, tau1: 0, tau2: 0, tau3: 0 });

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * Perturbative jet mass/pT from the double-log Sudakov P(ρ' < ρ) = exp(−α ln²(ρmax/ρ)), by inversion:
 * ln(ρmax/ρ) = sqrt(−ln u / α).
 */
export function sampleSudakovRho(rng: Rng, alpha: number, rhoMax: number): number {
  const u = 1 - rng.uniform(); // (0, 1]
  return rhoMax * Math.exp(-Math.sqrt(-Math.log(u) / alpha));
}

/**
 * Mass of a QCD (one-prong-initiated) jet of transverse momentum `pT` (GeV): perturbative Sudakov mass,
 * plus the hadronisation/UE shift m² += c·pT, times a Gaussian resolution.
 */
export function sampleQcdJetMass(rng: Rng, pT: number, gluon: boolean, p: BackgroundModelParams): number {
  const alpha = gluon ? p.sudakovAlphaQuark * GLUON_TO_QUARK_CASIMIR : p.sudakovAlphaQuark;
  const mPert = pT * sampleSudakovRho(rng, alpha, p.rhoMax);
  return smearJetMass(rng, Math.sqrt(mPert * mPert + p.npMassShiftGeV * pT), pT, p);
}

/** Detector jet mass: Gaussian with σ = (relative · m) ⊕ (pTFraction · pT), floored at 1 GeV. */
export function smearJetMass(rng: Rng, m: number, pT: number, p: BackgroundModelParams): number {
  const sigma = Math.hypot(p.massResolution * m, p.massResolutionPtFraction * pT);
  return Math.max(m + sigma * rng.normal(), 1);
}

/**
 * N-subjettiness of a jet given its logit-τ21: τ1 ≈ ρ (a two-body splitting has τ1 ~ 2√(z(1−z)) m/pT),
 * τ2 = τ21 τ1, τ3 = τ32 τ2 with a QCD-like τ32 that falls slowly with ρ.
 */
export function fillTaus(out: JetSubstructure, rng: Rng, rho: number, logitTau21: number, p: BackgroundModelParams): void {
  const x = Math.log(rho / 0.1);
  const tau21 = sigmoid(logitTau21);
  const tau32 = sigmoid(p.tau32Offset + p.tau32Slope * x + p.tau32Sigma * rng.normal());
  out.tau1 = Math.min(rho * Math.exp(0.15 * rng.normal()), 0.9);
  out.tau2 = tau21 * out.tau1;
  out.tau3 = tau32 * out.tau2;
}

/** logit τ21 of a QCD jet: heavier jets (larger ρ) more often have a hard two-body splitting, so lower τ21. */
export function qcdLogitTau21(rng: Rng, rho: number, gluon: boolean, p: BackgroundModelParams): number {
  return p.tau21Offset + p.tau21Slope * Math.log(rho / 0.1) + (gluon ? p.tau21GluonShift : 0) + p.tau21Sigma * rng.normal();
}

/** A complete QCD jet (mass + τs) of transverse momentum `pT` into `out`. */
export function sampleQcdJet(out: JetSubstructure, rng: Rng, pT: number, gluon: boolean, p: BackgroundModelParams): void {
  out.m = sampleQcdJetMass(rng, pT, gluon, p);
  const rho = out.m / pT;
  fillTaus(out, rng, rho, qcdLogitTau21(rng, rho, gluon, p), p);
}
