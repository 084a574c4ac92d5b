/**
 * The CLI's error contract (issue 16 item 6, issue 19 item 4): every bad invocation ends as exactly
 * one stderr line "sidewinder: <message>" naming the input, no stack frame, and the exit code of its
 * kind — 1 bad input, 2 bad usage, 70 internal. The table runs through runCli (what scripts/cli.ts
 * runs) in this process; a few cases run the real executable to check the process exit status.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../scripts/program.js';
import { classifyCliError, EXIT, INTERNAL_HINT, reportCliError, unwritableParent } from '../../scripts/cliErrors.js';
import { WorkerTaskError } from '../../lib/ml/pool/pool.js';
import { scanConfigFromOptions } from '../../scripts/commands/scan.js';
import { ConfigError, InputError } from '../../lib/util/errors.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sw-cli-errors-'));
const f = (name: string): string => join(dir, name);
writeFileSync(f('empty.json'), '');
writeFileSync(f('broken.json'), '{\n  "schema": "sidewinder/scan-config",\n  "epsilonB": [0.01,]\n}\n');
writeFileSync(f('model.json'), JSON.stringify({ kind: 'hgb' }));
mkdirSync(f('dir.h5'));
mkdirSync(f('dir.csv'));
mkdirSync(f('results-dir.json'));

const U = EXIT.usage, I = EXIT.input;
// [argv, exit code, the message (after "sidewinder: ") must match — it names the file or option]
const CASES: [string[], number, RegExp][] = [
  [['scan', '--config', f('missing.json')], U, /^.*missing\.json: cannot read the scan configuration: no such file or directory \(ENOENT\)$/],
  [['scan', '--config', f('empty.json')], U, /empty\.json: the file is empty; expected the scan configuration as JSON/],
  [['submit', '--config', f('broken.json'), '--dry-run'], U, /broken\.json: not valid JSON at line 3, column 21: unexpected "\]", expected a value \(reading the scan configuration\)/],
  [['scan', '--config', f('dir.csv')], U, /dir\.csv: cannot read the scan configuration: is a directory, expected a file \(EISDIR\)/],
  [['scan', '--epsilon-b', '1e-2,1e-2'], U, /^--epsilon-b: 0\.01 appears twice/],
  [['scan', '--windows', '5,5'], U, /^--windows: 5 appears twice/],
  [['scan', '--windows', '4,x'], U, /^--windows: expected an integer, got "x"/],
  [['dsys', '--methods', 'cwola,cwoal'], U, /^--methods: "cwoal" is not one of .*did you mean "cwola"/],
  // An empty list used to run every method silently (`scan --methods ""`: see the test of scanConfigFromOptions below).
  [['dsys', '--methods', ' , '], U, /^--methods " , ": no method given; use one or more of iad, cwola, cathode\b/],
  [['scan', '--folds', '1'], U, /^--folds: got 1; must be >= 2/],
  [['scan', '--background', '100'], U, /^--background 100 without --signal would keep the 1000 signal events/],
  [['scan', '--frobnicate'], U, /^unknown option '--frobnicate'/],
  [['frobnicate'], U, /^unknown command 'frobnicate'/],
  [['generate', '--background', '100', '-o', f('g.h5')], U, /^--background 100 without --signal would keep the default 1000 signal events \(S\/B = 10\)/],
  [['generate', '--signal', 'many', '-o', f('g.h5')], U, /--signal <n>' argument 'many' is invalid/],
  [['inspect', f('dir.h5')], I, /dir\.h5: is a directory, not an event file/],
  [['inspect', f('missing.csv')], I, /missing\.csv: cannot read the file \(no such file\)/],
  [['report', f('broken.json')], I, /broken\.json: not valid JSON at line 3, column 21/],
  [['report', f('results-dir.json')], I, /results-dir\.json: cannot read the results file: is a directory/],
  [['report', f('broken.json'), '--significance', 'huge'], U, /^--significance: "huge" is not one of/],
  [['export-onnx', f('missing.json'), '-o', f('m.onnx')], I, /missing\.json: cannot read the model document: no such file or directory/],
  [['export-onnx', f('model.json'), '-o', f('m.onnx')], I, /model\.json: kind "hgb" cannot be exported/],
  [['export-onnx', f('model.json')], U, /^export-onnx needs -o, --out <file>/],
  [['abcd', '--nb', 'x', '--nc', '1', '--nd', '1'], U, /^--nb: expected a number, got "x"/],
  [['fit', f('missing.txt')], I, /missing\.txt: cannot read the spectrum file: no such file or directory/],
  [['merge', '-o', f('nowhere')], I, /nowhere\/plan\.json: cannot read the plan/],
];

async function run(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  let stderr = '', stdout = '';
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => { stdout += `${a.join(' ')}\n`; });
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => { stderr += `${a.join(' ')}\n`; });
  try {
    const code = await runCli(['node', 'sidewinder', ...args], { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; } });
    return { code, stderr, stdout };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe('sidewinder: one line and one exit code per bad invocation', () => {
  afterEach(() => { delete process.env.SIDEWINDER_DEBUG; });

  it.each(CASES)('%j → exit %i', async (args, code, message) => {
    const r = await run(args);
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/^sidewinder: /);
    expect(lines[0]).not.toMatch(/\bat .+:\d+:\d+\)?$|internal error/);
    expect(lines[0].slice('sidewinder: '.length)).toMatch(message);
    expect(r.code).toBe(code);
  });

  it('an unexpected error is one line with the debug hint and exit 70; SIDEWINDER_DEBUG=1 adds the stack', () => {
    const bug = new TypeError("Cannot read properties of null (reading 'fieldsLength')");
    let out = '';
    expect(reportCliError(bug, (s) => { out += s; })).toBe(EXIT.internal);
    expect(out).toBe(`sidewinder: TypeError: Cannot read properties of null (reading 'fieldsLength') ${INTERNAL_HINT}\n`);
    process.env.SIDEWINDER_DEBUG = '1';
    out = '';
    expect(reportCliError(bug, (s) => { out += s; })).toBe(EXIT.internal);
    expect(out.split('\n').length).toBeGreaterThan(3);
    expect(out).toMatch(/\n\s+at /);
  });

  it('classifies by kind: system errors name the path, worker errors keep the class they had in the worker', () => {
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, open '/x/cache/a.f64'"), { code: 'ENOENT', syscall: 'open', path: '/x/cache/a.f64', errno: -2 });
    expect(classifyCliError(enoent)).toEqual({ code: EXIT.input, message: '/x/cache/a.f64: no such file or directory (ENOENT)' });
    expect(classifyCliError(new ConfigError('a\nb'))).toEqual({ code: EXIT.usage, message: 'a b' });
    expect(classifyCliError(new InputError('f.h5: bad'))).toEqual({ code: EXIT.input, message: 'f.h5: bad' });
    expect(classifyCliError(new WorkerTaskError('classify', { name: 'InputError', message: 'data.h5: column "tau21" is NaN in 3 rows' })).code).toBe(EXIT.input);
    expect(classifyCliError(new WorkerTaskError('flow', { name: 'ConfigError', message: 'flow: epochs must be ≥ 1' })).code).toBe(EXIT.usage);
    const crashed = classifyCliError(new WorkerTaskError('flow', { name: 'RangeError', message: 'Invalid array length' }));
    expect(crashed.code).toBe(EXIT.internal);
    expect(crashed.message).toContain(INTERNAL_HINT);
  });

  it('a directory not created because its parent is read-only or unwritable says so (Node reports ENOENT)', () => {
    const out = f('ro/a/out');
    const enoent = Object.assign(new Error(`ENOENT: no such file or directory, mkdir '${out}'`), { code: 'ENOENT', syscall: 'mkdir', path: out, errno: -2 });
    const refuse = (code: string) => (d: string) => {
      expect(d).toBe(dir); // the nearest existing ancestor
      throw Object.assign(new Error(code), { code });
    };
    expect(unwritableParent(enoent, refuse('EROFS'))).toBe(`${out}: cannot create the directory: ${dir} is on a read-only file system (EROFS)`);
    expect(unwritableParent(enoent, refuse('EACCES'))).toBe(`${out}: cannot create the directory: ${dir} is not writable (permission denied, EACCES)`);
    // A writable parent: the ENOENT stands as it was.
    expect(classifyCliError(enoent)).toEqual({ code: EXIT.input, message: `${out}: no such file or directory (ENOENT)` });
  });

  it('-o under a read-only mount: the message names the read-only file system (root only: mounts a read-only tmpfs)', async (ctx) => {
    const mnt = mkdtempSync(join(tmpdir(), 'sw-ro-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro', 'tmpfs', mnt], { stdio: 'ignore' });
    } catch {
      rmSync(mnt, { recursive: true, force: true });
      return ctx.skip();
    }
    try {
      const r = await run(['scan', '--preset', 'ci', '--windows', '5', '--quiet', '-o', join(mnt, 'out')]);
      expect(r.stderr).toBe(`sidewinder: ${join(mnt, 'out')}: cannot create the directory: ${mnt} is on a read-only file system (EROFS)\n`);
      expect(r.code).toBe(EXIT.input);
    } finally {
      execFileSync('umount', [mnt]);
      rmSync(mnt, { recursive: true, force: true });
    }
  });

  it('scan --methods "" is refused naming the valid methods (it used to run all of them)', () => {
    // Called directly: through the CLI a regression would start a whole scan.
    expect(() => scanConfigFromOptions({ preset: 'ci', methods: '', out: f('m') })).toThrow(
      new ConfigError('--methods "": no method given; use one or more of iad, cwola, cathode, anode, comma-separated (omit --methods for the default)'),
    );
    expect(scanConfigFromOptions({ preset: 'ci', methods: 'cwola', out: f('m') }).methods).toEqual(['cwola']);
  });

  it('the top-level help documents the exit codes; a deprecated spelling warns once', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit codes \(every command\):\n\s+0\s+success\n\s+1\s+bad input.*\n.*\n\s+2\s+bad usage[\s\S]*\n\s+70\s+internal error .*SIDEWINDER_DEBUG=1/);
    const old = await run(['export-onnx', f('model.json'), '--output', f('m.onnx')]);
    expect(old.stderr.match(/--output is deprecated; use -o, --out/g)).toHaveLength(1);
    expect(old.code).toBe(EXIT.input);
  });

  it('the executable exits with those codes and prints exactly one line (2 real processes)', async () => {
    const exec = promisify(execFile);
    const spawnCli = (...a: string[]) => exec(process.execPath, ['--import', 'tsx', join(repo, 'scripts/cli.ts'), ...a], { cwd: repo, encoding: 'utf8' })
      .then(() => ({ code: 0, stderr: '' }), (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }));
    const [config, input] = await Promise.all([spawnCli('scan', '--config', f('broken.json')), spawnCli('inspect', f('dir.csv'))]);
    expect(config).toEqual({ code: 2, stderr: `sidewinder: ${f('broken.json')}: not valid JSON at line 3, column 21: unexpected "]", expected a value (reading the scan configuration)\n` });
    expect(input).toEqual({ code: 1, stderr: `sidewinder: ${f('dir.csv')}: is a directory, not an event file\n` });
  }, 90_000);
});
