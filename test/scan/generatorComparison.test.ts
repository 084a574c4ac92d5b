import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScan } from '../../lib/scan/scan.js';
import { smallCathodeConfig } from '../helpers/smallCathodeScan.js';
import { validateResults } from '../../lib/scan/validateResults.js';
import { writeReport } from '../../lib/report/index.js';
import type { ScanConfig } from '../../lib/scan/config.js';

function cathodeConfig(generator: 'flow' | 'gan'): ScanConfig {
  const cfg = smallCathodeConfig();
  if (generator === 'gan') { cfg.cathode.generator = 'gan'; cfg.cathode.gan = { epochs: 5, maxEvents: 20_000 }; }
  return cfg;
}

describe('scan --generator gan and the side-by-side template report', () => {
  it('a GAN-template CATHODE scan validates, records its generator, and the report draws both templates beside the data', async () => {
    const out = mkdtempSync(join(tmpdir(), 'sw-gen-'));
    const flow = await runScan(cathodeConfig('flow'), { outDir: join(out, 'flow'), cacheDir: join(out, 'flow', 'cache') });
    const gan = await runScan(cathodeConfig('gan'), { outDir: join(out, 'gan'), cacheDir: join(out, 'gan', 'cache') });
    expect(() => validateResults(gan.results, 'scan')).not.toThrow();
    expect(gan.results.config.densityEstimator?.kind).toBe('gan');
    expect(flow.results.config.densityEstimator?.kind).toBe('maf');
    // The results (and the report's notes) say that the GAN template is experimental; the flow's do not.
    expect((gan.results.notes ?? []).some((n) => /conditional GAN \(experimental\)/.test(n))).toBe(true);
    expect((flow.results.notes ?? []).some((n) => /GAN/.test(n))).toBe(false);
    // The GAN template is oversampled like the flow's.
    expect(gan.results.runs[0].nTemplate).toBe(Math.round(4 * gan.results.runs[0].nSR));
    const report = await writeReport(gan.results, join(out, 'report'), { formats: [], compareWith: flow.results });
    expect(report.plots.map((p) => p.id)).toContain('template-comparison-w5');
    const html = readFileSync(report.htmlPath, 'utf8');
    expect(html).toMatch(/GAN template vs flow \(MAF\) template/);
    expect(html).toMatch(/CATHODE template generator: conditional GAN/);
    // Correlation structure: dCor of every pair of the 4 inputs in SR data and in each template.
    for (const r of [flow.results, gan.results]) {
      const t = r.templateCorrelations!;
      expect(t.map((x) => `${x.featureA}-${x.featureB}`)).toEqual(['mJ1-deltaMJ', 'mJ1-tau21J1', 'mJ1-tau21J2', 'deltaMJ-tau21J1', 'deltaMJ-tau21J2', 'tau21J1-tau21J2']);
      expect(t.every((x) => x.windowId === 5 && x.nData === Math.min(20_000, r.runs[0].nSR) && x.nTemplate === 20_000)).toBe(true);
    }
    // Same data, same pairs: the data side agrees between the two scans; the templates differ.
    expect(gan.results.templateCorrelations!.map((x) => x.dCorData)).toEqual(flow.results.templateCorrelations!.map((x) => x.dCorData));
    const worst = (r: typeof flow.results) => Math.max(...r.templateCorrelations!.map((x) => Math.abs(x.dCorTemplate - x.dCorData)));
    console.log(`max |dCor(template) − dCor(data)| over feature pairs: flow ${worst(flow.results).toFixed(3)}, GAN ${worst(gan.results).toFixed(3)}`);
    expect(html).toMatch(/Correlation structure of the CATHODE template \(conditional GAN\)/);
  });
});
