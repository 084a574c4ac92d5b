/**
 * One writer per directory: a lock file (`sidewinder.lock`) created atomically with O_EXCL (the `wx`
 * flag), holding who writes (pid, host, start time, command). A second writer is refused with an
 * InputError naming the holder; a lock left by a process that no longer runs on this host (killed,
 * crashed) is taken over with a message. Locks are released by {@link DirLock.release}, and also
 * when the process exits or receives SIGINT/SIGTERM (SIGKILL leaves a stale lock, taken over by the
 * next run on the same host). A lock held on another host cannot be checked: it is refused, and
 * the message says which file to delete if that run is gone.
 */
import { readFileSync, renameSync, rmSync, statSync, writeFileSync, mkdirSync, linkSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { InputError } from './errors.js';
import { silent, type Reporter } from './reporter.js';

/** Name of the lock file inside the locked directory. */
export const LOCK_FILE = 'sidewinder.lock';

/** Contents of a lock file. */
export interface LockHolder {
  readonly schema: 'sidewinder/lock';
  readonly pid: number;
  readonly host: string;
  /** ISO time the lock was taken. */
  readonly since: string;
  readonly command: string;
}

/** A held lock. */
export interface DirLock {
  readonly dir: string;
  readonly path: string;
  readonly holder: LockHolder;
  /** Remove the lock file (idempotent; leaves a lock that another process took over alone). */
  release(): void;
}

/** Options of {@link acquireDirLock}. */
export interface DirLockOptions {
  /** What holds the lock, shown to a refused second writer (default: this process's command line). */
  readonly command?: string;
  /** Where the take-over of a stale lock is reported. */
  readonly reporter?: Reporter;
  /**
   * An unreadable lock file (a writer killed between creating and filling it) older than this is
   * taken over; a younger one is refused as being written (default 10 s).
   */
  readonly unreadableStaleMs?: number;
}

/** Locks this process holds, by lock-file path: released on exit and on SIGINT/SIGTERM. */
const held = new Map<string, LockHolder>();

const defaultCommand = (): string => [basename(process.argv[1] ?? 'node'), ...process.argv.slice(2)].join(' ').slice(0, 500);

/** Whether a process with this pid runs on this host (EPERM: it runs, under another user). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock file's holder; `undefined` when it vanished, `null` when it cannot be parsed. */
function readHolder(path: string): LockHolder | null | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const h = JSON.parse(text) as LockHolder;
    return h?.schema === 'sidewinder/lock' && Number.isInteger(h.pid) && typeof h.host === 'string' ? h : null;
  } catch {
    return null;
  }
}

/** "pid 123 on host since 2026-…Z (command)": who holds a lock, for messages. */
export const describeHolder = (h: LockHolder): string => `pid ${h.pid} on ${h.host} since ${h.since} (${h.command})`;

/**
 * Remove a stale lock without removing a fresh one another process may have created meanwhile:
 * move it aside, check that what was moved is the stale lock, and put it back if it is not.
 */
function removeStale(path: string, staleText: string | null): void {
  const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.stale`;
  try {
    renameSync(path, aside);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // someone else removed it
    throw e;
  }
  let moved: string | null = null;
  try {
    moved = readFileSync(aside, 'utf8');
  } catch {
    /* unreadable: treat as the stale one */
  }
  if (staleText !== null && moved !== null && moved !== staleText) {
    // We moved a fresh lock: restore it unless yet another one was created (then the race is lost to both).
    try {
      linkSync(aside, path);
    } catch {
      /* another writer holds the path now */
    }
  }
  rmSync(aside, { force: true });
}

let handlersInstalled = false;

function releaseAllHeld(): void {
  for (const [path, holder] of held) {
    const now = readHolder(path);
    if (now && now.pid === holder.pid && now.since === holder.since && now.host === holder.host) rmSync(path, { force: true });
  }
  held.clear();
}

const onExit = (): void => releaseAllHeld();
function onSignal(signal: NodeJS.Signals): void {
  releaseAllHeld();
  uninstallHandlers();
  // Our listener replaced Node's default action; with it gone, re-raise the signal to get it.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', onExit);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

function uninstallHandlers(): void {
  if (!handlersInstalled) return;
  handlersInstalled = false;
  process.off('exit', onExit);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
}

/**
 * Take the lock of `dir` (created if needed).
 * @throws InputError naming the holder (pid, host, since, command) when another run holds it —
 *   including another run in this same process.
 */
export function acquireDirLock(dir: string, options: DirLockOptions = {}): DirLock {
  const reporter = options.reporter ?? silent;
  mkdirSync(dir, { recursive: true });
  const path = resolve(join(dir, LOCK_FILE));
  const holder: LockHolder = { schema: 'sidewinder/lock', pid: process.pid, host: hostname(), since: new Date().toISOString(), command: options.command ?? defaultCommand() };
  const text = `${JSON.stringify(holder, null, 1)}\n`;
  // The signal listeners go in before the file exists: with no listener a SIGINT ends the process at
  // once, and one landing between the write and the listeners would leave a stale lock and say nothing.
  installHandlers();
  try {
    writeLockFile(path, text, dir, options, reporter);
  } catch (e) {
    if (held.size === 0) uninstallHandlers();
    throw e;
  }
  held.set(path, holder);
  let released = false;
  return {
    dir, path, holder,
    release() {
      if (released) return;
      released = true;
      const now = readHolder(path);
      if (now && now.pid === holder.pid && now.since === holder.since && now.host === holder.host) rmSync(path, { force: true });
      held.delete(path);
      if (held.size === 0) uninstallHandlers();
    },
  };
}

/** Create the lock file at `path` (exclusive), taking over a stale or unreadable one; throws when another run holds it. */
function writeLockFile(path: string, text: string, dir: string, options: DirLockOptions, reporter: Reporter): void {
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(path, text, { flag: 'wx' });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (attempt >= 5) throw new InputError(`${dir}: cannot take the lock ${path}: other runs keep creating it`);
    const other = readHolder(path);
    if (other === undefined) continue; // released meanwhile: try again
    if (other === null) {
      let ageMs = 0;
      try {
        ageMs = Date.now() - statSync(path).mtimeMs;
      } catch {
        continue;
      }
      if (ageMs < (options.unreadableStaleMs ?? 10_000))
        throw new InputError(`${dir}: the lock ${path} is being written by another run (or is corrupt); try again, or delete it if no sidewinder run writes into ${dir}`);
      reporter.log('warn', `${dir}: the lock ${path} is unreadable and ${(ageMs / 1000).toFixed(0)} s old: taking it over`);
      removeStale(path, null);
      continue;
    }
    const ours = held.has(path);
    const sameHost = other.host === hostname();
    // Our own pid without a lock we hold: a leftover of this process (e.g. a run that was not released).
    const dead = sameHost && ((other.pid === process.pid && !ours) || (other.pid !== process.pid && !processAlive(other.pid)));
    if (!dead)
      throw new InputError(
        `${dir}: another sidewinder run writes into this directory: ${describeHolder(other)}; ` +
          `wait for it to finish or choose another --out${sameHost ? '' : `; if that run is gone, delete ${path}`}`,
      );
    reporter.log('warn', `${dir}: taking over the stale lock of ${describeHolder(other)}: that process no longer runs`);
    let staleText: string | null = null;
    try {
      staleText = readFileSync(path, 'utf8');
    } catch {
      continue;
    }
    removeStale(path, staleText);
  }
}

/** The holder of `dir`'s lock, if any (for status displays). */
export function dirLockHolder(dir: string): LockHolder | null | undefined {
  return readHolder(resolve(join(dir, LOCK_FILE)));
}
