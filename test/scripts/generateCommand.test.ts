import { describe, expect, it } from 'vitest';
import { PassThrough } from 'node:stream';
import type { EventTable } from '../../lib/data/eventTable.js';
import { deriveFeatures } from '../../lib/data/features.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readEvents, writeEvents } from '../../lib/data/io/index.js';
import { extraSrPath, resolveFormat, runGenerate } from '../../scripts/commands/generate.js';
import { consoleReporter } from '../../scripts/reporter.js';

describe('sidewinder generate', () => {
  it('names the extra-SR file after the output', () => {
    expect(extraSrPath('data/events.h5')).toBe('data/events-extra-sr-bkg.h5');
    expect(extraSrPath('/tmp/x.parquet')).toBe('/tmp/x-extra-sr-bkg.parquet');
    expect(extraSrPath('events')).toBe('events-extra-sr-bkg');
  });

  it('writes the main sample and the extra SR background through the writer, with progress on a non-TTY stream', async () => {
    const written: { path: string; n: number; format?: string; table: EventTable }[] = [];
    const stream = new PassThrough();
    let log = '';
    stream.on('data', (d: Buffer) => { log += d.toString(); });
    const messages: string[] = [];
    const { paths } = await runGenerate(
      { background: 2000, signal: 50, seed: 3, extraSrBackground: 300, backgroundModel: 'default', out: '/tmp/ev.parquet', format: 'parquet' },
      async (table, path, opts) => { written.push({ path, n: table.length, format: opts?.format, table }); },
      consoleReporter(undefined, { stream }),
      (m) => messages.push(m),
    );
    expect(paths).toEqual(['/tmp/ev.parquet', '/tmp/ev-extra-sr-bkg.parquet']);
    expect(written.map((w) => [w.path, w.n, w.format])).toEqual([
      ['/tmp/ev.parquet', 2050, 'parquet'],
      ['/tmp/ev-extra-sr-bkg.parquet', 300, 'parquet'],
    ]);
    const m = deriveFeatures(written[1].table).column('mJJ');
    expect([...m].every((x) => x > 3.3 && x < 3.7)).toBe(true);
    expect(messages.join('\n')).toMatch(/wrote 2050 events/);
    expect(log).toMatch(/events/);
  });

  it('takes the format from --format (h5 → hdf5) or the extension, and refuses read-only or unknown ones', () => {
    expect(resolveFormat('h5', 'x.bin')).toBe('hdf5');
    expect(resolveFormat(undefined, 'x.parquet')).toBe('parquet');
    expect(resolveFormat(undefined, 'x.h5')).toBe('hdf5');
    expect(() => resolveFormat(undefined, 'x.npy')).toThrow(/read-only/);
    expect(() => resolveFormat('root', 'x.h5')).toThrow(/--format must be one of.*"root"/);
  });

  it('round-trips through the real Arrow writer and reader', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sw-generate-'));
    try {
      const written: EventTable[] = [];
      const out = join(dir, 'ev.arrow');
      await runGenerate(
        { background: 1000, signal: 20, seed: 8, extraSrBackground: 0, backgroundModel: 'alternative', out, format: 'arrow' },
        async (t, p, o) => { written.push(t); await writeEvents(t, p, o); },
        consoleReporter('quiet', { stream: new PassThrough() }),
        () => {},
      );
      const back = await readEvents(out);
      expect(back.length).toBe(1020);
      for (const name of written[0].columnNames) expect([...back.column(name)]).toEqual([...written[0].column(name)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
