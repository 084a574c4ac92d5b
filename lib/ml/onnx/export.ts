/**
 * Export a trained {@link FittedMlp} to an ONNX model (opset 13): input `x` [N, d] float32, output
 * `proba` [N, 1] float32 = the epoch ensemble's mean probability. The standardisation is part of the
 * graph (Sub, Div), each kept epoch is a chain Gemm → Relu → … → Gemm → Sigmoid, and the chains are
 * averaged with Mean. Runs in onnxruntime with the same outputs as `predictProba` (|Δ| < 1e-5).
 */
import type { FittedMlp } from '../nn/mlp.js';
import { OnnxGraphBuilder, encodeModel, valueInfo } from './graph.js';

export { ONNX_OPSET, ONNX_IR_VERSION } from './graph.js';

export interface OnnxExportOptions {
  /** Graph input name (default 'x'). */
  inputName?: string;
  /** Graph output name (default 'proba'). */
  outputName?: string;
  /** Stored as producer_name (default 'sidewinder'). */
  producerName?: string;
}

/** Serialise the model as ONNX protobuf bytes. */
export function exportMlpToOnnx(model: FittedMlp, opts: OnnxExportOptions = {}): Uint8Array {
  const input = opts.inputName ?? 'x', output = opts.outputName ?? 'proba';
  const sizes = model.sizes, d = sizes[0], L = sizes.length - 1;
  const g = new OnnxGraphBuilder();
  const mean = g.float('standardise_mean', [d], model.standardisation.mean);
  const std = g.float('standardise_std', [d], model.standardisation.std);
  const standardised = g.op('Div', [g.op('Sub', [input, mean]), std]);
  const heads: string[] = [];
  model.snapshots.forEach((snap, k) => {
    let h = standardised;
    let o = 0;
    for (let l = 0; l < L; l++) {
      const nIn = sizes[l], nOut = sizes[l + 1];
      const w = g.float(`e${k}_W${l}`, [nIn, nOut], snap.params.subarray(o, o + nIn * nOut));
      o += nIn * nOut;
      const b = g.float(`e${k}_b${l}`, [nOut], snap.params.subarray(o, o + nOut));
      o += nOut;
      const z = g.op('Gemm', [h, w, b]);
      if (l + 1 < L) h = g.op('Relu', [z]);
      else heads.push(g.op('Sigmoid', [z], {}, model.snapshots.length === 1 ? output : undefined));
    }
  });
  if (heads.length > 1) g.op('Mean', heads, {}, output);
  return encodeModel(g, {
    producerName: opts.producerName,
    graphName: 'sidewinder_mlp',
    docString: `sidewinder MLP ${sizes.join('-')}, epoch ensemble of ${model.snapshots.length}; output = P(label = 1 | x)`,
    inputs: [valueInfo(input, ['N', d])],
    outputs: [valueInfo(output, ['N', 1])],
    metadata: {
      'sidewinder.kind': 'mlp',
      'sidewinder.sizes': JSON.stringify(sizes),
      'sidewinder.epochs': JSON.stringify(model.snapshots.map((s) => s.epoch)),
    },
  });
}
