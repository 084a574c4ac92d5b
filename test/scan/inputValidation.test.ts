/**
 * Inputs that cannot fake a discovery (issue 16): every case measured in the issue, driven through the
 * path a user hits (`sidewinder scan` or prepareScan/runScan), must end in a one-line InputError naming
 * the file, the column and the rows — or, with --drop-invalid, in a scan on the remaining events that
 * records how many were dropped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventTable, type Column } from '../../lib/data/eventTable.js';
import { writeEvents } from '../../lib/data/io/index.js';
import { deriveFeatures } from '../../lib/data/features.js';
import { generateExtraSrBackground, generateLhcoLike } from '../../lib/data/generate/index.js';
import { checkEvents, findInvalidEvents } from '../../lib/data/validate.js';
import { prepareScan, runScan } from '../../lib/scan/scan.js';
import { loadScanDataset } from '../../lib/scan/dataset.js';
import { presetConfig } from '../../lib/scan/presets.js';
import { validateResults } from '../../lib/scan/validateResults.js';
import type { DatasetSpec, ScanConfig } from '../../lib/scan/config.js';
import { InputError } from '../../lib/util/errors.js';
import { createRng } from '../../lib/util/rng.js';
import { lhcoSrDir } from '../helpers/lhcoSr.js';
import { writeNpy } from '../helpers/npyWrite.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;
let raw: EventTable; // LHCO raw columns (GeV), background + signal
let dataCsv: string, templateCsv: string;

/** A copy of `t` with `column` changed on `fraction` of the rows (seeded choice); returns the changed rows. */
function corrupt(t: EventTable, column: string, fraction: number, value: (old: number) => number, seed = 1): { table: EventTable; rows: number[] } {
  const rng = createRng(seed);
  const c = Float64Array.from(t.column(column));
  const rows: number[] = [];
  for (let i = 0; i < c.length; i++) if (rng.uniform() < fraction) { c[i] = value(c[i]); rows.push(i); }
  return { table: t.withColumn(column, c as Column, t.unit(column)), rows };
}

function config(data: DatasetSpec, template: DatasetSpec = { path: templateCsv }): ScanConfig {
  const cfg = presetConfig('ci');
  cfg.dataset = data;
  cfg.template = template;
  delete cfg.control;
  cfg.windows.ids = [5];
  cfg.methods = ['iad'];
  cfg.epsilonB = [1e-2]; // the small test templates cannot resolve 1e-3 (minTemplatePass)
  return cfg;
}

const prepare = (cfg: ScanConfig) => prepareScan(cfg, { outDir: mkdtempSync(join(dir, 'out-')) });
const failure = (cfg: ScanConfig) => prepare(cfg).then(() => { throw new Error('prepareScan accepted bad input'); }, (e: unknown) => e as Error);

