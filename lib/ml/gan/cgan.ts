/**
 * Conditional GAN background generator (arXiv:2212.03763): a generator G(z, m) and a discriminator
 * D(x, m), both ReLU MLPs on the dense kernels (lib/ml/nn MlpNetwork), conditioned on a control
 * variable m (m_JJ for dijet windows). Trained on control-region (sideband) events and sampled at
 * target-region masses, it replaces the flow as CATHODE's template generator.
 *
 * Stabilisation (options): spectral normalisation of every discriminator weight matrix (Miyato et al.
 * 2018; one power iteration per step, W̄ = W/σ(W), ∂L/∂W = (G − ⟨G, W̄⟩ u vᵀ)/σ) with a Wasserstein,
 * hinge or non-saturating loss, or WGAN-GP (gradient penalty by hand-written double backprop,
 * {@link gradientPenaltyInto}); Adam; an epoch ensemble chosen by the metric below.
 * The generator's gradient is the discriminator's input gradient δ₀·W̄₀ᵀ, one gemm.
 *
 * Model selection: after each epoch the generator is sampled (fixed latent draws) at the masses of
 * held-out real events, `metricGenerations` times; the score is the mean sample-wise log-likelihood
 * of the held-out events, each smeared once by the kernel, under a Gaussian KDE of all generated
 * events, in standardised (x, m) space — a proper score of the smoothed densities, maximal at the
 * truth (see `selection`; the earlier unsmeared symmetric score favoured over-correlated, too narrow
 * generators). The best `keepBest` epochs form an equal-weight epoch ensemble.
 */
import { MlpNetwork } from '../nn/network.js';
import { adamStepInto, gemmNNInto, gemmNTInto, gemmTNInto } from '../kernels/index.js';
import { softplus, sigmoid } from '../nn/loss.js';
import { takeRows, type Matrix } from '../matrix.js';
import { createRng, type Rng } from '../../util/rng.js';
import { silent, type Reporter } from '../../util/reporter.js';
import { ConfigError, InputError, ShapeError } from '../../util/errors.js';
import { defaultsOf, resolveOptions, type OptionTable } from '../../util/options.js';
import { checkModelDocument, modelHeader, type ModelHeader } from '../modelDocument.js';
import { BestEpochs } from '../epochEnsemble.js';
import { kdeMeanLogLikelihood, kdeMeanLogLikelihoodGroups, scottBandwidth } from './metrics.js';
import { fitPreprocessing, preprocess, inversePreprocess, type FlowPreprocessing } from '../flows/preprocess.js';

/** Conditional-GAN options with their defaults. */
export interface GanOptions {
  /** Latent dimension of z ~ N(0, 1). */
  readonly noiseDim: number;
  /** Hidden layer widths of both networks. */
  readonly hidden: readonly number[];
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** 'constant', or 'cosine': per epoch from learningRate down to learningRate·minLearningRateFraction. */
  readonly learningRateSchedule: 'constant' | 'cosine';
  readonly minLearningRateFraction: number;
  /** Adam β₁ (0.5 is the usual GAN choice), β₂. */
  readonly beta1: number;
  readonly beta2: number;
  /**
   * Spectral normalisation of the discriminator. Off by default: on the 2-D conditional-Gaussian
   * closure toy it left the generated widths ≈ 30 % too narrow with every loss tried, while the plain
   * non-saturating GAN reproduced them (measured with the earlier symmetric selection score).
   */
  readonly spectralNorm: boolean;
  /** Discriminator updates per generator update (each on a fresh real batch). */
  readonly discriminatorSteps: number;
  /**
   * 'wgan-gp' (Gulrajani et al. 2017: critic D(fake) − D(real) + gradient penalty, Lipschitz in x given m),
   * 'wasserstein' (critic D(real) − D(fake), its Lipschitz bound from the spectral normalisation),
   * 'hinge' (Miyato et al.) or 'non-saturating' (Goodfellow).
   */
  readonly loss: 'wgan-gp' | 'wasserstein' | 'hinge' | 'non-saturating';
  /** λ of the WGAN-GP gradient penalty λ·(‖∇ₓD(x̂)‖ − 1)² on random interpolates of real and generated rows. */
  readonly gradientPenalty: number;
  /**
   * CATHODE's flow preprocessing of the features (min–max to (0, 1), logit, standardise; inverted on
   * sampling), so bounded features (τ21 ≤ 1, m_J ≥ 0) keep their edges. Events at the training
   * extremes are dropped, as for the flow.
   */
  readonly logitFeatures: boolean;
  /** Train on at most this many events (a seeded random subset); 0 = all. */
  readonly maxEvents: number;
  /** Fraction of events held out for model selection. */
  readonly validationFraction: number;
  /**
   * Model-selection score. 'smeared' (default): mean log-likelihood of the held-out events, each
   * smeared once by N(0, h²), under the Gaussian KDE (bandwidth h) of generated events — the
   * cross-entropy of the h-smoothed densities p⊗φ_h and q⊗φ_h, a proper score maximal exactly at
   * q = p (convolution with a Gaussian is injective). 'symmetric': ½(generated under a KDE of
   * held-out + held-out under a KDE of generated), unsmeared — biased towards generators narrower
   * than the data by the bandwidth: on the 2-D closure toy it scores the true density below one
   * with ρ = 0.8 instead of 0.6, or with widths 10 % too narrow.
   */
  readonly selection: 'smeared' | 'symmetric';
  /** Epochs kept (best metric) in the epoch ensemble. */
  readonly keepBest: number;
  /** Generations averaged per epoch to tame the metric's fluctuations. */
  readonly metricGenerations: number;
  /** Held-out events used by the metric (KDE cost ∝ its square). */
  readonly metricEvents: number;
  readonly seed: number;
}

