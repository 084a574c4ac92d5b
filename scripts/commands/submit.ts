import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { prepareScan, runPlanTasks, mergeScan } from '../../lib/scan/scan.js';
import { checkSubmitInputs, jobPathsFor, submitPlan } from '../../lib/scan/engines/submit.js';
import { ENGINES, type EngineName } from '../../lib/scan/engines/status.js';
import { DEFAULT_CLUSTER_OPTIONS, checkClusterOptions, type ClusterOptions } from '../../lib/scan/engines/groups.js';
import { ConfigError, didYouMean } from '../../lib/util/errors.js';
import { writeReport } from '../../lib/report/index.js';
import { claimOutDir } from '../../lib/scan/outDir.js';
import { configurationNotes } from '../../lib/scan/configNotes.js';
import { missingStudyTasks, type StudyPlan } from '../../lib/scan/study.js';
import { consoleReporter } from '../reporter.js';
import { addScanOptions, printDropped, reporterMode, scanConfigFromOptions, type ScanCliOptions } from './scan.js';
import { printScanTable } from './scanTable.js';

export interface ClusterCliOptions {
  partition?: string;
  account?: string;
  throttle?: string;
  flowTime?: string;
  flowMem?: string;
  flowCpus?: string;
  classifyTime?: string;
  classifyMem?: string;
  classifyCpus?: string;
  mergeTime?: string;
  mergeMem?: string;
  extra?: string[];
  jobName?: string;
}

const int = (v: string, what: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new ConfigError(`--${what}: expected an integer, got "${v}"`);
  return n;
};

/** Cluster options from the command line over the defaults. */
export function clusterOptionsFrom(o: ClusterCliOptions): ClusterOptions {
  const d = DEFAULT_CLUSTER_OPTIONS;
  return checkClusterOptions({
    flow: { time: o.flowTime ?? d.flow.time, memory: o.flowMem ?? d.flow.memory, cpus: o.flowCpus ? int(o.flowCpus, 'flow-cpus') : d.flow.cpus },
    classify: { time: o.classifyTime ?? d.classify.time, memory: o.classifyMem ?? d.classify.memory, cpus: o.classifyCpus ? int(o.classifyCpus, 'classify-cpus') : d.classify.cpus },
    merge: { time: o.mergeTime ?? d.merge.time, memory: o.mergeMem ?? d.merge.memory, cpus: d.merge.cpus },
    partition: o.partition, account: o.account, throttle: o.throttle ? int(o.throttle, 'throttle') : undefined, extra: o.extra ?? [], jobName: o.jobName ?? d.jobName,
  });
}

/** Options shared by `submit` and `status --resubmit-failed`. */
export function addClusterOptions(command: Command): Command {
  const collect = (v: string, prev: string[] = []): string[] => [...prev, v];
  const d = DEFAULT_CLUSTER_OPTIONS;
  return command
    .option('--partition <name>', 'Slurm partition')
    .option('--account <name>', 'Slurm account (HTCondor accounting_group)')
    .option('--throttle <k>', 'at most k array elements of a stage running at once (sbatch --array=…%k)')
    .option('--flow-time <t>', `time limit of a flow-training task`, d.flow.time)
    .option('--flow-mem <m>', 'memory of a flow-training task', d.flow.memory)
    .option('--flow-cpus <n>', 'CPUs of a flow-training task', String(d.flow.cpus))
    .option('--classify-time <t>', 'time limit of a classifier task', d.classify.time)
    .option('--classify-mem <m>', 'memory of a classifier task', d.classify.memory)
    .option('--classify-cpus <n>', 'CPUs of a classifier task', String(d.classify.cpus))
    .option('--merge-time <t>', 'time limit of the merge job', d.merge.time)
    .option('--merge-mem <m>', 'memory of the merge job', d.merge.memory)
    .option('--extra <line>', 'extra job-file line, written as given: sbatch options, e.g. "--qos=short" (Slurm), or a submit command "name = value" (HTCondor); repeatable', collect)
    .option('--job-name <prefix>', 'job name prefix', d.jobName);
}

