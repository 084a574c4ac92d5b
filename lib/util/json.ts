/**
 * Reading JSON documents (results, manifests, windows, configs, models) with errors a user can act
 * on: the file, what it should hold, and for a syntax error the line and column — V8's own message
 * often has no position and echoes the whole text.
 */
import { readFileSync } from 'node:fs';
import { InputError, systemErrorText, type SidewinderError } from './errors.js';

/** An error class of lib/util/errors.ts (InputError for data files, ConfigError for configurations). */
export type SidewinderErrorClass = new (message: string, options?: { cause?: unknown }) => SidewinderError;

/** Where and why a text is not JSON: 0-based `offset`, 1-based `line` and `column`. */
export interface JsonSyntaxError {
  readonly offset: number;
  readonly line: number;
  readonly column: number;
  readonly reason: string;
}

class Located {
  constructor(readonly offset: number, readonly reason: string) {}
}

/**
 * The first syntax error of `text` as JSON (RFC 8259), or `undefined` when it is valid. Only called
 * after `JSON.parse` failed, so it favours clear reasons over speed.
 */
export function jsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const n = text.length;
  let i = 0;
  const what = (at: number): string => (at >= n ? 'end of the file' : JSON.stringify(text[at]));
  const fail = (reason: string, at = i): never => { throw new Located(at, reason); };
  const ws = (): void => { while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++; };
  const string = (): void => {
    i++; // opening quote
    for (;;) {
      if (i >= n) fail('unterminated string');
      const c = text.charCodeAt(i);
      if (c === 0x22) { i++; return; }
      if (c < 0x20) fail('control character (e.g. a line break) inside a string');
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('bad \\u escape in a string');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail(`bad escape "\\${e ?? ''}" in a string`);
      } else i++;
    }
  };
  const number = (): void => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) fail(`bad number starting with ${what(i)}`);
    i += m![0].length;
  };
  const value = (depth: number): void => {
    ws();
    if (i >= n) fail('unexpected end of the file, expected a value');
    if (depth > 5000) fail('nested too deeply');
    const c = text[i];
    if (c === '{') {
      i++; ws();
      if (text[i] === '}') { i++; return; }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(`expected a property name in double quotes, got ${what(i)}`);
        string(); ws();
        if (text[i] !== ':') fail(`expected ':' after a property name, got ${what(i)}`);
        i++;
        value(depth + 1); ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return; }
        fail(`expected ',' or '}' after a property value, got ${what(i)}`);
      }
    }
    if (c === '[') {
      i++; ws();
      if (text[i] === ']') { i++; return; }
      for (;;) {
        value(depth + 1); ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return; }
        fail(`expected ',' or ']' after an array element, got ${what(i)}`);
      }
    }
    if (c === '"') return string();
    if (c === '-' || (c >= '0' && c <= '9')) return number();
    for (const lit of ['true', 'false', 'null']) if (text.startsWith(lit, i)) { i += lit.length; return; }
    fail(`unexpected ${what(i)}, expected a value`);
  };
  try {
    value(0);
    ws();
    if (i < n) fail(`unexpected ${what(i)} after the end of the JSON value`);
    return undefined;
  } catch (e) {
    if (!(e instanceof Located)) throw e;
    let line = 1, lineStart = 0;
    for (let k = 0; k < e.offset && k < n; k++) if (text[k] === '\n') { line++; lineStart = k + 1; }
    return { offset: e.offset, line, column: e.offset - lineStart + 1, reason: e.reason };
  }
}

/**
 * Parse `text` as JSON (a leading byte-order mark is ignored).
 * @param source names the file in errors; `what` says what it should hold ("results file").
 * @throws ErrorClass (default InputError): "<source>: the file is empty; …" or
 *   "<source>: not valid JSON at line L, column C: <reason> (reading the <what>)".
 */
export function parseJsonText(text: string, source: string, what: string, ErrorClass: SidewinderErrorClass = InputError): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.trim() === '') throw new ErrorClass(`${source}: the file is empty; expected the ${what} as JSON`);
  try {
    return JSON.parse(body);
  } catch (err) {
    const at = jsonSyntaxError(body);
    // V8 sometimes echoes the whole text after a comma: keep only its first clause as a fallback.
    const reason = at ? `at line ${at.line}, column ${at.column}: ${at.reason}` : `(${(err as Error).message.split(/, "|\n/)[0]})`;
    throw new ErrorClass(`${source}: not valid JSON ${reason} (reading the ${what})`, { cause: err });
  }
}

/**
 * Read and parse a JSON file: the one reader of results, manifests, windows, scan configurations and
 * model documents.
 * @param what what the file should hold, for messages ("results file", "scan configuration").
 * @throws ErrorClass (default InputError) naming `path`: unreadable ("no such file or directory
 *   (ENOENT)", "is a directory"), empty, or not JSON with line and column.
 */
export function readJsonFile(path: string, what: string, ErrorClass: SidewinderErrorClass = InputError): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ErrorClass(`${path}: cannot read the ${what}: ${systemErrorText(err) ?? (err as Error).message}`, { cause: err });
  }
  return parseJsonText(text, path, what, ErrorClass);
}