/** Declared constraints, defaults and meaning of every option (checked by `resolveOptions`; see {@link GanOptions}). */
export const GAN_OPTIONS: OptionTable<GanOptions> = Object.freeze({
  noiseDim: { type: 'integer', min: 1, default: 8, description: 'Latent dimension of z ~ N(0, 1).' },
  hidden: { type: 'integer[]', min: 1, minItems: 1, default: [64, 64], description: 'Hidden layer widths of both networks.' },
  epochs: { type: 'integer', min: 1, default: 60, description: 'Training epochs.' },
  batchSize: { type: 'integer', min: 1, default: 64, description: 'Mini-batch size.' },
  learningRate: { type: 'number', min: 0, exclusiveMin: true, default: 2e-4, description: 'Adam learning rate (start of the schedule).' },
  learningRateSchedule: { type: 'enum', values: ['constant', 'cosine'], default: 'cosine', description: "'constant', or 'cosine': per epoch from learningRate down to learningRate·minLearningRateFraction." },
  minLearningRateFraction: { type: 'number', min: 0, max: 1, default: 0.05, description: 'End of the cosine schedule as a fraction of learningRate.' },
  beta1: { type: 'number', min: 0, max: 1, exclusiveMax: true, default: 0.5, description: 'Adam β₁ (0.5 is the usual GAN choice).' },
  beta2: { type: 'number', min: 0, max: 1, exclusiveMax: true, default: 0.999, description: 'Adam β₂.' },
  spectralNorm: { type: 'boolean', default: false, description: 'Spectral normalisation of the discriminator.' },
  discriminatorSteps: { type: 'integer', min: 1, default: 1, description: 'Discriminator updates per generator update.' },
  loss: { type: 'enum', values: ['wgan-gp', 'wasserstein', 'hinge', 'non-saturating'], default: 'non-saturating', description: 'Adversarial loss.' },
  gradientPenalty: { type: 'number', min: 0, default: 10, description: 'λ of the WGAN-GP gradient penalty.' },
  logitFeatures: { type: 'boolean', default: true, description: "CATHODE's flow preprocessing of the features (min–max, logit, standardise; inverted on sampling)." },
  maxEvents: { type: 'integer', min: 0, default: 0, description: 'Train on at most this many events (a seeded random subset); 0 = all.' },
  validationFraction: { type: 'number', min: 0, max: 1, exclusiveMin: true, exclusiveMax: true, default: 0.2, description: 'Fraction of events held out for model selection.' },
  selection: { type: 'enum', values: ['smeared', 'symmetric'], default: 'smeared', description: 'Model-selection score.' },
  keepBest: { type: 'integer', min: 1, default: 5, description: 'Epochs kept (best metric) in the epoch ensemble.' },
  metricGenerations: { type: 'integer', min: 1, default: 3, description: "Generations averaged per epoch to tame the metric's fluctuations." },
  metricEvents: { type: 'integer', min: 1, default: 1500, description: 'Held-out events used by the metric (KDE cost ∝ its square).' },
  seed: { type: 'number', required: true, description: 'Seed of every random choice (required: no hidden default).' },
});

