import type { Command } from 'commander';
import { ConfigError } from '../../lib/util/errors.js';
import { gpInterpolate } from '../../lib/stats/background/gaussianProcess.js';
import { binCentres } from '../../lib/stats/fit/histogram.js';
import { fmt, guarded, numberOption, readSpectrum, toJson, type SpectrumCliOptions } from './classicalInput.js';

interface GpCliOptions extends SpectrumCliOptions { blind: string; transform: string; json?: boolean }

/** `sidewinder gp`: GP interpolation of a 1-D spectrum's sidebands into a blinded signal region. */
export function register(program: Command): void {
  program
    .command('gp')
    .description('Gaussian-process sideband interpolation (seed 001): fit an SE-kernel GP to the unblinded bins (Poisson variances as noise, hyperparameters by marginal likelihood), predict the blinded SR with uncertainty')
    .argument('<file>', 'spectrum text file (see `sidewinder fit --help`)')
    .requiredOption('--blind <lo:hi>', 'signal region to blind (TeV): bins whose centres lie inside')
    .option('--edges <list>', 'bin edges, unless given in the file')
    .option('--unit <unit>', 'unit of the edges: TeV or GeV', 'TeV')
    .option('--row <sel>', 'which row: a label value or #k')
    .option('--transform <t>', 'none (counts, as in seed 001) or log (for steeply falling spectra)', 'log')
    .option('--json', 'print JSON')
    .action(guarded((file: string, o: GpCliOptions) => {
      const h = readSpectrum(file, o);
      const [lo, hi] = o.blind.split(':').map((t) => numberOption(t, '--blind'));
      if (!(hi > lo)) throw new ConfigError(`--blind: expected "lo:hi" with hi > lo, got "${o.blind}"`);
      if (o.transform !== 'none' && o.transform !== 'log') throw new ConfigError(`--transform: expected none or log, got "${o.transform}"`);
      const c = binCentres(h);
      const blinded = Array.from(c, (m) => m > lo && m < hi);
      if (!blinded.some(Boolean)) throw new ConfigError(`--blind ${o.blind}: no bin centre lies inside`);
      const r = gpInterpolate(c, 1, h.values, h.variances, blinded, { transform: o.transform });
      const rows = Array.from(c, (m, i) => ({ centre: m, observed: h.values[i], prediction: r.prediction[i], uncertainty: r.uncertainty[i], pull: r.pulls[i], blinded: blinded[i] }));
      if (o.json) { console.log(toJson({ file, lengthScales: r.gp.lengthScales, amplitude: r.gp.amplitude, logMarginalLikelihood: r.gp.logMarginalLikelihood, bins: rows })); return; }
      console.log(`GP (${o.transform}) length scale ${fmt(r.gp.lengthScales[0], 3)} TeV, ln ML ${fmt(r.gp.logMarginalLikelihood, 2)}`);
      console.log('centre   observed    prediction ± σ          pull  ');
      for (const x of rows)
        console.log(`${fmt(x.centre, 3)} ${fmt(x.observed, 1).padStart(10)} ${`${fmt(x.prediction, 1)} ± ${fmt(x.uncertainty, 1)}`.padStart(22)} ${fmt(x.pull, 2).padStart(7)}${x.blinded ? '  (blinded)' : ''}`);
      let chi2 = 0, n = 0;
      for (const x of rows) if (x.blinded) { chi2 += x.pull ** 2; n++; }
      console.log(`blinded SR: Σ pull² = ${fmt(chi2, 2)} over ${n} bins`);
    }));
}