/** `sidewinder <args>` in a child process. */
function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'scripts/cli.ts'), ...args], { cwd: repo, encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sw-input-'));
  raw = generateLhcoLike({ background: 12_000, signal: 0, seed: 21 });
  dataCsv = join(dir, 'data.csv');
  templateCsv = join(dir, 'template.csv');
  await writeEvents(raw, dataCsv);
  await writeEvents(generateExtraSrBackground({ seed: 22, extraSrBackground: { n: 4000, mJJLowTeV: 2.9, mJJHighTeV: 4.1 } }), templateCsv);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the issue\'s measured cases end in an error naming file, column and rows', () => {
  it('CSV in LHCO layout with negative mj1 on 2 % of rows: `sidewinder scan` exits non-zero naming file, column, count and first rows', async () => {
    const { table, rows } = corrupt(raw, 'mj1', 0.02, (m) => -m);
    const bad = join(dir, 'negative-mj1.csv');
    await writeEvents(table, bad);
    const r = cli('scan', '--preset', 'ci', '--data', bad, '--template', templateCsv, '--no-control', '--windows', '5', '--methods', 'iad', '--out', join(dir, 'cli-out'), '--quiet');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`${bad}: ${rows.length} of ${raw.length} events have invalid values`);
    expect(r.stderr).toContain(`column "mj1": ${rows.length} rows with negative jet mass (below −1 MeV), first rows ${rows.slice(0, 5).join(', ')}, …`);
    expect(r.stderr).toMatch(/--drop-invalid/);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(rows.length).toBeGreaterThan(150);
  }, 60_000);

  it('LHCO-SR-layout .npy with negative m_J1 on 1 % of rows', async () => {
    const features = deriveFeatures(raw);
    const { table, rows } = corrupt(features, 'mJ1', 0.01, (m) => -m - 0.01, 2);
    const npy = join(dir, 'sr-negative.npy');
    writeNpy(npy, table, ['mJJ', 'mJ1', 'deltaMJ', 'tau21J1', 'tau21J2', 'label']);
    const e = await failure(config({ path: npy }));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toContain(`${npy}: ${rows.length} of ${raw.length} events have invalid values — column "mJ1": ${rows.length} rows with negative jet mass m_J1`);
    expect(e.message).toContain(`first rows ${rows.slice(0, 5).join(', ')}`);
  });

  it('NaN in pxj1 and inf in mj1: both columns named with their counts and rows (no silent loss of events)', async () => {
    const a = corrupt(raw, 'pxj1', 0.004, () => NaN, 3);
    const b = corrupt(a.table, 'mj1', 0.004, () => Infinity, 4);
    const f = join(dir, 'nonfinite.csv');
    await writeEvents(b.table, f);
    const e = await failure(config({ path: f }));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toContain(`column "pxj1": ${a.rows.length} rows with non-finite values (NaN/±inf), first rows ${a.rows.slice(0, 5).join(', ')}`);
    expect(e.message).toContain(`column "mj1": ${b.rows.length} rows with non-finite values (NaN/±inf), first rows ${b.rows.slice(0, 5).join(', ')}`);
    expect(e.message.startsWith(`${f}: `)).toBe(true);
  });

  it('NaN in a τ column names the file and the column (not a worker\'s "X[196, 2] is NaN")', async () => {
    const { table, rows } = corrupt(raw, 'tau2j1', 0.001, () => NaN, 5);
    const f = join(dir, 'tau-nan.h5');
    await writeEvents(table, f);
    const e = await failure(config({ path: f }));
    expect(e.message).toContain(`${f}: ${rows.length} of ${raw.length} events have invalid values — column "tau2j1": ${rows.length} row`);
  });

  it('the same file as data and template, or the same events in another format, is refused naming both files', async () => {
    let e = await failure(config({ path: dataCsv }, { path: dataCsv }));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toMatch(new RegExp(`the data \\(${dataCsv}\\) and the IAD template \\(${dataCsv}\\) are the same file`));
    const shuffled = raw.take(Array.from({ length: raw.length }, (_, i) => raw.length - 1 - i));
    const h5 = join(dir, 'copy.h5');
    await writeEvents(shuffled, h5);
    e = await failure(config({ path: dataCsv }, { path: h5 }));
    expect(e.message).toContain(`the data (${dataCsv}) and the IAD template (${h5}) hold the same ${raw.length} events (identical feature rows)`);
  });

  it('a data file written twice, or given twice under two names, is refused naming the copied rows (it faked CWoLa Z ≈ 8 on background)', async () => {
    const twice = join(dir, 'twice.csv');
    await writeEvents(EventTable.concat([raw, raw.take([5, 7])]), twice);
    let e = await failure(config({ path: twice }));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toContain(`${twice}: 2 events are exact copies of other events (e.g. row 5 and row ${raw.length} are identical)`);
    expect(e.message).toMatch(/drop_duplicates/);
    const copy = join(dir, 'data-copy.csv');
    copyFileSync(dataCsv, copy);
    e = await failure(config({ paths: [dataCsv, copy] }));
    expect(e.message).toContain(`${raw.length} events are exact copies of other events (e.g. ${dataCsv} row 0 and ${copy} row 0 are identical)`);
  });

  it('an IAD template that shares events with the data is refused naming both files and the count (it hid IAD\'s signal)', async () => {
    const shared = join(dir, 'template-shared.csv');
    const template = generateExtraSrBackground({ seed: 22, extraSrBackground: { n: 4000, mJJLowTeV: 2.9, mJJHighTeV: 4.1 } });
    await writeEvents(EventTable.concat([template, raw.take([3, 4, 10])]), shared);
    const e = await failure(config({ path: dataCsv }, { path: shared }));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toContain(`the IAD template (${shared}) shares 3 of its 4003 events with the data (${dataCsv}) (e.g. its row 4000 is the data's row 3)`);
  });

  it('an IAD template holding labelled signal events is refused naming the file and the count (real LHCO: it took IAD from Z ≈ 6 to 1.1)', async () => {
    const withSignal = join(dir, 'template-signal.csv');
    await writeEvents(generateLhcoLike({ background: 4000, signal: 50, seed: 23 }), withSignal);
    const e = await failure(config({ path: dataCsv }, { path: withSignal }));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toContain(`the IAD template (${withSignal}) holds 50 signal events (label 1) among its 4050; it must be a background-only sample`);
  });

  it('a directory named x.h5 and a missing file: one line naming the path (CLI)', () => {
    const d = join(dir, 'x.h5');
    mkdirSync(d);
    const r = cli('scan', '--preset', 'ci', '--data', d, '--template', templateCsv, '--no-control', '--out', join(dir, 'cli-dir'), '--quiet');
    expect(r.status).not.toBe(0);
    // One line (whatever the CLI's prefix), naming the path.
    expect(r.stderr.trim()).toMatch(new RegExp(`^sidewinder[^\n]*: ${d}: is a directory, not an event file$`));
  }, 60_000);

  it('a missing file names the path', async () => {
    const e = await failure(config({ path: join(dir, 'nope.h5') }));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toBe(`${join(dir, 'nope.h5')}: cannot read the file (no such file)`);
  });

  it('an HDF5 file named .csv is read as HDF5 (magic bytes), not parsed as CSV', async () => {
    const h5 = join(dir, 'real.h5');
    await writeEvents(raw, h5);
    const misnamed = join(dir, 'actually-hdf5.csv');
    copyFileSync(h5, misnamed);
    const { datasets } = await prepare(config({ path: misnamed }));
    expect(datasets.data.nEvents).toBe(raw.length);
    expect([...datasets.data.events.column('mJJ').subarray(0, 5)]).toEqual([...deriveFeatures(raw).column('mJJ').subarray(0, 5)]);
  });

  it('a truncated Arrow file is an InputError saying so (not "Cannot read properties of null")', async () => {
    const f = join(dir, 'cut.arrow');
    await writeEvents(raw, f);
    const bytes = readFileSync(f);
    writeFileSync(f, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const e = await failure(config({ path: f }));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toMatch(new RegExp(`^${f}: truncated Arrow IPC/Feather file \\(no ARROW1 magic at the end; \\d+ bytes\\)$`));
  });

  it('a file with a header and no rows: "<file>: the file holds no events"', async () => {
    const f = join(dir, 'header-only.csv');
    writeFileSync(f, 'pxj1,pyj1,pzj1,mj1,tau1j1,tau2j1,tau3j1,pxj2,pyj2,pzj2,mj2,tau1j2,tau2j2,tau3j2,label\n');
    const e = await failure(config({ path: f }));
    expect(e.message).toBe(`${f}: the file holds no events`);
  });
});

