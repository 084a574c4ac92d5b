/**
 * Export a trained conditional MAF ({@link FittedFlow}) or an ensemble of them ({@link FlowEnsemble})
 * to ONNX (opset 13), so the CATHODE background model runs in onnxruntime, or anywhere else ONNX runs.
 *
 * Two graphs, both float32 with a symbolic batch N and the preprocessing inside:
 * - `logProb`: inputs `x` [N, D] (original feature units) and `m` [N, C] (the condition, e.g. m_JJ
 *   in TeV) → `log_prob` [N] = log p(x | m) of the equal-weight mixture of the kept epochs (and of the
 *   flows of an ensemble), including the min–max/logit/standardise log-Jacobian; −∞ outside the
 *   training range, as {@link FittedFlow.logProb}. Batch norm is in inference mode (running
 *   statistics), so each block adds a constant log-determinant.
 * - `sample`: inputs `z` [N, D] (standard-normal base-space draws) and `m` [N, C] → `x` [N, D]
 *   events in original units; the rows are shared between flows and kept epochs exactly as
 *   {@link FittedFlow.sampleFromNoise} shares them (row bounds ⌊kN/K⌋ computed in the graph). Each
 *   MADE inverse is D passes, pass d using only the hidden units of MADE degree < d.
 */
import { MafLayout, type FittedFlow, type FlowEnsemble } from '../flows/index.js';
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
  const { D, C, H, off } = layout;
  const base = k * layout.blockSize;
  const at = (o: number, n: number) => params.subarray(base + o, base + o + n);
  return {
    w1: at(off.w1, (D + C) * H), b1: at(off.b1, H), w2: at(off.w2, H * H), b2: at(off.b2, H),
    w3: at(off.w3, H * 2 * D), b3: at(off.b3, 2 * D), logGamma: at(off.logGamma, D), beta: at(off.beta, D),
  };
}

