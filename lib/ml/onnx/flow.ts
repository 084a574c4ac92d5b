/**
 * Export a trained conditional MAF ({@link FittedFlow}) or an ensemble of them ({@link FlowEnsemble})
 * to ONNX (opset 13), so the CATHODE background model runs in onnxruntime, or anywhere else ONNX runs.
 *
 * Two graphs, both float32 with a symbolic batch N and the preprocessing inside:
 * - `logProb`: inputs `x` [N, D] (original feature units) and `m` [N, C] (the condition, e.g. m_JJ
 *   in TeV) → `log_prob` [N] = log p(x | m) of the equal-weight mixture of the kept epochs (and of the
 *   flows of an ensemble), including the min–max/logit/standardise log-Jacobian; −∞ outside the
 *   training range, as {@link FittedFlow.logProb}. Batch norm is in inference mode (the stored
 *   statistics: the training set's, or running averages for old documents), so each block adds a
 *   constant log-determinant. Bounded affine log-scales (flow documents ≥ v3) are bounded here too.
 * - `sample`: inputs `z` [N, D] (standard-normal base-space draws) and `m` [N, C] → `x` [N, D]
 *   events in original units; the rows are shared between flows and kept epochs exactly as
 *   {@link FittedFlow.sampleFromNoise} shares them (row bounds ⌊kN/K⌋ computed in the graph). Each
 *   MADE inverse is D passes, pass d using only the hidden units of MADE degree < d. This is the
 *   unchecked map: the redraw of non-finite or out-of-range events (FittedFlow.sampleChecked) is
 *   left to the caller.
 * Rational-quadratic spline blocks (`transform: 'rq-spline'`) are exported with the same graphs:
 * softmax, cumulative sums and softplus build the knots, the bin is the count of interior knots ≤ the
 * value, its knots are gathered, and the bin formula (forward) or the stable quadratic root (inverse)
 * is evaluated in float32, identity outside [−B, B] (see {@link splineOnnx}).
 */
import { MafLayout, type FittedFlow, type FlowEnsemble } from '../flows/index.js';
import { SPLINE_MIN_BIN_WIDTH, SPLINE_MIN_BIN_HEIGHT, SPLINE_MIN_DERIVATIVE, SPLINE_DERIVATIVE_SHIFT } from '../flows/spline.js';
import { ConfigError } from '../../util/errors.js';
import { OnnxGraphBuilder, encodeModel, valueInfo } from './graph.js';

/** Which computation the exported graph performs. */
export type FlowOnnxGraph = 'logProb' | 'sample';

export interface FlowOnnxExportOptions {
  /** 'logProb' (default) or 'sample'. */
  graph?: FlowOnnxGraph;
  /** Stored as producer_name (default 'sidewinder'). */
  producerName?: string;
}

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Per-flow constants of the min–max → logit → standardise transform, as float32 or float64 tensors
 * (the density graph preprocesses in float64: near the range edges float32 (x − min) loses digits).
 */
function preprocessingConstants(g: OnnxGraphBuilder, f: FittedFlow, precision: 'float' | 'double') {
  const p = f.preprocessing, D = f.dims;
  const range = p.max.map((v, j) => v - p.min[j]);
  const t = (name: string, dims: number[], v: ArrayLike<number>) => (precision === 'double' ? g.double(name, dims, v) : g.float(name, dims, v));
  return {
    min: t('pre_min', [D], p.min),
    range: t('pre_range', [D], range),
    logitMean: t('pre_logit_mean', [D], p.logitMean),
    logitStd: t('pre_logit_std', [D], p.logitStd),
    mMean: t('pre_m_mean', [1], [p.mMean]),
    mStd: t('pre_m_std', [1], [p.mStd]),
    /** Constant part of log|∂y/∂x|: −Σ_j (log range_j + log σ_j). */
    constJacobian: () => t('const_jacobian', [1], [-range.reduce((a, r, j) => a + Math.log(r) + Math.log(p.logitStd[j]), 0)]),
  };
}