/** Defaults of every option but `seed`, which must be given. */
export const GAN_DEFAULTS: Readonly<Omit<GanOptions, 'seed'>> = defaultsOf(GAN_OPTIONS);

/** Per-epoch history. */
export interface GanEpoch {
  readonly epoch: number;
  readonly discriminatorLoss: number;
  readonly generatorLoss: number;
  /** Model-selection score (higher is better). */
  readonly metric: number;
  /** Its spread over the generations (standard deviation). */
  readonly metricSpread: number;
}

export const GAN_DOC_VERSION = 1;

/** Persisted generator. */
export interface GanDocument extends ModelHeader<'conditional-gan'> {
  options: GanOptions;
  dims: number;
  xMean: number[]; xStd: number[]; mMean: number; mStd: number;
  /** Generator parameters of each kept epoch. */
  members: { epoch: number; metric: number; params: number[] }[];
  history: GanEpoch[];
  /** Present when trained with logitFeatures. */
  preprocessing?: FlowPreprocessing;
}

/** A trained conditional generator (an epoch ensemble); samples x | m. */
export class FittedGan {
  readonly kind = 'conditional-gan';
  private readonly net: MlpNetwork;

  constructor(
    readonly options: GanOptions, readonly dims: number,
    readonly xMean: Float64Array, readonly xStd: Float64Array, readonly mMean: number, readonly mStd: number,
    readonly members: readonly { epoch: number; metric: number; params: Float32Array }[], readonly history: readonly GanEpoch[],
    /** The feature transform the generator's outputs are inverted through (logitFeatures). */
    readonly preprocessing?: FlowPreprocessing,
  ) {
    if (members.length === 0) throw new InputError('FittedGan: needs at least one generator');
    this.net = new MlpNetwork([options.noiseDim + 1, ...options.hidden, dims], 1024);
    for (const mb of members) if (mb.params.length !== this.net.params.length) throw new ShapeError(`FittedGan: generator of epoch ${mb.epoch} has ${mb.params.length} parameters, the architecture needs ${this.net.params.length}`);
  }

  /**
   * One sample per mass (original units); member k draws rows [⌊kn/K⌋, ⌊(k+1)n/K⌋) with rng.fork(`gan:k`).
   */
  sample(m: Float64Array, rng: Rng): Matrix<Float64Array> {
    const n = m.length, D = this.dims, K = this.members.length, Z = this.options.noiseDim;
    for (let i = 0; i < n; i++) if (!Number.isFinite(m[i])) throw new InputError(`FittedGan.sample: m[${i}] is ${m[i]}; expected a finite mass`);
    const out = new Float64Array(n * D);
    const net = this.net, cap = net.maxBatch;
    for (let k = 0; k < K; k++) {
      net.params.set(this.members[k].params);
      const r = rng.fork(`gan:${k}`);
      const a = Math.floor((k * n) / K), b = Math.floor(((k + 1) * n) / K);
      for (let s = a; s < b; s += cap) {
        const B = Math.min(cap, b - s);
        for (let i = 0; i < B; i++) {
          const row = i * (Z + 1);
          for (let j = 0; j < Z; j++) net.input[row + j] = r.normal();
          net.input[row + Z] = (m[s + i] - this.mMean) / this.mStd;
        }
        net.forward(B);
        const y = net.acts[net.nLayers - 1];
        for (let i = 0; i < B; i++) for (let j = 0; j < D; j++) out[(s + i) * D + j] = y[i * D + j] * this.xStd[j] + this.xMean[j];
      }
    }
    return this.preprocessing ? inversePreprocess(this.preprocessing, out, n) : { data: out, rows: n, cols: D };
  }

  /** A GAN has no tractable density; CATHODE only samples. */
  logProb(): Float64Array {
    throw new ConfigError('conditional GAN: the generator defines no tractable density (logProb); use a flow where densities are needed');
  }

  toJSON(): GanDocument {
    return {
      ...modelHeader('conditional-gan', GAN_DOC_VERSION), options: { ...this.options, hidden: [...this.options.hidden] },
      dims: this.dims, xMean: Array.from(this.xMean), xStd: Array.from(this.xStd), mMean: this.mMean, mStd: this.mStd,
      members: this.members.map((mb) => ({ epoch: mb.epoch, metric: mb.metric, params: Array.from(mb.params) })), history: [...this.history],
      ...(this.preprocessing ? { preprocessing: this.preprocessing } : {}),
    };
  }
}

