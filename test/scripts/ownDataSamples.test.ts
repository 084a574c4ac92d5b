import { describe, expect, it } from 'vitest';
import { scanConfigFromOptions, type ScanCliOptions } from '../../scripts/commands/scan.js';

// A user's data file must never be compared with sidewinder's own toy generator as if it were the
// data's background model: an IAD against the generated template "discovers" the difference
// between two generators (issue 21's other-generator file; measured Z_Cowan 14.3 at 1e-2).
const base: ScanCliOptions = { preset: 'default', out: 'out/unused' };

describe('--data with the preset’s generated template and control', () => {
  it('leaves IAD out and drops the generated control; CATHODE takes its sideband closure; both said', () => {
    const notices: string[] = [];
    const cfg = scanConfigFromOptions({ ...base, data: 'events.h5' }, notices);
    expect(cfg.methods).toEqual(['cwola', 'cathode']);
    expect(cfg.control).toBeUndefined();
    expect(cfg.deltaSys.dataDriven).toBe(true);
    expect(notices).toHaveLength(2);
    expect(notices[0]).toMatch(/^IAD left out: .*--template <file>/);
    expect(notices[1]).toMatch(/^no control sample: .*--control <file>.*sideband closure/);
  });

  it('refuses an explicit IAD without --template, naming the option and the file', () => {
    expect(() => scanConfigFromOptions({ ...base, data: 'events.h5', methods: 'iad,cwola' })).toThrow(
      /--methods iad,cwola: IAD needs a simulated background of the process in events\.h5.*--template <file>/,
    );
  });

  it('keeps IAD and the control when the user gives their own, and says nothing', () => {
    const notices: string[] = [];
    const cfg = scanConfigFromOptions({ ...base, data: 'events.h5', template: 'bkg-sr.h5', control: 'alt.h5' }, notices);
    expect(cfg.methods).toEqual(['iad', 'cwola', 'cathode']);
    expect(cfg.template.paths?.[0]).toMatch(/bkg-sr\.h5$/);
    expect(cfg.control?.paths?.[0]).toMatch(/alt\.h5$/);
    expect(cfg.deltaSys.dataDriven).toBeUndefined();
    expect(notices).toEqual([]);
  });

  it('--no-control is the user’s choice: no closure switched on for them, no notice', () => {
    const notices: string[] = [];
    const cfg = scanConfigFromOptions({ ...base, data: 'events.h5', template: 'bkg-sr.h5', control: false }, notices);
    expect(cfg.control).toBeUndefined();
    expect(cfg.deltaSys.dataDriven).toBeUndefined();
    expect(notices).toEqual([]);
  });

  it('generated data keep the generated template and control; dsys keeps its generated control on request', () => {
    const generated = scanConfigFromOptions(base);
    expect(generated.methods).toContain('iad');
    expect(generated.control?.generate).toBeDefined();
    const dsys = scanConfigFromOptions({ ...base, data: 'events.h5', methods: 'cwola,cathode' }, [], { keepGeneratedControl: true });
    expect(dsys.control?.generate?.backgroundModel).toBe('alternative');
  });
});
