import type { Command } from 'commander';
import { ConfigError } from '../../lib/util/errors.js';
import { fitHistogram, type FitMethod } from '../../lib/stats/fit/binnedFit.js';
import { fitBumpHunt, fitSignalShape, type BumpWindow } from '../../lib/stats/fit/bumpHunt.js';
import { binCentres } from '../../lib/stats/fit/histogram.js';
import { dijetModel, SQRT_S_TEV } from '../../lib/stats/fit/models.js';
import { fmt, numberOption, readSpectrum, toJson, type SpectrumCliOptions } from './classicalInput.js';

interface FitCliOptions extends SpectrumCliOptions {
  params: string;
  method: string;
  sqrtS: string;
  range?: string;
  scan?: boolean;
  windows?: string;
  windowBins: string;
  signalWidth?: string;
  relativeWidth: string;
  signal?: string;
  signalRow?: string;
  json?: boolean;
}

function parseRange(s: string, option: string): [number, number] {
  const [a, b] = s.split(':').map((t) => numberOption(t, option));
  if (!(b > a)) throw new ConfigError(`${option}: expected "low:high" with high > low, got "${s}"`);
  return [a, b];
}

/** `sidewinder fit`: dijet-function fit of a binned m_JJ spectrum, optionally the fit-based bump hunt. */
export function register(program: Command): void {
  program
    .command('fit')
    .description('fit a binned m_JJ spectrum with the dijet function (weighted χ² or Poisson likelihood); --scan adds the fit-based bump hunt (H0/H1, Wilks Z per window)')
    .argument('<file>', 'spectrum text file: rows of counts (optional label column, e.g. the cwola *_bincounts.dat) or a low,high,count[,variance] table')
    .option('--edges <list>', 'bin edges (comma/space separated), unless the file has "# edges:" or low/high columns')
    .option('--unit <unit>', 'unit of the edges: TeV or GeV (masses are TeV inside)', 'TeV')
    .option('--row <sel>', 'which row: a label value (e.g. 0.002) or #k for the k-th row')
    .option('--params <n>', 'dijet-function parameters: 3, 4 or 5', '4')
    .option('--method <m>', 'auto | chi2 (weighted χ², Σw²) | poisson', 'auto')
    .option('--sqrt-s <TeV>', 'collision energy √s in TeV', String(SQRT_S_TEV))
    .option('--range <lo:hi>', 'fit only bins whose centres lie in [lo, hi] (TeV)')
    .option('--scan', 'run the fit-based bump hunt over signal windows')
    .option('--windows <list>', 'signal windows "lo:hi,lo:hi,…" in TeV (default: every run of --window-bins bins)')
    .option('--window-bins <n>', 'bins per default window (centred on its middle bin)', '3')
    .option('--signal-width <TeV>', 'Gaussian signal width (absolute)')
    .option('--relative-width <r>', 'Gaussian width as a fraction of its mean, when no absolute width', '0.05')
    .option('--signal <file>', 'signal-only spectrum (e.g. from simulation): a Gaussian fitted to it fixes the signal width of every window')
    .option('--signal-row <sel>', 'row of the signal file')
    .option('--json', 'print JSON')
    .addHelpText('after', `
Examples:
  $ sidewinder fit spectrum.csv                          # low,high,count table: dijet fit, χ²/ndf, parameters
  $ sidewinder fit counts.txt --edges 2.6,2.8,3.0,3.2,3.4,3.6,3.8,4.0 --params 5 --method poisson
  $ sidewinder fit spectrum.csv --scan --signal signal.csv --json   # bump hunt, width from a Gaussian fit of the signal

Spectrum files: rows of bin counts (an optional first column labels the row, e.g. the classifier
efficiency; bin edges from --edges or a "# edges: …" line), or a table low,high,count[,variance].`)
    .action((file: string, o: FitCliOptions) => {
      const h = readSpectrum(file, o);
      const nPar = numberOption(o.params, '--params');
      if (nPar !== 3 && nPar !== 4 && nPar !== 5) throw new ConfigError(`--params: expected 3, 4 or 5, got ${o.params}`);
      const method = o.method as FitMethod;
      if (!['auto', 'chi2', 'poisson'].includes(method)) throw new ConfigError(`--method: expected auto, chi2 or poisson, got "${o.method}"`);
      const sqrtS = numberOption(o.sqrtS, '--sqrt-s');
      const range = o.range ? parseRange(o.range, '--range') : undefined;
      if (!o.scan) {
        const f = fitHistogram(h, dijetModel(nPar, { sqrtS }), { method, range });
        if (o.json) { console.log(toJson({ file, ...f })); return; }
        console.log(`${f.model} ${f.method} fit of ${file}${o.row ? ` (row ${o.row})` : ''}: χ²/ndf = ${fmt(f.chi2, 2)}/${f.ndf} = ${fmt(f.chi2PerNdf, 3)}, p = ${fmt(f.pValue, 3)}${f.converged ? '' : ' (NOT converged)'}`);
        f.paramNames.forEach((n, i) => console.log(`  ${n} = ${fmt(f.params[i], 6)} ± ${fmt(f.errors[i], 3)}`));
        return;
      }
      let width = o.signalWidth ? numberOption(o.signalWidth, '--signal-width') : undefined;
      let shape: ReturnType<typeof fitSignalShape> | undefined;
      if (o.signal) {
        shape = fitSignalShape(readSpectrum(o.signal, { ...o, row: o.signalRow }));
        width = shape.width;
      }
      let windows: BumpWindow[];
      if (o.windows) {
        windows = o.windows.split(',').map((s, i) => { const [low, high] = parseRange(s, '--windows'); return { id: i + 1, low, high }; });
      } else {
        const k = numberOption(o.windowBins, '--window-bins');
        if (!(Number.isInteger(k) && k >= 1 && k <= h.values.length)) throw new ConfigError(`--window-bins: expected an integer in [1, ${h.values.length}], got ${o.windowBins}`);
        const c = binCentres(h);
        const half = Math.floor(k / 2);
        windows = [];
        for (let a = 0; a + k <= h.values.length; a++) windows.push({ id: `bins ${a + 1}-${a + k}`, low: h.edges[a], high: h.edges[a + k], mean: c[a + half] });
      }
      const r = fitBumpHunt(h, windows, { dijetParams: nPar, method, sqrtS, range, signalWidth: width, relativeWidth: numberOption(o.relativeWidth, '--relative-width') });
      if (o.json) { console.log(toJson({ file, signalShape: shape ? { mean: shape.mean, width: shape.width } : undefined, ...r })); return; }
      const b = r.background;
      console.log(`H0 ${b.model} ${b.method}: χ²/ndf = ${fmt(b.chi2, 2)}/${b.ndf}${shape ? `; signal shape from ${o.signal}: width ${fmt(shape.width, 3)} TeV` : ''}`);
      console.log('window                 mean   width   N_obs     N_bkg     ŝ ± σ              Z      p');
      for (const w of r.windows)
        console.log(`${String(w.id).padEnd(20)} ${fmt(w.mean, 3)} ${fmt(w.width, 3)} ${fmt(w.nObserved, 1).padStart(9)} ${fmt(w.nBackground, 1).padStart(9)} ${`${fmt(w.signalYield, 1)} ± ${fmt(w.signalYieldError, 1)}`.padEnd(18)} ${fmt(w.zSigned, 2).padStart(6)} ${fmt(w.pValue, 3)}`);
    });
}
