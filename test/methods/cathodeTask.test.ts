import { describe, expect, it } from 'vitest';
import { generateLhcoLike } from '../../lib/data/generate/index.js';
import { deriveFeatures } from '../../lib/data/features.js';
import { loadWindows, sidebandMask, countMask, type Window } from '../../lib/windows/index.js';
import { featureNames } from '../../lib/methods/features.js';
import { cathodeFlowPayload } from '../../lib/methods/cathodeTask.js';
import { SIDEBAND_DENSITY_STAGE, CATHODE, type SidebandGeneratorResult } from '../../lib/methods/cathode.js';
import type { StageInput, StoredResult } from '../../lib/methods/method.js';
import { ConfigError, InputError } from '../../lib/util/errors.js';

describe('CATHODE flow payload: which sideband events train the density', async () => {
  const events = deriveFeatures(generateLhcoLike({ background: 30_000, signal: 0, seed: 5 }));
  const window = (await loadWindows()).windows.find((w) => w.id === 5)!;
  const features = featureNames('baseline');
  const common = { flow: { preset: 'default' }, flows: 1, oversampling: 4, bandwidth: 0.01, seed: 1 } as const;

  it('takes every event outside the SR by default (the CATHODE reference)', () => {
    const p = cathodeFlowPayload(events, window, features, common);
    expect(p.rows).toBe(countMask(sidebandMask(events, window)));
    expect(p.m.some((m) => m < 2.3) && p.m.some((m) => m > 4.7)).toBe(true);
  });

  it('with sidebandWidthTeV takes only the events within that distance of the SR, on both sides', () => {
    const p = cathodeFlowPayload(events, window, features, { ...common, sidebandWidthTeV: 1 });
    const m = events.column('mJJ');
    let expected = 0;
    for (const v of m) if ((v > 2.3 && v <= 3.3) || (v >= 3.7 && v < 4.7)) expected++;
    expect(p.rows).toBe(expected);
    expect(p.rows).toBeLessThan(countMask(sidebandMask(events, window)));
    for (const v of p.m) expect((v > 2.3 && v <= 3.3) || (v >= 3.7 && v < 4.7)).toBe(true);
    expect(p.m.some((v) => v < 3.3) && p.m.some((v) => v > 3.7)).toBe(true);
    expect(p.x.length).toBe(p.rows * features.length);
  });

  it('reads the width in TeV whatever the windows\' units', () => {
    const gev: Window = { id: 5, srLow: 3300, srHigh: 3700, centre: 3500, units: 'GeV' };
    expect(cathodeFlowPayload(events, gev, features, { ...common, sidebandWidthTeV: 1 }).rows)
      .toBe(cathodeFlowPayload(events, window, features, { ...common, sidebandWidthTeV: 1 }).rows);
  });

  it('names the window and the band when it holds too few events for a density', () => {
    const few = events.take(Uint32Array.from({ length: 3000 }, (_, i) => i));
    expect(() => cathodeFlowPayload(few, window, features, { ...common, sidebandWidthTeV: 0.05 }))
      .toThrow(InputError);
    expect(() => cathodeFlowPayload(few, window, features, { ...common, sidebandWidthTeV: 0.05 }))
      .toThrow(/window 5: only \d+ events in the sideband \(0\.05 TeV either side of the SR\)/);
  });

  it('refuses a training band narrower than the short sidebands the closure samples, and only when the closure runs', () => {
    const settings = (width: number, closure: boolean) => ({
      features, shortSidebandWidth: 0.2, dataDrivenDeltaSys: closure,
      cathode: { ...common, flow: { preset: 'default' }, sidebandWidthTeV: width },
    });
    expect(() => SIDEBAND_DENSITY_STAGE.checkSettings!(settings(0.1, true))).toThrow(ConfigError);
    expect(() => SIDEBAND_DENSITY_STAGE.checkSettings!(settings(0.1, true))).toThrow(/sidebandWidthTeV \(0\.1\) is narrower than the short sidebands \(0\.2 TeV\)/);
    expect(() => SIDEBAND_DENSITY_STAGE.checkSettings!(settings(0.1, false))).not.toThrow();
    expect(() => SIDEBAND_DENSITY_STAGE.checkSettings!(settings(0.2, true))).not.toThrow();
  });

  it('independent calibration: two flows on disjoint halves; the template rows are labelled by the half whose flow drew them', async () => {
    const cathode = { ...common, flow: { preset: 'default', blocks: 2, hidden: 8, epochs: 1, maxEvents: 3000 }, flows: 3, oversampling: 2, independentCalibration: true };
    const settings = { features, shortSidebandWidth: 0.2, dataDrivenDeltaSys: false, cathode };
    const input = { events, window, settings, seed: 7, sampleRole: 'data' } as unknown as StageInput;
    const flow = await SIDEBAND_DENSITY_STAGE.run(input);
    const stored = (flow as { store: StoredResult<SidebandGeneratorResult> }).store;
    const per = stored.value.rowsPerFlow!;
    expect(per.length).toBe(3);
    expect(per.reduce((a, b) => a + b, 0)).toBe(stored.value.nSamples);
    const classify = CATHODE.stages.find((st) => st.kind === 'classify')!;
    const out = await classify.run({ ...input, dependency: () => stored } as unknown as StageInput);
    const groups = (out as { crossFit: { template: { groups: Uint8Array } } }).crossFit.template.groups;
    // Flows 0 and 2 trained on half 0, flow 1 on half 1: their rows, in order.
    expect(Array.from(groups)).toEqual([...Array(per[0]).fill(0), ...Array(per[1]).fill(1), ...Array(per[2]).fill(0)]);
    // Its own cache key: a template of unpartitioned flows is never read as one.
    expect(classify.keyInputs!(settings as never, {})).toEqual({ independentCalibration: true });
    expect(classify.keyInputs!({ ...settings, cathode: common } as never, {})).toEqual({});
  });

  it('independent calibration needs the flow generator and at least two flows', () => {
    const settings = (cathode: Record<string, unknown>) => ({ features, shortSidebandWidth: 0.2, dataDrivenDeltaSys: false, cathode: { ...common, ...cathode } });
    expect(() => SIDEBAND_DENSITY_STAGE.checkSettings!(settings({ independentCalibration: true }) as never)).toThrow(/needs the flow generator with flows ≥ 2 \(one or more per sideband half\), got flows: 1/);
    expect(() => SIDEBAND_DENSITY_STAGE.checkSettings!(settings({ independentCalibration: true, flows: 2, generator: 'gan' }) as never)).toThrow(/got generator "gan"/);
    expect(() => SIDEBAND_DENSITY_STAGE.checkSettings!(settings({ independentCalibration: true, flows: 2 }) as never)).not.toThrow();
  });
});
