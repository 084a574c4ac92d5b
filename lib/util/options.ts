/**
 * One option mechanism for every model (as scikit-learn's `_parameter_constraints` +
 * `validate_params`): each option is declared once in a table — type, range or allowed values,
 * default, description — and one function, {@link resolveOptions}, merges user options over the
 * defaults, rejects unknown keys (naming the valid ones) and checks every value against its
 * constraint. Error messages are generated from the table, so they cannot drift from the checks.
 */
import { ConfigError, didYouMean } from './errors.js';

/** The declared constraint, default and meaning of one option. */
export interface OptionSpec {
  /**
   * 'integer' / 'number' (finite; `min`/`max` bound it, `exclusiveMin`/`exclusiveMax` open the bound),
   * 'boolean', 'string', 'enum' (one of `values`, compared with ===), 'integer[]' (an array of
   * integers ≥ `min`, at least `minItems` long), 'object' (a plain object, contents checked elsewhere).
   */
  readonly type: 'integer' | 'number' | 'boolean' | 'string' | 'enum' | 'integer[]' | 'object';
  readonly min?: number;
  readonly max?: number;
  readonly exclusiveMin?: boolean;
  readonly exclusiveMax?: boolean;
  /** Allowed values of an 'enum'. */
  readonly values?: readonly (string | number | boolean)[];
  /** Shortest allowed 'integer[]'. */
  readonly minItems?: number;
  /** `null` is allowed too (e.g. "no limit"). */
  readonly nullable?: boolean;
  /** The default; `undefined` with `required` means the caller must give the option. */
  readonly default?: unknown;
  /** No default: the option must be given. */
  readonly required?: boolean;
  /** `undefined` is a valid value (an option that is usually left out). */
  readonly optional?: boolean;
  /** What the option means (TSDoc of the option; also shown in generated docs). */
  readonly description: string;
}

/** A constraints table: one {@link OptionSpec} per option of `O`. */
export type OptionTable<O> = { readonly [K in keyof O]-?: OptionSpec };

const fmt = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));

/** The expected value of a spec in words, e.g. "an integer in [2, 255]", "null or a number > 0". */
export function describeConstraint(s: OptionSpec): string {
  let what: string;
  const range = (noun: string): string => {
    const lo = s.min, hi = s.max;
    if (lo !== undefined && hi !== undefined) return `${noun} in ${s.exclusiveMin ? '(' : '['}${lo}, ${hi}${s.exclusiveMax ? ')' : ']'}`;
    if (lo !== undefined) return `${noun} ${s.exclusiveMin ? '>' : '≥'} ${lo}`;
    if (hi !== undefined) return `${noun} ${s.exclusiveMax ? '<' : '≤'} ${hi}`;
    return noun;
  };
  switch (s.type) {
    case 'integer': what = range('an integer'); break;
    case 'number': what = range('a number'); break;
    case 'boolean': what = 'true or false'; break;
    case 'string': what = 'a string'; break;
    case 'object': what = 'an object'; break;
    case 'integer[]': what = `${s.minItems ? 'a non-empty ' : 'an '}array of integers${s.min !== undefined ? ` ≥ ${s.min}` : ''}`; break;
    case 'enum': {
      const v = (s.values ?? []).map(fmt);
      what = v.length <= 1 ? v.join('') : `${v.slice(0, -1).join(', ')} or ${v[v.length - 1]}`;
      break;
    }
  }
  return s.nullable ? `null or ${what}` : what;
}

const inRange = (s: OptionSpec, v: number): boolean =>
  (s.min === undefined || (s.exclusiveMin ? v > s.min : v >= s.min)) && (s.max === undefined || (s.exclusiveMax ? v < s.max : v <= s.max));

/** Does `v` satisfy the spec? */
export function satisfies(s: OptionSpec, v: unknown): boolean {
  if (v === null) return !!s.nullable;
  if (v === undefined) return !!s.optional;
  switch (s.type) {
    case 'integer': return typeof v === 'number' && Number.isInteger(v) && inRange(s, v);
    case 'number': return typeof v === 'number' && Number.isFinite(v) && inRange(s, v);
    case 'boolean': return typeof v === 'boolean';
    case 'string': return typeof v === 'string';
    case 'object': return typeof v === 'object' && !Array.isArray(v);
    case 'enum': return (s.values ?? []).includes(v as string);
    case 'integer[]':
      return Array.isArray(v) && v.length >= (s.minItems ?? 0) && v.every((x) => typeof x === 'number' && Number.isInteger(x) && (s.min === undefined || x >= s.min));
  }
}

/** The defaults of a table (options marked `required` or without a default are left out), frozen. */
export function defaultsOf<O>(table: OptionTable<O>): Readonly<O> {
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(table) as [string, OptionSpec][]) {
    if (s.required || s.default === undefined) continue;
    out[k] = Array.isArray(s.default) ? Object.freeze([...(s.default as unknown[])]) : s.default;
  }
  return Object.freeze(out) as Readonly<O>;
}

/** Settings of {@link resolveOptions}. */
export interface ResolveSettings<O> {
  /** Values that replace the table's defaults before the user's options (e.g. a preset). */
  readonly base?: Partial<O>;
  /** Further keys the caller accepts and handles itself (e.g. seed, reporter); passed over, not returned. */
  readonly extraKeys?: readonly string[];
}

/**
 * Merge `given` over the defaults (or `settings.base`) and validate: an unknown key, a missing
 * required option or a value outside its constraint throws a ConfigError naming `owner`, the option,
 * what was expected and what came. Returns the merged options (table keys only, in table order for
 * options with defaults), frozen; array values are copied and frozen.
 */
export function resolveOptions<O>(owner: string, table: OptionTable<O>, given: unknown = {}, settings: ResolveSettings<O> = {}): Readonly<O> {
  if (given === undefined || given === null) given = {};
  if (typeof given !== 'object' || Array.isArray(given)) throw new ConfigError(`${owner}: options must be an object, got ${Array.isArray(given) ? 'an array' : typeof given}`);
  const g = given as Record<string, unknown>;
  const keys = Object.keys(table);
  const known = [...keys, ...(settings.extraKeys ?? [])];
  for (const k of Object.keys(g))
    if (!known.includes(k)) throw new ConfigError(`${owner}: unknown option "${k}"${didYouMean(k, known)}; valid options: ${known.join(', ')}`);
  const out: Record<string, unknown> = { ...defaultsOf(table), ...(settings.base ?? {}) };
  for (const k of keys) if (g[k] !== undefined) out[k] = g[k];
  for (const k of keys) {
    const s = (table as Record<string, OptionSpec>)[k];
    const v = out[k];
    if (v === undefined && s.required) throw new ConfigError(`${owner}: option ${k} is required (${describeConstraint(s)}: ${s.description})`);
    if (v === undefined && !s.required && !s.optional && s.default === undefined) continue;
    if (!satisfies(s, v)) throw new ConfigError(`${owner}: option ${k} must be ${describeConstraint(s)}, got ${fmtGot(v)}`);
    if (Array.isArray(v)) out[k] = Object.freeze([...v]);
  }
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return Object.freeze(out) as Readonly<O>;
}

const fmtGot = (v: unknown): string => {
  if (typeof v === 'number' || v === undefined) return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
};
