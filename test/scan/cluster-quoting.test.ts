/**
 * Safe cluster job files (issue 16, item 5). Every value that reaches a `.sbatch`, `.sub`, DAG or
 * shell script is refused when it holds a control character, with the field named, before anything is
 * written; any other value is quoted so that its consumer reads back exactly that value: bash runs the
 * job file, sbatch's header reader (and the real sbatch, on a throw-away Slurm when one can be
 * started), condor_submit's rules as its manual states them (HTCondor is not installable here).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { presetConfig } from '../../lib/scan/presets.js';
import { buildPlan, type ScanPlan } from '../../lib/scan/plan.js';
import { scanWindows } from '../../lib/scan/scan.js';
import { DEFAULT_CLUSTER_OPTIONS, type ClusterOptions, type JobPaths } from '../../lib/scan/engines/groups.js';
import { renderSlurmJobs, sbatchHeaderArguments } from '../../lib/scan/engines/slurm.js';
import { renderCondorJobs } from '../../lib/scan/engines/condor.js';
import { checkSubmitInputs, submitPlan } from '../../lib/scan/engines/submit.js';
import { ConfigError } from '../../lib/util/errors.js';
import { slurmUnavailableReason, startSlurm, type SlurmCluster } from './slurmCluster.js';

const REPO = new URL('../../', import.meta.url).pathname;
const BASE = mkdtempSync(join(tmpdir(), 'sw-quoting-'));
/** Any injected command would create this file. */
const PWNED = join(BASE, 'pwned');
afterAll(() => rmSync(BASE, { recursive: true, force: true }));

/** Values that must be refused: they would break a line of a job file. */
const CONTROL: Readonly<Record<string, string>> = {
  newline: `x\ntouch ${PWNED}`, 'carriage return': 'a\rb', NUL: 'a\0b', tab: 'a\tb', 'escape (C0)': 'a\x1b[2Jb', DEL: 'a\x7fb', 'next line (C1)': 'a\x85b',
};
/** Values that must reach their consumer unchanged (and run nothing). */
const HOSTILE: Readonly<Record<string, string>> = {
  quotes: `a'"b`, 'double quote': 'a"b', 'single quote': "it's", 'command substitution': `$(touch ${PWNED})`, backtick: `a\`touch ${PWNED}\`b`,
  space: 'a b', unicode: 'é中', 'percent and hash': 'a%x%%#b', 'condor macros': '$$(Arch)$ENV(HOME)$(Process)$',
};

async function samplePlan(): Promise<ScanPlan> {
  const cfg = presetConfig('ci');
  cfg.windows.ids = [5];
  cfg.methods = ['iad', 'cathode'];
  const { windows, shortSidebandWidth } = await scanWindows(cfg);
  return buildPlan(cfg, windows, shortSidebandWidth, { data: 'a'.repeat(64), template: 'b'.repeat(64), control: 'c'.repeat(64) });
}

const WORK = join(BASE, 'work');
mkdirSync(WORK);
/** The job command: printf prints each argument on its own line, so the job's argv can be compared. */
const PRINTF = ['/usr/bin/printf', '%s\\n'];

function pathsUnder(out: string, over: Partial<JobPaths> = {}): JobPaths {
  return { planPath: join(out, 'plan.json'), cacheDir: join(out, 'cache'), outDir: out, logDir: join(out, 'logs'), workDir: WORK, command: PRINTF, ...over };
}
const OPTIONS: ClusterOptions = { ...DEFAULT_CLUSTER_OPTIONS, jobName: 'sw', partition: 'short', account: 'atlas' };

/** Make `path` a link to printf (an executable whose own path holds a hostile value). */
function linkPrintf(path: string): void {
  if (path === PRINTF[0] || existsSync(path)) return;
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(PRINTF[0], path);
}

