/**
 * Gridded features (stress test: jet masses rounded to 1 GeV gave CATHODE background-only Z 5–6 at
 * ε_B = 10⁻²) are refused before training; continuous data, real LHCO files included, pass.
 */
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EventTable } from '../../lib/data/eventTable.js';
import { deriveFeatures } from '../../lib/data/features.js';
import { generateLhcoLike } from '../../lib/data/generate/index.js';
import { readEvents } from '../../lib/data/io/index.js';
import { checkFeatureResolution, featureResolution, GRIDDED_TIE_FRACTION } from '../../lib/scan/featureResolution.js';
import type { ScanDataset } from '../../lib/scan/dataset.js';
import { InputError } from '../../lib/util/errors.js';
import { lhcoSrDir } from '../helpers/lhcoSr.js';

const sample = (events: EventTable, path: string): ScanDataset =>
  ({ role: 'data', events, sha256: path, path, nEvents: events.length, description: path, rowsFingerprint: path }) as ScanDataset;

/** The raw sample with both jet masses rounded to `stepGeV`. */
function rounded(raw: EventTable, stepGeV: number): EventTable {
  let t = raw;
  for (const c of ['mj1', 'mj2']) t = t.withColumn(c, Float64Array.from(raw.column(c), (v) => Math.round(v / stepGeV) * stepGeV), raw.unit(c));
  return t;
}

describe('feature resolution', () => {
  const raw = generateLhcoLike({ background: 40_000, signal: 0, seed: 5 });
  const continuous = deriveFeatures(raw);

  it('counts ties and the smallest step', () => {
    const r = featureResolution('x', Float64Array.from([0.3, 0.1, 0.2, 0.2, 0.5, 0.5, 0.5]));
    expect(r).toMatchObject({ rows: 7, distinct: 4, tieFraction: 5 / 7 });
    expect(r.smallestStep).toBeCloseTo(0.1, 12);
  });

  it('generated (float64) features have no ties; masses rounded to 1 GeV are gridded', () => {
    for (const f of ['mJ1', 'deltaMJ', 'tau21J1', 'tau21J2']) expect(featureResolution(f, continuous.column(f)).tieFraction).toBeLessThan(0.01);
    const r = featureResolution('mJ1', deriveFeatures(rounded(raw, 1)).column('mJ1'));
    expect(r.tieFraction).toBeGreaterThan(0.9);
    expect(r.smallestStep).toBeCloseTo(0.001, 9); // TeV
  });

  it('CATHODE on rounded masses is refused naming the file, the feature and the grid; IAD and CWoLa on the same data are not', () => {
    const data = sample(deriveFeatures(rounded(raw, 1)), 'rounded.h5');
    const run = (methods: string[]) => () => checkFeatureResolution({ methods: methods as never, features: 'baseline' }, { data });
    expect(run(['iad', 'cwola', 'cathode'])).toThrow(InputError);
    expect(run(['cathode'])).toThrow(/rounded\.h5: feature "mJ1" takes \d+ distinct values in 40000 events \(\d+\.\d % share their value with another; steps down to 0\.00100 TeV\): the values sit on a grid.*--methods iad,cwola/);
    expect(run(['cwola'])).not.toThrow();
  });

  it('IAD with a template gridded unlike the data is refused; both continuous or both gridded pass', () => {
    const data = sample(continuous, 'data.h5');
    const template = { ...sample(deriveFeatures(rounded(generateLhcoLike({ background: 40_000, signal: 0, seed: 6 }), 1)), 'tpl.h5'), role: 'IAD template' };
    const cfg = { methods: ['iad'] as never, features: 'baseline' };
    expect(() => checkFeatureResolution(cfg, { data, template })).toThrow(/feature "mJ1" is stored on a grid in the IAD template \(tpl\.h5\) but not in the data \(data\.h5\)/);
    expect(() => checkFeatureResolution(cfg, { data: { ...template, path: 'd.h5' }, template })).not.toThrow();
  });

  it.skipIf(!lhcoSrDir)('the real LHCO signal-region files are continuous (ties well below the limit)', async () => {
    for (const f of ['innerdata_test.npy', 'extrabkg_sr.npy']) {
      const path = join(lhcoSrDir!, f);
      if (!existsSync(path)) continue;
      const events = await readEvents(path);
      for (const c of ['mJ1', 'deltaMJ', 'tau21J1', 'tau21J2']) expect(featureResolution(c, events.column(c)).tieFraction).toBeLessThan(GRIDDED_TIE_FRACTION / 2);
    }
  });
});
