import { describe, expect, it } from 'vitest';
import { generateLhcoLike } from '../../lib/data/generate/index.js';
import { deriveFeatures } from '../../lib/data/features.js';
import { loadWindows, sidebandMask, countMask, type Window } from '../../lib/windows/index.js';
import { featureNames } from '../../lib/methods/features.js';
import { cathodeFlowPayload } from '../../lib/methods/cathodeTask.js';
import { SIDEBAND_DENSITY_STAGE } from '../../lib/methods/cathode.js';
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
});
