/**
 * The CLI's Reporter: cli-progress bars per stage with ETA on a terminal, plain timestamped log
 * lines otherwise (CI, batch jobs, `--log`), nothing but warnings with `--quiet`.
 */
import cliProgress from 'cli-progress';
import type { Reporter } from '../lib/util/reporter.js';

export type ReporterMode = 'bars' | 'log' | 'quiet';

/** Bars on an interactive terminal, plain lines when piped or in CI. */
export function defaultMode(): ReporterMode {
  return process.stderr.isTTY && !process.env.CI ? 'bars' : 'log';
}

export function consoleReporter(mode: ReporterMode = defaultMode(), { verbose = false } = {}): Reporter & { stop(): void } {
  const t0 = Date.now();
  const stamp = (): string => `[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)} s]`;
  if (mode !== 'bars') {
    const lastLogged = new Map<string, number>();
    return {
      progress(stage, done, total) {
        if (mode === 'quiet') return;
        // Plain mode: a line at each 10 % step (and at the end), not one per update.
        const step = Math.floor((10 * done) / Math.max(total, 1));
        if (lastLogged.get(stage) === step && done !== total) return;
        lastLogged.set(stage, step);
        if (stage === 'tasks' || done === total) process.stderr.write(`${stamp()} ${stage}: ${done}/${total}\n`);
      },
      log(level, msg) {
        if (mode === 'quiet' && level !== 'warn') return;
        if (level === 'debug' && !verbose) return;
        process.stderr.write(`${stamp()} ${level === 'warn' ? 'warning: ' : ''}${msg}\n`);
      },
      stop() {},
    };
  }
  const multi = new cliProgress.MultiBar(
    { format: ' {stage} |{bar}| {value}/{total} · ETA {eta_formatted}', hideCursor: true, clearOnComplete: false, stopOnComplete: false, etaBuffer: 20, stream: process.stderr },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, cliProgress.SingleBar>();
  return {
    progress(stage, done, total) {
      let bar = bars.get(stage);
      if (!bar) bars.set(stage, (bar = multi.create(total, 0, { stage: stage.padEnd(18) })));
      bar.setTotal(total);
      bar.update(done, { stage: stage.padEnd(18) });
    },
    log(level, msg) {
      if (level === 'debug' && !verbose) return;
      multi.log(`${stamp()} ${level === 'warn' ? 'warning: ' : ''}${msg}\n`);
    },
    stop() {
      multi.stop();
    },
  };
}
