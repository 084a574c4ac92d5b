import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cutAndCount } from '../../lib/stats/cutAndCount.js';
import { zCowan } from '../../lib/stats/significance.js';

/** `<repo>/../shared/data/lhco-sr/`, else /work/shared/data/lhco-sr/ (worktrees live one level deeper). */
function lhcoDir(): string | null {
  for (const u of [new URL('../../../shared/data/lhco-sr/', import.meta.url), new URL('file:///work/shared/data/lhco-sr/')]) {
    const p = fileURLToPath(u);
    if (existsSync(p)) return p;
  }
  return null;
}
const dir = lhcoDir();

/** Minimal .npy v1 reader for the fixture files: little-endian float64, C order, 2-D. */
function readNpy(path: string): { data: Float64Array; rows: number; cols: number } {
  const buf = readFileSync(path);
  const headerLen = buf.readUInt16LE(8);
  const header = buf.subarray(10, 10 + headerLen).toString('latin1');
  if (!header.includes("'descr': '<f8'") || !header.includes("'fortran_order': False")) throw new Error(`${path}: expected <f8 C-order, header ${header}`);
  const [rows, cols] = /'shape': \((\d+), (\d+)\)/.exec(header)!.slice(1).map(Number);
  const off = 10 + headerLen;
  const data = new Float64Array(buf.buffer.slice(buf.byteOffset + off, buf.byteOffset + off + rows * cols * 8));
  return { data, rows, cols };
}

/** Same elementwise operations, same order, as test/fixtures/stats-lhco-reference.py. */
const score = (m: { data: Float64Array; rows: number; cols: number }): Float64Array =>
  Float64Array.from({ length: m.rows }, (_, i) => {
    const r = i * m.cols;
    return -(m.data[r + 3] + m.data[r + 4]) - 10 * Math.abs(m.data[r + 1] - 0.1) - 4 * Math.abs(m.data[r + 2] - 0.4);
  });

describe.skipIf(!dir)('cut-and-count on the real LHCO SR events (IAD template, ML-free score)', () => {
  const ref = JSON.parse(readFileSync(new URL('../fixtures/stats-lhco-reference.json', import.meta.url), 'utf8')) as {
    nTemplate: number; nSR: number; nSRBackground: number;
    rows: { epsilonB: number; threshold: number; nTemplatePass: number; nObs: number; nObsBackground: number }[];
  };
  const template = readNpy(dir + 'extrabkg_sr.npy');
  const a = readNpy(dir + 'innerdata_train.npy');
  const b = readNpy(dir + 'innerdata_test.npy');
  const dataScores = new Float64Array([...score(a), ...score(b)]);
  const labels = new Float64Array([...Array.from({ length: a.rows }, (_, i) => a.data[i * 6 + 5]), ...Array.from({ length: b.rows }, (_, i) => b.data[i * 6 + 5])]);
  const templateScores = score(template);
  const epsilonB = ref.rows.map((r) => r.epsilonB);

  it('thresholds and counts equal numpy (np.quantile nearest, score ≥ t) exactly', () => {
    const rows = cutAndCount({ templateScores, dataScores }, { epsilonB, deltaSys: 0 });
    rows.forEach((r, j) => {
      expect(r.threshold).toBe(ref.rows[j].threshold);
      expect(r.nTemplatePass).toBe(ref.rows[j].nTemplatePass);
      expect(r.nObs).toBe(ref.rows[j].nObs);
      expect(r.nTemplate).toBe(ref.nTemplate);
      expect(r.nSR).toBe(ref.nSR);
    });
  });

  it('ε_B = 1e-3 reproduces the anchor-style N_exp = 125.2 from 41 template events; signal gives a clear excess', () => {
    const [r] = cutAndCount({ templateScores, dataScores }, { epsilonB: [1e-3], deltaSys: 0 });
    expect(r.nTemplatePass).toBe(41);
    expect(r.nExp).toBeCloseTo((41 / 40000) * 122124, 10); // = 125.18
    expect(r.nExp.toFixed(1)).toBe('125.2');
    expect(r.sigmaExp).toBe(Math.sqrt(1 / 41));
    expect(r.zCowan).toBeGreaterThan(5);
    expect(r.zSimple).toBeGreaterThan(r.zCowan);
  });

  it('the background-only part of the data is consistent with the template (|Z| < 3, δ within stat.)', () => {
    const bkgScores = dataScores.filter((_, i) => labels[i] === 0);
    const rows = cutAndCount({ templateScores, dataScores: bkgScores }, { epsilonB, deltaSys: 0 });
    rows.forEach((r, j) => {
      expect(r.nObs).toBe(ref.rows[j].nObsBackground);
      expect(r.nSR).toBe(ref.nSRBackground);
      expect(Math.abs(zCowan(r.nObs, r.nExp, r.sigmaExp))).toBeLessThan(3);
    });
  });
});
