/**
 * A small ONNX graph builder shared by the exporters (MLP, flows): constant tensors become
 * initializers, every node gets a unique name, and attributes are written in AttributeProto form.
 * Produces plain objects for `ModelProto.fromObject` (lib/ml/onnx/proto.ts).
 */
import { ModelProto, OnnxAttributeType, OnnxDataType } from './proto.js';
import { PACKAGE_VERSION } from '../../util/packageRoot.js';

/** ONNX opset the exporters write. */
export const ONNX_OPSET = 13;
/** IR version matching opset 13 (ONNX 1.8). */
export const ONNX_IR_VERSION = 7;

/** A float32 TensorProto (little-endian raw data). */
export const floatTensor = (name: string, dims: number[], values: ArrayLike<number>) => {
  const f = Float32Array.from(values);
  return { name, dims, dataType: OnnxDataType.FLOAT, rawData: new Uint8Array(f.buffer) };
};

/** A float64 TensorProto (little-endian raw data). */
export const doubleTensor = (name: string, dims: number[], values: ArrayLike<number>) => {
  const f = Float64Array.from(values);
  return { name, dims, dataType: OnnxDataType.DOUBLE, rawData: new Uint8Array(f.buffer) };
};

/** An int64 TensorProto (little-endian raw data). */
export const int64Tensor = (name: string, dims: number[], values: ArrayLike<number>) => {
  const b = BigInt64Array.from(Array.from(values, (v) => BigInt(v)));
  return { name, dims, dataType: OnnxDataType.INT64, rawData: new Uint8Array(b.buffer) };
};

/** A float32 ValueInfoProto; string dims are symbolic (e.g. 'N' for the batch). */
export const valueInfo = (name: string, dims: (number | string)[]) => ({
  name,
  type: { tensorType: { elemType: OnnxDataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
});

/** Node attributes: integers, integer lists or floats. */
export type OnnxAttributes = Record<string, number | number[] | { float: number }>;

function attribute(name: string, v: number | number[] | { float: number }) {
  if (Array.isArray(v)) return { name, ints: v, type: OnnxAttributeType.INTS };
  if (typeof v === 'object') return { name, f: v.float, type: OnnxAttributeType.FLOAT };
  return { name, i: v, type: OnnxAttributeType.INT };
}

/** Collects nodes and initializers of one graph. */
export class OnnxGraphBuilder {
  readonly nodes: object[] = [];
  readonly initializers: object[] = [];
  private serial = 0;
  /** Small constants already emitted, by type and value (so `one`, `axis1`, … appear once). */
  private readonly constants = new Map<string, string>();

  /** A unique value name with a readable prefix. */
  fresh(prefix: string): string {
    return `${prefix}_${this.serial++}`;
  }

  /** A float32 constant (initializer); returns its name. Constants of ≤ 16 values are shared. */
  float(prefix: string, dims: number[], values: ArrayLike<number>): string {
    return this.constant(`f:${dims.join('x')}`, values, prefix, (name) => this.initializers.push(floatTensor(name, dims, values)));
  }

  /** A float64 constant (initializer); returns its name. Constants of ≤ 16 values are shared. */
  double(prefix: string, dims: number[], values: ArrayLike<number>): string {
    return this.constant(`d:${dims.join('x')}`, values, prefix, (name) => this.initializers.push(doubleTensor(name, dims, values)));
  }

  /** A 1-D int64 constant (initializer); returns its name. */
  int64(prefix: string, values: readonly number[]): string {
    return this.constant('i', values, prefix, (name) => this.initializers.push(int64Tensor(name, [values.length], values)));
  }

  private constant(type: string, values: ArrayLike<number>, prefix: string, emit: (name: string) => unknown): string {
    const key = values.length <= 16 ? `${type}:${Array.from(values).join(',')}` : null;
    const known = key === null ? undefined : this.constants.get(key);
    if (known) return known;
    const name = this.fresh(prefix);
    emit(name);
    if (key !== null) this.constants.set(key, name);
    return name;
  }

  /** Add a node with one output; returns the output name (`output` when given, else a fresh one). */
  op(opType: string, inputs: string[], attrs: OnnxAttributes = {}, output?: string): string {
    const out = output ?? this.fresh(opType.toLowerCase());
    this.nodes.push({
      opType, input: inputs, output: [out], name: `${opType}_${this.serial++}`,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return out;
  }
}

/** What a serialised model states about itself. */
export interface OnnxModelInfo {
  readonly graphName: string;
  readonly docString: string;
  readonly inputs: object[];
  readonly outputs: object[];
  readonly metadata: Record<string, string>;
  readonly producerName?: string;
}

/** Serialise a built graph as ONNX protobuf bytes (opset 13). */
export function encodeModel(g: OnnxGraphBuilder, info: OnnxModelInfo): Uint8Array {
  const msg = ModelProto.fromObject({
    irVersion: ONNX_IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: info.producerName ?? 'sidewinder',
    producerVersion: PACKAGE_VERSION,
    docString: info.docString,
    graph: { name: info.graphName, node: g.nodes, initializer: g.initializers, input: info.inputs, output: info.outputs },
    metadataProps: Object.entries(info.metadata).map(([key, value]) => ({ key, value })),
  });
  return ModelProto.encode(msg).finish();
}