describe('--drop-invalid', () => {
  it('drops the bad rows, logs and stores the count per sample in results.json; the plan does not reuse results of the uncleaned file', async () => {
    const { table, rows } = corrupt(raw, 'mj1', 0.02, (m) => -m, 6);
    const f = join(dir, 'drop.csv');
    await writeEvents(table, f);
    const cfg = config({ path: f, dropInvalid: true }, { path: templateCsv, dropInvalid: true });
    cfg.epsilonB = [1e-1];
    cfg.folds = 2;
    cfg.lookElsewhere = { pseudoExperiments: 0 };
    const out = mkdtempSync(join(dir, 'drop-'));
    const logs: string[] = [];
    const reporter = { progress() {}, log: (_l: string, m: string) => void logs.push(m) };
    const { results, planPath } = await runScan(cfg, { outDir: out, cacheDir: join(out, 'cache'), reporter });
    expect(results.dataset.droppedInvalid).toEqual({ data: rows.length, template: 0 });
    expect(results.dataset.nEvents).toBe(raw.length - rows.length);
    expect(() => validateResults(results, 'scan')).not.toThrow();
    expect(logs.some((l) => l.includes(`dropped ${rows.length} of ${raw.length} events of ${f}`) && l.includes('column "mj1"'))).toBe(true);
    // The plan identifies the cleaned sample, not the file's bytes alone.
    const plan = JSON.parse(readFileSync(planPath, 'utf8')) as { datasets: Record<string, string> };
    expect(plan.datasets.data).not.toBe(results.dataset.sha256);
    // The kept events are exactly the valid ones.
    const clean = await loadScanDataset({ path: f, dropInvalid: true }, 'data');
    const keep = new Uint8Array(raw.length).fill(1);
    for (const i of rows) keep[i] = 0;
    expect([...clean.events.column('mJJ')]).toEqual([...deriveFeatures(raw.filter(keep)).column('mJJ')]);
  }, 90_000);
});

