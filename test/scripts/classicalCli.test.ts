import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseSpectrumText, selectSpectrum } from '../../lib/stats/fit/index.js';
import { CWOLA_EDGES_TEV, sharedData } from '../helpers/classical.js';

describe('spectrum text input', () => {
  it('count rows with a label column and "# edges:"', () => {
    const p = parseSpectrumText('# edges: 1 2 3\n1.0\t10\t5\n0.1 ,2, 1\n', { source: 'x.dat' });
    expect(p.edges).toEqual([1, 2, 3]);
    expect(p.rows).toEqual([{ label: 1, counts: [10, 5] }, { label: 0.1, counts: [2, 1] }]);
    const h = selectSpectrum(p, { row: '0.1', edgeScale: 1000 });
    expect(Array.from(h.edges)).toEqual([1000, 2000, 3000]);
    expect(Array.from(h.values)).toEqual([2, 1]);
    expect(Array.from(selectSpectrum(p, { row: '#0' }).values)).toEqual([10, 5]);
  });
  it('a low,high,count,variance table gives a weighted histogram', () => {
    const p = parseSpectrumText('low,high,count,variance\n0,1,2.5,1.5\n1,2,3.5,2\n');
    const h = selectSpectrum(p);
    expect(Array.from(h.edges)).toEqual([0, 1, 2]);
    expect(Array.from(h.variances)).toEqual([1.5, 2]);
  });
  it('errors name the file, line and what was expected', () => {
    expect(() => parseSpectrumText('1 2\n3 x\n', { source: 'a.dat' })).toThrow(/a\.dat: line 2, column 2: "x" is not a number/);
    expect(() => parseSpectrumText('1 2\n3\n', { source: 'a.dat' })).toThrow(/line 2 has 1 values, the first data line has 2/);
    expect(() => parseSpectrumText('lo,hi,val\n0,1,2\n', { source: 't.csv' })).toThrow(/header has no count column \(got lo, hi, val/);
    expect(() => parseSpectrumText('low,high,count\n0,1,2\n1.5,2,3\n')).toThrow(/contiguous/);
    const p = parseSpectrumText('# edges: 0 1 2\n1 5 6\n');
    expect(() => selectSpectrum(p, { row: '0.5', source: 'a.dat' })).toThrow(/no row labelled 0.5 \(labels: 1\)/);
    expect(() => selectSpectrum(parseSpectrumText('5 6\n'), { source: 'b.dat' })).toThrow(/no bin edges/);
  });
});

const repo = fileURLToPath(new URL('../..', import.meta.url));
const cli = (...args: string[]): string => execFileSync(process.execPath, ['--import', 'tsx', join(repo, 'scripts/cli.ts'), ...args], { cwd: repo, encoding: 'utf8' });
const cwola = sharedData('cwola-hunting-bincounts');

describe('CLI commands', () => {
  it('abcd, matrix-method and fake-factor from numbers (JSON)', () => {
    expect(JSON.parse(cli('abcd', '--nb', '400', '--nc', '900', '--nd', '3600', '--json')).nA).toBeCloseTo(100, 10);
    const mm = JSON.parse(cli('matrix-method', '--tight', '1000', '--loose', '800', '--r', '0.9', '--f', '0.2', '--json'));
    expect(mm.nFakeTight).toBeCloseTo((0.2 / (0.2 - 0.9)) * (0.1 * 1000 - 0.9 * 800), 10);
    const ff = JSON.parse(cli('fake-factor', '--f', '0.2', '--tl', '100', '--lt', '90', '--ll', '50', '--json'));
    expect(ff.nFakes).toBeCloseTo(0.25 * 190 - 0.0625 * 50, 10);
  });

  it.skipIf(!cwola)('fit and bumphunter read a CWoLa bincounts file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-classical-'));
    const edges = CWOLA_EDGES_TEV.map((e) => e * 1000).join(',');
    const f = JSON.parse(cli('fit', `${cwola}signal/sig_bin7_bincounts.dat`, '--edges', edges, '--unit', 'GeV', '--row', '1.0', '--json'));
    expect(f.ndf).toBe(11);
    expect(f.pValue).toBeGreaterThan(0.01);
    const bh = JSON.parse(cli('bumphunter', `${cwola}signal/sig_bin7_bincounts.dat`, '--edges', edges, '--unit', 'GeV', '--row', '0.002', '--max-width', '4', '--pseudo', '200', '--json'));
    expect(bh.bumpLowTeV).toBeGreaterThan(2.5);
    expect(bh.bumpHighTeV).toBeLessThan(3.4);
    // a CSV table input to gp
    writeFileSync(join(dir, 's.csv'), 'low,high,count\n' + Array.from({ length: 20 }, (_, i) => `${2 + 0.1 * i},${2.1 + 0.1 * i},${Math.round(5000 * Math.exp(-i / 4))}`).join('\n'));
    const gp = JSON.parse(cli('gp', join(dir, 's.csv'), '--blind', '2.8:3.2', '--json'));
    expect(gp.bins.filter((b: { blinded: boolean }) => b.blinded).length).toBe(4);
  });

  it('fake-factor per-event mode: binned F(pT) from a control CSV applied to event CSVs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-ff-'));
    // control: in pT bin [0,1) 1 tight per 4 loose-not-tight (F = 0.25); in [1,2) 1 per 2 (F = 0.5)
    writeFileSync(join(dir, 'cr.csv'), 'pt,eta,tight\n0.5,0,1\n0.5,0,0\n0.5,0,0\n0.5,0,0\n0.5,0,0\n1.5,0,1\n1.5,0,0\n1.5,0,0\n');
    // events: TL (F2 at pT 1.5 → 0.5), LT (F1 at 0.5 → 0.25), LL (−0.25·0.5), TT (0)
    writeFileSync(join(dir, 'ev.csv'), 'pt1,eta1,tight1,pt2,eta2,tight2\n0.5,0,1,1.5,0,0\n0.5,0,0,1.5,0,1\n0.5,0,0,1.5,0,0\n0.5,0,1,1.5,0,1\n');
    writeFileSync(join(dir, 'mc.csv'), 'pt1,eta1,tight1,pt2,eta2,tight2,weight\n0.5,0,1,1.5,0,0,0.2\n');
    const r = JSON.parse(cli('fake-factor', '--control', join(dir, 'cr.csv'), '--pt-edges', '0,1,2', '--events', join(dir, 'ev.csv'), '--mc', join(dir, 'mc.csv'), '--json'));
    expect(r.dataTerm).toBeCloseTo(0.5 + 0.25 - 0.125, 12);
    expect(r.promptTerm).toBeCloseTo(0.2 * 0.5, 12);
    expect(r.nFakes).toBeCloseTo(0.625 - 0.1, 12);
  });

  it('bad input: one-line error naming the argument, exit code 2', () => {
    let err = '';
    try { cli('abcd', '--nb', 'x', '--nc', '1', '--nd', '1'); } catch (e) { err = String((e as { stderr: string }).stderr); expect((e as { status: number }).status).toBe(2); }
    expect(err).toMatch(/--nb: expected a number, got "x"/);
  });
});