/** Per block of one kept epoch: weights sliced out of the flat parameter vector. */
function blockWeights(layout: MafLayout, params: Float32Array, k: number) {
  const { D, C, H, P, off } = layout;
  const base = k * layout.blockSize;
  const at = (o: number, n: number) => params.subarray(base + o, base + o + n);
  return {
    w1: at(off.w1, (D + C) * H), b1: at(off.b1, H), w2: at(off.w2, H * H), b2: at(off.b2, H),
    w3: at(off.w3, H * P * D), b3: at(off.b3, P * D), logGamma: at(off.logGamma, D), beta: at(off.beta, D),
  };
}

const range = (a: number, b: number): number[] => Array.from({ length: b - a }, (_, i) => a + i);

/**
 * Split the rows of each input into `parts` consecutive shares with bounds ⌊kN/parts⌋ (N read from
 * the first input's shape at run time) and call `body` on each share; returns the body outputs.
 */
function splitRows(g: OnnxGraphBuilder, inputs: string[], parts: number, body: (share: string[], k: number) => string): string[] {
  if (parts === 1) return [body(inputs, 0)];
  const n = g.op('Slice', [g.op('Shape', [inputs[0]]), g.int64('zero', [0]), g.int64('one', [1])]);
  const axis0 = g.int64('axis0', [0]);
  const bound = (k: number) => (k === 0 ? g.int64('zero', [0]) : k === parts ? n : g.op('Div', [g.op('Mul', [n, g.int64('k', [k])]), g.int64('parts', [parts])]));
  const bounds = range(0, parts + 1).map(bound);
  return range(0, parts).map((k) => body(inputs.map((t) => g.op('Slice', [t, bounds[k], bounds[k + 1], axis0])), k));
}

/**
 * Inference-mode batch norm of block b of one kept epoch, per dimension: σ_j = √(var_j + ε), γ_j,
 * and the running mean and β_j (the density pass maps u → (u − mean)/σ·γ + β, sampling inverts it).
 */
function batchNormTerms(member: FittedFlow['members'][number], w: ReturnType<typeof blockWeights>, b: number, D: number, eps: number) {
  const st = b * 2 * D;
  return range(0, D).map((j) => ({ sigma: Math.sqrt(member.bnStats[st + D + j] + eps), gamma: Math.exp(w.logGamma[j]), mean: member.bnStats[st + j], beta: w.beta[j] }));
}

/** Columns `cols` (in that order) of rows `rows` of a row-major matrix with `width` columns. */
function columns(w: ArrayLike<number>, width: number, rows: readonly number[], cols: readonly number[]): number[] {
  const out: number[] = [];
  for (const r of rows) for (const c of cols) out.push(w[r * width + c]);
  return out;
}

/**
 * The rational-quadratic spline of lib/ml/flows/spline.ts on M columns at once: θ [N, 3K − 1, M]
 * (widths, heights, interior derivatives along axis 1) and v [N, M]. 'forward' returns y = f(v) and
 * log f'(v); 'inverse' returns f⁻¹(v) (the log-derivative is then not built). Identity outside [−B, B].
 */