describe('the ranges are physical: real and generated data pass', () => {
  it.runIf(lhcoSrDir)('the four LHCO SR files pass (exact-zero and −3e−8 TeV m_J1 of massless jets included)', async () => {
    // Row counts of the README: every event passes, none is dropped or refused.
    const rows = { 'innerdata_train.npy': 60_000, 'innerdata_test.npy': 62_124, 'innerdata_extrasig.npy': 74_527, 'extrabkg_sr.npy': 40_000 };
    for (const [f, n] of Object.entries(rows)) {
      const d = await loadScanDataset({ path: lhcoSrDir + f }, 'data');
      expect(d.nEvents).toBe(n);
    }
  });

  it('generated samples (both background models, signal, the SR template) pass raw and derived', () => {
    for (const model of ['default', 'alternative'] as const) {
      const g = generateLhcoLike({ background: 50_000, signal: 2000, seed: 31, backgroundModel: model });
      expect(findInvalidEvents(g).problems).toEqual([]);
      expect(findInvalidEvents(deriveFeatures(g)).problems).toEqual([]);
    }
    const t = generateExtraSrBackground({ seed: 32, extraSrBackground: { n: 20_000, mJJLowTeV: 3.3, mJJHighTeV: 3.7 } });
    expect(checkEvents(deriveFeatures(t), { source: 'template' }).dropped).toBe(0);
  });

  it('each rule: τ ratio above 1.1, zero-pT jet, label 2, m_JJ below m_J1 + m_J2, negative ΔR are named', () => {
    const n = 4;
    const f = (v: number[]) => Float64Array.from(v);
    const t = new EventTable({
      mJJ: f([3.5, 3.5, 0.3, 3.5]), mJ1: f([0.1, 0.1, 0.1, 0.1]), deltaMJ: f([0.2, 0.2, 0.2, 0.2]),
      tau21J1: f([0.5, 1.2, 0.5, 0.5]), tau21J2: f([0.5, 0.5, 0.5, -0.1]), label: f([0, 0, 1, 2]), deltaRJJ: f([3, 3, 3, -1]),
    }, { mJJ: 'TeV', mJ1: 'TeV', deltaMJ: 'TeV' });
    const p = findInvalidEvents(t).problems.map((x) => `${x.column}:${x.firstRows.join(',')}`);
    expect(p).toEqual(['mJJ,mJ1,deltaMJ:2', 'tau21J1:1', 'tau21J2:3', 'deltaRJJ:3', 'label:3']);
    const rawJets = raw.slice(0, n).withColumn('pxj2', f([0, 1, 2, 3]), 'GeV').withColumn('pyj2', f([0, 1, 2, 3]), 'GeV');
    expect(findInvalidEvents(rawJets).problems.map((x) => `${x.column}:${x.reason}:${x.firstRows.join(',')}`)).toEqual(['pxj2,pyj2:jet 2 with zero transverse momentum:0']);
  });
});

