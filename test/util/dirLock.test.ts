/** One writer per directory (lib/util/dirLock.ts): refusal naming the holder, stale take-over, release on SIGTERM. */
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireDirLock, LOCK_FILE, type LockHolder } from '../../lib/util/dirLock.js';
import { InputError } from '../../lib/util/errors.js';
import type { Reporter } from '../../lib/util/reporter.js';

const REPO = new URL('../../', import.meta.url).pathname;
const tmp = (): string => mkdtempSync(join(tmpdir(), 'sw-lock-'));
const recorder = (): Reporter & { lines: string[] } => {
  const lines: string[] = [];
  return { lines, progress() {}, log: (level, msg) => void lines.push(`${level}: ${msg}`) };
};
const writeHolder = (dir: string, h: Partial<LockHolder>): void =>
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ schema: 'sidewinder/lock', pid: 1, host: hostname(), since: '2026-01-01T00:00:00.000Z', command: 'sidewinder scan', ...h }));
/** The pid of a process that has exited. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', ''], {}).pid!;

describe('directory lock', () => {
  it('records pid, host, start time and command; a second writer is refused naming them; release frees it', () => {
    const dir = tmp();
    const lock = acquireDirLock(dir, { command: 'sidewinder scan --out x' });
    const holder = JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')) as LockHolder;
    expect(holder).toMatchObject({ pid: process.pid, host: hostname(), command: 'sidewinder scan --out x' });
    expect(Math.abs(Date.parse(holder.since) - Date.now())).toBeLessThan(60_000);
    let err: unknown;
    try {
      acquireDirLock(dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toContain(`pid ${process.pid} on ${hostname()} since ${holder.since} (sidewinder scan --out x)`);
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    lock.release(); // idempotent
    acquireDirLock(dir).release();
  });

  it('takes over the stale lock of a dead process on this host, with a message', () => {
    const dir = tmp();
    const pid = deadPid();
    writeHolder(dir, { pid });
    const r = recorder();
    const lock = acquireDirLock(dir, { reporter: r });
    expect(r.lines).toEqual([expect.stringMatching(new RegExp(`^warn: .*taking over the stale lock of pid ${pid} on ${hostname()} since 2026-01-01T00:00:00.000Z \\(sidewinder scan\\): that process no longer runs`))]);
    expect((JSON.parse(readFileSync(lock.path, 'utf8')) as LockHolder).pid).toBe(process.pid);
    lock.release();
  });

  it('its SIGINT/SIGTERM listeners are in place while the lock is held, and gone after a refused attempt and after release', () => {
    const dir = tmp();
    const count = (): number[] => [process.listenerCount('SIGINT'), process.listenerCount('SIGTERM')];
    const before = count();
    writeHolder(dir, { host: 'elsewhere.example' });
    expect(() => acquireDirLock(dir)).toThrow(InputError);
    expect(count()).toEqual(before);
    const mine = tmp();
    const lock = acquireDirLock(mine);
    expect(count()).toEqual(before.map((n) => n + 1));
    lock.release();
    expect(count()).toEqual(before);
  });

  it('refuses a lock held on another host (it cannot tell whether that run is alive) and says which file to delete', () => {
    const dir = tmp();
    writeHolder(dir, { pid: deadPid(), host: 'node-b17.cluster' });
    expect(() => acquireDirLock(dir)).toThrow(new RegExp(`on node-b17\\.cluster since .*; if that run is gone, delete ${join(dir, LOCK_FILE).replace(/[.]/g, '\\.')}`));
  });

  it('an unreadable lock is refused while young (being written), taken over when old', () => {
    const dir = tmp();
    writeFileSync(join(dir, LOCK_FILE), '');
    expect(() => acquireDirLock(dir)).toThrow(/is being written by another run \(or is corrupt\)/);
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(dir, LOCK_FILE), old, old);
    const r = recorder();
    acquireDirLock(dir, { reporter: r }).release();
    expect(r.lines[0]).toMatch(/is unreadable and \d+ s old: taking it over/);
  });

  it('another process holding the lock refuses this one by its pid; its SIGTERM releases the lock; a SIGKILLed holder leaves a stale lock that is taken over', async () => {
    const dir = tmp();
    const holdLock = (): Promise<import('node:child_process').ChildProcess> =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '-e',
          `const { acquireDirLock } = await import(${JSON.stringify(join(REPO, 'lib/util/dirLock.ts'))}); acquireDirLock(${JSON.stringify(dir)}, { command: 'holder' }); console.log('locked'); setInterval(() => {}, 1000);`,
        ], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
        child.stdout!.on('data', (d: Buffer) => d.toString().includes('locked') && resolve(child));
        child.on('error', reject);
        child.on('exit', (code) => reject(new Error(`lock holder exited with ${code}`)));
      });
    const exited = (c: import('node:child_process').ChildProcess): Promise<unknown> => new Promise((r) => c.once('exit', r));

    const a = await holdLock();
    expect(() => acquireDirLock(dir)).toThrow(new RegExp(`another sidewinder run writes into this directory: pid ${a.pid} on ${hostname()} since \\S+ \\(holder\\)`));
    a.kill('SIGTERM');
    await exited(a);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);

    const b = await holdLock();
    b.kill('SIGKILL');
    await exited(b);
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    const r = recorder();
    acquireDirLock(dir, { reporter: r }).release();
    expect(r.lines[0]).toContain(`taking over the stale lock of pid ${b.pid}`);
  }, 60_000);
});
