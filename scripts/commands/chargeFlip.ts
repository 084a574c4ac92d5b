import type { Command } from 'commander';
import { ConfigError, InputError } from '../../lib/util/errors.js';
import { chargeFlipBin, chargeFlipCounts, fitChargeFlipRates, type ChargeFlipCounts } from '../../lib/stats/background/chargeFlip.js';
import { fmt, numberList, numberOption, readCsvColumns, toJson } from './classicalInput.js';

interface CfCliOptions { pairs?: string; counts?: string; ptEdges?: string; etaEdges: string; absEta?: boolean; bins?: string; json?: boolean }

/** `sidewinder charge-flip`: per-(pT, η) electron charge-flip rates from same-sign / all Z → ee pairs. */
export function register(program: Command): void {
  program
    .command('charge-flip')
    .description('electron charge-flip rates p_i per (pT, η) bin by maximising Π Pois(N_SS,ij | N_ij (p_i(1−p_j) + p_j(1−p_i))) over Z → ee pairs')
    .option('--pairs <csv>', 'one row per pair: columns pt1, eta1, pt2, eta2, ss (1 = same sign, 0 = opposite sign)')
    .option('--pt-edges <list>', 'pT bin edges (with --pairs)')
    .option('--eta-edges <list>', 'η bin edges (with --pairs)', '0,1.37,1.52,2.47')
    .option('--abs-eta', 'bin in |η| (with --pairs)')
    .option('--counts <csv>', 'pre-binned input instead: columns bin1, bin2, total, ss (all pairs and same-sign pairs per bin pair)')
    .option('--bins <n>', 'number of bins (with --counts; default: largest index + 1)')
    .option('--json', 'print JSON')
    .action((o: CfCliOptions) => {
      let counts: ChargeFlipCounts;
      let label = (i: number) => `bin ${i}`;
      if (o.pairs) {
        if (o.counts) throw new ConfigError('charge-flip: give --pairs or --counts, not both');
        if (!o.ptEdges) throw new ConfigError('charge-flip --pairs needs --pt-edges');
        const pe = numberList(o.ptEdges, '--pt-edges'), ee = numberList(o.etaEdges, '--eta-edges');
        const c = readCsvColumns(o.pairs, ['pt1', 'eta1', 'pt2', 'eta2', 'ss']);
        const n = c.pt1.length;
        const b1: number[] = [], b2: number[] = [], ss: number[] = [];
        let outside = 0;
        for (let k = 0; k < n; k++) {
          const e1 = o.absEta ? Math.abs(c.eta1[k]) : c.eta1[k], e2 = o.absEta ? Math.abs(c.eta2[k]) : c.eta2[k];
          const i = chargeFlipBin(c.pt1[k], e1, pe, ee), j = chargeFlipBin(c.pt2[k], e2, pe, ee);
          if (i < 0 || j < 0) { outside++; continue; }
          b1.push(i); b2.push(j); ss.push(c.ss[k]);
        }
        if (outside > 0) console.error(`charge-flip: ${outside} of ${n} pairs have an electron outside the bin edges and are skipped`);
        counts = chargeFlipCounts({ bin1: b1, bin2: b2, sameSign: ss }, (pe.length - 1) * (ee.length - 1));
        const nE = ee.length - 1;
        label = (i) => `pT [${pe[Math.floor(i / nE)]}, ${pe[Math.floor(i / nE) + 1]}) ${o.absEta ? '|η|' : 'η'} [${ee[i % nE]}, ${ee[(i % nE) + 1]})`;
      } else if (o.counts) {
        const c = readCsvColumns(o.counts, ['bin1', 'bin2', 'total', 'ss']);
        const K = o.bins ? numberOption(o.bins, '--bins') : Math.max(...c.bin1, ...c.bin2) + 1;
        const total = new Float64Array(K * K), same = new Float64Array(K * K);
        for (let r = 0; r < c.bin1.length; r++) {
          let i = c.bin1[r], j = c.bin2[r];
          if (!Number.isInteger(i) || !Number.isInteger(j) || i < 0 || j < 0 || i >= K || j >= K) throw new InputError(`${o.counts}: row ${r + 1}: bins (${i}, ${j}) are not indices in [0, ${K})`);
          if (i > j) [i, j] = [j, i];
          total[i * K + j] += c.total[r]; same[i * K + j] += c.ss[r];
        }
        counts = { nBins: K, total, sameSign: same };
      } else throw new ConfigError('charge-flip needs --pairs <csv> (with --pt-edges) or --counts <csv>');
      const fit = fitChargeFlipRates(counts);
      if (o.json) { console.log(toJson(fit)); return; }
      console.log(`charge-flip rates (${fit.converged ? 'converged' : 'NOT converged'}; deviance ${fmt(fit.deviance, 2)} for ${fit.ndf} degrees of freedom)`);
      for (let i = 0; i < fit.nBins; i++) console.log(`  ${label(i)}: p = ${fmt(fit.rates[i], 6)} ± ${fmt(fit.errors[i], 6)}`);
    });
}