/** One field that reaches a job file, how a value is put into it, and the name its error must carry. */
interface Field {
  readonly field: string;
  readonly engines: readonly ('slurm' | 'condor')[];
  readonly set: (v: string) => { o: ClusterOptions; p: JobPaths };
}
const both = ['slurm', 'condor'] as const;
const FIELDS: readonly Field[] = [
  { field: '--out (output directory)', engines: both, set: (v) => ({ o: OPTIONS, p: pathsUnder(join(BASE, `out ${v}`)) }) },
  { field: '--cache (cache directory)', engines: both, set: (v) => ({ o: OPTIONS, p: pathsUnder(join(BASE, 'out'), { cacheDir: join(BASE, `cache ${v}`) }) }) },
  { field: 'plan file', engines: both, set: (v) => ({ o: OPTIONS, p: pathsUnder(join(BASE, 'out'), { planPath: join(BASE, `plan ${v}.json`) }) }) },
  { field: '--job-name', engines: both, set: (v) => ({ o: { ...OPTIONS, jobName: v }, p: pathsUnder(join(BASE, 'out')) }) },
  { field: '--partition', engines: ['slurm'], set: (v) => ({ o: { ...OPTIONS, partition: v }, p: pathsUnder(join(BASE, 'out')) }) },
  { field: '--account', engines: both, set: (v) => ({ o: { ...OPTIONS, account: v }, p: pathsUnder(join(BASE, 'out')) }) },
  { field: 'working directory (the sidewinder checkout)', engines: both, set: (v) => ({ o: OPTIONS, p: pathsUnder(join(BASE, 'out'), { workDir: join(BASE, `work ${v}`) }) }) },
  { field: 'job command (argument 1: the Node executable)', engines: both, set: (v) => ({ o: OPTIONS, p: pathsUnder(join(BASE, 'out'), { command: [join(BASE, `bin ${v}`, 'printf'), '%s\\n'] }) }) },
  { field: 'job command (argument 3: the CLI)', engines: both, set: (v) => ({ o: OPTIONS, p: pathsUnder(join(BASE, 'out'), { command: [...PRINTF, join(BASE, `cli ${v}.mjs`)] }) }) },
];
/** Fields that only take control characters here (other values are validated by their own syntax or written as given). */
const CONTROL_ONLY: readonly Field[] = [
  { field: '--extra', engines: both, set: (v) => ({ o: { ...OPTIONS, extra: [`--qos=${v}`] }, p: pathsUnder(join(BASE, 'out')) }) },
  { field: '--flow-time', engines: both, set: (v) => ({ o: { ...OPTIONS, flow: { ...OPTIONS.flow, time: `01:00:00${v}` } }, p: pathsUnder(join(BASE, 'out')) }) },
  { field: '--merge-mem', engines: both, set: (v) => ({ o: { ...OPTIONS, merge: { ...OPTIONS.merge, memory: `${v}8G` } }, p: pathsUnder(join(BASE, 'out')) }) },
  { field: '--partition', engines: ['condor'], set: (v) => ({ o: { ...OPTIONS, partition: v }, p: pathsUnder(join(BASE, 'out')) }) },
];

