/**
 * The subset of onnx.proto (ONNX IR, https://github.com/onnx/onnx/blob/main/onnx/onnx.proto) needed to
 * write and read small feed-forward models, as a protobufjs JSON descriptor. Field numbers follow
 * onnx.proto exactly; unknown fields of other models are skipped on decode.
 */
import protobuf from 'protobufjs';

const f = (type: string, id: number, rule?: 'repeated') => (rule ? { type, id, rule } : { type, id });

/** protobufjs descriptor of ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto and what they use. */
export const ONNX_DESCRIPTOR = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: f('int64', 1), opsetImport: f('OperatorSetIdProto', 8, 'repeated'), producerName: f('string', 2),
            producerVersion: f('string', 3), domain: f('string', 4), modelVersion: f('int64', 5), docString: f('string', 6),
            graph: f('GraphProto', 7), metadataProps: f('StringStringEntryProto', 14, 'repeated'),
          },
        },
        OperatorSetIdProto: { fields: { domain: f('string', 1), version: f('int64', 2) } },
        StringStringEntryProto: { fields: { key: f('string', 1), value: f('string', 2) } },
        GraphProto: {
          fields: {
            node: f('NodeProto', 1, 'repeated'), name: f('string', 2), initializer: f('TensorProto', 5, 'repeated'),
            docString: f('string', 10), input: f('ValueInfoProto', 11, 'repeated'), output: f('ValueInfoProto', 12, 'repeated'),
            valueInfo: f('ValueInfoProto', 13, 'repeated'),
          },
        },
        NodeProto: {
          fields: {
            input: f('string', 1, 'repeated'), output: f('string', 2, 'repeated'), name: f('string', 3), opType: f('string', 4),
            attribute: f('AttributeProto', 5, 'repeated'), docString: f('string', 6), domain: f('string', 7),
          },
        },
        AttributeProto: {
          fields: {
            name: f('string', 1), f: f('float', 2), i: f('int64', 3), s: f('bytes', 4), t: f('TensorProto', 5),
            floats: f('float', 7, 'repeated'), ints: f('int64', 8, 'repeated'), docString: f('string', 13), type: f('int32', 20),
          },
        },
        TensorProto: {
          fields: {
            dims: f('int64', 1, 'repeated'), dataType: f('int32', 2), floatData: f('float', 4, 'repeated'),
            int64Data: f('int64', 7, 'repeated'), name: f('string', 8), rawData: f('bytes', 9), doubleData: f('double', 10, 'repeated'),
            docString: f('string', 12),
          },
        },
        ValueInfoProto: { fields: { name: f('string', 1), type: f('TypeProto', 2), docString: f('string', 3) } },
        TypeProto: {
          fields: { tensorType: f('TypeProtoTensor', 1), denotation: f('string', 6) },
        },
        // TypeProto.Tensor in onnx.proto (nested message; the name does not travel on the wire).
        TypeProtoTensor: { fields: { elemType: f('int32', 1), shape: f('TensorShapeProto', 2) } },
        TensorShapeProto: { fields: { dim: f('Dimension', 1, 'repeated') } },
        Dimension: { fields: { dimValue: f('int64', 1), dimParam: f('string', 2), denotation: f('string', 3) } },
      },
    },
  },
};

/** ONNX TensorProto.DataType codes used here. */
export const OnnxDataType = Object.freeze({ FLOAT: 1, INT64: 7, DOUBLE: 11 });
/** AttributeProto.AttributeType codes used here. */
export const OnnxAttributeType = Object.freeze({ FLOAT: 1, INT: 2, INTS: 7 });

const root = protobuf.Root.fromJSON(ONNX_DESCRIPTOR);
/** The ModelProto message type (encode / decode / verify). */
export const ModelProto = root.lookupType('onnx.ModelProto');
