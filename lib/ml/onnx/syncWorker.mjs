// Worker side of FittedOnnxClassifier.predictProba (./classifier.ts): onnxruntime-node only runs
// sessions asynchronously, so the synchronous API posts a request here and blocks on Atomics.wait
// until this worker has written the result and notified. Plain JS so it loads without a TS loader.
import { workerData } from 'node:worker_threads';
import ort from 'onnxruntime-node';

const { model, ctrl: ctrlBuffer, port, sessionOptions } = workerData;
const ctrl = new Int32Array(ctrlBuffer);

function signal(message) {
  port.postMessage(message);
  Atomics.store(ctrl, 0, 1);
  Atomics.notify(ctrl, 0);
}

let session;
try {
  session = await ort.InferenceSession.create(model, sessionOptions);
  signal({ ok: true, inputNames: session.inputNames, outputNames: session.outputNames, inputMetadata: session.inputMetadata });
} catch (e) {
  signal({ ok: false, error: String(e?.message ?? e) });
}

port.on('message', async (req) => {
  try {
    // onnxruntime does not accept views of a SharedArrayBuffer: copy into an ordinary buffer.
    const x = (req.type === 'float64' ? new Float64Array(req.input) : new Float32Array(req.input)).slice();
    const out = await session.run({ [req.inputName]: new ort.Tensor(req.type, x, [req.rows, req.cols]) }, [req.outputName]);
    const t = out[req.outputName];
    const dst = new Float64Array(req.output);
    if (t.data.length > dst.length) throw new Error(`output "${req.outputName}" has ${t.data.length} values for ${req.rows} rows (dims [${t.dims}])`);
    for (let i = 0; i < t.data.length; i++) dst[i] = Number(t.data[i]);
    signal({ ok: true, dims: Array.from(t.dims), length: t.data.length });
  } catch (e) {
    signal({ ok: false, error: String(e?.message ?? e) });
  }
});