/** Rows [r0, r1) × columns [c0, c1) of a row-major matrix with `cols` columns. */
function submatrix(w: ArrayLike<number>, cols: number, rows: readonly number[], c0: number, c1: number): number[] {
  const out: number[] = [];
  for (const r of rows) for (let c = c0; c < c1; c++) out.push(w[r * cols + c]);
  return out;
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

/** log p of one kept epoch in the flow's space: y [N, D], c [N, C] → [N, 1]. */
function memberLogProb(g: OnnxGraphBuilder, layout: MafLayout, f: FittedFlow, k: number, y: string, c: string): string {
  const { D, C, H, K } = layout;
  const member = f.members[k];
  const eps = f.options.batchNormEps;
  const reverse = g.int64('reverse', range(0, D).reverse());
  let z = y;
  let constant = -D * HALF_LOG_2PI;
  const alphas: string[] = [];
  for (let b = 0; b < K; b++) {
    const w = blockWeights(layout, member.params, b);
    const tag = `m${k}_b${b}`;
    const h1 = g.op('Relu', [g.op('Gemm', [g.op('Concat', [z, c], { axis: 1 }), g.float(`${tag}_W1`, [D + C, H], w.w1), g.float(`${tag}_b1`, [H], w.b1)])]);
    const h2 = g.op('Relu', [g.op('Gemm', [h1, g.float(`${tag}_W2`, [H, H], w.w2), g.float(`${tag}_b2`, [H], w.b2)])]);
    const all = range(0, H);
    const mu = g.op('Gemm', [h2, g.float(`${tag}_W3mu`, [H, D], submatrix(w.w3, 2 * D, all, 0, D)), g.float(`${tag}_b3mu`, [D], w.b3.subarray(0, D))]);
    const alpha = g.op('Gemm', [h2, g.float(`${tag}_W3alpha`, [H, D], submatrix(w.w3, 2 * D, all, D, 2 * D)), g.float(`${tag}_b3alpha`, [D], w.b3.subarray(D, 2 * D))]);
    alphas.push(alpha);
    const u = g.op('Mul', [g.op('Sub', [z, mu]), g.op('Exp', [g.op('Neg', [alpha])])]);
    // Inference-mode batch norm y_j = (u_j − mean_j)/s_j·γ_j + β_j as one scale and shift, then the
    // reversal: z'[:, D−1−j] = y_j.
    const st = b * 2 * D;
    const scale: number[] = [], shift: number[] = [];
    for (let j = 0; j < D; j++) {
      const s = Math.sqrt(member.bnStats[st + D + j] + eps), gamma = Math.exp(w.logGamma[j]);
      scale.push(gamma / s);
      shift.push(w.beta[j] - (member.bnStats[st + j] * gamma) / s);
      constant += w.logGamma[j] - Math.log(s);
    }
    z = g.op('Gather', [g.op('Add', [g.op('Mul', [u, g.float(`${tag}_bn_scale`, [D], scale)]), g.float(`${tag}_bn_shift`, [D], shift)]), reverse], { axis: 1 });
  }
  const sumAlpha = g.op('ReduceSum', [g.op('Concat', alphas, { axis: 1 }), g.int64('axis1', [1])], { keepdims: 1 });
  const halfZ2 = g.op('Mul', [g.op('ReduceSumSquare', [z], { axes: [1], keepdims: 1 }), g.float('half', [1], [0.5])]);
  return g.op('Sub', [g.op('Sub', [g.float(`m${k}_log_det_constant`, [1], [constant]), sumAlpha]), halfZ2]);
}

/** log of the mean of exp over the columns of [N, M] → [N, 1]. */
function logMeanExp(g: OnnxGraphBuilder, columns: string[]): string {
  if (columns.length === 1) return columns[0];
  const lse = g.op('ReduceLogSumExp', [g.op('Concat', columns, { axis: 1 })], { axes: [1], keepdims: 1 });
  return g.op('Sub', [lse, g.float('log_members', [1], [Math.log(columns.length)])]);
}

const FLOAT = 1, DOUBLE = 11;

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
  const { D, C, H, K, hiddenDegree } = layout;
  const member = f.members[k];
  const eps = f.options.batchNormEps;
  const condRows = range(D, D + C);
  let cur = z;
  for (let b = K - 1; b >= 0; b--) {
    const w = blockWeights(layout, member.params, b);
    const tag = `m${k}_b${b}`;
    // Undo the reversal and batch norm: u_j = (z[:, D−1−j] − β_j)/γ_j·s_j + mean_j.
    const st = b * 2 * D;
    const scale: number[] = [], shift: number[] = [];
    for (let j = 0; j < D; j++) {
      const s = Math.sqrt(member.bnStats[st + D + j] + eps), gamma = Math.exp(w.logGamma[j]);
      scale.push(s / gamma);
      shift.push(member.bnStats[st + j] - (w.beta[j] * s) / gamma);
    }
    const u = g.op('Add', [g.op('Mul', [g.op('Gather', [cur, g.int64('reverse', range(0, D).reverse())], { axis: 1 }), g.float(`${tag}_inv_scale`, [D], scale)]), g.float(`${tag}_inv_shift`, [D], shift)]);
    const x: string[] = [];
    for (let d = 0; d < D; d++) {
      const ud = g.op('Gather', [u, g.int64('column', [d])], { axis: 1 });
      // Output d sees the hidden units of degree < d, which see x_0..x_{d−1} and the condition only.
      let units = 0;
      while (units < H && hiddenDegree[units] < d) units++;
      let mu: string, alpha: string;
      if (units === 0) {
        mu = g.float(`${tag}_mu${d}`, [1], [w.b3[d]]);
        alpha = g.float(`${tag}_alpha${d}`, [1], [w.b3[D + d]]);
      } else {
        const rows = [...range(0, d), ...condRows];
        const inp = d === 0 ? c : g.op('Concat', [...x, c], { axis: 1 });
        const h1 = g.op('Relu', [g.op('Gemm', [inp, g.float(`${tag}_d${d}_W1`, [rows.length, units], submatrix(w.w1, H, rows, 0, units)), g.float(`${tag}_d${d}_b1`, [units], w.b1.subarray(0, units))])]);
        const h2 = g.op('Relu', [g.op('Gemm', [h1, g.float(`${tag}_d${d}_W2`, [units, units], submatrix(w.w2, H, range(0, units), 0, units)), g.float(`${tag}_d${d}_b2`, [units], w.b2.subarray(0, units))])]);
        mu = g.op('Gemm', [h2, g.float(`${tag}_d${d}_W3mu`, [units, 1], submatrix(w.w3, 2 * D, range(0, units), d, d + 1)), g.float(`${tag}_d${d}_b3mu`, [1], [w.b3[d]])]);
        alpha = g.op('Gemm', [h2, g.float(`${tag}_d${d}_W3alpha`, [units, 1], submatrix(w.w3, 2 * D, range(0, units), D + d, D + d + 1)), g.float(`${tag}_d${d}_b3alpha`, [1], [w.b3[D + d]])]);
      }
      x.push(g.op('Add', [g.op('Mul', [ud, g.op('Exp', [alpha])]), mu]));
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
  if (flows.some((f) => f.shape.spline))
    throw new ConfigError('exportFlowToOnnx: only affine MAF flows can be exported; this flow has rational-quadratic spline blocks (transform "rq-spline")');
  const D = flows[0].dims, C = flows[0].shape.condDims;
  const g = new OnnxGraphBuilder();
  const description = `sidewinder conditional MAF: ${flows.length} flow(s) × ${flows.map((f) => f.members.length).join('/')} kept epochs, ` +
    `${flows[0].shape.blocks} MADE blocks × ${flows[0].shape.hidden} hidden, ${D} features, ${C} condition(s)`;
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