const render = (engine: 'slurm' | 'condor', plan: ScanPlan, o: ClusterOptions, p: JobPaths) => (engine === 'slurm' ? renderSlurmJobs(plan, o, p) : renderCondorJobs(plan, o, p));
const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('control characters are refused, naming the field, before anything is written', () => {
  it('every field, every engine, every control character', async () => {
    const plan = await samplePlan();
    let checked = 0;
    for (const f of [...FIELDS, ...CONTROL_ONLY])
      for (const engine of f.engines)
        for (const [what, v] of Object.entries(CONTROL)) {
          const { o, p } = f.set(v);
          const message = new RegExp(`^${escapeRe(f.field)}: .*U\\+00[0-9A-F]{2}\\) at character \\d+ cannot go into a batch job file`);
          for (const attempt of [() => render(engine, plan, o, p), () => checkSubmitInputs(engine, o, p)]) {
            let err: unknown;
            try {
              attempt();
            } catch (e) {
              err = e;
            }
            expect(err, `${engine} ${f.field} ${what}`).toBeInstanceOf(ConfigError);
            expect((err as Error).message, `${engine} ${f.field} ${what}`).toMatch(message);
          }
          checked++;
        }
    expect(checked).toBe(17 * 7 + 7 * 7); // (field, engine) pairs × control characters: the loops ran
    expect(existsSync(PWNED)).toBe(false);
  });

  it('submitPlan creates no directory and writes no file for a refused value', async () => {
    const plan = await samplePlan();
    for (const engine of both) {
      const out = join(BASE, `refused-${engine}\ntouch ${PWNED}`);
      await expect(submitPlan(plan, { engine, planPath: join(out, 'plan.json'), cacheDir: join(out, 'cache'), outDir: out, dryRun: true })).rejects.toThrow(/^--out \(output directory\): newline \(U\+000A\)/);
      await expect(submitPlan(plan, { engine, planPath: join(BASE, 'p.json'), cacheDir: join(BASE, `c-${engine}`), outDir: join(BASE, `o-${engine}`), cluster: { ...OPTIONS, jobName: `x\ntouch ${PWNED}` }, dryRun: true })).rejects.toThrow(/^--job-name: newline/);
      expect(existsSync(out)).toBe(false);
      expect(existsSync(join(BASE, `o-${engine}`))).toBe(false);
      expect(existsSync(join(BASE, `c-${engine}`))).toBe(false);
    }
  });

  it('regression (issue 16): `sidewinder submit --out` with a touch line is refused with one line; no plan, no job file, nothing runs', () => {
    const out = join(BASE, `cli\ntouch ${PWNED}`);
    const r = spawnSync(process.execPath, [join(REPO, 'scripts', 'sidewinder.mjs'), 'submit', '--engine', 'slurm', '--dry-run', '--preset', 'ci', '--out', out], { cwd: REPO, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status).toBe(2); // a bad option value is bad usage (exit 2, scripts/cliErrors.ts)
    expect(r.stderr.trim()).toMatch(new RegExp(`^sidewinder: --out \\(output directory\\): newline \\(U\\+000A\\) at character ${out.indexOf('\n') + 1} cannot go into a batch job file`));
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
    expect(existsSync(PWNED)).toBe(false);
  });
});

/** The `#SBATCH` header (the lines before the first command, as sbatch reads them) as option → value. */
function sbatchHeader(text: string): Map<string, string> {
  const options = new Map<string, string>();
  const lines = text.split('\n');
  expect(lines[0]).toBe('#!/bin/bash');
  for (const line of lines.slice(1)) {
    if (line.trim() && !line.trimStart().startsWith('#')) break; // sbatch stops at the first command
    if (!line.startsWith('#SBATCH')) continue;
    const args = sbatchHeaderArguments(line.slice('#SBATCH'.length));
    expect(args, `one option per #SBATCH line: ${line}`).toHaveLength(1);
    const m = /^--([a-z-]+)=([^]*)$/.exec(args[0]);
    expect(m, line).not.toBeNull();
    expect(options.has(m![1]), `--${m![1]} twice`).toBe(false);
    options.set(m![1], m![2]);
  }
  return options;
}

/**
 * Run job files with bash as Slurm would (array element 7), all in one bash process (spawning one per
 * file costs seconds); each job's printf prints its argv, one argument per line.
 */
function runWithBash(texts: readonly string[]): string[][] {
  const dir = mkdtempSync(join(BASE, 'jobs-'));
  const files = texts.map((t, i) => {
    const f = join(dir, `job-${i}.sh`);
    writeFileSync(f, t);
    return f;
  });
  const r = spawnSync('bash', ['-c', 'for f in "$@"; do bash "$f"; echo "=== exit $?"; done', 'run', ...files], { encoding: 'utf8', env: { ...process.env, SLURM_ARRAY_TASK_ID: '7' } });
  expect(r.status, r.stderr).toBe(0);
  const outputs = r.stdout.split(/^=== exit (\d+)\n/m);
  const argvs: string[][] = [];
  for (let i = 0; i + 1 < outputs.length; i += 2) {
    expect(outputs[i + 1], `${files[i / 2]}: ${r.stderr}`).toBe('0');
    argvs.push(outputs[i].split('\n').slice(0, -1));
  }
  expect(argvs).toHaveLength(texts.length);
  return argvs;
}

describe('Slurm: each value reaches sbatch and bash unchanged', () => {
  it('header one option per line with the exact value; the job body run by bash passes exactly the paths', async () => {
    const plan = await samplePlan();
    const runs: { at: string; text: string; argv: string[] }[] = [];
    for (const f of FIELDS)
      for (const [what, v] of Object.entries(HOSTILE)) {
        const { o, p } = f.set(v);
        linkPrintf(p.command[0]);
        mkdirSync(p.workDir, { recursive: true });
        const { jobs, submitScript } = renderSlurmJobs(plan, o, p);
        for (const j of jobs) {
          const h = sbatchHeader(j.text);
          const expected = ['job-name', ...(j.name === 'merge' ? [] : ['array']), 'time', 'mem', 'cpus-per-task', 'ntasks', 'output', 'partition', 'account'];
          expect([...h.keys()], `${f.field} ${what}`).toEqual(expected);
          expect(h.get('job-name')).toBe(`${o.jobName}-${j.name}`);
          expect(h.get('partition')).toBe(o.partition);
          expect(h.get('account')).toBe(o.account);
          // Slurm's file pattern: the directory's own % doubled, then the group's log name.
          expect(h.get('output')).toBe(join(p.logDir.replace(/%/g, '%%'), j.name === 'merge' ? 'merge-%j.out' : `${j.name}-%A_%a.out`));
        }
        const argv = (j: (typeof jobs)[number]): string[] => [...p.command.slice(2), j.name === 'merge' ? 'merge' : 'task', '--plan', p.planPath, '--cache', p.cacheDir, '--out', p.outDir, ...(j.name === 'merge' ? [] : ['--index', '7'])];
        for (const j of [jobs[0], jobs[jobs.length - 1]]) runs.push({ at: `${f.field} ${what}: ${j.file}`, text: j.text, argv: argv(j) });
        expect(submitScript).not.toContain(v); // submit.sh names only the job files
      }
    const printed = runWithBash(runs.map((r) => r.text));
    runs.forEach((r, i) => expect(printed[i], r.at).toEqual(r.argv));
    expect(existsSync(PWNED)).toBe(false);
  });

  it('refuses a backslash in the log directory (it turns off Slurm\'s %A/%a/%j) and --extra lines sbatch would not read as options', async () => {
    const plan = await samplePlan();
    expect(() => renderSlurmJobs(plan, OPTIONS, pathsUnder(join(BASE, 'a\\b')))).toThrow(/^log directory \(<out>\/logs\): a backslash/);
    expect(() => renderSlurmJobs(plan, { ...OPTIONS, extra: [`--qos=a #x`, `touch ${PWNED}`] }, pathsUnder(BASE))).toThrow(/^--extra: .*"touch" is not an option/);
  });
});

/**
 * condor_submit's reading of a submit description, from its manual: `name = value` with the value's
 * ends trimmed, `#` lines are comments, a trailing backslash continues the line.
 */
function condorCommands(text: string): Map<string, string> {
  const commands = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#') || /^queue\b/.test(line)) continue;
    expect(line.endsWith('\\'), `continued line: ${line}`).toBe(false);
    const m = /^(\+?[A-Za-z_][\w.]*)\s*=(.*)$/.exec(line);
    expect(m, `not a submit command: ${JSON.stringify(line)}`).not.toBeNull();
    commands.set(m![1], m![2].trim());
  }
  return commands;
}

