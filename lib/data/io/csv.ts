/**
 * CSV reader (streaming, line by line) and writer. A header row names the columns; a unit may follow a
 * name in brackets, `mJJ [TeV]`, which is how {@link writeCsv} keeps units. Cells are decimal numbers;
 * `nan`/`NaN` and `inf`/`-inf`/`Infinity` are accepted (validation rejects them where finite values are required).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { ConfigError, InputError } from '../../util/errors.js';
import { produceFileAtomic } from '../../util/atomicWrite.js';
import { EventTable, type Unit } from '../eventTable.js';
import { knownUnit, unitsFor } from './units.js';

const SPECIAL: Readonly<Record<string, number>> = Object.freeze({
  nan: NaN, NaN: NaN, NAN: NaN, inf: Infinity, '+inf': Infinity, '-inf': -Infinity, Inf: Infinity, '-Inf': -Infinity,
  Infinity: Infinity, '+Infinity': Infinity, '-Infinity': -Infinity,
});
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function unquote(s: string): string {
  const t = s.trim();
  return t.length >= 2 && t[0] === '"' && t[t.length - 1] === '"' ? t.slice(1, -1).replace(/""/g, '"') : t;
}

/** Growable Float64 buffer (doubling), trimmed at the end. */
class Growable {
  data = new Float64Array(1024);
  n = 0;
  push(v: number): void {
    if (this.n === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.n++] = v;
  }
  done(): Float64Array {
    return this.data.slice(0, this.n);
  }
}

/**
 * Read a CSV file with a header row into Float64 columns, streaming (memory ≈ the columns, not the text).
 * @throws InputError naming file, line and column for a non-numeric cell or a row of the wrong width,
 *   and for an empty file or a file without a header.
 */
export async function readCsv(path: string, options: { units?: Readonly<Record<string, Unit>> } = {}): Promise<EventTable> {
  try {
    if ((await stat(path)).size === 0) throw new InputError(`${path}: empty file (0 bytes); expected a CSV file with a header row`);
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`${path}: cannot read the file (${(err as Error).message}); expected a CSV file`, { cause: err });
  }
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let names: string[] | undefined;
  const units: Record<string, Unit> = {};
  let cols: Growable[] = [];
  let lineNo = 0;
  for await (const raw of lines) {
    lineNo++;
    const line = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (line.trim() === '') continue;
    const cells = line.split(',');
    if (!names) {
      names = cells.map((c) => {
        const m = /^(.*?)\s*\[([^\]]*)\]$/.exec(unquote(c));
        const name = m ? m[1] : unquote(c);
        if (m) units[name] = m[2];
        return name;
      });
      const bad = names.findIndex((n) => n === '');
      if (bad >= 0)
        throw new InputError(`${path}: line 1: header column ${bad + 1} has no name` +
          (bad === 0 ? ' (pandas writes its row index as an unnamed first column: save with to_csv(index=False))' : ''));
      if (names.length === 1 && /[;\t]/.test(names[0]))
        throw new InputError(`${path}: line 1 has one column, "${names[0].slice(0, 60)}"; columns are separated by commas (this header uses ${names[0].includes(';') ? 'semicolons' : 'tabs'})`);
      const dup = names.find((n, i) => names!.indexOf(n) !== i);
      if (dup !== undefined) throw new InputError(`${path}: line 1: column "${dup}" appears twice in the header`);
      if (names.every((n) => NUMBER.test(n)))
        throw new InputError(`${path}: line 1 looks like data (${line.slice(0, 60)}); expected a header row naming the columns`);
      cols = names.map(() => new Growable());
      continue;
    }
    if (cells.length !== names.length)
      throw new InputError(`${path}: line ${lineNo}: ${cells.length} cells, the header has ${names.length} columns`);
    for (let j = 0; j < cells.length; j++) {
      const cell = cells[j].trim();
      let v: number;
      if (NUMBER.test(cell)) v = Number(cell);
      else if (Object.hasOwn(SPECIAL, cell)) v = SPECIAL[cell];
      else {
        const u = unquote(cell);
        if (u !== cell && NUMBER.test(u)) v = Number(u);
        else
          throw new InputError(
            `${path}: line ${lineNo}, column "${names[j]}": ${cell === '' ? 'empty cell' : `"${cell.slice(0, 40)}" is not a number`}; expected a decimal number`,
          );
      }
      cols[j].push(v);
    }
  }
  if (!names) throw new InputError(`${path}: no header row (the file has only blank lines); expected a CSV file`);
  return new EventTable(new Map(names.map((n, j) => [n, cols[j].done()])), unitsFor(names, { ...units, ...options.units }));
}

/**
 * Write `table` as CSV: header `name [unit]` (just `name` when the unit is "" and the name has no known unit), one row per event,
 * numbers in JavaScript's shortest round-trip form (a float64 value reads back bit-identical).
 * Streams to a temp file, then renames (atomic).
 */
export async function writeCsv(table: EventTable, path: string): Promise<void> {
  const names = table.columnNames;
  if (names.length === 0) throw new ConfigError(`writeCsv: ${path}: the table has no columns`);
  for (const n of names)
    if (/[,"\n\r[\]]/.test(n)) throw new ConfigError(`writeCsv: column name "${n}" contains a comma, quote, bracket or newline`);
  const cols = names.map((n) => table.column(n));
  await produceFileAtomic(path, async (tmp) => {
    const out = createWriteStream(tmp);
    const failed = once(out, 'error').then(([e]) => { throw e; });
    failed.catch(() => {}); // observed through the races below
    const write = async (s: string) => {
      if (!out.write(s)) await Promise.race([once(out, 'drain'), failed]);
    };
    // "name []" marks a dimensionless column whose name has a known unit (e.g. mj1 → GeV) so it reads back as "".
    const header = (n: string) => (table.unit(n) || knownUnit(n) ? `${n} [${table.unit(n)}]` : n);
    await write(names.map(header).join(',') + '\n');
    const chunk: string[] = [];
    for (let i = 0; i < table.length; i++) {
      chunk.push(cols.map((c) => (Object.is(c[i], -0) ? '-0' : String(c[i]))).join(','));
      if (chunk.length === 4096 || i === table.length - 1) {
        await write(chunk.join('\n') + '\n');
        chunk.length = 0;
      }
    }
    out.end();
    await Promise.race([once(out, 'finish'), failed]);
  });
}
