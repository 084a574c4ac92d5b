/**
 * An output directory (`--out`) has one writer at a time, and never holds a mix of two runs' files.
 *
 * {@link claimOutDir} takes the directory's lock (lib/util/dirLock.ts: `<out>/sidewinder.lock`, pid,
 * host, start time, command; a second run into the directory is refused naming the holder, a stale
 * lock of a dead process on this host is taken over with a message). Before this run writes its
 * first file, {@link OutDirLock.clearPrevious} moves the outputs of the previous run aside, into
 * `<out>/previous/<time>/`, with a message, so a run that fails half-way leaves its own partial
 * files only, never beside a previous run's results. Moved aside, not deleted, so earlier results
 * stay available; the newest {@link PREVIOUS_RUNS_KEPT} sets are kept, older ones removed (said in
 * the same message). A merge moves only results.json and report/ (it reads the plan); a
 * resubmission (`status --resubmit-failed`) moves nothing. `sidewinder task` takes no lock: many
 * array jobs of one run write their failure records into the same directory at once.
 *
 * The task cache (`<out>/cache`) is never moved: it is content-addressed and checksummed, so a
 * rerun reuses what is still valid.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { acquireDirLock, type DirLock } from '../util/dirLock.js';
import { silent, type Reporter } from '../util/reporter.js';

/** What one scan run (`scan`, `start`, `dsys`, `submit`) writes into its output directory. */
export const RUN_OUTPUTS: readonly string[] = ['plan.json', 'results.json', 'report', 'dsys.json', 'submission.json', 'failed', 'jobs', 'logs'];
/** What a merge writes: it reads the plan (and submission records) already there. */
export const MERGE_OUTPUTS: readonly string[] = ['results.json', 'report'];
/** What `sidewinder search` writes (its generated samples stay: they are reused by seed). */
export const SEARCH_OUTPUTS: readonly string[] = ['search-results.json', 'report'];
/** What `sidewinder sensitivity` writes (its variants/ and injected/ stay: a rerun resumes from them). */
export const SENSITIVITY_OUTPUTS: readonly string[] = ['sensitivity.json', 'report'];
/** Previous runs kept under `<out>/previous/`. */
export const PREVIOUS_RUNS_KEPT = 5;

/** Which earlier outputs a claim moves aside: a whole run's, a merge's, or none (a resubmission continues the run). */
export type OutDirStage = 'run' | 'merge' | 'search' | 'sensitivity' | 'continue';

/** Options of {@link claimOutDir}. */
export interface ClaimOptions {
  readonly stage: OutDirStage;
  readonly reporter?: Reporter;
  /** Shown to a refused second writer (default: this process's command line). */
  readonly command?: string;
}

/** A claimed output directory: its lock, and the move of the previous run's outputs. */
export interface OutDirLock extends DirLock {
  readonly stage: OutDirStage;
  /**
   * Move the previous run's outputs (of this claim's stage) to `<out>/previous/<time>/`, once;
   * called right before the run's first write, so a run refused for bad options moves nothing.
   * @returns where they went, or undefined when there was nothing to move.
   */
  clearPrevious(): string | undefined;
}

/**
 * Lock `outDir` for this run (see the module comment); {@link OutDirLock.clearPrevious} then moves
 * a previous run's outputs aside.
 * @throws InputError naming the holder when another run writes into `outDir`.
 */
export function claimOutDir(outDir: string, options: ClaimOptions): OutDirLock {
  const reporter = options.reporter ?? silent;
  const lock = acquireDirLock(outDir, { command: options.command, reporter });
  let cleared = false;
  let movedTo: string | undefined;
  return {
    dir: lock.dir, path: lock.path, holder: lock.holder, stage: options.stage,
    release: () => lock.release(),
    clearPrevious() {
      if (cleared) return movedTo;
      cleared = true;
      movedTo = movePreviousAside(outDir, options.stage, lock.holder.since, reporter);
      return movedTo;
    },
  };
}

function movePreviousAside(outDir: string, stage: OutDirStage, since: string, reporter: Reporter): string | undefined {
  const names = stage === 'run' ? RUN_OUTPUTS : stage === 'merge' ? MERGE_OUTPUTS : stage === 'search' ? SEARCH_OUTPUTS : stage === 'sensitivity' ? SENSITIVITY_OUTPUTS : [];
  const present = names.filter((n) => existsSync(join(outDir, n)));
  if (!present.length) return undefined;
  const previous = join(outDir, 'previous');
  const stamp = since.replace(/:/g, '-');
  let dest = join(previous, stamp);
  for (let i = 2; existsSync(dest); i++) dest = join(previous, `${stamp}-${i}`);
  mkdirSync(dest, { recursive: true });
  for (const n of present) renameSync(join(outDir, n), join(dest, n));
  const older = readdirSync(previous).sort().reverse().slice(PREVIOUS_RUNS_KEPT);
  for (const o of older) rmSync(join(previous, o), { recursive: true, force: true });
  reporter.log(
    'info',
    `${outDir}: moved the previous run's ${present.map((n) => (n.includes('.') ? n : `${n}/`)).join(', ')} to ${dest}, so they are not mixed with this run's` +
      (older.length ? ` (removed ${older.length} older set${older.length > 1 ? 's' : ''}; the newest ${PREVIOUS_RUNS_KEPT} are kept)` : ''),
  );
  return dest;
}
