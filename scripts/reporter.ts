/**
 * The CLI's Reporter. On a terminal: one live bar per running stage (done/total, elapsed, and an ETA
 * once the stage's rate can be measured), redrawn in place below the log lines and erased when the
 * stage ends or the command stops, so what the command prints last stands alone. Off a terminal
 * (pipes, CI, batch jobs) or with `--log`: plain timestamped lines, no escape codes. `--quiet`:
 * warnings only.
 */
import type { Reporter } from '../lib/util/reporter.js';

export type ReporterMode = 'bars' | 'log' | 'quiet';

/** Where the reporter writes (process.stderr by default; tests pass a fake). */
export interface ProgressStream {
  write(s: string): unknown;
  readonly isTTY?: boolean;
  /** Terminal width: bar lines are cut to it so that they never wrap. */
  readonly columns?: number;
}

/** Options of {@link consoleReporter}. */
export interface ConsoleReporterOptions {
  /** Also debug lines. */
  verbose?: boolean;
  stream?: ProgressStream;
  /** Clock in ms (injectable for tests). */
  now?: () => number;
  /** Bars: at most one redraw per this many ms for updates within a stage (stage starts and ends redraw at once). */
  minRedrawMs?: number;
  /** Bars: redraw this often while nothing reports, so elapsed time and ETA stay current (0: never). */
  tickMs?: number;
  /** Log mode: at most one intermediate line per stage per this many ms (a stage's end is always printed). */
  logEveryMs?: number;
}

/** The mode chosen by a command's `--quiet` / `--log` flags (undefined: {@link defaultMode}). */
export function reporterMode(o: { quiet?: boolean; log?: boolean }): ReporterMode | undefined {
  return o.quiet ? 'quiet' : o.log ? 'log' : undefined;
}

/** Bars on an interactive terminal, plain lines when piped or in CI. */
export function defaultMode(stream: ProgressStream = process.stderr): ReporterMode {
  return stream.isTTY && !process.env.CI ? 'bars' : 'log';
}

/** 42 → "42 s", 185 → "3 min 05 s", 3720 → "1 h 02 min". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

interface Stage {
  done: number;
  total: number;
  /** When the stage was first seen, and its count then: the rate (hence the ETA) is measured from here. */
  readonly t0: number;
  readonly d0: number;
  /** Last intermediate log line (log mode). */
  lastLine: number;
}

/** Seconds left at the rate seen since the stage was first reported, or null while no progress was measured. */
function etaSeconds(st: Stage, now: number): number | null {
  if (st.done <= st.d0 || now <= st.t0 || st.done >= st.total) return null;
  return ((now - st.t0) / 1000) * ((st.total - st.done) / (st.done - st.d0));
}

const BAR_WIDTH = 24;
const ESC = '\x1b[';

/**
 * The CLI's reporter. `mode` defaults to {@link defaultMode}; 'bars' on a stream that is not a
 * terminal falls back to 'log'. Call `stop()` before printing results: it erases the bars.
 */
