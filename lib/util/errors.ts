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
