import type { Command } from 'commander';
import { dirname, join, resolve } from 'node:path';
import { loadPlanSamples, mergeScan } from '../../lib/scan/scan.js';
import { writeReport } from '../../lib/report/index.js';
import { writeSensitivityReport, formatSensitivityTable } from '../../lib/report/sensitivity.js';
import { claimOutDir } from '../../lib/scan/outDir.js';
import { readAnyPlan, type StudyPlan } from '../../lib/scan/study.js';
import { mergeStudyPlan } from '../../lib/scan/studies.js';
import { consoleReporter } from '../reporter.js';
import { reporterMode } from './scan.js';
import { printScanTable } from './scanTable.js';
import { printLeeTable } from './lee.js';

/** `sidewinder merge`: results.json and the report from a finished plan's cache. */
export function register(program: Command): void {
  program
    .command('merge')
    .description('assemble results.json and the report once every task of a plan is in the cache (a study plan: every variant, then lee.json or sensitivity.json)')
    .option('-o, --out <dir>', 'output directory of the scan or study', 'out/scan')
    .option('--plan <file>', 'plan.json (default: <out>/plan.json)')
    .option('--cache <dir>', 'task cache (default: <plan dir>/cache; a study plan records its own)')
    .option('--no-report', 'results.json only')
    .option('--quiet', 'no progress output')
    .option('--log', 'plain log lines instead of progress bars')
    .action(async (o: { out: string; plan?: string; cache?: string; report: boolean; quiet?: boolean; log?: boolean }) => {
      const planPath = o.plan ?? join(o.out, 'plan.json');
      const any = readAnyPlan(planPath);
      const reporter = consoleReporter(reporterMode(o));
      if (any.kind === 'study') {
        await mergeStudyCommand(any.plan, planPath, { cache: o.cache, report: o.report, reporter });
        return;
      }
      const plan = any.plan;
      const cacheDir = o.cache ?? join(dirname(planPath), 'cache');
      // One writer per --out; a previous results.json and report are moved aside (see claimOutDir).
      const lock = claimOutDir(o.out, { stage: 'merge', reporter });
      try {
        const datasets = await loadPlanSamples(plan, reporter);
        const { results, resultsPath } = await mergeScan(plan, datasets, { cacheDir, outDir: o.out, reporter, lock });
        reporter.stop();
        printScanTable(results);
        if (o.report) {
          const report = await writeReport(results, join(o.out, 'report'), { reporter });
          reporter.stop(); // erase the plots bar before the paths are printed
          console.log(`report:  ${resolve(report.htmlPath)}`);
        }
        console.log(`results: ${resolve(resultsPath)}`);
      } finally {
        reporter.stop();
        lock.release();
      }
    });
}

/**
 * Merge a study plan (what its merge job runs): the study's output directory is claimed as its local
 * command claims it — the scan's for a look-elsewhere study (results.json rewritten in place), the
 * sweep's for a sensitivity study (the previous sensitivity.json and report moved aside) — then the
 * variants are merged and the study's document, table and report written.
 */
export async function mergeStudyCommand(plan: StudyPlan, planPath: string, o: { cache?: string; report: boolean; reporter: ReturnType<typeof consoleReporter> }): Promise<void> {
  const { reporter } = o;
  const studyDir = dirname(resolve(planPath));
  const lee = plan.study.kind === 'lee';
  const lock = claimOutDir(lee ? dirname(studyDir) : studyDir, { stage: lee ? 'continue' : 'sensitivity', reporter });
  try {
    // Nothing is moved aside before the merge knows every task is in (mergeStudyPlan checks first).
    const out = await mergeStudyPlan(plan, planPath, { cacheDir: o.cache ? resolve(o.cache) : undefined, reporter, beforeWrite: () => lock.clearPrevious() });
    reporter.stop();
    if (out.kind === 'lee') {
      printLeeTable(out.lee.results);
      if (o.report) {
        const report = await writeReport(out.lee.results, join(dirname(studyDir), 'report'), { reporter });
        reporter.stop();
        console.log(`report:  ${resolve(report.htmlPath)}`);
      }
      console.log(`results: ${out.lee.resultsPath}\npseudo-experiments: ${out.lee.summaryPath}`);
    } else {
      console.log(formatSensitivityTable(out.doc));
      if (o.report) {
        const r = await writeSensitivityReport(out.doc, join(studyDir, 'report'));
        console.log(`\nreport:  ${resolve(r.html)}`);
      }
      console.log(`results: ${out.path}`);
    }
  } finally {
    reporter.stop();
    lock.release();
  }
}