function splineOnnx(g: OnnxGraphBuilder, theta: string, v: string, K: number, B: number, direction: 'forward' | 'inverse'): { out: string; logDerivative: string | null } {
  const f = (x: number) => g.float('c', [1], [x]);
  const axis1 = g.int64('axis1', [1]);
  const slice = (t: string, a: number, b: number) => g.op('Slice', [t, g.int64('start', [a]), g.int64('end', [b]), axis1]);
  const add = (a: string, b: string) => g.op('Add', [a, b]), sub = (a: string, b: string) => g.op('Sub', [a, b]);
  const mul = (a: string, b: string) => g.op('Mul', [a, b]), div = (a: string, b: string) => g.op('Div', [a, b]);
  // Knots −B = c_0 < … < c_K = B from a softmax with a minimum bin size: [N, K + 1, M].
  const knots = (logits: string, minBin: number, zeros: string) => {
    const cum = g.op('CumSum', [add(mul(g.op('Softmax', [logits], { axis: 1 }), f(1 - minBin * K)), f(minBin)), axis1]);
    const interior = sub(mul(slice(cum, 0, K - 1), f(2 * B)), f(B));
    return g.op('Concat', [sub(zeros, f(B)), interior, add(zeros, f(B))], { axis: 1 });
  };
  const wl = slice(theta, 0, K), hl = slice(theta, K, 2 * K), dl = slice(theta, 2 * K, 3 * K - 1);
  const zeros = mul(slice(wl, 0, 1), f(0)); // [N, 1, M]
  const cw = knots(wl, SPLINE_MIN_BIN_WIDTH, zeros), ch = knots(hl, SPLINE_MIN_BIN_HEIGHT, zeros);
  const ones = add(zeros, f(1));
  const dk = g.op('Concat', [ones, add(g.op('Softplus', [add(dl, f(SPLINE_DERIVATIVE_SHIFT))]), f(SPLINE_MIN_DERIVATIVE)), ones], { axis: 1 });
  const v3 = g.op('Unsqueeze', [v, axis1]); // [N, 1, M]
  // Bin k = number of interior knots ≤ v (of x-knots forward, y-knots inverse).
  const search = direction === 'forward' ? cw : ch;
  const count = g.op('ReduceSum', [g.op('Cast', [g.op('GreaterOrEqual', [v3, slice(search, 1, K)])], { to: FLOAT }), axis1], { keepdims: 1 });
  const k0 = g.op('Cast', [count], { to: INT64 });
  const k1 = g.op('Add', [k0, g.int64('one', [1])]);
  const gather = (t: string, i: string) => g.op('GatherElements', [t, i], { axis: 1 });
  const x0 = gather(cw, k0), w = sub(gather(cw, k1), x0);
  const y0 = gather(ch, k0), h = sub(gather(ch, k1), y0);
  const d0 = gather(dk, k0), d1 = gather(dk, k1);
  const s = div(h, w);
  const delta = sub(add(d0, d1), mul(f(2), s));
  const inside = g.op('And', [g.op('GreaterOrEqual', [v3, f(-B)]), g.op('LessOrEqual', [v3, f(B)])]);
  const squeeze = (t: string) => g.op('Squeeze', [t, axis1]);
  if (direction === 'forward') {
    const xi = div(sub(v3, x0), w), omx = sub(f(1), xi);
    const t = mul(xi, omx), xi2 = mul(xi, xi);
    const den = add(s, mul(delta, t));
    const y = add(y0, div(mul(h, add(mul(s, xi2), mul(d0, t))), den));
    const nd = add(add(mul(d1, xi2), mul(mul(f(2), s), t)), mul(d0, mul(omx, omx)));
    const ld = sub(add(mul(f(2), g.op('Log', [s])), g.op('Log', [nd])), mul(f(2), g.op('Log', [den])));
    return { out: squeeze(g.op('Where', [inside, y, v3])), logDerivative: squeeze(g.op('Where', [inside, ld, f(0)])) };
  }
  const dy = sub(v3, y0);
  const a = add(mul(h, sub(s, d0)), mul(dy, delta));
  const b = sub(mul(h, d0), mul(dy, delta));
  const c = g.op('Neg', [mul(s, dy)]);
  const disc = g.op('Max', [sub(mul(b, b), mul(f(4), mul(a, c))), f(0)]);
  const xi = g.op('Clip', [div(mul(f(2), c), sub(g.op('Neg', [b]), g.op('Sqrt', [disc]))), f(0), f(1)]);
  return { out: squeeze(g.op('Where', [inside, add(x0, mul(xi, w)), v3])), logDerivative: null };
}

/** The affine log-scale α from the MADE output a: A − softplus(A − a) when bounded (lib/ml/flows/maf.ts boundedLogScale). */
function boundedAlpha(g: OnnxGraphBuilder, layout: MafLayout, raw: string): string {
  const A = layout.maxLogScale;
  if (A === Infinity) return raw;
  const bound = g.float('alpha_bound', [1], [A]);
  return g.op('Sub', [bound, g.op('Softplus', [g.op('Sub', [bound, raw])])]);
}

