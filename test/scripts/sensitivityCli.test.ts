/**
 * `sidewinder sensitivity` on the command line: bad invocations end in one line naming the option
 * (exit 2 usage, 1 input) before any scan; --help shows examples. The sweep itself: test/scan/sensitivity.test.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../scripts/program.js';
import { EXIT } from '../../scripts/cliErrors.js';
import { generateLhcoLike } from '../../lib/data/generate/index.js';
import { writeEvents } from '../../lib/data/io/index.js';

const dir = mkdtempSync(join(tmpdir(), 'sw-sens-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  let stderr = '', stdout = '';
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => { stdout += `${a.join(' ')}\n`; });
  try {
    const code = await runCli(['node', 'sidewinder', 'sensitivity', ...args], { stdout: (s) => { stdout += s; }, stderr: (s) => { stderr += s; } });
    return { code, stderr, stdout };
  } finally {
    log.mockRestore();
  }
}

describe('sidewinder sensitivity (command line)', () => {
  it.each([
    [['--signal', '0,1.5'], EXIT.usage, /^sidewinder: --signal: "1.5" is not an event count/],
    [['--signal', '0,300,300'], EXIT.usage, /^sidewinder: --signal: level 300 appears twice/],
    [['--signal', '0,300', '--runs', '0'], EXIT.usage, /^sidewinder: --runs: expected an integer ≥ 1, got "0"/],
    [['--signal', '0,300', '--background-file', 'b.h5'], EXIT.usage, /^sidewinder: --background-file needs --signal-file/],
    [['--signal', '0,300', '--methods', 'iad,cwoal'], EXIT.usage, /^sidewinder: --methods: "cwoal" is not one of/],
    [['--runs', '2'], EXIT.usage, /required option '--signal <levels>'/],
  ])('%j → exit %i', async (args, code, message) => {
    const r = await run([...args, '-o', join(dir, 'out'), '--quiet']);
    expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(code);
  });

  it('refuses a level larger than the signal file, naming the file', async () => {
    const bkg = join(dir, 'bkg.arrow'), sig = join(dir, 'sig.arrow');
    await writeEvents(generateLhcoLike({ background: 2000, signal: 0, seed: 3 }), bkg);
    await writeEvents(generateLhcoLike({ background: 0, signal: 40, seed: 4 }), sig);
    const r = await run(['--signal', '0,50', '--background-file', bkg, '--signal-file', sig, '--no-control', '--windows', '5', '-o', join(dir, 'files'), '--quiet']);
    expect(r.stderr).toBe(`sidewinder: ${sig}: holds 40 signal events; injection level 50 needs at least that many (events are drawn without replacement)\n`);
    expect(r.code).toBe(EXIT.input);
  });

  it('--help explains the seeds and shows examples', async () => {
    const r = await run(['--help']);
    expect(r.stdout).toMatch(/run r moves them all by 1000·r/);
    expect(r.stdout).toMatch(/\$ sidewinder sensitivity --preset ci --windows 5 --signal 0,300,1000 --runs 3/);
  });
});
