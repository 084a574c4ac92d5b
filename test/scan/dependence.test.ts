import { describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScan } from '../../lib/scan/scan.js';
import { presetConfig } from '../../lib/scan/presets.js';
import { validateResults } from '../../lib/scan/validateResults.js';
import { renderHtml } from '../../lib/report/html.js';

describe('scan results: dCor of each classifier input with m_JJ', () => {
  it('ΔR_JJ depends on m_JJ far more than the jet-substructure features; the results validate and the report shows the table', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sw-dep-'));
    const cfg = presetConfig('ci');
    cfg.windows.ids = [5];
    cfg.methods = ['cwola'];
    cfg.features = 'deltaR';
    delete cfg.control;
    const { results } = await runScan(cfg, { outDir: out, cacheDir: join(out, 'cache') });
    expect(() => validateResults(results, 'scan')).not.toThrow();
    const dep = results.featureDependence!;
    expect(dep.map((d) => d.feature)).toEqual(['mJ1', 'deltaMJ', 'tau21J1', 'tau21J2', 'deltaRJJ']);
    const dR = dep.find((d) => d.feature === 'deltaRJJ')!.dCor;
    const tau = Math.max(...dep.filter((d) => d.feature.startsWith('tau')).map((d) => d.dCor));
    expect(dR).toBeGreaterThan(3 * tau);
    expect(renderHtml(results, [], [])).toMatch(/dCor with mJJ/);
  });
});
