/**
 * Export a trained {@link FittedMlp} to an ONNX model (opset 13): input `x` [N, d] float32, output
 * `proba` [N, 1] float32 = the epoch ensemble's mean probability. The standardisation is part of the
 * graph (Sub, Div), each kept epoch is a chain Gemm → Relu → … → Gemm → Sigmoid, and the chains are
 * averaged with Mean. Runs in onnxruntime with the same outputs as `predictProba` (|Δ| < 1e-5).
 */
import type { FittedMlp } from '../nn/mlp.js';
import { ModelProto, OnnxDataType } from './proto.js';

export interface OnnxExportOptions {
  /** Graph input name (default 'x'). */
  inputName?: string;
  /** Graph output name (default 'proba'). */
  outputName?: string;
  /** Stored as producer_name (default 'sidewinder'). */
  producerName?: string;
}

/** ONNX opset the exporter writes. */
export const ONNX_OPSET = 13;
/** IR version matching opset 13 (ONNX 1.8). */
export const ONNX_IR_VERSION = 7;

const floatTensor = (name: string, dims: number[], values: ArrayLike<number>) => {
  const f = Float32Array.from(values);
  return { name, dims, dataType: OnnxDataType.FLOAT, rawData: new Uint8Array(f.buffer) };
};

const valueInfo = (name: string, dims: (number | string)[]) => ({
  name,
  type: { tensorType: { elemType: OnnxDataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
});

/** Serialise the model as ONNX protobuf bytes. */
export function exportMlpToOnnx(model: FittedMlp, opts: OnnxExportOptions = {}): Uint8Array {
  const input = opts.inputName ?? 'x', output = opts.outputName ?? 'proba';
  const sizes = model.sizes, d = sizes[0], L = sizes.length - 1;
  const initializer = [
    floatTensor('standardise_mean', [d], model.standardisation.mean),
    floatTensor('standardise_std', [d], model.standardisation.std),
  ];
  const node: object[] = [
    { opType: 'Sub', input: [input, 'standardise_mean'], output: ['x_centred'], name: 'standardise_sub' },
    { opType: 'Div', input: ['x_centred', 'standardise_std'], output: ['x_standardised'], name: 'standardise_div' },
  ];
  const heads: string[] = [];
  model.snapshots.forEach((snap, k) => {
    let h = 'x_standardised';
    let o = 0;
    for (let l = 0; l < L; l++) {
      const nIn = sizes[l], nOut = sizes[l + 1];
      const w = `e${k}_W${l}`, b = `e${k}_b${l}`;
      initializer.push(floatTensor(w, [nIn, nOut], snap.params.subarray(o, o + nIn * nOut)));
      o += nIn * nOut;
      initializer.push(floatTensor(b, [nOut], snap.params.subarray(o, o + nOut)));
      o += nOut;
      const z = `e${k}_z${l}`;
      node.push({ opType: 'Gemm', input: [h, w, b], output: [z], name: `e${k}_gemm${l}` });
      if (l + 1 < L) {
        h = `e${k}_h${l}`;
        node.push({ opType: 'Relu', input: [z], output: [h], name: `e${k}_relu${l}` });
      } else {
        const p = model.snapshots.length === 1 ? output : `e${k}_p`;
        node.push({ opType: 'Sigmoid', input: [z], output: [p], name: `e${k}_sigmoid` });
        heads.push(p);
      }
    }
  });
  if (heads.length > 1) node.push({ opType: 'Mean', input: heads, output: [output], name: 'epoch_ensemble_mean' });

  const msg = ModelProto.fromObject({
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: opts.producerName ?? 'sidewinder',
    producerVersion: '0.1.0',
    docString: `sidewinder MLP ${sizes.join('-')}, epoch ensemble of ${model.snapshots.length}; output = P(label = 1 | x)`,
    graph: {
      name: 'sidewinder_mlp',
      node,
      initializer,
      input: [valueInfo(input, ['N', d])],
      output: [valueInfo(output, ['N', 1])],
    },
    metadataProps: [
      { key: 'sidewinder.kind', value: 'mlp' },
      { key: 'sidewinder.sizes', value: JSON.stringify(sizes) },
      { key: 'sidewinder.epochs', value: JSON.stringify(model.snapshots.map((s) => s.epoch)) },
    ],
  });
  return ModelProto.encode(msg).finish();
}