export function consoleReporter(mode?: ReporterMode, options: ConsoleReporterOptions = {}): Reporter & { stop(): void } {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  const verbose = options.verbose ?? false;
  const m: ReporterMode = mode === 'quiet' ? 'quiet' : mode === 'log' || !stream.isTTY ? 'log' : mode ?? defaultMode(stream);
  const start = now();
  const stamp = (): string => `[${((now() - start) / 1000).toFixed(1).padStart(6)} s]`;
  const stages = new Map<string, Stage>();
  const logLine = (level: 'debug' | 'info' | 'warn', msg: string): string => `${stamp()} ${level === 'warn' ? 'warning: ' : ''}${msg}\n`;
  const wanted = (level: 'debug' | 'info' | 'warn'): boolean => (level === 'warn' || (m !== 'quiet' && (level === 'info' || verbose)));

  /** Update the stage table; returns the stage (undefined once finished) and whether it is new. */
  const update = (name: string, done: number, total: number): { st?: Stage; started: boolean; finished?: Stage } => {
    let st = stages.get(name);
    const started = !st || done < st.done; // a count going back is a new run of the stage
    if (started) stages.set(name, (st = { done, total, t0: now(), d0: done, lastLine: now() }));
    st!.done = done;
    st!.total = total;
    if (total > 0 && done >= total) {
      stages.delete(name);
      return { started, finished: st };
    }
    return { st, started };
  };

  if (m !== 'bars') {
    const logEvery = options.logEveryMs ?? 10_000;
    return {
      progress(name, done, total) {
        if (m === 'quiet') return;
        const { st, started, finished } = update(name, done, total);
        if (finished) {
          // Only stages that took a while get an end line (not every inner fit of a scan).
          const secs = (now() - finished.t0) / 1000;
          if (secs >= 1 || finished.d0 === 0) stream.write(`${stamp()} ${name}: ${done}/${total} done in ${formatDuration(secs)}\n`);
          return;
        }
        const t = now();
        if (st && started && done === 0) stream.write(`${stamp()} ${name}: 0/${total}\n`);
        else if (st && t - st.lastLine >= logEvery) {
          st.lastLine = t;
          const eta = etaSeconds(st, t);
          stream.write(`${stamp()} ${name}: ${done}/${total} (${Math.floor((100 * done) / Math.max(total, 1))} %)${eta === null ? '' : `, ETA ${formatDuration(eta)}`}\n`);
        }
      },
      log(level, msg) {
        if (wanted(level)) stream.write(logLine(level, msg));
      },
      stop() {
        stages.clear();
      },
    };
  }

  const minRedraw = options.minRedrawMs ?? 100;
  let drawn = 0; // bar lines on screen, directly above the cursor
  let lastDraw = -Infinity;
  const line = (name: string, st: Stage, t: number): string => {
    const frac = st.total > 0 ? Math.min(1, st.done / st.total) : 0;
    const full = Math.round(frac * BAR_WIDTH);
    const eta = etaSeconds(st, t);
    const text =
      ` ${name.padEnd(20)} [${'█'.repeat(full)}${'░'.repeat(BAR_WIDTH - full)}] ${st.done}/${st.total} ${String(Math.floor(100 * frac)).padStart(3)} %` +
      ` · ${formatDuration((t - st.t0) / 1000)}${eta === null ? '' : ` · ETA ${formatDuration(eta)}`}`;
    const cols = stream.columns ?? 80;
    return text.length > cols - 1 ? text.slice(0, Math.max(cols - 1, 1)) : text;
  };
  const erase = (): string => (drawn > 0 ? `${ESC}${drawn}A\r${ESC}J` : '');
  const bars = (): string => {
    const t = now();
    lastDraw = t;
    const lines = [...stages].map(([name, st]) => `${line(name, st, t)}\n`);
    drawn = lines.length;
    return lines.join('');
  };
  const redraw = (): void => {
    const out = erase() + bars();
    if (out) stream.write(out);
  };
  let timer: ReturnType<typeof setInterval> | null = null;
  const tickMs = options.tickMs ?? 1000;
  const tick = (): void => {
    if (stages.size === 0) {
      if (timer) clearInterval(timer);
      timer = null;
    } else redraw();
  };

  return {
    progress(name, done, total) {
      const { started, finished } = update(name, done, total);
      if (started || finished || now() - lastDraw >= minRedraw) redraw();
      if (tickMs > 0 && !timer && stages.size > 0) {
        timer = setInterval(tick, tickMs);
        timer.unref?.();
      }
    },
    log(level, msg) {
      if (!wanted(level)) return;
      // The line goes above the bars: erase them, print, draw them again below.
      stream.write(erase() + logLine(level, msg));
      drawn = 0;
      redraw();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
      stages.clear();
      const out = erase();
      drawn = 0;
      if (out) stream.write(out);
    },
  };
}