/** log p of one kept epoch in the flow's space: y [N, D], c [N, C] → [N, 1]. */
function memberLogProb(g: OnnxGraphBuilder, layout: MafLayout, f: FittedFlow, k: number, y: string, c: string): string {
  const { D, C, H, K, P, spline } = layout;
  const member = f.members[k];
  const eps = f.options.batchNormEps;
  const reverse = g.int64('reverse', range(0, D).reverse());
  let z = y;
  let constant = -D * HALF_LOG_2PI;
  const alphas: string[] = [], logDerivatives: string[] = [];
  for (let b = 0; b < K; b++) {
    const w = blockWeights(layout, member.params, b);
    const tag = `m${k}_b${b}`;
    const h1 = g.op('Relu', [g.op('Gemm', [g.op('Concat', [z, c], { axis: 1 }), g.float(`${tag}_W1`, [D + C, H], w.w1), g.float(`${tag}_b1`, [H], w.b1)])]);
    const h2 = g.op('Relu', [g.op('Gemm', [h1, g.float(`${tag}_W2`, [H, H], w.w2), g.float(`${tag}_b2`, [H], w.b2)])]);
    const all = range(0, H);
    let u: string;
    if (spline) {
      // θ: columns p·D + d → [N, P, D].
      const theta = g.op('Reshape', [g.op('Gemm', [h2, g.float(`${tag}_W3`, [H, P * D], w.w3), g.float(`${tag}_b3`, [P * D], w.b3)]), g.int64('theta_shape', [0, P, D])]);
      const r = splineOnnx(g, theta, z, spline.bins, spline.bound, 'forward');
      u = r.out;
      logDerivatives.push(r.logDerivative as string);
    } else {
      const mu = g.op('Gemm', [h2, g.float(`${tag}_W3mu`, [H, D], columns(w.w3, 2 * D, all, range(0, D))), g.float(`${tag}_b3mu`, [D], w.b3.subarray(0, D))]);
      const alpha = boundedAlpha(g, layout, g.op('Gemm', [h2, g.float(`${tag}_W3alpha`, [H, D], columns(w.w3, 2 * D, all, range(D, 2 * D))), g.float(`${tag}_b3alpha`, [D], w.b3.subarray(D, 2 * D))]));
      alphas.push(alpha);
      u = g.op('Mul', [g.op('Sub', [z, mu]), g.op('Exp', [g.op('Neg', [alpha])])]);
    }
    // Inference-mode batch norm y_j = (u_j − mean_j)/s_j·γ_j + β_j as one scale and shift, then the
    // reversal: z'[:, D−1−j] = y_j.
    const bn = batchNormTerms(member, w, b, D, eps);
    const scale = bn.map((t) => t.gamma / t.sigma), shift = bn.map((t) => t.beta - (t.mean * t.gamma) / t.sigma);
    for (let j = 0; j < D; j++) constant += w.logGamma[j] - Math.log(bn[j].sigma);
    z = g.op('Gather', [g.op('Add', [g.op('Mul', [u, g.float(`${tag}_bn_scale`, [D], scale)]), g.float(`${tag}_bn_shift`, [D], shift)]), reverse], { axis: 1 });
  }
  const halfZ2 = g.op('Mul', [g.op('ReduceSumSquare', [z], { axes: [1], keepdims: 1 }), g.float('half', [1], [0.5])]);
  if (spline) {
    const sumLd = g.op('ReduceSum', [g.op('Concat', logDerivatives, { axis: 1 }), g.int64('axis1', [1])], { keepdims: 1 });
    return g.op('Sub', [g.op('Add', [g.float(`m${k}_log_det_constant`, [1], [constant]), sumLd]), halfZ2]);
  }
  const sumAlpha = g.op('ReduceSum', [g.op('Concat', alphas, { axis: 1 }), g.int64('axis1', [1])], { keepdims: 1 });
  return g.op('Sub', [g.op('Sub', [g.float(`m${k}_log_det_constant`, [1], [constant]), sumAlpha]), halfZ2]);
}

