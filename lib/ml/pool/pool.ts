/**
 * A reusable pool of worker_threads. A task is {kind, payload}; the handler of `kind` is looked up
 * in the task registry (see registry.ts) and runs in whichever worker is free. Share big inputs
 * through SharedArrayBuffer-backed typed arrays in the payload (structured clone shares them, it
 * does not copy) and let each task write its own disjoint slice of a shared output, so results do
 * not depend on which worker ran what, or when.
 *
 * Size 0 runs every task inline on the calling thread (same handlers, same numbers). Idle workers
 * are unref'd, so a pool left open does not keep the process alive.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { ConfigError, SidewinderError } from '../../util/errors.js';
import { taskHandler } from './registry.js';

export interface WorkerPoolOptions {
  /** Number of worker threads; 0 = run inline. Default: os.availableParallelism(). */
  size?: number;
}

/** An error thrown by a task handler in a worker, re-thrown on the calling thread. */
export class WorkerTaskError extends SidewinderError {
  constructor(kind: string, remote: { name: string; message: string; stack?: string }) {
    super(`task "${kind}" failed in a worker: ${remote.name}: ${remote.message}`);
    this.remoteStack = remote.stack;
    this.remoteName = remote.name;
    this.remoteMessage = remote.message;
  }
  readonly remoteStack?: string;
  /** The class name of the error in the worker (e.g. "InputError"). */
  readonly remoteName: string;
  /** The worker error's own message. */
  readonly remoteMessage: string;
}

interface Pending {
  id: number;
  kind: string;
  module: string;
  payload: unknown;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  busy: Pending | null;
}

const WORKER_URL = new URL('./worker.mjs', import.meta.url);

export class WorkerPool {
  readonly size: number;
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(opts: WorkerPoolOptions = {}) {
    const size = opts.size ?? availableParallelism();
    if (!Number.isInteger(size) || size < 0) throw new ConfigError(`WorkerPool: size must be an integer ≥ 0, got ${size}`);
    this.size = size;
  }

  /** Run one task; resolves with the handler's result. */
  run<R = unknown>(kind: string, payload: unknown): Promise<R> {
    if (this.closed) return Promise.reject(new ConfigError('WorkerPool: run() after close()'));
    // Resolve the module now: the kind must be registered on this thread (import its module first).
    let entry: ReturnType<typeof taskHandler>;
    try {
      entry = taskHandler(kind);
    } catch (e) {
      return Promise.reject(e);
    }
    const { module, handler } = entry;
    if (this.size === 0) return Promise.resolve().then(() => handler(payload) as R);
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, kind, module, payload, resolve: resolve as (v: unknown) => void, reject });
      this.dispatch();
    });
  }

  /** Run tasks concurrently; results in the order given. */
  runAll<R = unknown>(tasks: readonly { kind: string; payload: unknown }[]): Promise<R[]> {
    return Promise.all(tasks.map((t) => this.run<R>(t.kind, t.payload)));
  }

  /** Terminate the workers. Pending tasks are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.reject(new ConfigError('WorkerPool closed before the task ran'));
    await Promise.all(this.slots.splice(0).map((s) => s.worker.terminate()));
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_URL);
    let markReady!: () => void;
    const slot: Slot = { worker, ready: new Promise<void>((r) => (markReady = r)), busy: null };
    worker.on('message', (m: { ready?: true; id?: number; ok?: boolean; result?: unknown; error?: { name: string; message: string; stack?: string } }) => {
      if (m.ready) {
        markReady();
        return;
      }
      const p = slot.busy;
      if (!p || m.id !== p.id) return;
      slot.busy = null;
      if (m.ok) p.resolve(m.result);
      else p.reject(new WorkerTaskError(p.kind, m.error!));
      this.dispatch();
    });
    const fail = (e: unknown) => {
      const p = slot.busy;
      slot.busy = null;
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
      p?.reject(e instanceof Error ? e : new SidewinderError(`worker exited: ${String(e)}`));
      if (!this.closed) this.dispatch();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (this.slots.includes(slot)) fail(new SidewinderError(`worker thread exited with code ${code}`));
    });
    this.slots.push(slot);
    return slot;
  }

  private dispatch(): void {
    while (this.queue.length) {
      let slot = this.slots.find((s) => !s.busy);
      if (!slot && this.slots.length < this.size) slot = this.spawn();
      if (!slot) break;
      const p = this.queue.shift()!;
      slot.busy = p;
      slot.worker.ref();
      const s = slot;
      s.ready.then(() => s.worker.postMessage({ id: p.id, kind: p.kind, module: p.module, payload: p.payload }));
    }
    for (const s of this.slots) if (!s.busy) s.worker.unref();
  }
}

let shared: WorkerPool | null = null;

/**
 * The process-wide pool (os.availableParallelism() workers), created on first use and reused by
 * every window, method and run. Workers are unref'd while idle.
 */
export function sharedPool(): WorkerPool {
  if (!shared) shared = new WorkerPool();
  return shared;
}

/** A SharedArrayBuffer-backed copy of a typed array (workers see it without copying). */
export function toShared<T extends Float64Array | Float32Array | Uint8Array | Uint32Array | Int32Array>(a: T): T {
  const C = a.constructor as { new (b: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number };
  const out = new C(new SharedArrayBuffer(a.length * C.BYTES_PER_ELEMENT));
  out.set(a as never);
  return out;
}

/** A zeroed SharedArrayBuffer-backed typed array of length n. */
export function sharedArray<T extends Float64Array | Float32Array | Uint8Array | Uint32Array | Int32Array>(C: { new (b: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number }, n: number): T {
  return new C(new SharedArrayBuffer(n * C.BYTES_PER_ELEMENT));
}
