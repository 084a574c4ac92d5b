/**
 * A control whose flows train on many more sideband events than the data's understates CATHODE's bias
 * (stress test: 5k data events against the ci preset's 200k control gave 2.5–3.6σ without signal).
 */
import { describe, expect, it } from 'vitest';
import { deriveFeatures } from '../../lib/data/features.js';
import { generateLhcoLike } from '../../lib/data/generate/index.js';
import { controlOutnumbersData, describeControlStatistics } from '../../lib/scan/controlStatistics.js';
import { presetConfig } from '../../lib/scan/presets.js';
import { loadWindows, DEFAULT_WINDOWS_PATH } from '../../lib/windows/index.js';

describe('control statistics against the data\'s', async () => {
  const { windows } = await loadWindows(DEFAULT_WINDOWS_PATH);
  const small = deriveFeatures(generateLhcoLike({ background: 5000, signal: 0, seed: 1 }));
  const large = deriveFeatures(generateLhcoLike({ background: 50_000, signal: 0, seed: 2, backgroundModel: 'alternative' }));
  const same = deriveFeatures(generateLhcoLike({ background: 5000, signal: 0, seed: 3, backgroundModel: 'alternative' }));
  const cfg = presetConfig('ci');

  it('flags every window where the control\'s flow trains on more than twice the data\'s events, with both counts', () => {
    const list = controlOutnumbersData(cfg, windows, small, large);
    expect(list.map((s) => s.windowId)).toEqual(windows.map((w) => w.id));
    for (const s of list) expect(s.controlEvents / s.dataEvents).toBeGreaterThan(8);
    expect(describeControlStatistics(list)).toMatch(/^CATHODE's flows train on far fewer sideband events in the data than in the control \(window 1: \d+ vs \d+; .*understates the data's template bias/);
  });

  it('is silent for a control of the data\'s size, once both exceed the flow\'s maxEvents, without CATHODE, or with a configured δsys', () => {
    expect(controlOutnumbersData(cfg, windows, small, same)).toEqual([]);
    const capped = { ...cfg, cathode: { ...cfg.cathode, flow: { ...cfg.cathode.flow, maxEvents: 2000 } } };
    expect(controlOutnumbersData(capped, windows, small, large)).toEqual([]);
    expect(controlOutnumbersData({ ...cfg, methods: ['iad', 'cwola'] }, windows, small, large)).toEqual([]);
    expect(controlOutnumbersData({ ...cfg, deltaSys: { values: { cathode: { '0.01': 0.1 } } } }, windows, small, large)).toEqual([]);
    expect(controlOutnumbersData(cfg, windows, small, undefined)).toEqual([]);
  });
});
