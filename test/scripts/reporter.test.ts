import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consoleReporter, formatDuration, type ProgressStream } from '../../scripts/reporter.js';

/** A fake stderr: records what is written; `isTTY` as given. */
function fakeStream(isTTY: boolean, columns = 100): ProgressStream & { text: string } {
  const s = { text: '', isTTY, columns, write(chunk: string) { s.text += chunk; return true; } };
  return s;
}

/**
 * What a terminal shows after `text`: printable characters overwrite, \n moves to the next line,
 * \r to column 0, ESC[nA moves up n lines, ESC[J erases from the cursor to the end of the screen.
 * Any other escape sequence fails the test (the reporter must use only these).
 */
function screen(text: string): string[] {
  const lines: string[] = [''];
  let row = 0, col = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\x1b') {
      const m = /^\x1b\[(\d*)([AJ])/.exec(text.slice(i));
      if (!m) throw new Error(`unexpected escape sequence ${JSON.stringify(text.slice(i, i + 8))}`);
      if (m[2] === 'A') row = Math.max(0, row - Number(m[1] || 1));
      else {
        lines[row] = lines[row].slice(0, col);
        lines.length = row + 1;
      }
      i += m[0].length - 1;
    } else if (c === '\n') {
      row++;
      col = 0;
      if (lines.length <= row) lines.push('');
    } else if (c === '\r') col = 0;
    else {
      const l = lines[row].padEnd(col);
      lines[row] = l.slice(0, col) + c + l.slice(col + 1);
      col++;
    }
  }
  return lines.filter((l, i) => i < lines.length - 1 || l !== '');
}

const BAR_CHARS = /[█░]/;

describe('the CLI progress reporter', () => {
  it('formats durations', () => {
    expect(formatDuration(42.4)).toBe('42 s');
    expect(formatDuration(185)).toBe('3 min 05 s');
    expect(formatDuration(3720)).toBe('1 h 02 min');
  });

  it('on a terminal: a bar from the stage start, no ETA until a rate is measured, then an ETA from it', () => {
    let t = 0;
    const s = fakeStream(true);
    // The default mode on a terminal (CI=true would mean plain lines, as it does in .ci/run).
    const ci = process.env.CI;
    delete process.env.CI;
    let r: ReturnType<typeof consoleReporter>;
    try {
      r = consoleReporter(undefined, { stream: s, now: () => t, tickMs: 0, minRedrawMs: 0 });
    } finally {
      if (ci !== undefined) process.env.CI = ci;
    }
    r.progress('flow epochs', 0, 90);
    let shown = screen(s.text);
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatch(/flow epochs +\[░{24}\] 0\/90 +0 %/);
    expect(shown[0]).not.toMatch(/ETA/);
    t = 30_000;
    r.progress('flow epochs', 9, 90); // 9 epochs in 30 s: 81 left → 270 s
    shown = screen(s.text);
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatch(/9\/90 +10 % · 30 s · ETA 4 min 30 s$/);
    // A second stage gets its own line; a log line goes above both bars.
    r.progress('tasks', 1, 10);
    r.log('info', 'window 5: 12.0 s');
    shown = screen(s.text);
    expect(shown).toHaveLength(3);
    expect(shown[0]).toBe('[  30.0 s] window 5: 12.0 s');
    expect(shown[1]).toMatch(/^ flow epochs/);
    expect(shown[2]).toMatch(/^ tasks +\[██░+\] 1\/10 +10 % · 0 s$/); // first seen at 1: no rate yet
    // A finished stage disappears; stop() erases the rest and the next line printed stands alone.
    r.progress('flow epochs', 90, 90);
    expect(screen(s.text)).toHaveLength(2);
    r.stop();
    s.text += 'results: /abs/results.json\n'; // what the command prints last (on a shared terminal)
    expect(screen(s.text)).toEqual(['[  30.0 s] window 5: 12.0 s', 'results: /abs/results.json']);
  });

  it('cuts bar lines to the terminal width (a wrapped line would break the redraw)', () => {
    const s = fakeStream(true, 40);
    const r = consoleReporter('bars', { stream: s, now: () => 0, tickMs: 0 });
    r.progress('look-elsewhere toys', 10, 1000);
    expect(screen(s.text)[0].length).toBeLessThanOrEqual(39);
    r.stop();
    expect(screen(s.text)).toEqual([]);
  });

  it('off a terminal: no escape codes or bar characters, plain lines with an ETA once measurable, one end line', () => {
    let t = 0;
    const s = fakeStream(false);
    const r = consoleReporter('bars', { stream: s, now: () => t, logEveryMs: 10_000 }); // bars asked for, but not a TTY
    r.progress('flow epochs', 0, 100);
    for (let e = 1; e < 100; e++) {
      t = e * 1000;
      r.progress('flow epochs', e, 100);
    }
    t = 100_000;
    r.progress('flow epochs', 100, 100);
    r.log('warn', 'something to know');
    r.stop();
    expect(s.text).not.toMatch(/\x1b/);
    expect(s.text).not.toMatch(BAR_CHARS);
    const lines = s.text.trimEnd().split('\n');
    expect(lines[0]).toBe('[   0.0 s] flow epochs: 0/100');
    // One line per 10 s (the 1 s epochs give 1 epoch/s: ETA = epochs left in seconds).
    expect(lines[1]).toBe('[  10.0 s] flow epochs: 10/100 (10 %), ETA 1 min 30 s');
    expect(lines.filter((l) => /flow epochs: \d+\/100 \(/.test(l))).toHaveLength(9);
    expect(lines.filter((l) => l.includes('done in'))).toEqual(['[ 100.0 s] flow epochs: 100/100 done in 1 min 40 s']);
    expect(lines.at(-1)).toBe('[ 100.0 s] warning: something to know');
  });

  it('quiet: warnings only', () => {
    const s = fakeStream(true);
    const r = consoleReporter('quiet', { stream: s, now: () => 0 });
    r.progress('tasks', 0, 3);
    r.progress('tasks', 3, 3);
    r.log('info', 'not shown');
    r.log('warn', 'shown');
    r.stop();
    expect(s.text).toBe('[   0.0 s] warning: shown\n');
  });

  it('--log on a terminal gives plain lines too', () => {
    const s = fakeStream(true);
    const r = consoleReporter('log', { stream: s, now: () => 0 });
    r.progress('plots', 0, 4);
    r.progress('plots', 4, 4);
    r.stop();
    expect(s.text).toBe('[   0.0 s] plots: 0/4\n[   0.0 s] plots: 4/4 done in 0 s\n');
  });
});

const repo = new URL('../../', import.meta.url).pathname;
const cli = join(repo, 'scripts/sidewinder.mjs'); // the CLI from the sources (tsx)
describe('sidewinder generate with stderr piped', () => {
  it('prints plain progress lines and no bar', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-reporter-'));
    try {
      const r = spawnSync(process.execPath, [cli, 'generate', '--background', '3000', '--signal', '30', '-o', join(dir, 'ev.csv')], {
        encoding: 'utf8', timeout: 60_000, env: { ...process.env, CI: '' },
      });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).not.toMatch(/\x1b/);
      expect(r.stderr).not.toMatch(BAR_CHARS);
      expect(r.stderr).toMatch(/events: 0\/3030\n/);
      const q = spawnSync(process.execPath, [cli, 'generate', '--background', '3000', '--signal', '30', '--quiet', '-o', join(dir, 'q.csv')], { encoding: 'utf8', timeout: 60_000 });
      expect(q.status, q.stderr).toBe(0);
      expect(q.stderr).toBe('');
      expect(q.stdout).toMatch(/wrote 3030 events/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
