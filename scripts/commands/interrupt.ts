/**
 * Ctrl-C during a command that caches its tasks (`start`, `scan`, `dsys`, `sensitivity`, `lee`): one
 * line on stderr saying where the finished tasks are and that rerunning resumes, instead of a silent
 * exit 130. The process still dies of the signal (exit 130 for SIGINT, 143 for SIGTERM).
 */
import { resolve } from 'node:path';

/** The line printed on a signal (without the trailing newline). */
export function interruptLine(signal: NodeJS.Signals, cacheDir: string): string {
  const what = signal === 'SIGINT' ? 'interrupted' : `stopped by ${signal}`;
  return `sidewinder: ${what}: finished tasks are cached in ${resolve(cacheDir)}; rerun the same command to resume`;
}

/**
 * Until the returned function is called, print {@link interruptLine} on SIGINT or SIGTERM, then let
 * the signal end the process. A signal listener replaces Node's default action, so, like the
 * output directory's lock (lib/util/dirLock.ts), the last of these listeners to run re-raises the
 * signal; the lock's listener, run before or after this one, still releases the lock.
 * @param cacheDir the task cache the command writes.
 * @param beforePrint e.g. the reporter's `stop()`, which erases the progress bars.
 * @returns the function that removes the listeners (call it when the command ends).
 */
export function sayOnInterrupt(cacheDir: string, beforePrint?: () => void): () => void {
  const onSignal = (signal: NodeJS.Signals): void => {
    remove();
    beforePrint?.();
    // After a terminal's "^C" echo, start on a new line.
    process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}${interruptLine(signal, cacheDir)}\n`);
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  const remove = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return remove;
}