/** Rebuild a generator from `FittedGan.toJSON()`. */
export function loadGan(doc: unknown): FittedGan {
  const d = checkModelDocument(doc, 'loadGan', { kind: 'conditional-gan', versions: [GAN_DOC_VERSION], keys: ['dims', 'xMean', 'xStd', 'mMean', 'mStd', 'members'] }) as unknown as Partial<GanDocument>;
  return new FittedGan(
    resolveOptions('loadGan', GAN_OPTIONS, d.options), d.dims!, Float64Array.from(d.xMean!), Float64Array.from(d.xStd!), d.mMean!, d.mStd!,
    d.members!.map((mb) => ({ epoch: mb.epoch, metric: mb.metric, params: Float32Array.from(mb.params) })), d.history ?? [], d.preprocessing,
  );
}

/** Spectral-normalisation state of one weight matrix (in × out, input-major). */
export interface SpectralState { readonly u: Float64Array; readonly v: Float64Array; sigma: number; readonly enabled: boolean }

/** One power iteration on raw W, then params W̄ = W/σ. Exported for the gradient test. */
export function spectralNormalise(raw: Float32Array, out: Float32Array, rows: number, cols: number, st: SpectralState): void {
  const { u, v } = st;
  let nv = 0;
  for (let j = 0; j < cols; j++) { let s = 0; for (let i = 0; i < rows; i++) s += raw[i * cols + j] * u[i]; v[j] = s; nv += s * s; }
  nv = Math.sqrt(nv) || 1;
  for (let j = 0; j < cols; j++) v[j] /= nv;
  let nu = 0;
  for (let i = 0; i < rows; i++) { let s = 0; for (let j = 0; j < cols; j++) s += raw[i * cols + j] * v[j]; u[i] = s; nu += s * s; }
  nu = Math.sqrt(nu) || 1;
  for (let i = 0; i < rows; i++) u[i] /= nu;
  // σ = uᵀ W v = |W v| after the update of u.
  st.sigma = st.enabled ? nu : 1;
  const inv = 1 / st.sigma;
  for (let k = 0; k < rows * cols; k++) out[k] = raw[k] * inv;
}

/** ∂L/∂W from ∂L/∂W̄ in place: (G − ⟨G, W̄⟩ u vᵀ)/σ. Exported for the gradient test. */
export function spectralBackward(g: Float32Array, wBar: Float32Array, rows: number, cols: number, st: SpectralState): void {
  let dotGW = 0;
  for (let k = 0; k < rows * cols; k++) dotGW += g[k] * wBar[k];
  const inv = 1 / st.sigma;
  if (!st.enabled) return;
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) g[i * cols + j] = (g[i * cols + j] - dotGW * st.u[i] * st.v[j]) * inv;
}

/** Scratch views (in the critic's arena) for {@link gradientPenaltyInto}. */
export interface PenaltyBuffers {
  /** tangent[l]: B × sizes[l+1], the forward-mode tangent of layer l's output. */
  readonly tangent: readonly Float32Array[];
  /** B × sizes[0]: ∇ₓD of each row, then the tangent seed v. */
  readonly inputGrad: Float32Array;
  /** nParams: ∂penalty/∂params (biases get 0). */
  readonly grad: Float32Array;
}

/** Arena lengths {@link gradientPenaltyInto} needs for a critic of these sizes and batch B. */
export const penaltyBufferLengths = (sizes: readonly number[], B: number): Record<string, number> => {
  const lens: Record<string, number> = { gpInputGrad: B * sizes[0], gpGrad: sizes.slice(0, -1).reduce((a, v, l) => a + v * sizes[l + 1] + sizes[l + 1], 0) };
  for (let l = 0; l + 1 < sizes.length; l++) lens[`gpTangent${l}`] = B * sizes[l + 1];
  return lens;
};
export const penaltyBuffers = (net: MlpNetwork): PenaltyBuffers => ({
  tangent: Array.from({ length: net.nLayers }, (_, l) => net.extra[`gpTangent${l}`]),
  inputGrad: net.extra.gpInputGrad, grad: net.extra.gpGrad,
});

