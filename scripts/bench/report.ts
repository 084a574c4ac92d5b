/**
 * `npm run bench -- report`: time `writeReport` on a SYNTHETIC results document (nine windows,
 * three methods, three working points, every optional plot), SVG only and SVG + PNG.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeReport } from '../../lib/report/index.js';
import { syntheticResults } from '../../test/helpers/syntheticResults.js';

export default async function bench(): Promise<void> {
  const results = syntheticResults({ nRuns: 10 });
  const dir = mkdtempSync(join(tmpdir(), 'sidewinder-bench-report-'));
  try {
    for (const formats of [['svg'], ['svg', 'png']] as const) {
      const times: number[] = [];
      let nPlots = 0;
      for (let rep = 0; rep < 3; rep++) {
        const t0 = performance.now();
        const out = await writeReport(results, dir, { formats: [...formats] });
        times.push((performance.now() - t0) / 1000);
        nPlots = out.plots.length;
      }
      times.sort((a, b) => a - b);
      console.log(`writeReport ${formats.join('+')}: ${nPlots} plots, best ${times[0].toFixed(2)} s, median ${times[1].toFixed(2)} s (3 repeats)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
