import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../lib/util/rng.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const args = (...a: string[]) => ['--import', 'tsx', join(repo, 'scripts/cli.ts'), ...a];
const cli = (...a: string[]): string => execFileSync(process.execPath, args(...a), { cwd: repo, encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'sw-bkg-cli-'));

describe('sidewinder dcor / charge-flip / fake-factor --model bdt', () => {
  it('dcor: 1 for a linear column, near 0 for an independent one, with a permutation p-value', () => {
    const rng = createRng(1), rows = ['a,b,c'];
    for (let i = 0; i < 2000; i++) { const a = rng.normal(); rows.push(`${a},${3 * a - 1},${rng.normal()}`); }
    const f = join(dir, 'dcor.csv');
    writeFileSync(f, rows.join('\n'));
    const out = JSON.parse(cli('dcor', f, '--x', 'a', '--y', 'b,c', '--permutations', '19', '--json')) as { rows: { y: string; dCor: number; pValue: number }[] };
    expect(out.rows[0].dCor).toBeCloseTo(1, 10);
    expect(out.rows[0].pValue).toBeCloseTo(1 / 20, 12);
    expect(out.rows[1].dCor).toBeLessThan(0.1);
    const bad = spawnSync(process.execPath, args('dcor', f, '--x', 'a', '--y', 'bb'), { cwd: repo, encoding: 'utf8' });
    expect(bad.status).toBe(1); // bad input: the file lacks the column
    expect(bad.stderr).toMatch(/no column "bb".*did you mean "b"/);
  });

  it('charge-flip: pre-binned counts give the rates back', () => {
    // Two bins with p = (0.01, 0.05): expected same-sign fractions 0.0198, 0.0590, 0.095 (exact counts).
    const p = [0.01, 0.05], N = [[100000, 80000], [0, 50000]];
    const lines = ['bin1,bin2,total,ss'];
    for (const [i, j] of [[0, 0], [0, 1], [1, 1]]) lines.push(`${i},${j},${N[i][j]},${N[i][j] * (p[i] * (1 - p[j]) + p[j] * (1 - p[i]))}`);
    const f = join(dir, 'counts.csv');
    writeFileSync(f, lines.join('\n'));
    const fit = JSON.parse(cli('charge-flip', '--counts', f, '--json')) as { rates: number[]; errors: number[] };
    expect(fit.rates[0]).toBeCloseTo(0.01, 5);
    expect(fit.rates[1]).toBeCloseTo(0.05, 5);
    expect(fit.errors[0]).toBeGreaterThan(0);
  });

  it('fake-factor --model bdt closes on a toy; the old spelling --model flow warns and gives the same; --model is validated', () => {
    const rng = createRng(5), f = (pt: number) => 0.1 + 0.3 * Math.exp(-(pt - 20) / 30);
    const cr = ['pt,eta,tight'], ev = ['pt1,eta1,tight1'];
    for (let i = 0; i < 20000; i++) { const pt = 20 + rng.exponential(1 / 30); cr.push(`${pt},${rng.normal()},${rng.uniform() < f(pt) ? 1 : 0}`); }
    let nT = 0;
    for (let i = 0; i < 10000; i++) { const pt = 20 + rng.exponential(1 / 30), t = rng.uniform() < f(pt) ? 1 : 0; nT += t; ev.push(`${pt},${rng.normal()},${t}`); }
    writeFileSync(join(dir, 'cr.csv'), cr.join('\n'));
    writeFileSync(join(dir, 'ev.csv'), ev.join('\n'));
    const run = (model: string) => spawnSync(process.execPath, args('fake-factor', '--model', model, '--control', join(dir, 'cr.csv'), '--events', join(dir, 'ev.csv'), '--objects', '1', '--json'), { cwd: repo, encoding: 'utf8' });
    const bdt = run('bdt');
    expect(bdt.status).toBe(0);
    expect(bdt.stderr).not.toMatch(/deprecated/);
    const r = JSON.parse(bdt.stdout) as { nFakes: number; sigmaStat: number; model: string };
    expect(r.model).toBe('bdt');
    expect(Math.abs(r.nFakes - nT)).toBeLessThan(3 * Math.sqrt(r.sigmaStat ** 2 + nT));
    const old = run('flow');
    expect(old.stderr).toMatch(/warning: --model flow is deprecated; use --model bdt/);
    expect(JSON.parse(old.stdout)).toEqual(r);
    const bad = spawnSync(process.execPath, args('fake-factor', '--model', 'kde', '--control', join(dir, 'cr.csv'), '--events', join(dir, 'ev.csv')), { cwd: repo, encoding: 'utf8' });
    expect(bad.stderr).toMatch(/--model: expected "binned" or "bdt", got "kde"/);
  });
});
