import type { Command } from 'commander';
import { ConfigError } from '../../lib/util/errors.js';
import { abcdClosure, abcdEstimate } from '../../lib/stats/background/abcd.js';
import { fmt, numberOption, readCsvColumns, toJson } from './classicalInput.js';

interface AbcdCliOptions {
  nb?: string; nc?: string; nd?: string;
  varB?: string; varC?: string; varD?: string;
  events?: string; x1?: string; x2?: string; cut1?: string; cut2?: string; weight?: string;
  json?: boolean;
}

/** `sidewinder abcd`: N_A = N_B N_C / N_D from counts, or a closure check on an event CSV. */
export function register(program: Command): void {
  program
    .command('abcd')
    .description('ABCD estimate N_A = N_B·N_C/N_D with uncertainty; with --events, a closure check that reports the x1–x2 correlation')
    .option('--nb <n>', 'count in B (x1 passes, x2 fails)')
    .option('--nc <n>', 'count in C (x1 fails, x2 passes)')
    .option('--nd <n>', 'count in D (both fail)')
    .option('--var-b <v>', 'variance of N_B (default Poisson)')
    .option('--var-c <v>', 'variance of N_C')
    .option('--var-d <v>', 'variance of N_D')
    .option('--events <csv>', 'event CSV for the closure check (A observed too)')
    .option('--x1 <col>', 'first variable column')
    .option('--x2 <col>', 'second variable column')
    .option('--cut1 <v>', 'x1 passes when x1 > cut1')
    .option('--cut2 <v>', 'x2 passes when x2 > cut2')
    .option('--weight <col>', 'event-weight column')
    .option('--json', 'print JSON')
    .action((o: AbcdCliOptions) => {
      if (o.events) {
        if (!o.x1 || !o.x2 || o.cut1 === undefined || o.cut2 === undefined) throw new ConfigError('abcd --events needs --x1, --x2, --cut1 and --cut2');
        const cols = readCsvColumns(o.events, o.weight ? [o.x1, o.x2, o.weight] : [o.x1, o.x2]);
        const c = abcdClosure(cols[o.x1], cols[o.x2], { cut1: numberOption(o.cut1, '--cut1'), cut2: numberOption(o.cut2, '--cut2') }, { weights: o.weight ? cols[o.weight] : undefined });
        if (o.json) { console.log(toJson(c)); return; }
        console.log(`regions: A ${fmt(c.counts.A, 1)}, B ${fmt(c.counts.B, 1)}, C ${fmt(c.counts.C, 1)}, D ${fmt(c.counts.D, 1)}`);
        console.log(`predicted A = ${fmt(c.predicted.nA, 2)} ± ${fmt(c.predicted.sigma, 2)}; observed A = ${fmt(c.observedA, 1)}; ratio ${fmt(c.ratio, 3)}, pull ${fmt(c.pull, 2)}`);
        console.log(`correlation(x1, x2) = ${fmt(c.correlation, 4)}; of the pass/fail indicators = ${fmt(c.indicatorCorrelation, 4)}`);
        return;
      }
      if (o.nb === undefined || o.nc === undefined || o.nd === undefined) throw new ConfigError('abcd needs --nb, --nc and --nd (or --events for a closure check)');
      const e = abcdEstimate({
        nB: numberOption(o.nb, '--nb'), nC: numberOption(o.nc, '--nc'), nD: numberOption(o.nd, '--nd'),
        varB: o.varB ? numberOption(o.varB, '--var-b') : undefined, varC: o.varC ? numberOption(o.varC, '--var-c') : undefined, varD: o.varD ? numberOption(o.varD, '--var-d') : undefined,
      });
      if (o.json) { console.log(toJson(e)); return; }
      console.log(`N_A = N_B·N_C/N_D = ${fmt(e.nA, 3)} ± ${fmt(e.sigma, 3)}`);
    });
}
