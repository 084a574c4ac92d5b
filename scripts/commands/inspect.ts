import type { Command } from 'commander';
import { stat } from 'node:fs/promises';
import { readEvents, detectFormat } from '../../lib/data/io/index.js';
import { describeInvalid, findInvalidEvents } from '../../lib/data/validate.js';
import type { EventFormat } from '../../lib/data/io/index.js';
import { loadScanDataset } from '../../lib/scan/dataset.js';
import { InputError } from '../../lib/util/errors.js';
import type { EventTable } from '../../lib/data/eventTable.js';

/** Per-column summary: min, max, mean over finite values, and the count of non-finite ones. */
export function columnSummary(t: EventTable): { name: string; unit: string; dtype: string; min: number; max: number; mean: number; nonFinite: number }[] {
  return t.columnNames.map((name) => {
    const c = t.column(name);
    let min = Infinity, max = -Infinity, sum = 0, n = 0;
    for (let i = 0; i < c.length; i++) {
      const v = c[i];
      if (!Number.isFinite(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
      n++;
    }
    return { name, unit: t.unit(name), dtype: c instanceof Float32Array ? 'float32' : 'float64', min: n ? min : NaN, max: n ? max : NaN, mean: n ? sum / n : NaN, nonFinite: c.length - n };
  });
}

const fmt = (x: number) => (Number.isNaN(x) ? 'nan' : Math.abs(x) >= 1e5 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(4) : x.toFixed(5));

/** `sidewinder inspect <file>`: format, rows, and per column its unit, dtype, min, max and mean. */
export function register(program: Command): void {
  program
    .command('inspect')
    .description('summarise an event file: format, rows, columns with units, min/max/mean per column, the non-finite or unphysical values a scan would refuse, and any other reason it would refuse the file (exit code 1 if any)')
    .argument('<file>', 'events file (.h5/.hdf5, .npy, .csv, .arrow/.feather/.ipc, .parquet)')
    .option('--format <format>', 'hdf5 | npy | csv | arrow | parquet (default: from the magic bytes, then the extension)')
    .option('--key <key>', 'HDF5 key of the DataFrame (default: the only object at the root)')
    .option('--columns <names>', 'comma-separated column names (.npy: names of all columns; else: columns to keep)')
    .option('--json', 'print the summary as JSON')
    .action(inspect);
}

async function inspect(file: string, opts: { format?: EventFormat; key?: string; columns?: string; json?: boolean }): Promise<void> {
  const format = await detectFormat(file, opts.format);
  const t = await readEvents(file, { format, key: opts.key, columns: opts.columns?.split(',').map((s) => s.trim()) });
  const size = (await stat(file)).size;
  const cols = columnSummary(t);
  // The same checks a scan applies where data enter (lib/data/validate.ts), reported rather than
  // thrown: inspect is where a user looks at a file a scan refused. Any problem → exit code 1.
  const problems = t.length === 0 ? ['the file holds no events'] : findInvalidEvents(t).problems.map(describeInvalid);
  // Beyond the values: what the scan's loader refuses (missing columns, units, weights, layout). Its
  // message for invalid values repeats the list above, so only a refusal for another reason is shown.
  const refusal = opts.columns || t.length === 0 ? undefined : await loadScanDataset({ path: file, key: opts.key }, 'data').then(
    () => undefined,
    (e: unknown) => { if (e instanceof InputError) return e.message; throw e; },
  );
  const scanRefusal = refusal && !/events have invalid values/.test(refusal) ? refusal : undefined;
  if (problems.length || scanRefusal) process.exitCode = 1;
  if (opts.json) {
    console.log(JSON.stringify({ file, format, bytes: size, rows: t.length, columns: cols, problems, ...(scanRefusal ? { scanRefusal } : {}) }, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2));
    return;
  }
  console.log(`${file}\n  format ${format}, ${(size / 1e6).toFixed(2)} MB, ${t.length} rows, ${cols.length} columns`);
  const w = Math.max(6, ...cols.map((c) => c.name.length));
  console.log(`  ${'column'.padEnd(w)}  ${'unit'.padEnd(5)}  ${'dtype'.padEnd(7)}  ${'min'.padStart(12)}  ${'max'.padStart(12)}  ${'mean'.padStart(12)}`);
  for (const c of cols) {
    const bad = c.nonFinite ? `  (${c.nonFinite} non-finite)` : '';
    console.log(`  ${c.name.padEnd(w)}  ${(c.unit || '-').padEnd(5)}  ${c.dtype.padEnd(7)}  ${fmt(c.min).padStart(12)}  ${fmt(c.max).padStart(12)}  ${fmt(c.mean).padStart(12)}${bad}`);
  }
  console.log(problems.length ? `  invalid values (a scan refuses these, or drops them with --drop-invalid):\n${problems.map((p) => `    ${p}`).join('\n')}` : '  checks: all values finite and physical');
  if (scanRefusal) console.log(`  a scan refuses this file: ${scanRefusal}`);
}
