import { describe, expect, it } from 'vitest';
import { defaultsOf, describeConstraint, resolveOptions, type OptionTable } from '../../lib/util/options.js';
import { ConfigError } from '../../lib/util/errors.js';

interface Toy { depth: number | null; rate: number; mode: 'a' | 'b'; early: 'auto' | boolean; widths: readonly number[]; name?: string; seed: number }
const TABLE: OptionTable<Toy> = {
  depth: { type: 'integer', min: 1, nullable: true, default: null, description: 'depth' },
  rate: { type: 'number', min: 0, max: 1, exclusiveMin: true, default: 0.1, description: 'rate' },
  mode: { type: 'enum', values: ['a', 'b'], default: 'a', description: 'mode' },
  early: { type: 'enum', values: ['auto', true, false], default: 'auto', description: 'early' },
  widths: { type: 'integer[]', min: 1, minItems: 1, default: [4, 4], description: 'widths' },
  name: { type: 'string', optional: true, description: 'name' },
  seed: { type: 'number', required: true, description: 'seed' },
};

describe('resolveOptions (the one option mechanism of every model)', () => {
  it('merges over the defaults (required and optional ones left out), keeps table order, freezes', () => {
    expect(defaultsOf(TABLE)).toEqual({ depth: null, rate: 0.1, mode: 'a', early: 'auto', widths: [4, 4] });
    const o = resolveOptions('toy', TABLE, { seed: 3, rate: 1, widths: [2] });
    expect(o).toEqual({ depth: null, rate: 1, mode: 'a', early: 'auto', widths: [2], seed: 3 });
    expect(Object.keys(o)).toEqual(['depth', 'rate', 'mode', 'early', 'widths', 'seed']);
    expect(Object.isFrozen(o) && Object.isFrozen(o.widths)).toBe(true);
  });

  it('a base (preset) replaces the defaults; extra keys pass without being returned', () => {
    const o = resolveOptions('toy', TABLE, { seed: 1, reporter: {} }, { base: { mode: 'b' }, extraKeys: ['reporter'] });
    expect(o.mode).toBe('b');
    expect('reporter' in o).toBe(false);
  });

  it.each([
    [{ seed: 1, rat: 0.2 }, /^toy: unknown option "rat" \(did you mean "rate"[^)]*\); valid options: depth, rate, mode, early, widths, name, seed$/],
    [{}, /^toy: option seed is required/],
    [{ seed: 1, depth: 0 }, /^toy: option depth must be null or an integer ≥ 1, got 0$/],
    [{ seed: 1, depth: 2.5 }, /depth must be null or an integer ≥ 1, got 2\.5/],
    [{ seed: 1, rate: 0 }, /^toy: option rate must be a number in \(0, 1\], got 0$/],
    [{ seed: 1, rate: NaN }, /rate must be a number in \(0, 1\], got NaN/],
    [{ seed: 1, mode: 'c' }, /^toy: option mode must be "a" or "b", got "c"$/],
    [{ seed: 1, early: 'yes' }, /early must be "auto", true or false, got "yes"/],
    [{ seed: 1, widths: [] }, /widths must be a non-empty array of integers ≥ 1, got \[\]/],
    [{ seed: 1, widths: [3, 0] }, /widths must be a non-empty array of integers ≥ 1, got \[3,0\]/],
    [{ seed: 1, name: 7 }, /name must be a string, got 7/],
    [{ seed: 'x' }, /seed must be a number, got "x"/],
  ])('refuses %j naming the option, what was expected and what came', (given, message) => {
    expect(() => resolveOptions('toy', TABLE, given)).toThrow(ConfigError);
    expect(() => resolveOptions('toy', TABLE, given)).toThrow(message);
  });

  it('refuses options that are not an object', () => {
    expect(() => resolveOptions('toy', TABLE, [1])).toThrow(/^toy: options must be an object, got an array$/);
  });

  it('describes every constraint in words', () => {
    expect(describeConstraint({ type: 'integer', min: 2, max: 255, description: '' })).toBe('an integer in [2, 255]');
    expect(describeConstraint({ type: 'number', min: 0, description: '' })).toBe('a number ≥ 0');
    expect(describeConstraint({ type: 'boolean', description: '' })).toBe('true or false');
  });
});
