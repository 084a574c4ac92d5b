import type { Command } from 'commander';
import { ConfigError } from '../../lib/util/errors.js';
import { gpInterpolate } from '../../lib/stats/background/gaussianProcess.js';
import { binCentres } from '../../lib/stats/fit/histogram.js';
import { fmt, numberOption, readCsvColumns, readSpectrum, toJson, type SpectrumCliOptions } from './classicalInput.js';

interface GpCliOptions extends SpectrumCliOptions { blind: string; transform: string; dims: string; json?: boolean }

/** 2-D: a CSV with x, y, count [, variance] per bin; the blinded box "x0:x1,y0:y1". */
function run2d(file: string, o: GpCliOptions): void {
  let c: Record<string, Float64Array>;
  try { c = readCsvColumns(file, ['x', 'y', 'count', 'variance']); } catch { c = readCsvColumns(file, ['x', 'y', 'count']); }
  const box = o.blind.split(',');
  if (box.length !== 2) throw new ConfigError(`--blind: 2-D needs "x0:x1,y0:y1", got "${o.blind}"`);
  const [[x0, x1], [y0, y1]] = box.map((b) => b.split(':').map((t) => numberOption(t, '--blind')));
  const n = c.x.length;
  const pts = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) { pts[2 * i] = c.x[i]; pts[2 * i + 1] = c.y[i]; }
  const blinded = Array.from({ length: n }, (_, i) => c.x[i] > x0 && c.x[i] < x1 && c.y[i] > y0 && c.y[i] < y1);
  if (!blinded.some(Boolean)) throw new ConfigError(`--blind ${o.blind}: no bin centre lies inside`);
  const variances = c.variance ?? c.count;
  const r = gpInterpolate(pts, 2, c.count, variances, blinded, { transform: o.transform as 'none' | 'log' });
  const rows = Array.from({ length: n }, (_, i) => ({ x: c.x[i], y: c.y[i], observed: c.count[i], prediction: r.prediction[i], uncertainty: r.uncertainty[i], pull: r.pulls[i], blinded: blinded[i] }));
  if (o.json) { console.log(toJson({ file, lengthScales: r.gp.lengthScales, amplitude: r.gp.amplitude, logMarginalLikelihood: r.gp.logMarginalLikelihood, bins: rows })); return; }
  console.log(`GP (${o.transform}) length scales x ${fmt(r.gp.lengthScales[0], 3)}, y ${fmt(r.gp.lengthScales[1], 3)}; ln ML ${fmt(r.gp.logMarginalLikelihood, 2)}`);
  let chi2 = 0, k = 0;
  for (const x of rows) if (x.blinded) { console.log(`(${fmt(x.x, 3)}, ${fmt(x.y, 3)}): observed ${fmt(x.observed, 1)}, predicted ${fmt(x.prediction, 1)} ± ${fmt(x.uncertainty, 1)}, pull ${fmt(x.pull, 2)}`); chi2 += x.pull ** 2; k++; }
  console.log(`blinded region: Σ pull² = ${fmt(chi2, 2)} over ${k} bins`);
}

/** `sidewinder gp`: GP interpolation of a 1-D spectrum's sidebands into a blinded signal region. */
export function register(program: Command): void {
  program
    .command('gp')
    .description('Gaussian-process sideband interpolation (as in boosted HH → 4b background estimates): fit an SE-kernel GP to the unblinded bins (Poisson variances as noise, hyperparameters by marginal likelihood), predict the blinded SR with uncertainty')
    .argument('<file>', 'spectrum text file (see `sidewinder fit --help`)')
    .requiredOption('--blind <lo:hi>', 'signal region to blind (TeV): bins whose centres lie inside (2-D: "x0:x1,y0:y1")')
    .option('--edges <list>', 'bin edges, unless given in the file')
    .option('--unit <unit>', 'unit of the edges: TeV or GeV', 'TeV')
    .option('--row <sel>', 'which row: a label value or #k')
    .option('--transform <t>', 'none (fit the counts themselves) or log (fit log counts: better for steeply falling spectra)', 'log')
    .option('--dims <n>', '1 (a spectrum file) or 2 (a CSV with columns x, y, count [, variance]; --blind "x0:x1,y0:y1")', '1')
    .option('--json', 'print JSON')
    .action((file: string, o: GpCliOptions) => {
      if (o.transform !== 'none' && o.transform !== 'log') throw new ConfigError(`--transform: expected none or log, got "${o.transform}"`);
      if (o.dims === '2') { run2d(file, o); return; }
      if (o.dims !== '1') throw new ConfigError(`--dims: expected 1 or 2, got "${o.dims}"`);
      const h = readSpectrum(file, o);
      const [lo, hi] = o.blind.split(':').map((t) => numberOption(t, '--blind'));
      if (!(hi > lo)) throw new ConfigError(`--blind: expected "lo:hi" with hi > lo, got "${o.blind}"`);
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
    });
}
