/**
 * A study: many scans of the same design on different datasets (background-only pseudo-experiments
 * of the look-elsewhere correction, signal-injection levels of a sensitivity sweep, toys of a
 * calibration). Each variant is an ordinary scan — planned, cached, resumable — run in
 * `<out>/variants/<id>/`; all variants share one task cache `<out>/cache`, so a killed study resumes
 * where it stopped and tasks common to several variants (the same IAD template, say) run once.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkerPool } from '../ml/pool/pool.js';
import { silent, type Reporter } from '../util/reporter.js';
import { ConfigError } from '../util/errors.js';
import { writeFileAtomic } from '../util/atomicWrite.js';
import type { ScanConfig } from './config.js';
import { hashValue } from './hash.js';
import type { ResultsDocument } from './results.js';
import { runScan } from './scan.js';

/** One scan of a study. `id` names its directory: letters, digits, `-`, `_`, `.`. */
export interface StudyVariant {
  readonly id: string;
  readonly config: ScanConfig;
}

/** Options of {@link runStudy}. */
export interface StudyOptions {
  readonly outDir: string;
  /** Shared task cache (default `<outDir>/cache`). */
  readonly cacheDir?: string;
  readonly reporter?: Reporter;
  readonly pool?: WorkerPool;
  /** Called after each variant (computed or reused), with its index. */
  readonly onVariant?: (index: number, outcome: StudyOutcome) => void;
}

/** A finished variant. */
export interface StudyOutcome {
  readonly id: string;
  readonly results: ResultsDocument;
  readonly resultsPath: string;
  /** True when an earlier run's results of the same configuration were reused. */
  readonly reused: boolean;
}

/** Where a variant's outputs go. */
export const variantDir = (outDir: string, id: string): string => join(outDir, 'variants', id);

const ID = /^[A-Za-z0-9._-]+$/;

/**
 * Run every variant as a scan (sequentially; each scan parallelises its own tasks). A variant whose
 * results.json was written for the same configuration (hash stored beside it) is reused as is.
 * @throws ConfigError for a bad or repeated id.
 */
export async function runStudy(variants: readonly StudyVariant[], options: StudyOptions): Promise<StudyOutcome[]> {
  const seen = new Set<string>();
  for (const v of variants) {
    if (!ID.test(v.id)) throw new ConfigError(`study: variant id "${v.id}" must use letters, digits, ".", "_" or "-"`);
    if (seen.has(v.id)) throw new ConfigError(`study: variant id "${v.id}" appears twice`);
    seen.add(v.id);
  }
  const cacheDir = options.cacheDir ?? join(options.outDir, 'cache');
  const reporter = options.reporter ?? silent;
  const out: StudyOutcome[] = [];
  for (const [i, v] of variants.entries()) {
    const dir = variantDir(options.outDir, v.id);
    const resultsPath = join(dir, 'results.json');
    const stamp = join(dir, 'study-config.sha256');
    const want = hashValue(v.config);
    let outcome: StudyOutcome;
    if (existsSync(resultsPath) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === want) {
      outcome = { id: v.id, results: JSON.parse(readFileSync(resultsPath, 'utf8')) as ResultsDocument, resultsPath, reused: true };
    } else {
      reporter.progress('study', i, variants.length);
      const r = await runScan(v.config, { outDir: dir, cacheDir, reporter, pool: options.pool });
      await writeFileAtomic(stamp, `${want}\n`);
      outcome = { id: v.id, results: r.results, resultsPath: r.resultsPath, reused: false };
    }
    out.push(outcome);
    reporter.progress('study', i + 1, variants.length);
    options.onVariant?.(i, outcome);
  }
  return out;
}