/**
 * WGAN-GP gradient penalty (Gulrajani et al. 2017) of a scalar ReLU critic on the B rows in
 * `net.input`: P = (λ/B) Σᵢ (‖∇ₓ D(x̂ᵢ)‖ − 1)², the norm over the first `penalised` input columns
 * (the features; the condition m is the same for real and generated rows and is not penalised).
 * Writes ∂P/∂params into `buf.grad` and returns P. Overwrites the network's activations, deltas
 * and grads.
 *
 * Double backprop by hand. With ReLU masks Rₗ = diag(relu′(aₗ)) (piecewise constant, relu″ = 0
 * a.e.) the input gradient is gᵀ = W₀ R₁ W₁ R₂ ⋯ W_{L−1} (weights input-major). With
 * v = ∂P/∂g = (2λ/B)(‖g‖ − 1) g/‖g‖ held fixed, ∂P/∂θ = ∂(v·g)/∂θ, and v·g = vᵀ W₀ R₁ ⋯ W_{L−1}
 * is a bias-free linear network with frozen masks fed v: its forward tangents are
 * tₗ = vᵀ W₀ R₁ ⋯ Wₗ₋₁ Rₗ (t₀ = v), and the backward deltas δₗ = Rₗ₊₁ Wₗ₊₁ ⋯ W_{L−1} are exactly
 * the ordinary backprop deltas of D with ∂/∂D = 1. Hence ∂P/∂Wₗ = Σᵢ tₗᵢᵀ δₗᵢ and ∂P/∂bₗ = 0:
 * one backward pass, one tangent forward pass and one gemm per layer.
 */
export function gradientPenaltyInto(net: MlpNetwork, B: number, penalised: number, lambda: number, buf: PenaltyBuffers): number {
  const s = net.layout.sizes, L = net.nLayers, C = s[0];
  net.forward(B);
  net.delta[L - 1].fill(1, 0, B);
  net.backward(B); // delta[l] now hold the masked deltas δₗ (pre-activation) of every layer
  const g = buf.inputGrad;
  gemmNTInto(g, net.delta[0], net.W[0], B, s[1], C);
  let penalty = 0;
  for (let r = 0; r < B; r++) {
    let n2 = 0;
    for (let j = 0; j < penalised; j++) n2 += g[r * C + j] ** 2;
    const norm = Math.sqrt(n2);
    penalty += (lambda / B) * (norm - 1) ** 2;
    const f = norm > 0 ? ((2 * lambda) / B) * (norm - 1) / norm : 0;
    for (let j = 0; j < C; j++) g[r * C + j] = j < penalised ? f * g[r * C + j] : 0;
  }
  // Tangent forward pass through the frozen masks, then ∂P/∂Wₗ = tₗᵀ δₗ.
  buf.grad.fill(0);
  const { wOffset } = net.layout;
  let t = g;
  for (let l = 0; l < L; l++) {
    gemmTNInto(buf.grad.subarray(wOffset[l], wOffset[l] + s[l] * s[l + 1]), t, net.delta[l], s[l], B, s[l + 1]);
    if (l + 1 === L) break;
    const next = buf.tangent[l], act = net.acts[l];
    gemmNNInto(next, t, net.W[l], B, s[l], s[l + 1]);
    for (let k = 0; k < B * s[l + 1]; k++) if (act[k] <= 0) next[k] = 0;
    t = next;
  }
  return penalty;
}

/**
 * Train a conditional GAN of x | m on control-region events (rows of `x`, masses `m`).
 * @example const gan = fitConditionalGan(sidebandX, sidebandMjj, { epochs: 30, seed: 7 }); gan.sample(srMasses, rng)
 */
export function fitConditionalGan(x: Matrix, m: Float64Array, options: Partial<GanOptions> & { seed: number; reporter?: Reporter }): FittedGan {
  const { reporter = silent, ...rest } = options;
  const o: GanOptions = resolveOptions('conditional GAN', GAN_OPTIONS, rest);
  if (m.length !== x.rows) throw new ShapeError(`fitConditionalGan: x has ${x.rows} rows, m has ${m.length} entries`);
  if (o.maxEvents > 0 && x.rows > o.maxEvents) {
    const keep = createRng(o.seed).fork('subset').permutation(x.rows).subarray(0, o.maxEvents);
    return fitConditionalGan(takeRows(x, keep), Float64Array.from(keep, (i) => m[i]), { ...o, maxEvents: 0, reporter });
  }
  if (o.logitFeatures) {
    const pre = fitPreprocessing(x, m);
    const t = preprocess(pre, x, m);
    const inner = trainGan({ data: Float64Array.from(t.y), rows: t.kept.length, cols: x.cols }, Float64Array.from(t.kept, (i) => m[i]), o, reporter);
    return new FittedGan(o, inner.dims, inner.xMean, inner.xStd, inner.mMean, inner.mStd, inner.members, inner.history, pre);
  }
  return trainGan(x, m, o, reporter);
}

