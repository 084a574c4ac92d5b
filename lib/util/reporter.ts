/**
 * Progress and log output is injected: the library never calls `console`. The CLI passes a console
 * reporter with progress bars, tests a recording one.
 */
export interface Reporter {
  /** `stage` names what is progressing (e.g. "windows", "tasks", "epochs"). */
  progress(stage: string, done: number, total: number): void;
  log(level: 'debug' | 'info' | 'warn', msg: string, data?: Record<string, unknown>): void;
}

/** A reporter that discards everything. */
export const silent: Reporter = Object.freeze({ progress() {}, log() {} });

/**
 * A reporter for code running in a worker thread: it counts the epochs of a sequence of `members`
 * trainings (e.g. the flows of an ensemble, each reporting `epoch/epochs`) into shared memory,
 * `cells[0]` = epochs done, `cells[1]` = epochs planned, for the calling thread to poll (worker
 * threads cannot call the caller's reporter). A member that stops early counts as complete once the
 * next one starts. Log lines are dropped.
 */
export function sharedEpochCounter(cells: Int32Array, members = 1): Reporter {
  let base = 0, last = 0, lastTotal = 0;
  return {
    progress(_stage, done, total) {
      if (done <= last && lastTotal > 0) base += lastTotal; // the next member started
      last = done;
      lastTotal = total;
      Atomics.store(cells, 1, Math.max(members, 1) * total);
      Atomics.store(cells, 0, Math.min(base + done, Math.max(members, 1) * total));
    },
    log() {},
  };
}
