import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventTable } from '../../lib/data/eventTable.js';
import {
  loadWindows, parseWindows, signalRegionMask, sidebandMask, shortSidebandMask, lowerShortSidebandMask,
  upperShortSidebandMask, countMask, windowLabel, windowInTeV, type Window,
} from '../../lib/windows/index.js';
import { ConfigError, InputError } from '../../lib/util/errors.js';

const doc = (windows: unknown[], extra: Record<string, unknown> = {}) => ({
  schema: 'sidewinder/windows', version: 1, name: 't', units: 'TeV', variable: 'mJJ', shortSidebandWidth: 0.2, windows, ...extra,
});

describe('windows config', () => {
  it('the default config: nine windows of width 0.4 TeV, centres 3.1 … 3.9 TeV, window n at 3.5 + (n − 5)·0.1', async () => {
    const cfg = await loadWindows();
    expect(cfg.units).toBe('TeV');
    expect(cfg.variable).toBe('mJJ');
    expect(cfg.shortSidebandWidth).toBe(0.2);
    expect(cfg.windows.map((w) => w.id)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const w of cfg.windows) {
      expect(w.centre).toBe(Number((3.5 + (w.id - 5) * 0.1).toFixed(10)));
      expect(w.srHigh - w.srLow).toBeCloseTo(0.4, 12);
      expect(w.units).toBe('TeV');
    }
    const w5 = cfg.windows[4];
    expect([w5.srLow, w5.srHigh]).toEqual([3.3, 3.7]);
    expect(windowLabel(w5)).toBe('window 5 (3.5 TeV)');
  });

  it.each([
    [doc([{ id: 1, srLow: 3.7, srHigh: 3.3 }]), /window 1: srLow 3.7 must be below srHigh 3.3/],
    [doc([{ id: 1, srLow: 3.3, srHigh: 3.7 }, { id: 1, srLow: 3.4, srHigh: 3.8 }]), /window id 1 appears twice/],
    [doc([{ id: 1, srLow: 3.3, srHigh: 3.7, centre: 3.6 }]), /window 1: centre 3.6 is not \(srLow \+ srHigh\) \/ 2 = 3.5/],
    [doc([{ id: 1, srLow: '3.3', srHigh: 3.7 }]), /\/windows\/0\/srLow: must be number/],
    [doc([{ id: 1, srLow: 3.3, srHigh: 3.7 }], { units: 'MeV' }), /\/units: must be equal to one of the allowed values \("TeV", "GeV"\)/],
    [doc([{ id: 1, srLow: 3.3, srHigh: 3.7 }], { shortSidebandWidth: 0 }), /\/shortSidebandWidth: must be > 0/],
    [doc([]), /\/windows: must NOT have fewer than 1 items/],
    [doc([{ id: 1, srLow: 3.3, srHigh: 3.7, width: 1 }]), /must NOT have additional properties \("width"\)/],
  ])('rejects a bad config (%#)', (d, msg) => {
    expect(() => parseWindows(d, 'my-windows.json')).toThrow(ConfigError);
    expect(() => parseWindows(d, 'my-windows.json')).toThrow(msg);
    expect(() => parseWindows(d, 'my-windows.json')).toThrow(/^my-windows.json: /);
  });

  it('a file that is not JSON names the file', async () => {
    const p = join(mkdtempSync(join(tmpdir(), 'sw-win-')), 'bad.json');
    writeFileSync(p, '{ "windows": [');
    await expect(loadWindows(p)).rejects.toThrow(new RegExp(`${p}: not valid JSON`));
  });
});

