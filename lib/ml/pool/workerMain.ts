/**
 * The loop of one pool worker: receive {id, kind, module, payload}, import `module` on first use of
 * `kind` (it registers the handler), run the handler, post {id, ok, result | error}.
 */
import { parentPort } from 'node:worker_threads';
import { hasTaskHandler, taskHandler } from './registry.js';

interface TaskMessage {
  id: number;
  kind: string;
  module: string;
  payload: unknown;
}

if (!parentPort) throw new Error('workerMain: must run in a worker thread');
const port = parentPort;
port.on('message', async (msg: TaskMessage) => {
  try {
    if (!hasTaskHandler(msg.kind)) await import(msg.module);
    const result = await taskHandler(msg.kind).handler(msg.payload);
    port.postMessage({ id: msg.id, ok: true, result });
  } catch (e) {
    const err = e as Error;
    port.postMessage({ id: msg.id, ok: false, error: { name: err?.name ?? 'Error', message: String(err?.message ?? e), stack: err?.stack } });
  }
});
port.postMessage({ ready: true });
