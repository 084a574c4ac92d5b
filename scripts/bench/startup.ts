/**
 * `npm run bench -- startup`: start-up of the compiled CLI (dist/, what `npx sidewinder` runs) against
 * the TypeScript sources run through tsx (`scripts/sidewinder.mjs`, what the bin was before dist/).
 * Three calls: `--version`; `inspect` of a 1000-row CSV; and a Slurm array element's start-up — `task`
 * on a plan whose task is already in the cache, which loads everything a task loads before it computes
 * (the task command, the scan code, the plan, the cache lookup) and then stops.
 *
 * Each call is a fresh process; figures are the median of the repeats, wall time and the child's own
 * CPU time (user + system, read by a preload module at exit), since the development machine is shared
 * and wall times there are noisy. Set STARTUP_BENCH_REPEATS (default 5). STARTUP_BENCH_BEFORE=<dir of another
 * checkout> adds a column for that checkout's `scripts/sidewinder.mjs` (e.g. the commit before dist/ existed).
 * Needs dist/ (`npm run build`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REPO = new URL('../../', import.meta.url).pathname;
const COMPILED = join(REPO, 'dist', 'scripts', 'cli.js');
const SOURCES = join(REPO, 'scripts', 'sidewinder.mjs');

/** Preload that writes the process' CPU seconds (user + system) to $SW_CPU_FILE at exit. */
const CPU_PRELOAD = `data:text/javascript,${encodeURIComponent(
  "import { writeFileSync } from 'node:fs'; process.on('exit', () => { const u = process.cpuUsage(); writeFileSync(process.env.SW_CPU_FILE, String((u.user + u.system) / 1e6)); });",
)}`;

interface Timing { wall: number; cpu: number }

function timeOnce(entry: string, args: string[], cwd: string, cpuFile: string): Timing {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', CPU_PRELOAD, entry, ...args], { cwd, encoding: 'utf8', env: { ...process.env, SW_CPU_FILE: cpuFile, NO_COLOR: '1' } });
  const wall = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`${entry} ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return { wall, cpu: Number(readFileSync(cpuFile, 'utf8')) };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export default async function bench(): Promise<void> {
  if (!existsSync(COMPILED)) throw new Error('bench startup: dist/ is missing; run `npm run build` first');
  const repeats = Number(process.env.STARTUP_BENCH_REPEATS ?? 5);
  const dir = mkdtempSync(join(tmpdir(), 'sidewinder-bench-startup-'));
  const cpuFile = join(dir, 'cpu');
  try {
    // A 1000-row CSV for inspect.
    const rows = ['mJJ [TeV],mJ1 [TeV],tau21J1'];
    for (let i = 0; i < 1000; i++) rows.push(`${(3 + i / 1000).toFixed(4)},${(0.1 + (i % 7) / 100).toFixed(3)},${((i % 13) / 13).toFixed(4)}`);
    writeFileSync(join(dir, 'small.csv'), `${rows.join('\n')}\n`);

    // A plan with one cached task: a tiny IAD-only scan of window 5 (compiled CLI), once.
    const scan = spawnSync(process.execPath, [COMPILED, 'scan', '--preset', 'ci', '--windows', '5', '--methods', 'iad', '--no-control',
      '--background', '30000', '--signal', '100', '--out', join(dir, 'scan'), '--quiet'], { cwd: dir, encoding: 'utf8' });
    if (scan.status !== 0) throw new Error(`bench startup: the preparatory scan failed:\n${scan.stderr}`);
    const taskArgs = ['task', '--plan', join(dir, 'scan', 'plan.json'), '--index', '0'];

    const cases: [string, string[]][] = [
      ['sidewinder --version', ['--version']],
      ['sidewinder inspect small.csv', ['inspect', join(dir, 'small.csv')]],
      ['sidewinder task (cached task: Slurm start-up)', taskArgs],
    ];
    console.log(`median of ${repeats} fresh processes each; wall s / CPU s (user + system of the process)`);
    const before = process.env.STARTUP_BENCH_BEFORE;
    const entries = [COMPILED, SOURCES, ...(before ? [join(before, 'scripts', 'sidewinder.mjs')] : [])];
    console.log(`${'command'.padEnd(48)}  ${'compiled dist/'.padStart(16)}  ${'sources via tsx'.padStart(16)}${before ? `  ${'before (tsx)'.padStart(16)}` : ''}`);
    for (const [label, args] of cases) {
      const cells = entries.map((entry) => {
        timeOnce(entry, args, dir, cpuFile); // warm the file cache
        const ts = Array.from({ length: repeats }, () => timeOnce(entry, args, dir, cpuFile));
        return `${median(ts.map((t) => t.wall)).toFixed(2)} / ${median(ts.map((t) => t.cpu)).toFixed(2)}`.padStart(16);
      });
      console.log(`${label.padEnd(48)}  ${cells.join('  ')}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
