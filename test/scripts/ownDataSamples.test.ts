import { describe, expect, it } from 'vitest';
import { scanConfigFromOptions, type ScanCliOptions } from '../../scripts/commands/scan.js';
import { configurationNotes } from '../../lib/scan/configNotes.js';

// A user's data file must never be compared with sidewinder's own toy generator as if it were the
// data's background model: an IAD against the generated template "discovers" the difference
// between two generators (issue 21's other-generator file; measured Z_Cowan 14.3 at 1e-2).
const base: ScanCliOptions = { preset: 'default', out: 'out/unused' };

describe('--data with the preset’s generated template and control', () => {
  it('leaves IAD out; keeps the generated control for the methods’ own bias and adds CATHODE’s sideband closure; both said', () => {
    const cfg = scanConfigFromOptions({ ...base, data: 'events.h5' });
    const notices = configurationNotes(cfg);
    expect(cfg.methods).toEqual(['cwola', 'cathode']);
    expect(cfg.control?.generate?.backgroundModel).toBe('alternative');
    expect(cfg.deltaSys.dataDriven).toBe(true);
    expect(notices).toHaveLength(2);
    expect(notices[0]).toMatch(/^IAD not run: .*--template/);
    expect(notices[1]).toMatch(/^MC δsys measured on a control sample from sidewinder's own toy generator: .*--control\).*sideband closure in the data is added/);
  });

  it('refuses an explicit IAD without --template, naming the option and the file', () => {
    expect(() => scanConfigFromOptions({ ...base, data: 'events.h5', methods: 'iad,cwola' })).toThrow(
      /--methods iad,cwola: IAD needs a simulated background of the process in events\.h5.*--template <file>/,
    );
  });

  it('keeps IAD and the control when the user gives their own, and says nothing', () => {
    const cfg = scanConfigFromOptions({ ...base, data: 'events.h5', template: 'bkg-sr.h5', control: 'alt.h5' });
    expect(cfg.methods).toEqual(['iad', 'cwola', 'cathode']);
    expect(cfg.template.paths?.[0]).toMatch(/bkg-sr\.h5$/);
    expect(cfg.control?.paths?.[0]).toMatch(/alt\.h5$/);
    expect(cfg.deltaSys.dataDriven).toBeUndefined();
    expect(configurationNotes(cfg)).toEqual([]);
  });

  it('--no-control is the user’s choice: no closure switched on for them, no notice', () => {
    const cfg = scanConfigFromOptions({ ...base, data: 'events.h5', template: 'bkg-sr.h5', control: false });
    expect(cfg.control).toBeUndefined();
    expect(cfg.deltaSys.dataDriven).toBeUndefined();
    expect(configurationNotes(cfg)).toEqual([]);
  });

  it('generated data keep everything as configured', () => {
    const generated = scanConfigFromOptions(base);
    expect(generated.methods).toContain('iad');
    expect(generated.control?.generate).toBeDefined();
    expect(generated.deltaSys.dataDriven).toBeUndefined();
    expect(configurationNotes(generated)).toEqual([]);
  });
});

describe('results of a data file scanned beside the toy generator’s samples', () => {
  it('say that IAD was left out and what the generated control stands for (from the configuration, on any engine)', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { generateLhcoLike } = await import('../../lib/data/generate/index.js');
    const { writeEvents } = await import('../../lib/data/io/index.js');
    const { runScan } = await import('../../lib/scan/scan.js');
    const dir = mkdtempSync(join(tmpdir(), 'sw-own-data-'));
    const file = join(dir, 'events.h5');
    await writeEvents(generateLhcoLike({ background: 20_000, signal: 0, seed: 4 }), file);
    const cfg = scanConfigFromOptions({ preset: 'ci', out: dir, data: file, windows: '5', methods: 'cwola', epsilonB: '1e-2' });
    cfg.control!.generate!.background = 20_000;
    const { results } = await runScan(cfg, { outDir: join(dir, 'out'), cacheDir: join(dir, 'cache') });
    expect(results.config.methods).toEqual(['cwola']);
    expect((results.notes ?? []).filter((n) => /sidewinder's own toy generator/.test(n))).toEqual([
      expect.stringMatching(/^IAD not run: .*--template/),
      expect.stringMatching(/^MC δsys measured on a control sample from sidewinder's own toy generator: .*--control/),
    ]);
  }, 120_000);
});

describe('CATHODE template reweighting from the command line', () => {
  it('the default preset reweights the template; --no-reweighting draws it as the reference does; paper and ci never reweight', () => {
    expect(scanConfigFromOptions(base).cathode.reweighting).toEqual({});
    expect(scanConfigFromOptions({ ...base, reweighting: true }).cathode.reweighting).toEqual({});
    expect(scanConfigFromOptions({ ...base, reweighting: false }).cathode).not.toHaveProperty('reweighting');
    for (const preset of ['paper', 'ci']) expect(scanConfigFromOptions({ ...base, preset }).cathode).not.toHaveProperty('reweighting');
  });
});

describe('CATHODE flow ensemble from the command line', () => {
  it('--flows sets the flows per window over any preset; a count that is not a positive integer is refused, naming --flows', () => {
    expect(scanConfigFromOptions(base).cathode.flows).toBe(1);
    const cfg = scanConfigFromOptions({ ...base, flows: '3' });
    expect(cfg.cathode.flows).toBe(3);
    expect(cfg.cathode.reweighting).toEqual({});
    expect(scanConfigFromOptions({ ...base, preset: 'ci', flows: '2' }).cathode.flows).toBe(2);
    expect(() => scanConfigFromOptions({ ...base, flows: '1.5' })).toThrow(/--flows: expected an integer, got "1\.5"/);
    expect(() => scanConfigFromOptions({ ...base, flows: '0' })).toThrow(/--flows/);
  });

  it('--independent-calibration takes one flow per sideband half unless --flows says how many', () => {
    expect(scanConfigFromOptions(base).cathode).not.toHaveProperty('independentCalibration');
    const cfg = scanConfigFromOptions({ ...base, independentCalibration: true });
    expect(cfg.cathode).toMatchObject({ independentCalibration: true, flows: 2 });
    expect(scanConfigFromOptions({ ...base, independentCalibration: true, flows: '4' }).cathode.flows).toBe(4);
  });
});
