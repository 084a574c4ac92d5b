import type { Command } from 'commander';
import { ConfigError } from '../../lib/util/errors.js';
import { bumpHunter } from '../../lib/stats/bumphunter/bumpHunter.js';
import { fitHistogram } from '../../lib/stats/fit/binnedFit.js';
import { binCentres } from '../../lib/stats/fit/histogram.js';
import { dijetModel, SQRT_S_TEV } from '../../lib/stats/fit/models.js';
import { fmt, numberOption, readSpectrum, toJson, type SpectrumCliOptions } from './classicalInput.js';

interface BhCliOptions extends SpectrumCliOptions {
  reference?: string;
  referenceRow?: string;
  normalise?: boolean;
  params: string;
  sqrtS: string;
  minWidth: string;
  maxWidth: string;
  pseudo: string;
  seed: string;
  json?: boolean;
}

/** `sidewinder bumphunter`: BumpHunter scan of a spectrum against a reference or a dijet fit. */
export function register(program: Command): void {
  program
    .command('bumphunter')
    .description('BumpHunter scan (Choudalakis, arXiv:1101.0390): sliding windows, exact Poisson local p-values, global p from seeded pseudo-experiments')
    .argument('<file>', 'spectrum text file (see `sidewinder fit --help`)')
    .option('--edges <list>', 'bin edges, unless given in the file')
    .option('--unit <unit>', 'unit of the edges: TeV or GeV', 'TeV')
    .option('--row <sel>', 'which row: a label value or #k')
    .option('--reference <file>', 'reference (background) spectrum file; default: a dijet-function fit of the data')
    .option('--reference-row <sel>', 'row of the reference file')
    .option('--normalise', 'scale the reference to the data total')
    .option('--params <n>', 'dijet-function parameters of the fitted reference', '4')
    .option('--sqrt-s <TeV>', '√s in TeV for the dijet fit', String(SQRT_S_TEV))
    .option('--min-width <bins>', 'smallest window (bins)', '1')
    .option('--max-width <bins>', 'largest window (bins)', '5')
    .option('--pseudo <n>', 'background-only pseudo-experiments', '1000')
    .option('--seed <n>', 'seed of the pseudo-experiments', '1')
    .option('--json', 'print JSON')
    .action((file: string, o: BhCliOptions) => {
      const h = readSpectrum(file, o);
      let ref: Float64Array;
      let refLabel: string;
      if (o.reference) {
        const r = readSpectrum(o.reference, { ...o, row: o.referenceRow });
        if (r.values.length !== h.values.length) throw new ConfigError(`--reference: ${r.values.length} bins, the data have ${h.values.length}`);
        ref = r.values;
        refLabel = o.reference;
      } else {
        const p = numberOption(o.params, '--params');
        if (p !== 3 && p !== 4 && p !== 5) throw new ConfigError(`--params: expected 3, 4 or 5, got ${o.params}`);
        const f = fitHistogram(h, dijetModel(p, { sqrtS: numberOption(o.sqrtS, '--sqrt-s') }));
        ref = f.expected;
        refLabel = `${f.model} fit (χ²/ndf ${fmt(f.chi2, 2)}/${f.ndf})`;
      }
      const r = bumpHunter(h.values, ref, {
        minWidth: numberOption(o.minWidth, '--min-width'), maxWidth: numberOption(o.maxWidth, '--max-width'),
        nPseudo: numberOption(o.pseudo, '--pseudo'), seed: numberOption(o.seed, '--seed'), normaliseReference: !!o.normalise,
      });
      const lo = h.edges[r.best.firstBin], hi = h.edges[r.best.endBin];
      if (o.json) { console.log(toJson({ file, reference: refLabel, bumpLowTeV: lo, bumpHighTeV: hi, ...r, tPseudo: undefined })); return; }
      const c = binCentres(h);
      console.log(`BumpHunter on ${file} vs ${refLabel}`);
      console.log(`most significant window: [${fmt(lo, 3)}, ${fmt(hi, 3)}] TeV (bins ${r.best.firstBin + 1}-${r.best.endBin}, centre ${fmt((c[r.best.firstBin] + c[r.best.endBin - 1]) / 2, 3)}): N_obs = ${fmt(r.best.nObserved, 1)}, N_ref = ${fmt(r.best.nExpected, 1)}`);
      console.log(`local p = ${fmt(r.best.localP, 3)} (Z = ${fmt(r.localZ, 2)}), t = ${fmt(r.t, 3)}; global p = ${fmt(r.globalP, 3)} ± ${fmt(r.globalPError, 2)} (Z = ${fmt(r.globalZ, 2)}) from ${r.tPseudo.length} pseudo-experiments`);
    });
}