describe('samples that stop inside a window are refused before any training', () => {
  /** The rows of `t` whose m_JJ (TeV) lies in [lo, hi]. */
  const massRange = (t: EventTable, lo: number, hi: number): EventTable => {
    const m = deriveFeatures(t).column('mJJ');
    return t.take(Array.from({ length: t.length }, (_, i) => i).filter((i) => m[i] >= lo && m[i] <= hi));
  };

  it('data cut at 3.05 TeV: windows 1–4 are named with the region and where the events stop, windows 5–9 offered', async () => {
    const f = join(dir, 'cut-3.05.h5');
    await writeEvents(massRange(generateLhcoLike({ background: 60_000, signal: 0, seed: 23 }), 3.05, Infinity), f);
    const cfg = config({ path: f });
    cfg.methods = ['iad', 'cwola'];
    delete cfg.windows.ids;
    const e = await failure(cfg);
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toMatch(new RegExp(`^data \\(${f}; m_JJ 3\\.05\\d*–[\\d.]+ TeV\\) does not cover every window it is read in — window 1: lower short sideband \\(2\\.7–2\\.9 TeV\\) holds no events \\[CWoLa\\], SR \\(2\\.9–3\\.3 TeV\\) holds no events below 3\\.05\\d* TeV \\(\\d+ events inside\\) \\[IAD, CWoLa\\]; window 2: `));
    expect(e.message).toMatch(/window 4: lower short sideband \(3–3\.2 TeV\) holds no events below 3\.05\d* TeV/);
    expect(e.message).not.toMatch(/window [5-9]:/);
    expect(e.message).toMatch(/run the windows the samples cover with --windows 5,6,7,8,9, or leave out the methods named$/);
    // The windows it offers run.
    cfg.windows.ids = [5, 6, 7, 8, 9];
    await expect(prepare(cfg)).resolves.toBeDefined();
  });

  it('an IAD template that starts above the SR\'s lower edge is refused: it would be separated from the data by the mass alone', async () => {
    const t = join(dir, 'template-from-3.4.csv');
    await writeEvents(massRange(generateExtraSrBackground({ seed: 24, extraSrBackground: { n: 6000, mJJLowTeV: 2.9, mJJHighTeV: 4.1 } }), 3.4, 4.1), t);
    const e = await failure(config({ path: dataCsv }, { path: t }));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toMatch(new RegExp(`^template \\(${t}; m_JJ 3\\.4\\d*–4\\.1\\d* TeV\\) does not cover every window it is read in — window 5: SR \\(3\\.3–3\\.7 TeV\\) holds no events below 3\\.4\\d* TeV \\(\\d+ events inside\\) \\[IAD\\]\\.`));
    expect(e.message).toMatch(/no window is covered for these methods/);
  });
});