/**
 * The engine named by --engine, or a ConfigError naming the engines. With `study`, --dry-run needs a
 * batch engine (the local engine has no job files to write).
 */
export function checkEngine(engine: string, study?: { dryRun?: boolean }): EngineName {
  if (!ENGINES.includes(engine as EngineName)) throw new ConfigError(`--engine: unknown engine "${engine}"${didYouMean(engine, ENGINES)}; engines are ${ENGINES.join(', ')}`);
  if (study?.dryRun && engine === 'local') throw new ConfigError('--dry-run: writes a study\'s plan and job files for --engine slurm or condor; the local engine runs the study in this process');
  return engine as EngineName;
}

/** --engine, --dry-run and the cluster options, for the study commands (`lee`, `sensitivity`). */
export function addEngineOption(command: Command): Command {
  return addClusterOptions(command
    .option('--engine <name>', 'local (this process) | slurm | condor (one study plan of every scan\'s tasks, submitted as job arrays + a merge job)', 'local')
    .option('--dry-run', 'with --engine slurm|condor: write the study plan and job files but do not submit'));
}

/**
 * Send a study to a batch engine (`sidewinder lee|sensitivity --engine slurm|condor`): plan it
 * (`prepare`: the study plan in `studyDir`), then submit only the tasks not yet in the cache, plus a
 * merge job that runs `sidewinder merge` on the study plan. `status` and `merge` work on `studyDir`.
 */
export async function submitStudy(
  engine: EngineName, studyDir: string, cacheDir: string, o: ClusterCliOptions & { dryRun?: boolean }, reporter: ReturnType<typeof consoleReporter>,
  prepare: () => Promise<{ plan: StudyPlan; planPath: string; duplicates: number }>,
): Promise<void> {
  if (engine === 'local') throw new ConfigError('submitStudy: the local engine runs the study in this process');
  const cluster = clusterOptionsFrom(o);
  // Every value bound for a job file is checked before the plan (or anything else) is written.
  checkSubmitInputs(engine, cluster, jobPathsFor({ planPath: join(studyDir, 'plan.json'), cacheDir, outDir: studyDir }));
  // A study directory accumulates its variants and submissions: nothing is moved aside.
  const lock = claimOutDir(studyDir, { stage: 'continue', reporter });
  try {
    const { plan, planPath, duplicates } = await prepare();
    const missing = missingStudyTasks(plan, cacheDir);
    reporter.stop();
    const reused = plan.variants.filter((v) => v.reused).length;
    console.log(`study plan: ${resolve(planPath)} (${plan.study.kind}: ${plan.variants.length} scans${reused ? `, ${reused} finished before` : ''}; ` +
      `${plan.tasks.length} distinct tasks${duplicates ? `, ${duplicates} shared by several scans listed once` : ''}; ${plan.tasks.length - missing.length} already in the cache, ${missing.length} to run)`);
    const out = await submitPlan(plan, { engine, planPath, cacheDir, outDir: studyDir, cluster, dryRun: o.dryRun, indices: missing });
    console.log(`job files in ${out.jobDir}:\n${out.files.map((f) => `  ${f}`).join('\n')}`);
    if (out.jobs) for (const j of out.jobs) console.log(`submitted ${j.name}: job ${j.jobId}${j.indices.length ? ` (${j.indices.length} tasks)` : ''}${j.after.length ? ` after ${j.after.join(', ')}` : ''}`);
    if (out.condorOutput) console.log(out.condorOutput.trim());
    if (!o.dryRun) console.log(`follow with: sidewinder status --out ${studyDir}   (the merge job writes the study's results; by hand: sidewinder merge --out ${studyDir})`);
  } finally {
    reporter.stop();
    lock.release();
  }
}

