/** Ctrl-C during a command with a task cache: one stderr line saying where the finished tasks are and how to resume. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { interruptLine, sayOnInterrupt } from '../../scripts/commands/interrupt.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sw-interrupt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SIGINT during scan', () => {
  it('the listeners are removed when the command ends', () => {
    const before = process.listenerCount('SIGINT');
    const stop = sayOnInterrupt(join(dir, 'cache'));
    expect(process.listenerCount('SIGINT')).toBe(before + 1);
    expect(process.listenerCount('SIGTERM')).toBeGreaterThan(0);
    stop();
    expect(process.listenerCount('SIGINT')).toBe(before);
  });

  it('a scan interrupted by SIGINT prints where its cache is and that a rerun resumes, dies of the signal, and releases its lock (a real process)', async () => {
    const out = join(dir, 'scan');
    const child = spawn(process.execPath, ['--import', 'tsx', join(repo, 'scripts/cli.ts'), 'scan', '--preset', 'ci', '--windows', '5', '--log', '-o', out], { cwd: repo });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    // 'close', not 'exit': at 'exit' the child's stderr may still hold unread data (a loaded machine read none of it).
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('close', (code, signal) => res({ code, signal })));
    // The listener is installed right after the output directory's lock is taken.
    for (let i = 0; i < 600 && !existsSync(join(out, 'sidewinder.lock')) && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(join(out, 'sidewinder.lock')), stderr).toBe(true);
    child.kill('SIGINT');
    const { code, signal } = await exited;
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGINT' }); // a shell shows exit 130
    const lines = stderr.trimEnd().split('\n');
    expect(lines.at(-1)).toBe(interruptLine('SIGINT', join(out, 'cache')));
    expect(lines.at(-1)).toBe(`sidewinder: interrupted: finished tasks are cached in ${join(out, 'cache')}; rerun the same command to resume`);
    expect(existsSync(join(out, 'sidewinder.lock'))).toBe(false);
  }, 90_000);
});
