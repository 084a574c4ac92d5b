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
