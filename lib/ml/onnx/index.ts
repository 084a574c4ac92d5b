/** ONNX interchange: export trained MLPs, import external classifiers as scorers. */
export { exportMlpToOnnx, ONNX_OPSET, ONNX_IR_VERSION } from './export.js';
export type { OnnxExportOptions } from './export.js';
export { FittedOnnxClassifier, loadOnnxClassifier, ONNX_CLASSIFIER_OPTIONS } from './classifier.js';
export type { OnnxClassifierOptions } from './classifier.js';
export { ModelProto, ONNX_DESCRIPTOR, OnnxDataType } from './proto.js';
export { exportFlowToOnnx } from './flow.js';
export type { FlowOnnxExportOptions, FlowOnnxGraph } from './flow.js';
