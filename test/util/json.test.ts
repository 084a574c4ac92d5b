/** lib/util/json.ts: where a JSON text breaks (line, column, reason) and readJsonFile's one-line errors. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, InputError } from '../../lib/util/errors.js';
import { jsonSyntaxError, readJsonFile } from '../../lib/util/json.js';
import { createRng } from '../../lib/util/rng.js';

describe('jsonSyntaxError', () => {
  it.each([
    ['{"a": 1,}', 1, 9, /expected a property name in double quotes, got "}"/],
    ['{\n  "a": [1, 2,]\n}', 2, 14, /unexpected "\]", expected a value/],
    ['{"a" 1}', 1, 6, /expected ':' after a property name, got "1"/],
    ['{"a": 1', 1, 8, /expected ',' or '}' after a property value, got end of the file/],
    ['[1, 2] x', 1, 8, /unexpected "x" after the end of the JSON value/],
    ['{"a": "x\ny"}', 1, 9, /control character/],
    ['{"a": 01}', 1, 8, /expected ',' or '}'/],
    ["{'a': 1}", 1, 2, /expected a property name in double quotes, got "'"/],
    ['{"a": tru}', 1, 7, /unexpected "t", expected a value/],
    ['{"a": "\\q"}', 1, 8, /bad escape "\\q"/],
  ])('%j: line %i, column %i', (text, line, column, reason) => {
    const e = jsonSyntaxError(text)!;
    expect([e.line, e.column]).toEqual([line, column]);
    expect(e.reason).toMatch(reason);
  });

  it('agrees with JSON.parse on 3000 randomly mutated documents (valid exactly when JSON.parse accepts)', () => {
    const seeds = [
      JSON.stringify({ schema: 'sidewinder/scan-config', epsilonB: [0.01, 1e-3], windows: { ids: [4, 5] }, x: null, ok: true, s: 'a\\"b\u00e9' }, null, 2),
      '[1, -2.5e-3, "x", {"a": [false, {}]}, []]',
    ];
    const rng = createRng(16);
    const alphabet = '{}[]",:.-+eE0123456789 \n\ttruefalsnl\\u';
    let invalid = 0;
    for (let k = 0; k < 3000; k++) {
      let t = seeds[k % seeds.length];
      for (let m = 0, n = 1 + Math.floor(rng.uniform() * 3); m < n; m++) {
        const at = Math.floor(rng.uniform() * (t.length + 1));
        const c = alphabet[Math.floor(rng.uniform() * alphabet.length)];
        const op = rng.uniform();
        t = op < 0.33 ? t.slice(0, at) + t.slice(at + 1) : op < 0.66 ? t.slice(0, at) + c + t.slice(at) : t.slice(0, at) + c + t.slice(at + 1);
      }
      let parses = true;
      try { JSON.parse(t); } catch { parses = false; }
      const e = jsonSyntaxError(t);
      expect(e === undefined, t).toBe(parses);
      if (e) { invalid++; expect(e.offset).toBeLessThanOrEqual(t.length); }
    }
    expect(invalid).toBeGreaterThan(1000); // the mutations do break most documents
  });
});

describe('readJsonFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-json-'));
  it('names the file, what it should hold, and the reason, with the error class asked for', () => {
    writeFileSync(join(dir, 'ok.json'), '\uFEFF{"a": [1]}');
    writeFileSync(join(dir, 'blank.json'), ' \n');
    writeFileSync(join(dir, 'bad.json'), '{\n "a": 1,\n}');
    mkdirSync(join(dir, 'd.json'));
    expect(readJsonFile(join(dir, 'ok.json'), 'thing')).toEqual({ a: [1] });
    expect(() => readJsonFile(join(dir, 'blank.json'), 'windows config', ConfigError)).toThrow(ConfigError);
    expect(() => readJsonFile(join(dir, 'blank.json'), 'windows config')).toThrow(/blank\.json: the file is empty; expected the windows config as JSON/);
    expect(() => readJsonFile(join(dir, 'bad.json'), 'results file')).toThrow(/bad\.json: not valid JSON at line 3, column 1: expected a property name in double quotes, got "}" \(reading the results file\)/);
    expect(() => readJsonFile(join(dir, 'none.json'), 'model document')).toThrow(InputError);
    expect(() => readJsonFile(join(dir, 'none.json'), 'model document')).toThrow(/none\.json: cannot read the model document: no such file or directory \(ENOENT\)/);
    expect(() => readJsonFile(join(dir, 'd.json'), 'results file')).toThrow(/d\.json: cannot read the results file: is a directory, expected a file \(EISDIR\)/);
  });
});
