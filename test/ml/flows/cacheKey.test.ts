/**
 * A scan's flow task is keyed by the resolved flow options, not only by what the config names: a
 * change of the `default` preset (issue 21) must not reuse flows cached under the old preset.
 */
import { describe, expect, it } from 'vitest';
import { SIDEBAND_DENSITY_STAGE } from '../../../lib/methods/cathode.js';
import { FLOW_PRESETS } from '../../../lib/ml/flows/index.js';

type Settings = Parameters<typeof SIDEBAND_DENSITY_STAGE.keyInputs>[0];
const settings = (flow: Record<string, unknown>): Settings =>
  ({ cathode: { flow, flows: 1, oversampling: 4, bandwidth: 0.01 } }) as unknown as Settings;

describe('CATHODE flow task key', () => {
  it('holds the resolved options of the named preset and overrides', () => {
    const key = SIDEBAND_DENSITY_STAGE.keyInputs(settings({ preset: 'default' }), {} as never) as { flowOptions: unknown };
    expect(key.flowOptions).toEqual(FLOW_PRESETS.default);
    const paper = SIDEBAND_DENSITY_STAGE.keyInputs(settings({ preset: 'paper', epochs: 3 }), {} as never) as { flowOptions: unknown };
    expect(paper.flowOptions).toEqual({ ...FLOW_PRESETS.paper, epochs: 3 });
  });
});
