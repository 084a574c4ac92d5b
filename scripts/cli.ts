/**
 * The sidewinder command line. Each subcommand lives in scripts/commands/<name>.ts and registers
 * itself on the program; this file only assembles them.
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command()
  .name('sidewinder')
  .description('Weakly-supervised anomaly-detection bump hunts: IAD, CWoLa Hunting and CATHODE over sliding m_JJ windows')
  .version(pkg.version);

program
  .command('start')
  .description('the default job: the nine-window summary of the default configuration')
  .action(() => {
    const cfg = JSON.parse(readFileSync(new URL('../windows/lhco-nine.json', import.meta.url), 'utf8')) as {
      windows: { id: number; srLow: number; srHigh: number }[];
      units: string;
    };
    for (const w of cfg.windows)
      console.log(`window ${w.id}: SR (${w.srLow.toFixed(1)}, ${w.srHigh.toFixed(1)}) ${cfg.units}, centre ${((w.srLow + w.srHigh) / 2).toFixed(1)} ${cfg.units}`);
  });

await program.parseAsync(process.argv);
