/**
 * An external ONNX binary classifier as a sidewinder {@link FittedClassifier}: bring a model trained
 * elsewhere (e.g. PyTorch via `torch.onnx.export`) and use it in every method.
 *
 * The model must take one float tensor [N, d] (float32 or float64) and give one output per event:
 * [N] or [N, 1] holding P(label = 1 | x) — or a logit with `output: 'logit'` — or [N, 2] class
 * probabilities (column `probabilityColumn`, default 1).
 *
 * onnxruntime-node runs sessions asynchronously only. `predictProbaAsync` is the natural call;
 * `predictProba` (the synchronous FittedClassifier method) runs the same model in a worker thread
 * and blocks on `Atomics.wait` until it answers — it works everywhere, at the price of copying the
 * inputs once and blocking the calling thread. Call `close()` to release the sessions.
 *
 * Bringing a PyTorch classifier (see scripts/fixtures/torch_classifier.py for a runnable example):
 * ```python
 * model.eval()  # nn.Module mapping [N, d] float32 → [N, 1] probabilities (end with nn.Sigmoid())
 * torch.onnx.export(model, torch.randn(2, d), "clf.onnx", opset_version=13, input_names=["x"],
 *                   output_names=["proba"], dynamic_axes={"x": {0: "N"}, "proba": {0: "N"}})
 * ```
 * then `const clf = await loadOnnxClassifier('clf.onnx')` (add `{ output: 'logit' }` if the module
 * ends in a logit). The model must see the same features, in the same order and units (TeV), with
 * its own preprocessing inside the graph — sidewinder passes the raw feature columns.
 */
