/**
 * Sliding windows for another mass range (lib/windows `slidingWindowsDocument`, `sidewinder windows`,
 * `scan --windows-file`): a signal outside 2.9–4.1 TeV needs windows there.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { formatMass, loadWindows, massDecimals, parseWindows, slidingWindowsDocument } from '../../lib/windows/index.js';
import { scanConfigFromOptions } from '../../scripts/commands/scan.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const spec = { name: 't', from: 2.7, to: 4.3, width: 0.4, step: 0.1, shortSidebandWidth: 0.2, units: 'TeV' as const };

describe('sliding windows', () => {
  it('2.7–4.3 TeV, width 0.4 every 0.1, sidebands 0.2: exactly the nine LHCO windows of windows/lhco-nine.json', async () => {
    const nine = await loadWindows();
    const made = parseWindows(slidingWindowsDocument(spec));
    expect(made.windows).toEqual(nine.windows);
    expect(made.shortSidebandWidth).toBe(nine.shortSidebandWidth);
  });

  it('every short sideband lies inside the range, and the next window would not; GeV input gives the same windows in TeV', () => {
    const doc = slidingWindowsDocument({ ...spec, from: 3.3, to: 5.3, width: 0.5, step: 0.25 }) as { windows: { srLow: number; srHigh: number }[] };
    expect(doc.windows.map((w) => [w.srLow, w.srHigh])).toEqual([[3.5, 4], [3.75, 4.25], [4, 4.5], [4.25, 4.75], [4.5, 5]]);
    const last = doc.windows.at(-1)!;
    expect(last.srHigh + 0.2).toBeLessThanOrEqual(5.3);
    expect(last.srHigh + 0.25 + 0.2).toBeGreaterThan(5.3);
    const gev = parseWindows(slidingWindowsDocument({ ...spec, from: 3300, to: 5300, width: 500, step: 250, shortSidebandWidth: 200, units: 'GeV' }));
    expect(gev.windows.map((w) => [w.srLow, w.srHigh])).toEqual(doc.windows.map((w) => [w.srLow, w.srHigh]));
  });

  it('a range narrower than one SR with its sidebands, or a zero step, is refused saying why', () => {
    expect(() => slidingWindowsDocument({ ...spec, from: 3, to: 3.7 })).toThrow(/3–3\.7 TeV is narrower than one SR of 0\.4 with its short sidebands of 0\.2 on each side \(0\.8 TeV\)/);
    expect(() => slidingWindowsDocument({ ...spec, step: 0 })).toThrow(/step must be a positive number, got 0/);
  });

  it('`sidewinder windows` writes the file; `scan --windows-file` reads it and draws the generated IAD template over its SRs', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'sw-windows-')), 'high.json');
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'scripts/cli.ts'), 'windows', '--from', '3.3', '--to', '5.3', '--width', '0.5', '--step', '0.25', '-o', out], { cwd: repo, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('5 windows');
    expect(parseWindows(JSON.parse(readFileSync(out, 'utf8'))).windows).toHaveLength(5);
    const cfg = scanConfigFromOptions({ preset: 'ci', out: 'unused', windowsFile: out, windows: '2,3' });
    expect(cfg.windows).toEqual({ file: out, ids: [2, 3] });
    expect(cfg.template.generate?.mJJRangeTeV).toEqual([3.5, 5]);
  }, 60_000);

  it('labels give a window centre the decimals it needs: 3.75 is not printed as 3.8 beside a window at 3.8', () => {
    expect([3.1, 4, 3.75, 4.125, 4.25].map(formatMass)).toEqual(['3.1', '4.0', '3.75', '4.125', '4.25']);
    expect(massDecimals(3.1, 3.2)).toBe(1);
    expect(massDecimals(3.75, 4, 4.25)).toBe(2);
  });
});
