/**
 * The CLI's error contract: every failure ends as ONE line `sidewinder: <message>` on stderr and one
 * exit code, the same for every command (documented in `sidewinder --help`).
 */
import { CommanderError } from 'commander';
import { accessSync, constants, existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError, describeSystemError, InputError, isSystemError, ShapeError, SidewinderError } from '../lib/util/errors.js';
import { WorkerTaskError } from '../lib/ml/pool/pool.js';

/** Exit codes of every command. */
export const EXIT = Object.freeze({
  ok: 0,
  /** Bad input: a data, results, plan, cache or model file missing, unreadable or not holding what was expected. */
  input: 1,
  /** Bad usage: unknown command or option, bad option value, inconsistent options, bad scan configuration. */
  usage: 2,
  /** A bug in sidewinder (sysexits EX_SOFTWARE): an error no check anticipated. */
  internal: 70,
});

/** The hint printed after an internal error. */
export const INTERNAL_HINT = '(internal error; rerun with SIDEWINDER_DEBUG=1 for the stack)';

/** The exit-code section of the top-level `--help`. */
export const EXIT_CODE_HELP = `
Errors are printed as one line on stderr: "sidewinder: <message>", naming the file, option or value.
Exit codes (every command):
  0   success
  1   bad input: a data, results, plan, cache or model file that is missing, unreadable, empty,
      or does not hold what was expected
  2   bad usage: unknown command or option, a bad option value, options that contradict each other,
      a scan configuration or windows file that is not valid
  70  internal error (a bug): one line, then rerun with SIDEWINDER_DEBUG=1 to see the stack trace`;

/** Codes of commander's own errors that are not errors (help or version shown on request). */
const COMMANDER_DONE = new Set(['commander.helpDisplayed', 'commander.version']);

/** Exit code and one-line message of an error; `message` is absent when nothing more needs printing. */
export function classifyCliError(err: unknown): { code: number; message?: string } {
  const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, ' ').trim();
  if (err instanceof CommanderError) {
    if (COMMANDER_DONE.has(err.code)) return { code: err.exitCode === 0 ? EXIT.ok : EXIT.usage };
    // Help printed because no command was given: already on stderr.
    if (err.code === 'commander.help' || err.code === 'commander.executeSubCommandAsync') return { code: err.exitCode === 0 ? EXIT.ok : EXIT.usage };
    return { code: EXIT.usage, message: oneLine(err.message.replace(/^error: /, '')) };
  }
  if (err instanceof ConfigError) return { code: EXIT.usage, message: oneLine(err.message) };
  if (err instanceof InputError || err instanceof ShapeError) return { code: EXIT.input, message: oneLine(err.message) };
  if (err instanceof WorkerTaskError) {
    // The class did not survive the thread boundary; its name did.
    const usage = err.remoteName === 'ConfigError';
    const known = usage || ['InputError', 'ShapeError', 'SidewinderError'].includes(err.remoteName);
    return known ? { code: usage ? EXIT.usage : EXIT.input, message: oneLine(err.message) } : { code: EXIT.internal, message: `${oneLine(err.message)} ${INTERNAL_HINT}` };
  }
  if (err instanceof SidewinderError) return { code: EXIT.input, message: oneLine(err.message) };
  if (isSystemError(err)) return { code: EXIT.input, message: unwritableParent(err) ?? describeSystemError(err) };
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return { code: EXIT.internal, message: `${oneLine(text)} ${INTERNAL_HINT}` };
}

/**
 * Why a directory could not be created, when Node says ENOENT for it: its recursive mkdir reports a
 * directory under a read-only file system (EROFS) or an unwritable parent as "no such file or
 * directory", which sends the user looking for a missing path. The nearest existing ancestor is
 * asked whether it can be written.
 * @param checkWritable throws the errno error when `dir` cannot be written (fs.accessSync W_OK by default).
 * @returns "<dir>: cannot create the directory: <ancestor> is on a read-only file system (EROFS)",
 *   "… is not writable (permission denied, EACCES)", or `undefined` when that is not the cause.
 */
export function unwritableParent(
  err: NodeJS.ErrnoException,
  checkWritable: (dir: string) => void = (dir) => accessSync(dir, constants.W_OK),
): string | undefined {
  if (err.code !== 'ENOENT' || err.syscall !== 'mkdir' || err.path === undefined) return undefined;
  let ancestor = dirname(resolve(err.path));
  while (!existsSync(ancestor)) {
    const up = dirname(ancestor);
    if (up === ancestor) return undefined;
    ancestor = up;
  }
  let code: string | undefined;
  try {
    checkWritable(ancestor);
    return undefined;
  } catch (e) {
    code = (e as NodeJS.ErrnoException).code;
  }
  const why =
    code === 'EROFS' ? 'is on a read-only file system (EROFS)'
    : code === 'EACCES' || code === 'EPERM' ? `is not writable (permission denied, ${code})`
    : undefined;
  return why && `${err.path}: cannot create the directory: ${ancestor} ${why}`;
}

/**
 * Print `err` as the contract says (one line; with SIDEWINDER_DEBUG=1 also its stack) and return the exit code.
 * @param write where stderr goes (the process's by default).
 */
export function reportCliError(err: unknown, write: (s: string) => void = (s) => process.stderr.write(s)): number {
  const { code, message } = classifyCliError(err);
  if (message !== undefined) write(`sidewinder: ${message}\n`);
  if (process.env.SIDEWINDER_DEBUG && process.env.SIDEWINDER_DEBUG !== '0' && err instanceof Error) {
    const remote = err instanceof WorkerTaskError && err.remoteStack ? `\nworker stack: ${err.remoteStack}` : '';
    write(`${err.stack ?? ''}${remote}\n`);
  }
  return code;
}

const warned = new Set<string>();

/** Warn once per process about a deprecated option spelling (one stderr line). */
export function warnDeprecated(old: string, use: string): void {
  if (warned.has(old)) return;
  warned.add(old);
  console.error(`sidewinder: warning: ${old} is deprecated; use ${use}`);
}
