/**
 * `sidewinder windows`: write a sliding-window file for a mass range (the nine LHCO windows are
 * `--from 2.7 --to 4.3`), for data whose spectrum or signal lies elsewhere; `scan --windows-file` reads it.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { basename, extname, resolve } from 'node:path';
import { writeFileAtomic } from '../../lib/util/atomicWrite.js';
import { parseWindows, slidingWindowsDocument, windowLabel, type MassUnit } from '../../lib/windows/index.js';

const positive = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!(Number.isFinite(n) && n >= 0)) throw new InvalidArgumentError(`${name} must be a non-negative number, got "${v}"`);
  return n;
};

interface WindowsOptions { from: number; to: number; width: number; step: number; shortSideband: number; units: MassUnit; out: string; name?: string }

export function register(program: Command): void {
  program
    .command('windows')
    .description('write a sliding-window file (SRs of --width every --step, short sidebands inside --from … --to) for scan --windows-file')
    .requiredOption('--from <mass>', 'lowest mass a window reads (window 1\'s lower short sideband starts here)', positive('--from'))
    .requiredOption('--to <mass>', 'highest mass a window reads (no upper short sideband ends above it)', positive('--to'))
    .option('--width <mass>', 'SR width', positive('--width'), 0.4)
    .option('--step <mass>', 'distance between SR centres', positive('--step'), 0.1)
    .option('--short-sideband <mass>', 'width of each short sideband', positive('--short-sideband'), 0.2)
    .option('--units <units>', 'TeV | GeV (all the masses above)', 'TeV')
    .option('--name <name>', 'the file\'s name field (default: from --out)')
    .requiredOption('-o, --out <file>', 'windows file to write (JSON, data-schemas/windows.schema.json)')
    .addHelpText('after', `
Examples:
  $ sidewinder windows --from 2.7 --to 4.3 -o nine.json                 # the nine LHCO windows (windows/lhco-nine.json)
  $ sidewinder windows --from 3.5 --to 6 --width 0.6 --step 0.2 -o high.json
  $ sidewinder scan --data events.h5 --template bkg.h5 --windows-file high.json`)
    .action(async (o: WindowsOptions) => {
      if (o.units !== 'TeV' && o.units !== 'GeV') throw new InvalidArgumentError(`--units must be TeV or GeV, got "${o.units}"`);
      const out = resolve(o.out);
      const doc = slidingWindowsDocument({
        name: o.name ?? basename(out, extname(out)), from: o.from, to: o.to, width: o.width, step: o.step, shortSidebandWidth: o.shortSideband, units: o.units,
      });
      await writeFileAtomic(out, `${JSON.stringify(doc, null, 2)}\n`);
      const parsed = parseWindows(doc, out);
      console.log(`${out}: ${parsed.windows.length} windows`);
      for (const w of parsed.windows) console.log(`  ${windowLabel(w)}: SR ${w.srLow}–${w.srHigh} TeV`);
    });
}
