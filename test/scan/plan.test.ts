import { describe, expect, it } from 'vitest';
import { buildPlan, taskSeed } from '../../lib/scan/plan.js';
import { presetConfig } from '../../lib/scan/presets.js';
import { scanWindows } from '../../lib/scan/scan.js';
import { validateScanConfig } from '../../lib/scan/config.js';
import { validateSchema } from '../../lib/util/schema.js';

const hashes = { data: 'a'.repeat(64), template: 'b'.repeat(64), control: 'c'.repeat(64) };

describe('scan plan', () => {
  it('windows × methods × runs, flows before the CATHODE classifiers that read them, IAD on data only', async () => {
    const cfg = presetConfig('default');
    cfg.runs = 2;
    const { windows, shortSidebandWidth } = await scanWindows(cfg);
    const plan = buildPlan(cfg, windows, shortSidebandWidth, hashes);
    // data: 9 windows × (one flow read by both runs + 2 runs × 3 classifiers); control: 9 × (flow + 2 × (cwola + cathode))
    expect(plan.tasks.length).toBe(9 * (1 + 2 * 3) + 9 * (1 + 2 * 2));
    expect(plan.tasks.filter((t) => t.kind === 'flow').every((t) => t.run === 0)).toBe(true);
    expect(plan.tasks.filter((t) => t.sample === 'control' && t.method === 'iad')).toHaveLength(0);
    expect(new Set(plan.tasks.map((t) => t.key)).size).toBe(plan.tasks.length);
    for (const t of plan.tasks.filter((x) => x.method === 'cathode' && x.kind === 'classify')) {
      const flow = plan.tasks.find((f) => f.key === t.dependsOn[0])!;
      expect(flow.kind).toBe('flow');
      expect(flow.index).toBeLessThan(t.index);
      expect([flow.windowId, flow.sample]).toEqual([t.windowId, t.sample]);
    }
    // Both runs' CATHODE classifiers of a window read the same flow, with their own seeds.
    const w5 = plan.tasks.filter((x) => x.method === 'cathode' && x.kind === 'classify' && x.windowId === 5 && x.sample === 'data');
    expect(w5.map((t) => t.run)).toEqual([0, 1]);
    expect(w5[0].dependsOn).toEqual(w5[1].dependsOn);
    expect(w5[0].seed).not.toBe(w5[1].seed);
  });

  it('keys are stable for the same inputs and change with anything the result depends on', async () => {
    const cfg = presetConfig('ci');
    const { windows, shortSidebandWidth } = await scanWindows(cfg);
    const keys = (c = cfg, h = hashes) => buildPlan(c, windows, shortSidebandWidth, h).tasks.map((t) => t.key);
    expect(keys()).toEqual(keys(structuredClone(cfg)));
    const k0 = keys();
    const other = structuredClone(cfg);
    other.classifier.options = { ...other.classifier.options, maxIter: 61 };
    const k1 = keys(other);
    // flows do not depend on the classifier; classifiers do
    const plan = buildPlan(cfg, windows, shortSidebandWidth, hashes);
    plan.tasks.forEach((t, i) => (t.kind === 'flow' ? expect(k1[i]).toBe(k0[i]) : expect(k1[i]).not.toBe(k0[i])));
    expect(keys(cfg, { ...hashes, data: 'd'.repeat(64) }).filter((k, i) => plan.tasks[i].sample === 'data').some((k) => k0.includes(k))).toBe(false);
    const seeded = structuredClone(cfg);
    seeded.seed = 2;
    expect(keys(seeded).some((k) => k0.includes(k))).toBe(false);
  });

  it('task seeds are derived by label and differ between runs, tasks and root seeds', () => {
    expect(taskSeed(1, 0, 'a')).toBe(taskSeed(1, 0, 'a'));
    expect(taskSeed(1, 0, 'a')).not.toBe(taskSeed(1, 1, 'a'));
    expect(taskSeed(1, 0, 'a')).not.toBe(taskSeed(1, 0, 'b'));
    expect(taskSeed(1, 0, 'a')).not.toBe(taskSeed(2, 0, 'a'));
  });

  it('presets validate against the schema; bad configurations are refused by name', () => {
    for (const p of ['default', 'paper', 'ci']) expect(() => validateSchema('scan-config', presetConfig(p), p)).not.toThrow();
    expect(() => presetConfig('defualt')).toThrow(/unknown scan preset "defualt".*did you mean "default"/);
    const bad = presetConfig('ci');
    bad.epsilonB = [0.01, 1.5];
    expect(() => validateSchema('scan-config', bad, 'my.json')).toThrow(/my\.json.*epsilonB/);
    const bad2 = presetConfig('ci');
    bad2.methods = ['iad', 'cwoal' as never];
    expect(() => validateScanConfig(bad2, 'cfg')).toThrow(/cfg: \/methods\/1: "cwoal" is not one of "iad", "cwola", "cathode", "anode" \(did you mean "cwola"\?\)/);
  });
});

describe('reading a plan', () => {
  it('a plan whose tasks name no registered method stage (an older version\'s flow task) is refused, naming the task', async () => {
    const { readPlan } = await import('../../lib/scan/scan.js');
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const cfg = presetConfig('ci');
    const { windows, shortSidebandWidth } = await scanWindows(cfg);
    const plan = buildPlan(cfg, windows.filter((w) => w.id === 5), shortSidebandWidth, { data: 'a'.repeat(64), template: 'b'.repeat(64) });
    const dir = mkdtempSync(join(tmpdir(), 'sw-plan-'));
    try {
      const good = join(dir, 'good.json'), old = join(dir, 'old.json');
      writeFileSync(good, JSON.stringify(plan));
      expect(readPlan(good).tasks).toHaveLength(plan.tasks.length);
      const flow = plan.tasks.findIndex((t) => t.kind === 'flow');
      writeFileSync(old, JSON.stringify({ ...plan, tasks: plan.tasks.map((t, i) => (i === flow ? { ...t, method: undefined } : t)) }));
      expect(() => readPlan(old)).toThrow(new RegExp(`task ${flow} \\(no method flow\\) is not a task of a registered method`));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
