/**
 * Where the MLP trains. The default is our dense kernels (WASM SIMD, or the TypeScript reference
 * when the compiled module is missing). `@tensorflow/tfjs-node-gpu` is an optional dependency:
 * its install downloads libtensorflow and often fails, leaving a package that throws on import.
 * So 'tfjs' is tried with a dynamic import; if it does not load, one line goes to the Reporter and
 * training continues on the default backend. The importer is injectable (tests pass their own).
 */
import type { Reporter } from '../../util/reporter.js';
import { silent } from '../../util/reporter.js';
import { wasmKernelsAvailable, wasmKernelsError } from '../kernels/index.js';
import type { TfLike } from './tfjs.js';

/** Loads a tfjs module (resolves to the module namespace or throws). */
export type TfImporter = () => Promise<unknown>;

/** The optional package the 'tfjs' backend loads. */
export const TFJS_NODE_GPU = '@tensorflow/tfjs-node-gpu';

/** Imports @tensorflow/tfjs-node-gpu (a variable specifier: the package may be absent at type-check time). */
export const defaultTfImporter: TfImporter = () => {
  const specifier: string = TFJS_NODE_GPU;
  return import(specifier);
};

export type ResolvedBackend = { name: 'wasm' | 'js' } | { name: 'tfjs'; tf: TfLike };

/** The default kernel backend on this machine. */
export const defaultKernelBackend = (): 'wasm' | 'js' => (wasmKernelsAvailable ? 'wasm' : 'js');

function looksLikeTf(m: unknown): m is TfLike {
  const t = m as Partial<TfLike> | null;
  return !!t && typeof t.tensor2d === 'function' && typeof t.variable === 'function' && typeof t.train?.adam === 'function';
}

/**
 * Resolve a requested backend to one that works here.
 * - 'auto': 'wasm' when the compiled kernels loaded, else 'js'.
 * - 'wasm' without the compiled module: a warning, then 'js'.
 * - 'tfjs': the imported module when it loads (a default export is unwrapped), else a warning and the default.
 */
export async function resolveMlpBackend(
  requested: 'auto' | 'wasm' | 'js' | 'tfjs',
  ctx: { reporter?: Reporter; importer?: TfImporter } = {},
): Promise<ResolvedBackend> {
  const reporter = ctx.reporter ?? silent;
  const fallback = defaultKernelBackend();
  if (requested === 'auto') return { name: fallback };
  if (requested === 'js') return { name: 'js' };
  if (requested === 'wasm') {
    if (wasmKernelsAvailable) return { name: 'wasm' };
    reporter.log('warn', `mlp backend 'wasm' unavailable (${wasmKernelsError}); using 'js'`);
    return { name: 'js' };
  }
  let mod: unknown;
  try {
    mod = await (ctx.importer ?? defaultTfImporter)();
  } catch (e) {
    const first = String((e as Error)?.message ?? e).split('\n')[0];
    reporter.log('warn', `mlp backend 'tfjs': ${TFJS_NODE_GPU} did not load (${first}); using '${fallback}'`);
    return { name: fallback };
  }
  const tf = looksLikeTf(mod) ? mod : looksLikeTf((mod as { default?: unknown })?.default) ? (mod as { default: TfLike }).default : null;
  if (!tf) {
    reporter.log('warn', `mlp backend 'tfjs': the imported module is not a tfjs API (no tensor2d/variable/train.adam); using '${fallback}'`);
    return { name: fallback };
  }
  return { name: 'tfjs', tf };
}