describe('the unit of the masses: converted when declared, refused when it cannot be right', () => {
  /** `t` with its columns `names` multiplied by `k` and labelled `unit`. */
  const rescaled = (t: EventTable, names: readonly string[], k: number, unit: string): EventTable =>
    names.reduce((acc, n) => acc.withColumn(n, Float64Array.from(t.column(n), (v) => v * k), unit), t);
  const MASSES = ['mJJ', 'mJ1', 'deltaMJ'];
  const MOMENTA = ['pxj1', 'pyj1', 'pzj1', 'mj1', 'pxj2', 'pyj2', 'pzj2', 'mj2'];
  const closeTo = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / Math.max(Math.abs(b[i]), 1e-12));
    return worst;
  };

  it('a feature file with its masses declared in GeV or MeV is brought to TeV: the classifier sees what it sees for the TeV file', async () => {
    const features = deriveFeatures(raw);
    for (const [unit, k] of [['GeV', 1e3], ['MeV', 1e6]] as const) {
      const csv = join(dir, `features-${unit}.csv`);
      await writeEvents(rescaled(features, MASSES, k, unit), csv);
      const d = await loadScanDataset({ path: csv }, 'data');
      for (const n of MASSES) {
        expect(d.events.unit(n)).toBe('TeV');
        expect(closeTo(d.events.column(n), features.column(n))).toBeLessThan(1e-12);
      }
      expect(d.events.column('tau21J1')).toEqual(Float64Array.from(features.column('tau21J1')));
    }
  });

  it('raw LHCO columns declared in MeV give the features of the GeV file', async () => {
    const csv = join(dir, 'raw-MeV.csv');
    await writeEvents(rescaled(raw, MOMENTA, 1e3, 'MeV'), csv);
    const d = await loadScanDataset({ path: csv }, 'data');
    const ref = deriveFeatures(raw);
    for (const n of MASSES) expect(closeTo(d.events.column(n), ref.column(n))).toBeLessThan(1e-12);
  });

  it('an LHCO-SR .npy (no units: TeV) holding GeV values is refused for its unit, before its rows are blamed for "negative" masses', async () => {
    const features = rescaled(deriveFeatures(raw), MASSES, 1e3, 'TeV');
    const m1 = Float64Array.from(features.column('mJ1'));
    m1[7] = -3.1e-5; // Delphes' −0.03 MeV massless jet, in GeV: −1 MeV would be "negative" if read as TeV
    const npy = join(dir, 'sr-in-GeV.npy');
    writeNpy(npy, features.withColumn('mJ1', m1, 'TeV'), ['mJJ', 'mJ1', 'deltaMJ', 'tau21J1', 'tau21J2', 'label']);
    const e = await loadScanDataset({ path: npy }, 'data').then(() => new Error('accepted'), (x: unknown) => x as Error);
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toMatch(new RegExp(`^${npy.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the median m_JJ is \\d\\.\\d\\de\\+3 TeV \\(column "mJJ" in TeV\\).*most likely in GeV or MeV`));
    expect(e.message).not.toContain('negative jet mass');
  });

  it('raw columns in MeV without a unit, or in TeV without a unit, are refused naming the likely unit', async () => {
    for (const [k, likely] of [[1e3, 'GeV or MeV'], [1e-3, 'TeV']] as const) {
      const csv = join(dir, `raw-undeclared-${k}.csv`);
      await writeEvents(rescaled(raw, MOMENTA, k, ''), csv);
      const e = await loadScanDataset({ path: csv }, 'data').then(() => new Error('accepted'), (x: unknown) => x as Error);
      expect(e).toBeInstanceOf(InputError);
      expect(e.message).toContain(`${csv}: the median m_JJ is`);
      expect(e.message).toContain(`momenta read as GeV (no unit)`);
      expect(e.message).toContain(`most likely in ${likely},`);
    }
  });

  it('a unit that is not a mass unit is refused naming the file and the column', async () => {
    const rawCsv = join(dir, 'raw-keV.csv'), featCsv = join(dir, 'features-furlong.csv');
    await writeEvents(rescaled(raw, MOMENTA, 1, 'keV'), rawCsv);
    await writeEvents(rescaled(deriveFeatures(raw), ['mJ1'], 1, 'furlong'), featCsv);
    await expect(loadScanDataset({ path: rawCsv }, 'data')).rejects.toThrow(`${rawCsv}: column "pxj1" has unit "keV", expected TeV, GeV, MeV (no unit: GeV)`);
    await expect(loadScanDataset({ path: featCsv }, 'data')).rejects.toThrow(`${featCsv}: column "mJ1" has unit "furlong", expected TeV, GeV, MeV (no unit: TeV)`);
  });

  it('per-event weights are refused unless they are all equal (a weighted template read as unweighted would be wrong)', async () => {
    const w = Float64Array.from({ length: raw.length }, (_, i) => (i % 3 === 0 ? 0.5 : 1.5));
    const weighted = join(dir, 'weighted.csv'), flat = join(dir, 'flat-weight.csv');
    await writeEvents(raw.withColumn('weight', w), weighted);
    await writeEvents(raw.withColumn('evtWeight', new Float64Array(raw.length).fill(2.5)), flat);
    await expect(loadScanDataset({ path: weighted }, 'template')).rejects.toThrow(`${weighted}: column "weight" holds per-event weights from 0.5 to 1.5`);
    expect((await loadScanDataset({ path: flat }, 'template')).nEvents).toBe(raw.length);
  });
});

