import type { Command } from 'commander';
import { ConfigError } from '../../lib/util/errors.js';
import { matrixMethod, matrixMethodSingle } from '../../lib/stats/background/matrixMethod.js';
import { fmt, numberList, numberOption, toJson } from './classicalInput.js';

interface MmCliOptions { tight?: string; loose?: string; counts?: string; r: string; f: string; json?: boolean }

/** `sidewinder matrix-method`: fake/non-prompt estimate from tight/loose counts. */
export function register(program: Command): void {
  program
    .command('matrix-method')
    .description('Matrix Method: fakes in the tight selection from tight/loose-not-tight counts, real efficiency r and fake rate f (1 object, or M objects via the 2^M matrix inversion)')
    .option('--tight <n>', 'one object: number of tight objects N^t')
    .option('--loose <n>', 'one object: number of loose-not-tight objects N^l')
    .option('--counts <list>', 'M objects: 2^M pattern counts in the order TT…T, …, LL…L (bit k = object k loose; object 1 most significant), e.g. TT,TL,LT,LL')
    .requiredOption('--r <list>', 'real efficiency per object (one value, or one per object)')
    .requiredOption('--f <list>', 'fake rate per object')
    .option('--json', 'print JSON')
    .action((o: MmCliOptions) => {
      const r = numberList(o.r, '--r'), f = numberList(o.f, '--f');
      if (o.counts) {
        const c = numberList(o.counts, '--counts');
        const M = Math.round(Math.log2(c.length));
        if (2 ** M !== c.length) throw new ConfigError(`--counts: ${c.length} values is not a power of 2 (2^M patterns for M objects)`);
        const rr = r.length === 1 ? new Array<number>(M).fill(r[0]) : r, ff = f.length === 1 ? new Array<number>(M).fill(f[0]) : f;
        const e = matrixMethod(c, rr, ff);
        if (o.json) { console.log(toJson(e)); return; }
        console.log(`${M}-object Matrix Method: fakes in the all-tight selection = ${fmt(e.nFakeTight, 3)} ± ${fmt(e.sigma, 3)} (stat)`);
        console.log(`composition (R/F patterns, bit k = object k fake): ${Array.from(e.composition, (v) => fmt(v, 2)).join(', ')}`);
        return;
      }
      if (o.tight === undefined || o.loose === undefined) throw new ConfigError('matrix-method needs --tight and --loose (one object) or --counts (M objects)');
      if (r.length !== 1 || f.length !== 1) throw new ConfigError('matrix-method with --tight/--loose takes one --r and one --f');
      const e = matrixMethodSingle({ nTight: numberOption(o.tight, '--tight'), nLoose: numberOption(o.loose, '--loose'), r: r[0], f: f[0] });
      if (o.json) { console.log(toJson(e)); return; }
      console.log(`N_f^t = f/(f−r)·((1−r)N^t − r N^l) = ${fmt(e.nFakeTight, 3)} ± ${fmt(e.sigma, 3)} (stat); N_real = ${fmt(e.nReal, 2)}, N_fake = ${fmt(e.nFake, 2)}`);
    });
}