/** log of the mean of exp over the columns of [N, M] → [N, 1]. */
function logMeanExp(g: OnnxGraphBuilder, columns: string[]): string {
  if (columns.length === 1) return columns[0];
  const lse = g.op('ReduceLogSumExp', [g.op('Concat', columns, { axis: 1 })], { axes: [1], keepdims: 1 });
  return g.op('Sub', [lse, g.float('log_members', [1], [Math.log(columns.length)])]);
}

const FLOAT = 1, INT64 = 7, DOUBLE = 11;

/** Build log p(x | m) of one flow into the graph: returns (value [N, 1] float32, valid [N, 1] bool). */
function flowLogProb(g: OnnxGraphBuilder, f: FittedFlow, x: string, m: string): { value: string; valid: string } {
  const layout = new MafLayout(f.shape);
  const p = preprocessingConstants(g, f, 'double');
  const one = g.double('one', [1], [1]);
  const s = g.op('Div', [g.op('Sub', [g.op('Cast', [x], { to: DOUBLE }), p.min]), p.range]);
  const logS = g.op('Log', [s]), log1mS = g.op('Log', [g.op('Sub', [one, s])]);
  const y = g.op('Cast', [g.op('Div', [g.op('Sub', [g.op('Sub', [logS, log1mS]), p.logitMean]), p.logitStd])], { to: FLOAT });
  const c = g.op('Cast', [g.op('Div', [g.op('Sub', [g.op('Cast', [m], { to: DOUBLE }), p.mMean]), p.mStd])], { to: FLOAT });
  const jacobian = g.op('Sub', [p.constJacobian(), g.op('ReduceSum', [g.op('Add', [logS, log1mS]), g.int64('axis1', [1])], { keepdims: 1 })]);
  const members = f.members.map((_, k) => memberLogProb(g, layout, f, k, y, c));
  const value = g.op('Cast', [g.op('Add', [g.op('Cast', [logMeanExp(g, members)], { to: DOUBLE }), jacobian])], { to: FLOAT });
  // Inside the training range: every scaled feature strictly in (0, 1) (false for NaN) and finite m.
  const allTrue = (b: string) => g.op('Greater', [g.op('ReduceMin', [g.op('Cast', [b], { to: FLOAT })], { axes: [1], keepdims: 1 }), g.float('half', [1], [0.5])]);
  const inside = allTrue(g.op('And', [g.op('Greater', [s, g.double('zero', [1], [0])]), g.op('Less', [s, one])]));
  const finiteM = allTrue(g.op('Not', [g.op('Or', [g.op('IsNaN', [m]), g.op('IsInf', [m])])]));
  return { value, valid: g.op('And', [inside, finiteM]) };
}

