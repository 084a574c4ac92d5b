import type { Command } from 'commander';
import { readFileSync } from 'node:fs';

/** `sidewinder start`: the default job run by `npm start`. */
export function register(program: Command): void {
  program
    .command('start')
    .description('the default job: the nine-window summary of the default configuration')
    .action(() => {
      const cfg = JSON.parse(readFileSync(new URL('../../windows/lhco-nine.json', import.meta.url), 'utf8')) as {
        windows: { id: number; srLow: number; srHigh: number }[];
        units: string;
      };
      for (const w of cfg.windows)
        console.log(`window ${w.id}: SR (${w.srLow.toFixed(1)}, ${w.srHigh.toFixed(1)}) ${cfg.units}, centre ${((w.srLow + w.srHigh) / 2).toFixed(1)} ${cfg.units}`);
    });
}
