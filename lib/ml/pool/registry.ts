/**
 * Task handlers of the worker pool, by kind. A module that defines a kind of task calls
 * `registerTaskHandler(kind, import.meta.url, handler)` at import time; the pool sends that module
 * URL with each task so a worker thread imports it (registering the same handler there) before
 * running its first task of that kind. Later layers (MLP training, the scan executor) add their own
 * kinds the same way, without touching the pool.
 */
import { ConfigError, didYouMean } from '../../util/errors.js';

/** A task handler: runs in a worker (or inline) on a structured-clonable payload. */
export type TaskHandler<P = unknown, R = unknown> = (payload: P) => R | Promise<R>;

interface Entry {
  module: string;
  handler: TaskHandler;
}

const HANDLERS = new Map<string, Entry>();

/** Register the handler of a task kind; `module` is the URL of the registering module. */
export function registerTaskHandler<P, R>(kind: string, module: string, handler: TaskHandler<P, R>): void {
  HANDLERS.set(kind, { module, handler: handler as TaskHandler });
}

/** The handler entry of a kind registered in this thread, or a ConfigError naming the known kinds. */
export function taskHandler(kind: string): Entry {
  const e = HANDLERS.get(kind);
  if (!e) {
    const known = [...HANDLERS.keys()];
    throw new ConfigError(`worker pool: no handler for task kind "${kind}"${didYouMean(kind, known)}; known: ${known.join(', ') || '(none)'}`);
  }
  return e;
}

/** Whether a handler for `kind` is registered in this thread. */
export const hasTaskHandler = (kind: string): boolean => HANDLERS.has(kind);
