import type { Command } from 'commander';
import { readEvents } from '../../lib/data/io/index.js';
import { checkEvents } from '../../lib/data/validate.js';
import type { EventFormat } from '../../lib/data/io/index.js';
import { distanceCorrelation, distanceCorrelationTest, type DistanceCorrelationTest } from '../../lib/stats/dcor.js';
import { createRng } from '../../lib/util/rng.js';
import { ConfigError, didYouMean, InputError } from '../../lib/util/errors.js';
import { fmt, toJson } from './classicalInput.js';

interface DcorCliOptions {
  x: string; y: string; permutations?: string; seed: string; unbiased?: boolean;
  maxEvents?: string; format?: EventFormat; key?: string; columns?: string; json?: boolean;
}

/** `sidewinder dcor <file> --x mjj --y deltaR,mj1`: distance correlation of one column with others, O(n log n). */
export function register(program: Command): void {
  program
    .command('dcor')
    .description("Székely's distance correlation between a column and one or more others (exact, O(n log n)), optionally with a permutation test of independence")
    .argument('<file>', 'events file (.h5/.hdf5, .npy, .csv, .arrow/.feather/.ipc, .parquet)')
    .requiredOption('--x <column>', 'first variable (e.g. mjj)')
    .requiredOption('--y <columns>', 'second variable(s), comma-separated; "all" = every other column')
    .option('--permutations <n>', 'permutation test with n permutations (p-value of independence)')
    .option('--seed <n>', 'seed of the permutations', '1')
    .option('--unbiased', 'bias-corrected (U-statistic) dCor² instead of the V-statistic')
    .option('--max-events <n>', 'use only the first n events')
    .option('--format <format>', 'hdf5 | npy | csv | arrow | parquet (default: from the extension)')
    .option('--key <key>', 'HDF5 key of the DataFrame')
    .option('--columns <names>', '.npy: names of all columns')
    .option('--json', 'print JSON')
    .action(run);
}

async function run(file: string, o: DcorCliOptions): Promise<void> {
  const t = await readEvents(file, { format: o.format, key: o.key, columns: o.columns?.split(',').map((s) => s.trim()) });
  const col = (name: string): Float64Array | Float32Array => {
    if (!t.columnNames.includes(name)) throw new InputError(`${file}: no column "${name}"${didYouMean(name, t.columnNames)} (columns: ${t.columnNames.join(', ')})`);
    return t.column(name);
  };
  const intOpt = (v: string, name: string): number => {
    const k = Number(v);
    if (!Number.isInteger(k) || k < 1) throw new ConfigError(`${name}: expected a positive integer, got "${v}"`);
    return k;
  };
  const nMax = o.maxEvents ? intOpt(o.maxEvents, '--max-events') : Infinity;
  const cut = (c: Float64Array | Float32Array) => (c.length > nMax ? c.subarray(0, nMax) : c);
  const x = cut(col(o.x));
  const ys = o.y === 'all' ? t.columnNames.filter((c) => c !== o.x) : o.y.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (ys.length === 0) throw new ConfigError('--y: no column given');
  ys.forEach(col);
  // The columns used must be finite and physical, as everywhere data enter (names file, column, rows).
  checkEvents(t, { source: file, columns: [o.x, ...ys] });
  const rows = ys.map((name) => {
    const y = cut(col(name));
    const start = performance.now();
    const r = o.permutations
      ? distanceCorrelationTest(x, y, intOpt(o.permutations, '--permutations'), createRng(Number(o.seed)).fork(`dcor:${o.x}:${name}`), { unbiased: !!o.unbiased })
      : distanceCorrelation(x, y, { unbiased: !!o.unbiased });
    return { x: o.x, y: name, ...r, seconds: (performance.now() - start) / 1000 };
  });
  if (o.json) { console.log(toJson({ file, rows })); return; }
  console.log(`${file}: ${x.length} events, ${o.unbiased ? 'bias-corrected' : 'V-statistic'} distance correlation`);
  for (const r of rows) {
    const test = r as Partial<DistanceCorrelationTest>;
    const p = test.pValue !== undefined ? `  p = ${fmt(test.pValue, 4)} (${test.permutations ?? 0} permutations)` : '';
    console.log(`  dCor(${r.x}, ${r.y}) = ${fmt(r.dCor, 4)}${p}  [${r.seconds.toFixed(2)} s]`);
  }
}