function trainGan(x: Matrix, m: Float64Array, o: GanOptions, reporter: Reporter): FittedGan {
  const n = x.rows, D = x.cols, Z = o.noiseDim, B = o.batchSize;
  for (let i = 0; i < x.data.length; i++) if (!Number.isFinite(x.data[i])) throw new InputError(`fitConditionalGan: x row ${Math.floor(i / D)}, column ${i % D} is ${x.data[i]}`);
  for (let i = 0; i < n; i++) if (!Number.isFinite(m[i])) throw new InputError(`fitConditionalGan: m[${i}] is ${m[i]}`);
  const nVal = Math.min(Math.floor(n * o.validationFraction), o.metricEvents);
  const nTrain = n - Math.floor(n * o.validationFraction);
  if (nTrain < B || nVal < 50) throw new InputError(`fitConditionalGan: ${n} events are too few for batch size ${B} and a validation set (need ≥ ${B} training and 50 held-out events)`);
  const root = createRng(o.seed);
  const order = root.fork('split').permutation(n);
  const trainIdx = order.subarray(0, nTrain), valIdx = order.subarray(nTrain, nTrain + nVal);

  // Standardise x and m on the training rows.
  const xMean = new Float64Array(D), xStd = new Float64Array(D);
  let mMean = 0, mVar = 0;
  for (const i of trainIdx) { for (let j = 0; j < D; j++) xMean[j] += x.data[i * D + j] / nTrain; mMean += m[i] / nTrain; }
  for (const i of trainIdx) { for (let j = 0; j < D; j++) xStd[j] += (x.data[i * D + j] - xMean[j]) ** 2 / nTrain; mVar += (m[i] - mMean) ** 2 / nTrain; }
  for (let j = 0; j < D; j++) xStd[j] = Math.sqrt(xStd[j]) || 1;
  const mStd = Math.sqrt(mVar) || 1;
  const C = D + 1; // discriminator input: x then m
  const real = new Float32Array(n * C);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < D; j++) real[i * C + j] = (x.data[i * D + j] - xMean[j]) / xStd[j];
    real[i * C + D] = (m[i] - mMean) / mStd;
  }
  const valReal: Matrix<Float64Array> = { data: new Float64Array(nVal * C), rows: nVal, cols: C };
  valIdx.forEach((i, r) => { for (let j = 0; j < C; j++) valReal.data[r * C + j] = real[i * C + j]; });
  const h = scottBandwidth(nVal, C);
  // The held-out events smeared once by the kernel (fixed across epochs: common random numbers).
  const smearRng = root.fork('metric:smear');
  const valSmeared: Matrix<Float64Array> = { data: valReal.data.map((t) => t + h * smearRng.normal()), rows: nVal, cols: C };

  const gSizes = [Z + 1, ...o.hidden, D], dSizes = [C, ...o.hidden, 1];
  const probe = (s: number[]) => s.slice(0, -1).reduce((a, v, l) => a + v * s[l + 1] + s[l + 1], 0);
  const pG = probe(gSizes), pD = probe(dSizes);
  const G = new MlpNetwork(gSizes, Math.max(B, 1024), { extra: { m: pG, v: pG } });
  const gp = o.loss === 'wgan-gp';
  const Dn = new MlpNetwork(dSizes, 2 * B, { extra: { m: pD, v: pD, raw: pD, dIn: B * C, ...(gp ? penaltyBufferLengths(dSizes, B) : {}) } });
  const gpBuf = gp ? penaltyBuffers(Dn) : undefined;
  const interp = root.fork('penalty');
  G.initialise(root.fork('init:generator'));
  Dn.initialise(root.fork('init:discriminator'));
  const raw = Dn.extra.raw;
  raw.set(Dn.params);
  const initRng = root.fork('init:spectral');
  const sn: SpectralState[] = [];
  for (let l = 0; l < Dn.nLayers; l++) {
    const u = Float64Array.from({ length: dSizes[l] }, () => initRng.normal());
    const nu = Math.hypot(...u);
    sn.push({ u: u.map((t) => t / nu), v: new Float64Array(dSizes[l + 1]), sigma: 1, enabled: o.spectralNorm });
  }
  const { wOffset, bOffset } = Dn.layout;
  const normalise = (): void => {
    for (let l = 0; l < Dn.nLayers; l++) {
      const nw = dSizes[l] * dSizes[l + 1];
      spectralNormalise(raw.subarray(wOffset[l], wOffset[l] + nw), Dn.W[l], dSizes[l], dSizes[l + 1], sn[l]);
      Dn.b[l].set(raw.subarray(bOffset[l], bOffset[l] + dSizes[l + 1]));
    }
  };
  normalise();

  const noise = root.fork('noise');
  /** Generator forward on B rows with masses (standardised) from training rows idx[a..a+B). */
  const generate = (net: MlpNetwork, masses: ArrayLike<number>, count: number, r: Rng): Float32Array => {
    for (let i = 0; i < count; i++) {
      for (let j = 0; j < Z; j++) net.input[i * (Z + 1) + j] = r.normal();
      net.input[i * (Z + 1) + Z] = masses[i];
    }
    net.forward(count);
    // forward() returns only the first column; the generator has D outputs per row.
    return net.acts[net.nLayers - 1];
  };
  const batchM = new Float32Array(B);
  const history: GanEpoch[] = [];
  // The epoch ensemble ranks by −metric (higher metric is better).
  const kept = new BestEpochs<{ epoch: number; metric: number; params: Float32Array }>(o.keepBest);
  let stepD = 0, stepG = 0;
  const shuffle = root.fork('batches');
  const valM = Float32Array.from({ length: nVal }, (_, r) => valReal.data[r * C + D]);
  const genNet = new MlpNetwork(gSizes, 1024);

  for (let epoch = 0; epoch < o.epochs; epoch++) {
    // Cosine decay from learningRate to learningRate·minLearningRateFraction over the epochs.
    const lr = o.learningRateSchedule === 'cosine'
      ? o.learningRate * (o.minLearningRateFraction + (1 - o.minLearningRateFraction) * 0.5 * (1 + Math.cos((Math.PI * epoch) / Math.max(o.epochs - 1, 1))))
      : o.learningRate;
    const perm = shuffle.permutation(nTrain);
    let dLoss = 0, gLoss = 0, nb = 0, dSteps = 0, gpSum = 0;
    for (let s = 0; s + B <= nTrain; s += B) {
      // Discriminator step: real rows 0..B, generated rows B..2B at the same masses.
      for (let r = 0; r < B; r++) {
        const i = trainIdx[perm[s + r]];
        for (let j = 0; j < C; j++) Dn.input[r * C + j] = real[i * C + j];
        batchM[r] = real[i * C + D];
      }
      const fake = generate(G, batchM, B, noise);
      let penalty = 0;
      if (gpBuf) {
        // Interpolates x̂ = εx + (1 − ε)x̃ at the same masses; the penalty gradient is added below.
        for (let r = 0; r < B; r++) {
          const e = interp.uniform();
          for (let j = 0; j < D; j++) Dn.input[r * C + j] = e * Dn.input[r * C + j] + (1 - e) * fake[r * D + j];
        }
        penalty = gradientPenaltyInto(Dn, B, D, o.gradientPenalty, gpBuf);
        for (let r = 0; r < B; r++) {
          const i = trainIdx[perm[s + r]];
          for (let j = 0; j < D; j++) Dn.input[r * C + j] = real[i * C + j];
        }
      }
      for (let r = 0; r < B; r++) {
        for (let j = 0; j < D; j++) Dn.input[(B + r) * C + j] = fake[r * D + j];
        Dn.input[(B + r) * C + D] = batchM[r];
      }
      let z = Dn.forward(2 * B);
      dLoss += penalty; gpSum += penalty;
      const dOut = Dn.delta[Dn.nLayers - 1];
      for (let r = 0; r < B; r++) {
        if (o.loss === 'wasserstein' || o.loss === 'wgan-gp') {
          dLoss += (z[B + r] - z[r]) / B;
          dOut[r] = -1 / B;
          dOut[B + r] = 1 / B;
        } else if (o.loss === 'hinge') {
          // relu(1 − D(real)) + relu(1 + D(fake))
          dLoss += (Math.max(0, 1 - z[r]) + Math.max(0, 1 + z[B + r])) / B;
          dOut[r] = z[r] < 1 ? -1 / B : 0;
          dOut[B + r] = z[B + r] > -1 ? 1 / B : 0;
        } else {
          dLoss += (softplus(-z[r]) + softplus(z[B + r])) / B;
          dOut[r] = -sigmoid(-z[r]) / B;
          dOut[B + r] = sigmoid(z[B + r]) / B;
        }
      }
      Dn.backward(2 * B);
      if (gpBuf) for (let k = 0; k < pD; k++) Dn.grads[k] += gpBuf.grad[k];
      for (let l = 0; l < Dn.nLayers; l++) spectralBackward(Dn.dW[l], Dn.W[l], dSizes[l], dSizes[l + 1], sn[l]);
      adamStepInto(raw, Dn.grads, Dn.extra.m, Dn.extra.v, ++stepD, lr, o.beta1, o.beta2, 1e-8, 0);
      normalise();
      if (++dSteps % o.discriminatorSteps !== 0) continue;

      // Generator step: minimise −D(G(z, m), m) (wasserstein, hinge) or softplus(−D(G(z, m), m)) (non-saturating).
      const fake2 = generate(G, batchM, B, noise);
      for (let r = 0; r < B; r++) {
        for (let j = 0; j < D; j++) Dn.input[r * C + j] = fake2[r * D + j];
        Dn.input[r * C + D] = batchM[r];
      }
      z = Dn.forward(B);
      for (let r = 0; r < B; r++) {
        if (o.loss !== 'non-saturating') { gLoss -= z[r] / B; dOut[r] = -1 / B; } else { gLoss += softplus(-z[r]) / B; dOut[r] = -sigmoid(-z[r]) / B; }
      }
      Dn.backward(B);
      const dIn = Dn.extra.dIn;
      gemmNTInto(dIn, Dn.delta[0], Dn.W[0], B, dSizes[1], C);
      const gOut = G.delta[G.nLayers - 1];
      for (let r = 0; r < B; r++) for (let j = 0; j < D; j++) gOut[r * D + j] = dIn[r * C + j];
      G.backward(B);
      adamStepInto(G.params, G.grads, G.extra.m, G.extra.v, ++stepG, lr, o.beta1, o.beta2, 1e-8, 0);
      nb++;
    }
    dLoss /= Math.max(dSteps, 1);
    gLoss /= Math.max(nb, 1);
    // Model selection on held-out events, averaged over fresh generations.
    genNet.params.set(G.params);
    const gens: Matrix<Float64Array>[] = [];
    for (let g = 0; g < o.metricGenerations; g++) {
      const metricRng = root.fork(`metric:${g}`); // the same latent draws every epoch
      const gen: Matrix<Float64Array> = { data: new Float64Array(nVal * C), rows: nVal, cols: C };
      for (let a = 0; a < nVal; a += genNet.maxBatch) {
        const cnt = Math.min(genNet.maxBatch, nVal - a);
        const y = generate(genNet, valM.subarray(a, a + cnt), cnt, metricRng);
        for (let r = 0; r < cnt; r++) {
          for (let j = 0; j < D; j++) gen.data[(a + r) * C + j] = y[r * D + j];
          gen.data[(a + r) * C + D] = valM[a + r];
        }
      }
      gens.push(gen);
    }
    let metric: number, scores: number[];
    if (o.selection === 'smeared') {
      // One KDE of all generations pooled (finite-sample bias ∝ 1/(n_gen hᵈ)); the spread from each alone.
      const r = kdeMeanLogLikelihoodGroups(valSmeared, gens, h);
      metric = r.pooled; scores = r.perGroup;
    } else {
      scores = gens.map((gen) => 0.5 * (kdeMeanLogLikelihood(gen, valReal, h) + kdeMeanLogLikelihood(valReal, gen, h)));
      metric = scores.reduce((a, b) => a + b, 0) / scores.length;
    }
    // A generator emitting non-finite values scores NaN: rank it last, never as the best epoch.
    if (!Number.isFinite(metric)) {
      reporter.log('info', `gan epoch ${epoch + 1}: model-selection score is ${metric} (non-finite generated events); epoch ranked last`);
      metric = -Infinity;
    }
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    const spread = Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(scores.length - 1, 1));
    history.push({ epoch, discriminatorLoss: dLoss, generatorLoss: gLoss, metric, metricSpread: spread });
    kept.offer(-metric, () => ({ epoch, metric, params: Float32Array.from(G.params) }));
    reporter.progress('gan epochs', epoch + 1, o.epochs);
    reporter.log('debug', `gan epoch ${epoch + 1}/${o.epochs}: D loss ${dLoss.toFixed(4)}${gp ? ` (penalty ${(gpSum / Math.max(dSteps, 1)).toFixed(4)})` : ''}, G loss ${gLoss.toFixed(4)}, metric ${metric.toFixed(4)} ± ${spread.toFixed(4)}`);
  }
  return new FittedGan(o, D, xMean, xStd, mMean, mStd, kept.best(), history);
}
