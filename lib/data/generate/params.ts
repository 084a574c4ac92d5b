/**
 * Physics parameters of the LHCO-like generator. All momenta and masses in GeV.
 *
 * The parametrisations are physical (power-law partonic pT, dijet rapidities, Sudakov jet masses with
 * a hadronisation shift ∝ pT, N-subjettiness ratios that fall with the jet's mass/pT, W′ → XY decay
 * kinematics with prong containment); their shape parameters were fitted with scripts/tune-generator.ts
 * (Nelder–Mead on the generated events) to the real LHCO R&D SR events:
 * - pTPower, yStarDamping, outOfConeMean: the SR fraction (12.1 %) and the m_JJ shape inside the SR;
 * - Sudakov, mass-shift/resolution and τ21 parameters: KS distances of (m_J1, Δm_J, τ21_J1, τ21_J2) in
 *   the SR vs extrabkg_sr.npy;
 * - signal widths, W′ pT, prong anisotropy, radiation and two-prong τ21: KS vs innerdata_extrasig.npy
 *   plus the 77 % SR fraction.
 * Fixed by hand: √s, trigger, jet radius, |η| range, C_A/C_F, y_b width, Δφ smearing, the pT
 * softening and τ32 (no real reference for it in the SR files).
 */

/** Shape parameters of the QCD dijet background (one set per "shower model"). */
export interface BackgroundModelParams {
  /** Partonic pT spectrum dσ/dpT ∝ pT^−n (1 − x_T)^a, x_T = 2 pT / √s. */
  readonly pTPower: number;
  readonly pTSoftening: number;
  /** Lowest generated partonic pT (below the 1.2 TeV trigger so the turn-on is populated by the response). */
  readonly pTMinGeV: number;
  /** y* = (y1 − y2)/2 density ∝ e^{2y*} (flat χ = e^{2|y*|}, t-channel) × cosh(y*)^−k (parton luminosity ∝ m_JJ^−k). */
  readonly yStarDamping: number;
  /** Width of the dijet boost y_b = (y1 + y2)/2 (Gaussian). */
  readonly yBoostSigma: number;
  /**
   * Jet response: Gaussian resolution (also used for signal jets) and, for QCD jets, out-of-cone
   * radiation / hard third-jet loss (exponential, mean fraction) that makes the pT imbalance.
   */
  readonly responseSigma: number;
  readonly outOfConeMean: number;
  /** Acoplanarity: Gaussian smearing of Δφ around π (radians), from ISR recoil. */
  readonly deltaPhiSigma: number;
  /** Gluon fraction of the jets (each jet independently). */
  readonly gluonFraction: number;
  /** Double-log Sudakov of a quark jet: P(m/pT < ρ) = exp(−α ln²(ρmax/ρ)); gluons have α·C_A/C_F. */
  readonly sudakovAlphaQuark: number;
  readonly rhoMax: number;
  /** Hadronisation + underlying-event mass shift m² += c·pT (GeV). */
  readonly npMassShiftGeV: number;
  /** Jet-mass resolution σ_m = (relative · m) ⊕ (pTFraction · pT): the second term from the calorimeter's angular granularity. */
  readonly massResolution: number;
  readonly massResolutionPtFraction: number;
  /** logit τ21 = μ0 + μ1 ln(ρ/0.1) + δ_g [gluon] + σ·N(0,1). */
  readonly tau21Offset: number;
  readonly tau21Slope: number;
  readonly tau21GluonShift: number;
  readonly tau21Sigma: number;
  /** logit τ32 = ν0 + ν1 ln(ρ/0.1) + σ·N(0,1). */
  readonly tau32Offset: number;
  readonly tau32Slope: number;
  readonly tau32Sigma: number;
}

/** Colour-factor ratio C_A / C_F = 9/4: gluon jets radiate more, so their Sudakov is steeper. */
export const GLUON_TO_QUARK_CASIMIR = 9 / 4;

/** Collider energy √s (GeV), LHC Run 2. */
export const SQRT_S_GEV = 13_000;

/** Leading-jet pT trigger of the LHCO R&D sample (GeV). */
export const TRIGGER_PT_GEV = 1200;

/** Jets are reconstructed within |η| < 2.5 (rapidity used as a proxy). */
export const JET_ETA_MAX = 2.5;

