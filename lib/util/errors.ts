/** Error types. Messages name the input (file, column, row, window, argument), what was expected and what came. */

export class SidewinderError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Bad input data: a file, column or row that does not hold what was expected. */
export class InputError extends SidewinderError {}

/** A configuration, option or argument out of its allowed domain. */
export class ConfigError extends SidewinderError {}

/** Array shapes or lengths that do not fit together. */
export class ShapeError extends SidewinderError {}

/**
 * `err` with another message, keeping its class (and so the CLI's exit code) and `err` as the cause:
 * its own class when that constructor takes (message, options), else SidewinderError or Error as `err` was.
 */
export function reworded(err: Error, message: string): Error {
  const Ctor = err.constructor as new (message: string, options?: { cause?: unknown }) => Error;
  try {
    const same = new Ctor(message, { cause: err });
    if (same instanceof Error && same.constructor === err.constructor) return same;
  } catch {
    /* a constructor with another signature: fall through */
  }
  return err instanceof SidewinderError ? new SidewinderError(message, { cause: err }) : new Error(message, { cause: err });
}

/** The closest valid names to `name`, for "did you mean …?" hints (Levenshtein distance ≤ 3). */
export function closestNames(name: string, valid: readonly string[], max = 3): string[] {
  const dist = (a: string, b: string): number => {
    const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
    for (let j = 1; j <= b.length; j++) d[0][j] = j;
    for (let i = 1; i <= a.length; i++)
      for (let j = 1; j <= b.length; j++)
        d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
    return d[a.length][b.length];
  };
  return valid
    .map((v) => ({ v, d: dist(name, v) }))
    .filter((x) => x.d <= 3)
    .sort((x, y) => x.d - y.d)
    .slice(0, max)
    .map((x) => x.v);
}

/** " (did you mean "a", "b"?)" or "" */
export function didYouMean(name: string, valid: readonly string[]): string {
  const c = closestNames(name, valid);
  return c.length ? ` (did you mean ${c.map((x) => `"${x}"`).join(', ')}?)` : '';
}

/** Plain words for the Node system errors a user can cause and fix (a path that is missing, a directory, …). */
const SYSTEM_ERROR_TEXT: Readonly<Record<string, string>> = Object.freeze({
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory, expected a file',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EEXIST: 'already exists',
  ENOTEMPTY: 'directory not empty',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  ENAMETOOLONG: 'file name too long',
  ELOOP: 'too many levels of symbolic links',
  EMFILE: 'too many open files',
  EBUSY: 'resource busy',
  EIO: 'input/output error',
});

/** A Node system error (fs, child_process): a string `code` such as "ENOENT" and the failing `syscall`. */
export function isSystemError(err: unknown): err is NodeJS.ErrnoException & { code: string } {
  const e = err as NodeJS.ErrnoException | null;
  return e instanceof Error && typeof e.code === 'string' && /^E[A-Z0-9]+$/.test(e.code) && typeof e.syscall === 'string';
}

/** "no such file or directory (ENOENT)" for a Node system error, or `undefined` when `err` is not one. */
export function systemErrorText(err: unknown): string | undefined {
  if (!isSystemError(err)) return undefined;
  const text = SYSTEM_ERROR_TEXT[err.code] ?? err.message.replace(/^E[A-Z0-9]+: /, '').replace(/, \w+ '.*'$/, '');
  return `${text} (${err.code})`;
}

/**
 * One line for a Node system error: "<path>: no such file or directory (ENOENT)", or `undefined` when
 * `err` is not one. Node's own message ("ENOENT: no such file or directory, open 'x'") names the
 * syscall, not what the user should check.
 */
export function describeSystemError(err: unknown): string | undefined {
  const text = systemErrorText(err);
  if (text === undefined) return undefined;
  const path = (err as NodeJS.ErrnoException).path;
  return path !== undefined ? `${path}: ${text}` : text;
}