/** Inverse of one kept epoch: base-space z [n, D], standardised c [n, C] → flow-space y [n, D]. */
function memberInverse(g: OnnxGraphBuilder, layout: MafLayout, f: FittedFlow, k: number, z: string, c: string): string {
  const { D, C, H, K, P, spline, hiddenDegree } = layout;
  const member = f.members[k];
  const eps = f.options.batchNormEps;
  const condRows = range(D, D + C);
  let cur = z;
  for (let b = K - 1; b >= 0; b--) {
    const w = blockWeights(layout, member.params, b);
    const tag = `m${k}_b${b}`;
    // Undo the reversal and batch norm: u_j = (z[:, D−1−j] − β_j)/γ_j·s_j + mean_j.
    const bn = batchNormTerms(member, w, b, D, eps);
    const scale = bn.map((t) => t.sigma / t.gamma), shift = bn.map((t) => t.mean - (t.beta * t.sigma) / t.gamma);
    const u = g.op('Add', [g.op('Mul', [g.op('Gather', [cur, g.int64('reverse', range(0, D).reverse())], { axis: 1 }), g.float(`${tag}_inv_scale`, [D], scale)]), g.float(`${tag}_inv_shift`, [D], shift)]);
    const x: string[] = [];
    for (let d = 0; d < D; d++) {
      const ud = g.op('Gather', [u, g.int64('column', [d])], { axis: 1 });
      // Output d sees the hidden units of degree < d, which see x_0..x_{d−1} and the condition only.
      let units = 0;
      while (units < H && hiddenDegree[units] < d) units++;
      const hidden = range(0, units);
      /** Second hidden layer of those units, from x_0..x_{d−1} and the condition: [n, units]. */
      const prefixHidden = (): string => {
        const rows = [...range(0, d), ...condRows];
        const inp = d === 0 ? c : g.op('Concat', [...x, c], { axis: 1 });
        const h1 = g.op('Relu', [g.op('Gemm', [inp, g.float(`${tag}_d${d}_W1`, [rows.length, units], columns(w.w1, H, rows, hidden)), g.float(`${tag}_d${d}_b1`, [units], w.b1.subarray(0, units))])]);
        return g.op('Relu', [g.op('Gemm', [h1, g.float(`${tag}_d${d}_W2`, [units, units], columns(w.w2, H, hidden, hidden)), g.float(`${tag}_d${d}_b2`, [units], w.b2.subarray(0, units))])]);
      };
      if (spline) {
        // θ of dimension d: columns p·D + d of W3 → [n, P, 1].
        const cols = range(0, P).map((p) => p * D + d), bias = columns(w.b3, P * D, [0], cols);
        const theta = units === 0
          ? g.op('Add', [g.op('Mul', [g.op('Unsqueeze', [ud, g.int64('axis1', [1])]), g.float('c', [1], [0])]), g.float(`${tag}_theta${d}`, [1, P, 1], bias)])
          : g.op('Unsqueeze', [g.op('Gemm', [prefixHidden(), g.float(`${tag}_d${d}_W3`, [units, P], columns(w.w3, P * D, hidden, cols)), g.float(`${tag}_d${d}_b3`, [P], bias)]), g.int64('axis2', [2])]);
        x.push(splineOnnx(g, theta, ud, spline.bins, spline.bound, 'inverse').out);
        continue;
      }
      let mu: string, alpha: string;
      if (units === 0) {
        mu = g.float(`${tag}_mu${d}`, [1], [w.b3[d]]);
        alpha = g.float(`${tag}_alpha${d}`, [1], [w.b3[D + d]]);
      } else {
        const h2 = prefixHidden();
        mu = g.op('Gemm', [h2, g.float(`${tag}_d${d}_W3mu`, [units, 1], columns(w.w3, 2 * D, hidden, [d])), g.float(`${tag}_d${d}_b3mu`, [1], [w.b3[d]])]);
        alpha = g.op('Gemm', [h2, g.float(`${tag}_d${d}_W3alpha`, [units, 1], columns(w.w3, 2 * D, hidden, [D + d])), g.float(`${tag}_d${d}_b3alpha`, [1], [w.b3[D + d]])]);
      }
      x.push(g.op('Add', [g.op('Mul', [ud, g.op('Exp', [boundedAlpha(g, layout, alpha)])]), mu]));
    }
    cur = D === 1 ? x[0] : g.op('Concat', x, { axis: 1 });
  }
  return cur;
}

/** Samples of one flow: z [n, D], m [n, C] → x [n, D] in original units. */
function flowSample(g: OnnxGraphBuilder, f: FittedFlow, z: string, m: string): string {
  const layout = new MafLayout(f.shape);
  const p = preprocessingConstants(g, f, 'float');
  const c = g.op('Div', [g.op('Sub', [m, p.mMean]), p.mStd]);
  const parts = splitRows(g, [z, c], f.members.length, ([zk, ck], k) => memberInverse(g, layout, f, k, zk, ck));
  const y = parts.length === 1 ? parts[0] : g.op('Concat', parts, { axis: 0 });
  const scaled = g.op('Sigmoid', [g.op('Add', [g.op('Mul', [y, p.logitStd]), p.logitMean])]);
  return g.op('Add', [g.op('Mul', [scaled, p.range]), p.min]);
}

const flowsOf = (density: FittedFlow | FlowEnsemble): readonly FittedFlow[] =>
  density.kind === 'conditional-maf-ensemble' ? density.flows : [density];