describe('masks on hand-made m_JJ values (window 5: SR (3.3, 3.7) TeV, short sidebands 0.2 TeV)', () => {
  const w5 = parseWindows(doc([{ id: 5, srLow: 3.3, srHigh: 3.7 }])).windows[0];
  // Boundaries: 3.1 | 3.3 | 3.7 | 3.9, values just inside/outside each, and NaN.
  const m = Float64Array.from([3.0, 3.1, 3.1000001, 3.2, 3.3, 3.3000001, 3.5, 3.6999999, 3.7, 3.8, 3.8999999, 3.9, 4.5, NaN]);
  const sel = (mask: Uint8Array) => [...m].filter((_, i) => mask[i]);

  it('SR is the open interval (3.3, 3.7)', () => {
    expect(sel(signalRegionMask(m, w5))).toEqual([3.3000001, 3.5, 3.6999999]);
  });
  it('SB is the complement of the SR (NaN in neither)', () => {
    expect(sel(sidebandMask(m, w5))).toEqual([3.0, 3.1, 3.1000001, 3.2, 3.3, 3.7, 3.8, 3.8999999, 3.9, 4.5]);
    const sr = signalRegionMask(m, w5), sb = sidebandMask(m, w5);
    for (let i = 0; i < m.length - 1; i++) expect(sr[i] + sb[i]).toBe(1);
    expect(sr[m.length - 1] + sb[m.length - 1]).toBe(0);
  });
  it('short sidebands: (3.1, 3.3] and [3.7, 3.9), exact at decimal edges despite 3.3 − 0.2 = 3.0999999999999996', () => {
    expect(3.3 - 0.2).not.toBe(3.1); // the reason edges are rounded
    expect(sel(lowerShortSidebandMask(m, w5, 0.2))).toEqual([3.1000001, 3.2, 3.3]);
    expect(sel(upperShortSidebandMask(m, w5, 0.2))).toEqual([3.7, 3.8, 3.8999999]);
    expect(sel(shortSidebandMask(m, w5, 0.2))).toEqual([3.1000001, 3.2, 3.3, 3.7, 3.8, 3.8999999]);
  });
  it('GeV columns are converted: the same events are selected', () => {
    const gev = Float64Array.from(m, (x) => x * 1000);
    const t = new EventTable({ mJJ: gev }, { mJJ: 'GeV' });
    expect(signalRegionMask(t, w5)).toEqual(signalRegionMask(m, w5));
    expect(shortSidebandMask(t, w5, 0.2)).toEqual(shortSidebandMask(m, w5, 0.2));
    expect(sidebandMask(gev, w5, { unit: 'GeV' })).toEqual(sidebandMask(m, w5));
    // events exactly on the edges in GeV: 3300 and 3700 are not in the SR, 3100 not in the lower SSB
    const edgesGeV = new EventTable({ m: Float64Array.from([3100, 3300, 3700, 3900]) }, { m: 'GeV' });
    expect([...signalRegionMask(edgesGeV, w5, { column: 'm' })]).toEqual([0, 0, 0, 0]);
    expect([...shortSidebandMask(edgesGeV, w5, 0.2, { column: 'm' })]).toEqual([0, 1, 1, 0]);
  });
  it('windows declared in GeV select the same events', () => {
    const cfg = parseWindows(doc([{ id: 5, srLow: 3300, srHigh: 3700 }], { units: 'GeV', shortSidebandWidth: 200 }));
    const g5 = cfg.windows[0];
    // Converted once, when parsed: nothing downstream sees a GeV edge.
    expect(g5).toEqual({ id: 5, srLow: 3.3, srHigh: 3.7, centre: 3.5, units: 'TeV' });
    expect(cfg).toMatchObject({ units: 'TeV', declaredUnits: 'GeV', shortSidebandWidth: 0.2 });
    expect(signalRegionMask(m, g5, { unit: 'TeV' })).toEqual(signalRegionMask(m, w5));
    expect(shortSidebandMask(m, g5, cfg.shortSidebandWidth, { unit: 'TeV' })).toEqual(shortSidebandMask(m, w5, 0.2));
    // A hand-built GeV window still selects the same events (the masks convert), and converts to the same TeV window.
    const hand = { id: 5, srLow: 3300, srHigh: 3700, centre: 3500, units: 'GeV' as const };
    expect(signalRegionMask(m, hand, { unit: 'TeV' })).toEqual(signalRegionMask(m, w5));
    expect(windowInTeV(hand)).toEqual(g5);
  });
  it('a window variable other than mJJ is refused by the schema', () => {
    expect(() => parseWindows({ ...(doc([{ id: 5, srLow: 3.3, srHigh: 3.7 }]) as object), variable: 'mJ1' })).toThrow(/variable/);
  });
  it('a float32 column works', () => {
    expect(countMask(signalRegionMask(Float32Array.from(m), w5))).toBe(3);
  });
  it('a mass column without a unit is refused, naming the column', () => {
    const t = new EventTable({ mJJ: m });
    expect(() => signalRegionMask(t, w5)).toThrow(InputError);
    expect(() => signalRegionMask(t, w5)).toThrow(/column "mJJ" has unit "" \(none\); expected "TeV", "GeV", "MeV"/);
    expect(() => shortSidebandMask(m, w5, -1)).toThrow(/short sideband width must be a positive number, got -1/);
  });
});

describe('masks on the nine windows: counts add up', () => {
  it('SR ∪ SB covers every finite event; lower + upper SSB = SSB; neighbouring windows overlap by 0.3 TeV', async () => {
    const cfg = await loadWindows();
    const n = 4001;
    const m = Float64Array.from({ length: n }, (_, i) => 2.5 + (2.0 * i) / (n - 1)); // grid 2.5 … 4.5 TeV in steps of 0.5 GeV
    for (const w of cfg.windows as Window[]) {
      const sr = countMask(signalRegionMask(m, w)), sb = countMask(sidebandMask(m, w));
      expect(sr + sb).toBe(n);
      // open SR of 0.4 TeV on a 0.5 GeV grid that hits both edges: 799 points inside
      expect(sr).toBe(799);
      const lo = countMask(lowerShortSidebandMask(m, w, cfg.shortSidebandWidth));
      const hi = countMask(upperShortSidebandMask(m, w, cfg.shortSidebandWidth));
      expect(lo).toBe(400); // (lo − 0.2, lo]: 400 grid points
      expect(hi).toBe(400); // [hi, hi + 0.2): 400 grid points
      expect(countMask(shortSidebandMask(m, w, cfg.shortSidebandWidth))).toBe(lo + hi);
    }
  });
});