/**
 * Submit-time macro expansion: `$(DOLLAR)` → `$`, `$(task)` → the queued value; `$$(…)` is left for
 * match time. Any other macro (`$(name)`, `$ENV(…)`, …) or a bare `$` means a value was not escaped.
 */
function submitTimeExpand(v: string, task: string): string {
  let out = '';
  for (let i = 0; i < v.length; ) {
    if (v.startsWith('$$(', i)) {
      const end = v.indexOf(')', i);
      out += v.slice(i, end + 1);
      i = end + 1;
    } else if (v[i] === '$') {
      const m = /^\$([A-Za-z_]*)\(([^)]*)\)/.exec(v.slice(i));
      if (m?.[0] === '$(DOLLAR)') out += '$';
      else if (m?.[0] === '$(task)') out += task;
      else throw new Error(`condor_submit would expand ${m?.[0] ?? 'a bare $'} in ${JSON.stringify(v)}`);
      i += m[0].length;
    } else out += v[i++];
  }
  return out;
}

/** Match-time substitution: `$$(DOLLARDOLLAR)` → `$$`, continuing after it; any other `$$(…)` would read the machine ad. */
function matchTimeExpand(v: string): string {
  let out = '';
  for (let i = 0; i < v.length; ) {
    if (v.startsWith('$$(', i)) {
      const end = v.indexOf(')', i);
      if (v.slice(i, end + 1) !== '$$(DOLLARDOLLAR)') throw new Error(`match-time substitution of ${v.slice(i, end + 1)} in ${JSON.stringify(v)}`);
      out += '$$';
      i = end + 1;
    } else out += v[i++];
  }
  return out;
}