/**
 * Serialise a trained flow (or flow ensemble) as ONNX protobuf bytes.
 * @example
 * const bytes = exportFlowToOnnx(flow, { graph: 'logProb' });
 * const session = await ort.InferenceSession.create(bytes);
 * const { log_prob } = await session.run({ x: new ort.Tensor('float32', x, [n, d]), m: new ort.Tensor('float32', m, [n, 1]) });
 */
export function exportFlowToOnnx(density: FittedFlow | FlowEnsemble, opts: FlowOnnxExportOptions = {}): Uint8Array {
  const graph = opts.graph ?? 'logProb';
  if (graph !== 'logProb' && graph !== 'sample') throw new ConfigError(`exportFlowToOnnx: graph must be "logProb" or "sample", got ${JSON.stringify(graph)}`);
  const flows = flowsOf(density);
  const D = flows[0].dims, C = flows[0].shape.condDims;
  flows.forEach((f, k) => {
    if (f.shape.condDims !== C) throw new ConfigError(`exportFlowToOnnx: flow ${k} of the ensemble has ${f.shape.condDims} condition(s), flow 0 has ${C}`);
    // The graphs encode the min–max → logit preprocessing only.
    const other = f.preprocessing.gaussianize ? 'gaussianize' : f.preprocessing.link;
    if (other) throw new ConfigError(`exportFlowToOnnx: flow ${k} maps its features with featureTransform "${other}", which the ONNX graphs do not encode; export a flow trained with "logit"`);
  });
  const g = new OnnxGraphBuilder();
  const description = `sidewinder conditional MAF: ${flows.length} flow(s) × ${flows.map((f) => f.members.length).join('/')} kept epochs, ` +
    `${flows[0].shape.blocks} MADE blocks × ${flows[0].shape.hidden} hidden, ${D} features, ${C} condition(s)` +
    (flows[0].shape.spline ? `, rational-quadratic spline blocks (${flows[0].shape.spline.bins} bins, tail bound ${flows[0].shape.spline.bound})` : '');
  const metadata = {
    'sidewinder.kind': density.kind,
    'sidewinder.graph': graph,
    'sidewinder.flows': String(flows.length),
    'sidewinder.shape': JSON.stringify(flows[0].shape),
  };
  const sizes = { inputs: [] as object[], outputs: [] as object[] };
  if (graph === 'logProb') {
    const per = flows.map((f) => flowLogProb(g, f, 'x', 'm'));
    const negInf = g.float('minus_infinity', [1], [-Infinity]);
    let out: string;
    if (per.length === 1) out = g.op('Where', [per[0].valid, per[0].value, negInf]);
    else {
      const any = per.slice(1).reduce((a, p) => g.op('Or', [a, p.valid]), per[0].valid);
      const mixture = logMeanExp(g, per.map((p) => g.op('Where', [p.valid, p.value, negInf])));
      out = g.op('Where', [any, mixture, negInf]);
    }
    g.op('Reshape', [out, g.int64('flat', [-1])], {}, 'log_prob');
    sizes.inputs.push(valueInfo('x', ['N', D]), valueInfo('m', ['N', C]));
    sizes.outputs.push(valueInfo('log_prob', ['N']));
  } else {
    const parts = splitRows(g, ['z', 'm'], flows.length, ([zk, mk], k) => flowSample(g, flows[k], zk, mk));
    g.op('Identity', [parts.length === 1 ? parts[0] : g.op('Concat', parts, { axis: 0 })], {}, 'x');
    sizes.inputs.push(valueInfo('z', ['N', D]), valueInfo('m', ['N', C]));
    sizes.outputs.push(valueInfo('x', ['N', D]));
  }
  return encodeModel(g, {
    producerName: opts.producerName,
    graphName: `sidewinder_flow_${graph}`,
    docString: `${description}; ${graph === 'logProb' ? 'output log_prob = log p(x | m)' : 'output x = events for base-space noise z'}`,
    inputs: sizes.inputs,
    outputs: sizes.outputs,
    metadata,
  });
}