import { readFileSync } from 'node:fs';
import { Worker, MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type * as Ort from 'onnxruntime-node';
import type { FittedClassifier, ModelDocument } from '../classifier.js';
import { MODEL_DOC_VERSION, checkModelDocument, checkPredictInputs, modelHeader, registerModelKind } from '../classifier.js';
import { defaultsOf, resolveOptions, type OptionTable } from '../../util/options.js';
import type { Matrix } from '../matrix.js';
import { ConfigError, InputError, ShapeError, didYouMean } from '../../util/errors.js';
import { sigmoid } from '../nn/loss.js';

/** onnxruntime-node, imported when the first session is created (not at start-up of every command). */
const onnxruntime = async () => (await import('onnxruntime-node')).default;

export interface OnnxClassifierOptions {
  /** Graph input to feed (default: the only input). */
  inputName?: string;
  /** Graph output to read (default: the only output). */
  outputName?: string;
  /** What the output holds: 'probability' (default) or 'logit' (σ is applied). */
  output?: 'probability' | 'logit';
  /** Column of an [N, 2] output that is P(label = 1) (default 1). */
  probabilityColumn?: number;
  /** onnxruntime intra-op threads (default 1: the scan parallelises over tasks). */
  intraOpNumThreads?: number;
}

/** Declared constraints, defaults and meaning of every option (checked by `resolveOptions`). */
export const ONNX_CLASSIFIER_OPTIONS: OptionTable<OnnxClassifierOptions> = Object.freeze({
  inputName: { type: 'string', optional: true, description: 'Graph input to feed (default: the only input).' },
  outputName: { type: 'string', optional: true, description: 'Graph output to read (default: the only output).' },
  output: { type: 'enum', values: ['probability', 'logit'], default: 'probability', description: "What the output holds: 'probability' or 'logit' (σ is applied)." },
  probabilityColumn: { type: 'integer', min: 0, default: 1, description: 'Column of an [N, 2] output that is P(label = 1).' },
  intraOpNumThreads: { type: 'integer', min: 1, default: 1, description: 'onnxruntime intra-op threads (the scan parallelises over tasks).' },
});
const DEFAULTS = defaultsOf(ONNX_CLASSIFIER_OPTIONS) as Required<Pick<OnnxClassifierOptions, 'output' | 'probabilityColumn' | 'intraOpNumThreads'>>;

interface ModelInfo {
  inputNames: readonly string[];
  outputNames: readonly string[];
  inputMetadata?: readonly { name: string; isTensor: boolean; type?: string; shape?: readonly (number | string)[] }[];
}

/** Resolved input/output names, input dtype and expected feature count from a session's metadata. */
function resolveIo(info: ModelInfo, opts: OnnxClassifierOptions, source: string) {
  const pick = (names: readonly string[], wanted: string | undefined, what: string): string => {
    if (wanted !== undefined) {
      if (!names.includes(wanted)) throw new ConfigError(`${source}: no ${what} named "${wanted}"${didYouMean(wanted, names)}; the model has ${names.map((n) => `"${n}"`).join(', ')}`);
      return wanted;
    }
    if (names.length !== 1) throw new ConfigError(`${source}: the model has ${names.length} ${what}s (${names.map((n) => `"${n}"`).join(', ')}); pass ${what}Name`);
    return names[0];
  };
  const inputName = pick(info.inputNames, opts.inputName, 'input');
  const outputName = pick(info.outputNames, opts.outputName, 'output');
  const meta = info.inputMetadata?.find((m) => m.name === inputName);
  const type: 'float32' | 'float64' = meta?.type === 'float64' ? 'float64' : 'float32';
  if (meta?.type && meta.type !== 'float32' && meta.type !== 'float64') throw new InputError(`${source}: input "${inputName}" is ${meta.type}, expected float32 or float64`);
  const last = meta?.shape?.[meta.shape.length - 1];
  const features = typeof last === 'number' && last > 0 ? last : null;
  return { inputName, outputName, type, features };
}

export class FittedOnnxClassifier implements FittedClassifier {
  readonly kind = 'onnx';
  readonly options: Readonly<OnnxClassifierOptions>;
  /** The ONNX model bytes. */
  readonly model: Uint8Array;
  private readonly source: string;
  private session: Promise<Ort.InferenceSession> | null = null;
  private features: number | null = null;
  private sync: { worker: Worker; port: MessagePort; ctrl: Int32Array; info: ModelInfo } | null = null;

  constructor(model: Uint8Array, options: OnnxClassifierOptions = {}, source = 'onnx model') {
    this.options = resolveOptions('FittedOnnxClassifier', ONNX_CLASSIFIER_OPTIONS, options);
    this.model = model;
    this.source = source;
  }

  private sessionOptions() {
    return { intraOpNumThreads: this.options.intraOpNumThreads ?? DEFAULTS.intraOpNumThreads, interOpNumThreads: 1 };
  }

  /** The main-thread session (created on first use). */
  private getSession(): Promise<Ort.InferenceSession> {
    this.session ??= onnxruntime().then((ort) => ort.InferenceSession.create(this.model, this.sessionOptions())).catch((e: Error) => {
      this.session = null;
      throw new InputError(`${this.source}: onnxruntime cannot load the model: ${e.message}`);
    });
    return this.session;
  }

  /** Check names and shapes against the model (throws a named error). */
  async validate(): Promise<{ inputName: string; outputName: string; features: number | null }> {
    const io = resolveIo(await this.getSession(), this.options, this.source);
    this.features = io.features;
    return io;
  }

  /** Input features the model declares (NaN when its input shape leaves them dynamic or before `validate`). */
  get nFeatures(): number {
    return this.features ?? NaN;
  }

  /** P(label = 1 | x) for each row, computed by onnxruntime (asynchronous). */
  async predictProbaAsync(X: Matrix): Promise<Float64Array> {
    const s = await this.getSession();
    const io = resolveIo(s, this.options, this.source);
    this.checkCols(X, io.features);
    const data = io.type === 'float64' ? Float64Array.from(X.data) : Float32Array.from(X.data);
    const ort = await onnxruntime();
    const out = await s.run({ [io.inputName]: new ort.Tensor(io.type, data, [X.rows, X.cols]) }, [io.outputName]);
    const t = out[io.outputName] as Ort.Tensor;
    return this.toProba(t.data as ArrayLike<number | bigint>, t.dims, X.rows);
  }

  /** P(label = 1 | x), synchronously (runs the session in a worker and blocks until it answers). */
  predictProba(X: Matrix): Float64Array {
    const w = this.syncWorker();
    const io = resolveIo(w.info, this.options, this.source);
    this.checkCols(X, io.features);
    const bytes = io.type === 'float64' ? 8 : 4;
    const input = new SharedArrayBuffer(Math.max(1, X.rows * X.cols * bytes));
    (io.type === 'float64' ? new Float64Array(input) : new Float32Array(input)).set(X.data);
    const output = new SharedArrayBuffer(Math.max(1, X.rows * 2 * 8));
    const reply = this.call(w, { input, output, type: io.type, rows: X.rows, cols: X.cols, inputName: io.inputName, outputName: io.outputName });
    const res = reply as { ok: boolean; error?: string; dims: number[]; length: number };
    if (!res.ok) throw new InputError(`${this.source}: onnxruntime run failed: ${res.error}`);
    return this.toProba(new Float64Array(output, 0, res.length), res.dims, X.rows);
  }

  private checkCols(X: Matrix, features: number | null): void {
    if (features !== null && X.cols !== features) throw new ShapeError(`${this.source}: X has ${X.cols} columns, the model's input takes ${features}`);
    checkPredictInputs(this.source, X, features);
  }

  private toProba(data: ArrayLike<number | bigint>, dims: readonly number[], rows: number): Float64Array {
    const logit = (this.options.output ?? DEFAULTS.output) === 'logit';
    const out = new Float64Array(rows);
    if (data.length === rows) {
      for (let i = 0; i < rows; i++) out[i] = Number(data[i]);
    } else if (data.length === 2 * rows && dims.length === 2 && dims[1] === 2) {
      const c = this.options.probabilityColumn ?? DEFAULTS.probabilityColumn;
      for (let i = 0; i < rows; i++) out[i] = Number(data[2 * i + c]);
    } else {
      throw new InputError(`${this.source}: output has dims [${dims.join(', ')}] for ${rows} rows; expected [N], [N, 1] or [N, 2]`);
    }
    if (logit) for (let i = 0; i < rows; i++) out[i] = sigmoid(out[i]);
    return out;
  }

  private syncWorker() {
    if (this.sync) return this.sync;
    const ctrl = new Int32Array(new SharedArrayBuffer(4));
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(new URL('./syncWorker.mjs', import.meta.url), {
      workerData: { model: this.model, ctrl: ctrl.buffer, port: port2, sessionOptions: this.sessionOptions() },
      transferList: [port2],
    });
    worker.unref();
    const w = { worker, port: port1, ctrl, info: undefined as unknown as ModelInfo };
    const ready = this.wait(w) as { ok: boolean; error?: string } & ModelInfo;
    if (!ready.ok) {
      void worker.terminate();
      throw new InputError(`${this.source}: onnxruntime cannot load the model: ${ready.error}`);
    }
    w.info = ready;
    this.sync = w;
    return w;
  }

  private call(w: { port: MessagePort; ctrl: Int32Array; worker: Worker }, req: object): unknown {
    Atomics.store(w.ctrl, 0, 0);
    w.port.postMessage(req);
    return this.wait(w);
  }

  /** Block until the worker signals, then take its message. */
  private wait(w: { port: MessagePort; ctrl: Int32Array }): unknown {
    for (;;) {
      const r = Atomics.wait(w.ctrl, 0, 0, 120_000);
      if (r === 'timed-out') throw new Error(`${this.source}: the onnxruntime worker did not answer within 120 s`);
      const m = receiveMessageOnPort(w.port);
      if (m) return m.message;
    }
  }

  /** Release the onnxruntime sessions and the worker. */
  async close(): Promise<void> {
    if (this.sync) { await this.sync.worker.terminate(); this.sync.port.close(); this.sync = null; }
    if (this.session) { const s = await this.session.catch(() => null); await s?.release(); this.session = null; }
  }

  /** The model bytes travel as base64 inside the document. */
  toJSON(): ModelDocument {
    return {
      ...modelHeader('onnx'),
      options: { ...this.options }, model: Buffer.from(this.model).toString('base64'),
    };
  }

  static fromJSON(doc: unknown): FittedOnnxClassifier {
    const d = checkModelDocument(doc, 'onnx model document', { kind: 'onnx', versions: [MODEL_DOC_VERSION], keys: ['model'] });
    if (typeof d.model !== 'string') throw new InputError('onnx model document: key model must hold the base64 ONNX bytes');
    return new FittedOnnxClassifier(new Uint8Array(Buffer.from(d.model, 'base64')), (d.options ?? {}) as OnnxClassifierOptions);
  }
}

/**
 * Load an ONNX binary classifier from a file path or bytes and check it against the options
 * (input/output names, float input). Errors name the file.
 *
 * @example
 * const clf = await loadOnnxClassifier('models/torch_clf.onnx');
 * const p = await clf.predictProbaAsync(X); // or clf.predictProba(X), synchronous
 * await clf.close();
 */
export async function loadOnnxClassifier(source: string | Uint8Array, options: OnnxClassifierOptions = {}): Promise<FittedOnnxClassifier> {
  let bytes: Uint8Array, name: string;
  if (typeof source === 'string') {
    name = source;
    try { bytes = new Uint8Array(readFileSync(source)); } catch (e) { throw new InputError(`${source}: cannot read the ONNX file (${(e as Error).message})`); }
  } else {
    bytes = source;
    name = 'onnx model';
  }
  const clf = new FittedOnnxClassifier(bytes, options, name);
  await clf.validate();
  return clf;
}

// Registered kind: loadModel(doc) rebuilds an imported ONNX scorer. There is nothing to train.
registerModelKind({
  kind: 'onnx',
  module: import.meta.url,
  create: () => {
    throw new ConfigError('model kind "onnx" is imported, not trained: use loadOnnxClassifier(path) and score with it');
  },
  load: (doc) => FittedOnnxClassifier.fromJSON(doc),
});