/** The new `arguments` syntax: the list in double quotes (`""` is one `"`), whitespace separates, single quotes group (`''` is one `'`). */
function condorArgumentList(v: string): string[] {
  expect(v.startsWith('"') && v.endsWith('"') && v.length >= 2, v).toBe(true);
  const s = v.slice(1, -1);
  const args: string[] = [];
  let cur: string | undefined;
  let single = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"') {
      if (s[i + 1] !== '"') throw new Error(`lone " in arguments ${v}`);
      cur = (cur ?? '') + '"';
      i++;
    } else if (single) {
      if (c !== "'") cur += c;
      else if (s[i + 1] === "'") {
        cur += "'";
        i++;
      } else single = false;
    } else if (c === "'") {
      single = true;
      cur ??= '';
    } else if (c === ' ' || c === '\t') {
      if (cur !== undefined) args.push(cur);
      cur = undefined;
    } else cur = (cur ?? '') + c;
  }
  if (single) throw new Error(`unmatched ' in arguments ${v}`);
  if (cur !== undefined) args.push(cur);
  return args;
}

describe('HTCondor: each value reaches condor_submit unchanged (rules of the condor_submit manual)', () => {
  it('paths, names and arguments read back exactly; every $ is escaped; the DAG holds only plain names', async () => {
    const plan = await samplePlan();
    const value = (c: Map<string, string>, k: string, task = '7'): string => matchTimeExpand(submitTimeExpand(c.get(k)!, task));
    for (const f of FIELDS.filter((x) => x.engines.includes('condor')))
      for (const [what, v] of Object.entries(HOSTILE)) {
        const { o, p } = f.set(v);
        const { jobs, dag } = renderCondorJobs(plan, o, p);
        for (const j of jobs) {
          const at = `${f.field} ${what}: ${j.file}`;
          // No $ left that condor_submit or the schedd would expand, other than our $(task) (comment lines are not expanded).
          const commands = j.text.split('\n').filter((l) => !l.startsWith('#')).join('\n');
          expect(commands.replace(/\$\$\(DOLLARDOLLAR\)|\$\(DOLLAR\)|\$\(task\)/g, ''), at).not.toContain('$');
          const c = condorCommands(j.text);
          const perTask = j.name !== 'merge';
          expect(value(c, 'executable'), at).toBe(p.command[0]);
          expect(value(c, 'initialdir'), at).toBe(p.workDir);
          expect(value(c, 'batch_name'), at).toBe(`${o.jobName}-${j.name}`);
          expect(value(c, 'accounting_group'), at).toBe(o.account);
          expect(value(c, 'log'), at).toBe(join(p.logDir, `${j.name}.log`));
          expect(value(c, 'output'), at).toBe(join(p.logDir, `${j.name}${perTask ? '-7' : ''}.out`));
          const args = condorArgumentList(submitTimeExpand(c.get('arguments')!, '7')).map(matchTimeExpand);
          expect(args, at).toEqual([...p.command.slice(1), perTask ? 'task' : 'merge', '--plan', p.planPath, '--cache', p.cacheDir, '--out', p.outDir, ...(perTask ? ['--index', '7'] : [])]);
        }
        for (const line of dag.split('\n').filter(Boolean)) expect(line, `${f.field} ${what}: DAG`).toMatch(/^(# .*|JOB [\w.-]+ [\w.-]+\.sub|PARENT [\w. -]+ CHILD [\w.-]+)$/);
      }
  });

  it('refuses what a submit line cannot hold: leading or trailing whitespace, a trailing backslash; --extra that is not a submit command', async () => {
    const plan = await samplePlan();
    const p = pathsUnder(join(BASE, 'out'));
    expect(() => renderCondorJobs(plan, { ...OPTIONS, jobName: ' sw' }, p)).toThrow(/^--job-name: HTCondor trims the ends/);
    expect(() => renderCondorJobs(plan, { ...OPTIONS, account: 'atlas ' }, p)).toThrow(/^--account: HTCondor trims the ends/);
    expect(() => renderCondorJobs(plan, OPTIONS, { ...p, workDir: '/opt/sw\\' })).toThrow(/^working directory \(the sidewinder checkout\): a trailing backslash/);
    expect(() => renderCondorJobs(plan, { ...OPTIONS, extra: ['queue 10'] }, p)).toThrow(/^--extra: an HTCondor submit command/);
    expect(() => renderCondorJobs(plan, { ...OPTIONS, extra: ['--qos=short'] }, p)).toThrow(/^--extra: an HTCondor submit command/);
  });
});

const slurmWhy = slurmUnavailableReason();
describe.skipIf(slurmWhy !== undefined)('real sbatch (throw-away Slurm)', () => {
  let cluster: SlurmCluster;
  beforeAll(async () => {
    cluster = await startSlurm({ cpus: 1 });
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('sbatch reads job name, account and output path exactly; the job prints exactly its paths and runs nothing injected', async () => {
    const plan = await samplePlan();
    const h = `a b"c'd$(touch ${PWNED})e\`touch ${PWNED}\`f é中 %x#y`;
    const out = join(BASE, `sbatch ${h}`);
    const p = pathsUnder(out, { workDir: join(BASE, `work sbatch ${h}`), command: [join(BASE, `bin sbatch ${h}`, 'printf'), '%s\\n'] });
    linkPrintf(p.command[0]);
    mkdirSync(p.workDir, { recursive: true });
    mkdirSync(p.logDir, { recursive: true });
    const { jobs } = renderSlurmJobs(plan, { ...OPTIONS, partition: undefined, jobName: h, account: h, merge: { ...OPTIONS.merge, time: '2' } }, p);
    const file = join(BASE, 'merge.sbatch');
    writeFileSync(file, jobs[jobs.length - 1].text);
    const id = execFileSync('sbatch', ['--parsable', file], { env: cluster.env, encoding: 'utf8' }).trim().split(';')[0];
    const show = (): string => execFileSync('scontrol', ['show', 'job', id, '-o'], { env: cluster.env, encoding: 'utf8' });
    const t0 = Date.now();
    while (!/JobState=(COMPLETED|FAILED|CANCELLED|TIMEOUT|NODE_FAIL)/.test(show()) && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 200));
    const info = show();
    expect(info).toContain('JobState=COMPLETED');
    expect(/ JobName=(.*) UserId=/.exec(info)?.[1]).toBe(`${h}-merge`);
    expect(/ Account=(.*) QOS=/.exec(info)?.[1]).toBe(h.toLowerCase()); // Slurm keeps account names in lower case
    // %x and %% in the directory were literal: the log is at the plain path, with Slurm's %j replaced.
    const log = join(p.logDir, `merge-${id}.out`);
    expect(readFileSync(log, 'utf8').split('\n').slice(0, -1)).toEqual(['merge', '--plan', p.planPath, '--cache', p.cacheDir, '--out', p.outDir]);
    expect(existsSync(PWNED)).toBe(false);
  });
});