describe('an IAD template that does not describe the SR data is reported before training', () => {
  // Samples large enough that the KS noise (≈ 0.01) is far below the distances tested.
  const data = () => generateLhcoLike({ background: 200_000, signal: 0, seed: 41 });
  const template = (model: 'default' | 'alternative', seed: number) =>
    deriveFeatures(generateExtraSrBackground({ seed, backgroundModel: model, extraSrBackground: { n: 20_000, mJJLowTeV: 3.3, mJJHighTeV: 3.7 } }));
  const prepareLogged = async (d: string, t: string) => {
    const logs: string[] = [];
    const reporter = { progress() {}, log: (_l: string, m: string) => void logs.push(m) };
    await prepareScan(config({ path: d }, { path: t }), { outDir: mkdtempSync(join(dir, 'out-')), reporter });
    return logs.filter((m) => m.startsWith('IAD template differs'));
  };
  let dataFile: string;
  beforeAll(async () => {
    dataFile = join(dir, 'data-200k.h5');
    await writeEvents(data(), dataFile);
  });

  it('m_J1 and Δm_J swapped in the template: reported before training, naming window, features, medians and the signal fraction it would take', async () => {
    const t = template('default', 42);
    const swapped = t.withColumn('mJ1', t.column('deltaMJ'), 'TeV').withColumn('deltaMJ', t.column('mJ1'), 'TeV');
    const f = join(dir, 'template-swapped.csv');
    await writeEvents(swapped, f);
    const warned = await prepareLogged(dataFile, f);
    expect(warned.map((m) => /— window (\d), (\w+):/.exec(m)!.slice(1).join(' '))).toEqual(['5 mJ1', '5 deltaMJ']);
    expect(warned[0]).toMatch(/KS D = 0\.1\d+ \(p = [\d.]+e-\d+; SR data median [\d.]+, template [\d.]+; \d+ vs 20000 events\): only a signal making up at least 1\d(\.\d+)? % of the SR events can do that/);
  });

  it('a template of another shower model is reported (IAD would count the mismodelling as signal); one of the same model is silent', async () => {
    const alt = join(dir, 'template-alt.csv'), same = join(dir, 'template-same.csv');
    await writeEvents(template('alternative', 43), alt);
    await writeEvents(template('default', 44), same);
    const warned = await prepareLogged(dataFile, alt);
    expect(warned.length).toBeGreaterThan(0);
    expect(warned.join('\n')).toMatch(/window 5, tau21J\d: KS D = 0\.0[2-9]/);
    // results.json keeps them beside the numbers they qualify.
    const out = mkdtempSync(join(dir, 'out-'));
    const { results } = await runScan(config({ path: dataFile }, { path: alt }), { outDir: out, cacheDir: join(out, 'cache') });
    expect((results.notes ?? []).filter((n) => n.startsWith('IAD template differs'))).toEqual(warned);
    expect(await prepareLogged(dataFile, same)).toEqual([]);
  });
});

describe('a .npy that is not the LHCO-SR layout', () => {
  it('a feature set the file does not hold names the file, the set and the columns (not a worker\'s EventTable error)', async () => {
    const npy = join(dir, 'sr-baseline-only.npy');
    writeNpy(npy, deriveFeatures(raw), ['mJJ', 'mJ1', 'deltaMJ', 'tau21J1', 'tau21J2', 'label']);
    const cfg = config({ path: npy });
    cfg.features = 'extended';
    const e = await failure(cfg);
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toMatch(new RegExp(`^${npy.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(feature set "extended"\\): missing columns "tau32J1" .*"tau32J2"`));
  });

  it('five or seven columns: the message says which six columns a .npy must hold', async () => {
    const features = deriveFeatures(raw);
    for (const cols of [['mJJ', 'mJ1', 'deltaMJ', 'tau21J1', 'tau21J2'], ['mJJ', 'mJ1', 'deltaMJ', 'tau21J1', 'tau21J2', 'tau32J1', 'label']]) {
      const npy = join(dir, `sr-${cols.length}.npy`);
      writeNpy(npy, features, cols);
      await expect(loadScanDataset({ path: npy }, 'data')).rejects.toThrow(`${npy}: a .npy is read as the 6 LHCO signal-region columns (mJJ, mJ1, deltaMJ, tau21J1, tau21J2, label; masses in TeV) in that order; this one has ${cols.length}.`);
    }
  });
});

describe('raw files without τ3 (other generators)', () => {
  it('give every feature but τ32: the baseline scan reads them, the extended set is refused naming τ32', async () => {
    const noTau3 = new EventTable(new Map(raw.columnNames.filter((n) => !n.startsWith('tau3')).map((n) => [n, raw.column(n)])), raw.units);
    const f = join(dir, 'raw-no-tau3.csv');
    await writeEvents(noTau3, f);
    const d = await loadScanDataset({ path: f }, 'data');
    const ref = deriveFeatures(raw);
    expect(d.events.columnNames).toEqual(['mJJ', 'mJ1', 'deltaMJ', 'tau21J1', 'tau21J2', 'deltaRJJ', 'label']);
    for (const n of ['mJJ', 'mJ1', 'tau21J2', 'deltaRJJ']) expect(d.events.column(n)).toEqual(ref.column(n));
    const cfg = config({ path: f });
    cfg.features = 'extended';
    const e = await failure(cfg);
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toContain(`${f} (feature set "extended"): missing columns "tau32J1"`);
  });
});