/** `sidewinder submit`: write the plan and send it to an engine. */
export function register(program: Command): void {
  addClusterOptions(addScanOptions(program
    .command('submit')
    .argument('[config]', 'scan configuration file (same as --config)')
    .description('write the scan plan and run it: in this process (local), as Slurm job arrays, or as an HTCondor DAG')
    .option('--engine <name>', 'local | slurm | condor', 'local')))
    .option('-o, --out <dir>', 'output directory (plan.json, results.json, job files, logs)', 'out/scan')
    .option('--cache <dir>', 'shared task cache (default: <out>/cache); must be on a filesystem every node sees')
    .option('--dry-run', 'write the plan and job files but do not submit')
    .option('--quiet', 'no progress output')
    .option('--log', 'plain log lines instead of progress bars')
    .option('--verbose', 'also debug lines')
    .addHelpText('after', `
Examples:
  $ sidewinder submit --preset ci --windows 5 -o out/ci                 # run the plan here (engine local)
  $ sidewinder submit my-scan.json --engine slurm --partition short -o /shared/scan --dry-run   # write the job files only
  $ sidewinder submit --engine condor -o /shared/scan && sidewinder status -o /shared/scan`)
    .action(async (configFile: string | undefined, o: ScanCliOptions & ClusterCliOptions & { engine: string; dryRun?: boolean }) => {
      checkEngine(o.engine);
      if (configFile && o.config) throw new ConfigError('give the scan configuration once: as the argument or with --config');
      const cfg = scanConfigFromOptions({ ...o, config: configFile ?? o.config });
      const cluster = o.engine === 'local' ? undefined : clusterOptionsFrom(o);
      const cacheDir = resolve(o.cache ?? join(o.out, 'cache'));
      // Every value bound for a job file is checked before the plan (or anything else) is written.
      if (cluster) checkSubmitInputs(o.engine as 'slurm' | 'condor', cluster, jobPathsFor({ planPath: join(o.out, 'plan.json'), cacheDir, outDir: o.out }));
      const reporter = consoleReporter(reporterMode(o), { verbose: o.verbose });
      for (const n of configurationNotes(cfg)) reporter.log('warn', n);
      // One writer per --out (held while this command writes; the cluster's merge job claims it again).
      const lock = claimOutDir(o.out, { stage: 'run', reporter });
      try {
        lock.clearPrevious();
        const prepared = await prepareScan(cfg, { outDir: o.out, reporter });
        reporter.stop();
        console.log(`plan:    ${resolve(prepared.planPath)} (${prepared.plan.tasks.length} tasks)`);
        if (o.engine === 'local') {
          if (o.dryRun) return;
          const { computed, cached } = await runPlanTasks(prepared.plan, prepared.datasets, { cacheDir, reporter });
          const { results, resultsPath } = await mergeScan(prepared.plan, prepared.datasets, { cacheDir, outDir: o.out, reporter, lock });
          reporter.stop();
          printScanTable(results);
          printDropped(results.dataset.droppedInvalid);
          console.log(`\n${computed} tasks computed, ${cached} from the cache`);
          const report = await writeReport(results, join(o.out, 'report'), { reporter });
          reporter.stop(); // erase the plots bar before the paths are printed
          console.log(`report:  ${resolve(report.htmlPath)}\nresults: ${resolve(resultsPath)}`);
          return;
        }
        const out = await submitPlan(prepared.plan, { engine: o.engine as 'slurm' | 'condor', planPath: prepared.planPath, cacheDir, outDir: o.out, cluster, dryRun: o.dryRun });
        reporter.stop();
        console.log(`job files in ${out.jobDir}:\n${out.files.map((f) => `  ${f}`).join('\n')}`);
        if (out.jobs) for (const j of out.jobs) console.log(`submitted ${j.name}: job ${j.jobId}${j.indices.length ? ` (${j.indices.length} tasks)` : ''}${j.after.length ? ` after ${j.after.join(', ')}` : ''}`);
        if (out.condorOutput) console.log(out.condorOutput.trim());
        if (!o.dryRun) console.log(`follow with: sidewinder status --out ${o.out}`);
      } finally {
        reporter.stop();
        lock.release();
      }
    });
}
