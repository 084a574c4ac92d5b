/**
 * The merge step of a study plan by its kind (the merge job of `sidewinder lee --engine …` and
 * `sidewinder sensitivity --engine …`, or `sidewinder merge` on the study's directory).
 */
import { dirname } from 'node:path';
import { InputError } from '../util/errors.js';
import type { Reporter } from '../util/reporter.js';
import { mergeLookElsewhere, type LeeOutcome } from './lee.js';
import { mergeSensitivity, writeSensitivity, type SensitivityDocument } from './sensitivity.js';
import type { StudyPlan } from './study.js';

/** What a study's merge wrote. */
export type StudyMergeOutcome =
  | { readonly kind: 'lee'; readonly lee: LeeOutcome }
  | { readonly kind: 'sensitivity'; readonly doc: SensitivityDocument; readonly path: string };

/**
 * Merge a study plan whose tasks are all in the cache: each variant's results.json, then the study's
 * own output — the scan's results.json and lee.json, or `<study>/sensitivity.json` — as the local run
 * writes them.
 * `beforeWrite` runs once every task is known to be in, before the first file is written (the
 * caller moves its previous outputs aside there).
 * @throws InputError naming the missing tasks, or for a study kind this version does not know.
 */
export async function mergeStudyPlan(
  plan: StudyPlan, planPath: string, options: { cacheDir?: string; reporter?: Reporter; beforeWrite?: () => void } = {},
): Promise<StudyMergeOutcome> {
  switch (plan.study.kind) {
    case 'lee':
      return { kind: 'lee', lee: await mergeLookElsewhere(plan, planPath, options) };
    case 'sensitivity': {
      const doc = await mergeSensitivity(plan, planPath, options);
      return { kind: 'sensitivity', doc, path: await writeSensitivity(doc, dirname(planPath)) };
    }
    default:
      throw new InputError(`${planPath}: a study of kind "${plan.study.kind}", which this sidewinder cannot merge (it knows lee and sensitivity)`);
  }
}
