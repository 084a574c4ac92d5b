/** MLP training backends: dense kernels (default) or tfjs-node-gpu when it loads. */
export { resolveMlpBackend, defaultTfImporter, defaultKernelBackend, TFJS_NODE_GPU } from './select.js';
export type { TfImporter, ResolvedBackend } from './select.js';
export { trainNetworkTfjs } from './tfjs.js';
export type { TfLike } from './tfjs.js';