/** Anti-kT jet radius of the LHCO R&D jets. */
export const JET_RADIUS = 1.0;

/** Default shower model ("Pythia-like" stand-in). */
export const DEFAULT_BACKGROUND_PARAMS: BackgroundModelParams = Object.freeze({
  pTPower: 4.797,
  pTSoftening: 8.0,
  pTMinGeV: 1000,
  yStarDamping: 7.054,
  yBoostSigma: 0.7,
  responseSigma: 0.05,
  outOfConeMean: 0.1276,
  deltaPhiSigma: 0.08,
  gluonFraction: 0.512,
  sudakovAlphaQuark: 0.2102,
  rhoMax: 0.519,
  npMassShiftGeV: 1.159,
  massResolution: 0.0553,
  massResolutionPtFraction: 0.00536,
  tau21Offset: 0.1229,
  tau21Slope: -0.5627,
  tau21GluonShift: 0.2555,
  tau21Sigma: 0.783,
  tau32Offset: 1.0,
  tau32Slope: -0.2,
  tau32Sigma: 0.6,
});

/**
 * Alternative shower model ("Herwig-like" stand-in for MC-based δsys): a softer Sudakov (less
 * radiation), a larger hadronisation shift and a shifted τ21 — modest, visible differences.
 */
export const ALTERNATIVE_BACKGROUND_PARAMS: BackgroundModelParams = Object.freeze({
  ...DEFAULT_BACKGROUND_PARAMS,
  sudakovAlphaQuark: DEFAULT_BACKGROUND_PARAMS.sudakovAlphaQuark * 0.9,
  npMassShiftGeV: DEFAULT_BACKGROUND_PARAMS.npMassShiftGeV * 1.4,
  tau21Offset: DEFAULT_BACKGROUND_PARAMS.tau21Offset + 0.1,
  tau32Offset: DEFAULT_BACKGROUND_PARAMS.tau32Offset + 0.1,
});

export const BACKGROUND_MODELS = Object.freeze({
  default: DEFAULT_BACKGROUND_PARAMS,
  alternative: ALTERNATIVE_BACKGROUND_PARAMS,
});
export type BackgroundModelName = keyof typeof BACKGROUND_MODELS;

/** Signal W′ → X Y, X → qq, Y → qq (two two-prong jets). */
export interface SignalModelParams {
  readonly wPrimeMassGeV: number;
  readonly wPrimeWidthGeV: number;
  readonly xMassGeV: number;
  readonly xWidthGeV: number;
  readonly yMassGeV: number;
  readonly yWidthGeV: number;
  /** W′ transverse momentum from ISR recoil (exponential, mean GeV). */
  readonly wPrimePtMeanGeV: number;
  /** W′ rapidity width (Gaussian; parton luminosity). */
  readonly wPrimeRapiditySigma: number;
  /**
   * Decay angle of X → qq̄ and Y → qq̄ in the resonance rest frame: dN/dcos θ ∝ 1 + a cos² θ
   * (a = 0 isotropic/scalar, a = −1 longitudinally polarised vector). Sets the momentum-sharing z of the
   * two prongs, hence how often a prong falls outside the jet.
   */
  readonly prongDecayAnisotropy: number;
  /** Extra radiation inside a resonance jet: mass from a Sudakov with this α (colour-singlet qq̄ radiates little at wide angle). */
  readonly radiationSudakovAlpha: number;
  /** logit τ21 of a resolved two-prong jet = a + b ln(ΔR_qq / 0.5) + σ N(0,1); blended toward QCD by the radiated mass fraction. */
  readonly twoProngTau21Offset: number;
  readonly twoProngTau21Slope: number;
  readonly twoProngTau21Sigma: number;
}

export const DEFAULT_SIGNAL_PARAMS: SignalModelParams = Object.freeze({
  wPrimeMassGeV: 3500,
  wPrimeWidthGeV: 64,
  xMassGeV: 500,
  xWidthGeV: 5,
  yMassGeV: 100,
  yWidthGeV: 1,
  wPrimePtMeanGeV: 55,
  wPrimeRapiditySigma: 0.5,
  prongDecayAnisotropy: -0.79,
  radiationSudakovAlpha: 0.03,
  twoProngTau21Offset: -1.362,
  twoProngTau21Slope: -0.509,
  twoProngTau21Sigma: 0.798,
});
