import type { ScanConfig } from './config.js';
import { methodDescriptor } from '../methods/registry.js';

/** Whether some method of the scan trains a sideband density (CATHODE's flow or GAN). */
export const trainsSidebandDensity = (config: Pick<ScanConfig, 'methods'>): boolean =>
  config.methods.some((m) => methodDescriptor(m).stages.some((st) => st.role === 'generator'));

/**
 * What a scan's configuration alone says about how to read its results: one sentence each, the
 * same words in the CLI's start-of-scan warnings and in results.json's `notes` (written by every
 * engine's merge, since it is derived from the plan's configuration, not from the command line).
 */
export function configurationNotes(config: ScanConfig): string[] {
  const notes: string[] = [];
  const density = trainsSidebandDensity(config);
  if (density && config.cathode.generator === 'gan')
    notes.push('CATHODE template from the conditional GAN (experimental): on background-only generated data it models the SR less well than the flow; its δsys (MC and sideband closure) absorbs that at the cost of sensitivity — use the flow for physics results');
  // A data file beside samples of sidewinder's own toy generator (what `--data` keeps by default): say what they stand for.
  if (config.dataset.generate === undefined) {
    if (config.template.generate && !config.methods.includes('iad'))
      notes.push("IAD not run: the configured IAD template comes from sidewinder's own toy generator, which is not a background model of the data file (give one with --template)");
    if (config.control?.generate)
      notes.push(
        "MC δsys measured on a control sample from sidewinder's own toy generator: it stands for the methods' own bias (CATHODE's flow template), not for a model of the data file (give one with --control)" +
          (config.deltaSys.dataDriven && density ? "; CATHODE's sideband closure in the data is added in quadrature" : ''),
      );
  }
  return notes;
}
