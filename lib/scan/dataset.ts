import { EventTable } from '../data/eventTable.js';
import { LHCO_SR_COLUMNS, readEvents } from '../data/io/index.js';
import { deriveFeatures, FEATURE_NAMES, massFeaturesInTeV, RAW_COLUMNS, RAW_REQUIRED_JET_COLUMNS } from '../data/features.js';
import { generateLhcoLike, generateExtraSrBackground } from '../data/generate/index.js';
import { checkEvents, checkMassScale, describeInvalid, refuseEventWeights, requireColumns, type InvalidValues } from '../data/validate.js';
import { InputError } from '../util/errors.js';
import { featureNames } from '../methods/features.js';
import type { Reporter } from '../util/reporter.js';
import { hashArrays, hashFile, hashValue } from './hash.js';
import { findDuplicateEvents, findSharedEvents, rowHashes } from '../data/duplicates.js';
import type { DatasetSpec } from './config.js';

/** Events ready for a scan: derived features (masses in TeV), m_JJ, and truth labels when known. */
export interface ScanDataset {
  readonly role: string;
  readonly events: EventTable;
  /** SHA-256 of the file bytes, or of the generated arrays. */
  readonly sha256: string;
  /** The file, or "generated:<options>" for the embedded generator. */
  readonly path: string;
  readonly nEvents: number;
  /** Truth signal count when the data carries labels. */
  readonly nSignal?: number;
  readonly description: string;
  /** Events dropped for invalid values (only with `dropInvalid`; 0 when none were). */
  readonly droppedInvalid?: number;
  /**
   * Order-independent fingerprint of the feature rows (m_JJ and the derived features, not the label):
   * equal for two samples holding the same events, whatever their file format or row order.
   */
  readonly rowsFingerprint: string;
}

/**
 * Check one part of a sample where it enters (a file, or the generator's output): per-event weights
 * (refused unless equal), the mass unit (a median m_JJ no dijet sample has), then every used value;
 * derive the features of raw LHCO columns and check those too, or bring a feature file's masses to TeV.
 * Row numbers in messages are the file's.
 */
function checkPart(raw: EventTable, source: string, dropInvalid: boolean): { events: EventTable; dropped: number; problems: readonly InvalidValues[] } {
  const isRaw = raw.has('pxj1');
  if (isRaw) requireColumns(raw, RAW_REQUIRED_JET_COLUMNS, source);
  refuseEventWeights(raw, source);
  // Units first: a file in the wrong unit is refused for its unit, not for the symptoms in its rows.
  const table = isRaw ? raw : massFeaturesInTeV(raw, source);
  // Features are derived row by row: those of every row serve the unit check and, when no row is dropped, the events.
  const derivedAll = isRaw ? deriveFeatures(raw, { source }) : undefined;
  if (derivedAll) checkMassScale(derivedAll.column('mJJ'), source, `momenta read as ${raw.unit('pxj1') || 'GeV (no unit)'}`);
  else if (raw.has('mJJ')) checkMassScale(table.column('mJJ'), source, raw.unit('mJJ') ? `column "mJJ" in ${raw.unit('mJJ')}` : 'column "mJJ" without a unit, read as TeV');
  // Only the columns the scan uses must be valid: other columns of the file are never read.
  const used = isRaw ? RAW_COLUMNS : [...FEATURE_NAMES, 'label'];
  const hint = 'fix the file, or drop these events explicitly with --drop-invalid (scan config: "dropInvalid": true in the sample)';
  const first = checkEvents(table, { source, columns: used, dropInvalid, hint });
  if (!derivedAll) return first;
  // Derived from valid raw columns the features are valid; this second check guards the derivation.
  const derived = checkEvents(first.dropped ? deriveFeatures(first.events, { source }) : derivedAll, { source: `${source} (derived features)`, dropInvalid, hint });
  return { events: derived.events, dropped: first.dropped + derived.dropped, problems: [...first.problems, ...derived.problems] };
}

/** Order-independent fingerprint of a sample's feature rows (see {@link ScanDataset.rowsFingerprint}). */
export function rowsFingerprint(events: EventTable): string {
  // The per-row hashes summed mod 2^32 per lane: the sum does not depend on the row order, and equal rows
  // in different files give equal sums.
  const { h1, h2, columns } = rowHashes(events);
  let s1 = 0, s2 = 0;
  for (let i = 0; i < h1.length; i++) {
    s1 = (s1 + h1[i]) >>> 0;
    s2 = (s2 + h2[i]) >>> 0;
  }
  return hashValue({ n: events.length, columns, s1, s2 });
}

/**
 * Refuse a sample holding exact copies of events (see lib/data/duplicates.ts for why they fake a signal).
 * @param rowOf Names event i of the sample by its file and row.
 * @throws InputError naming the sample, the count and one copied pair.
 */
export function refuseDuplicateEvents(events: EventTable, source: string, rowOf: (i: number) => string): void {
  const dup = findDuplicateEvents(events);
  if (!dup.example) return;
  const [a, b] = dup.example;
  throw new InputError(
    `${source}: ${dup.count} event${dup.count > 1 ? 's are exact copies' : ' is an exact copy'} of other events (e.g. ${rowOf(a)} and ${rowOf(b)} are identical). ` +
      'A copied event can sit in a classifier\'s training and test folds at once and passes its cuts: duplicated background reads as signal. ' +
      'Remove the copies (pandas: df.drop_duplicates()); if a file was given or written twice, use it once',
  );
}

/**
 * Load (or generate) a dataset, validate it and derive the classifier features. Files with the LHCO
 * raw columns (GeV 4-vectors, τ's) get features derived here; files that already hold features (an
 * mJJ column, e.g. the LHCO-SR .npy in TeV) are used with their masses converted to TeV. Every file (and generated sample) is
 * checked where it enters ({@link checkEvents}): non-finite or unphysical values in a used column are
 * an InputError naming the file, column, count and first rows — or, with `spec.dropInvalid`, those
 * events are dropped, counted in `droppedInvalid` and logged.
 */
export async function loadScanDataset(spec: DatasetSpec, role: string, reporter?: Reporter): Promise<ScanDataset> {
  let sha256: string, path: string, description: string;
  const dropInvalid = spec.dropInvalid === true;
  const parts: EventTable[] = [];
  const partSources: string[] = [];
  let dropped = 0;
  const take = (raw: EventTable, source: string): void => {
    const c = checkPart(raw, source, dropInvalid);
    if (c.dropped) reporter?.log('warn', `${role}: dropped ${c.dropped} of ${raw.length} events of ${source} with invalid values (--drop-invalid): ${c.problems.map(describeInvalid).join('; ')}`);
    dropped += c.dropped;
    parts.push(c.events);
    partSources.push(source);
  };
  const files = spec.paths ?? (spec.path ? [spec.path] : undefined);
  if (files) {
    // Several files (e.g. the two halves of the LHCO SR data) are concatenated in the order given.
    reporter?.log('info', `${role}: reading ${files.join(', ')}`);
    const raws = await Promise.all(files.map((f) => readEvents(f, { key: spec.key })));
    raws.forEach((raw, k) => take(raw, files[k]));
    const hashes = await Promise.all(files.map(hashFile));
    sha256 = hashes.length === 1 ? hashes[0] : hashValue(hashes);
    path = files.join(',');
    description = `${role} from ${files.join(' + ')}`;
  } else if (spec.generate) {
    const g = spec.generate;
    reporter?.log('info', `${role}: generating ${g.background} background + ${g.signal} signal events (seed ${g.seed}, ${g.backgroundModel ?? 'default'} model)`);
    const model = g.backgroundModel ?? 'default';
    // A restricted m_JJ range generates background only there (the IAD template), by rejection.
    const raw = g.mJJRangeTeV
      ? generateExtraSrBackground({ seed: g.seed, backgroundModel: model, extraSrBackground: { n: g.background, mJJLowTeV: g.mJJRangeTeV[0], mJJHighTeV: g.mJJRangeTeV[1] } })
      : generateLhcoLike({ background: g.background, signal: g.signal, seed: g.seed, backgroundModel: model });
    sha256 = hashArrays(Object.fromEntries(raw.columnNames.map((n) => [n, raw.column(n)])));
    path = `generated:${hashValue(g).slice(0, 12)}`;
    const range = g.mJJRangeTeV ? ` in ${g.mJJRangeTeV[0]} < m_JJ < ${g.mJJRangeTeV[1]} TeV` : '';
    description = `${role}: LHCO-like generator, ${g.background} background${range} (${model} model) + ${g.signal} signal, seed ${g.seed}`;
    take(raw, `${role} (${path})`);
  } else throw new InputError(`${role}: dataset needs a "path", "paths" or "generate" entry`);
  if (parts.length > 1 && parts.some((p) => p.columnNames.join(',') !== parts[0].columnNames.join(',')))
    throw new InputError(`${path}: the files have different columns (${parts.map((p, k) => `${files![k]}: ${p.columnNames.join(' ')}`).join('; ')})`);
  const events = parts.length === 1 ? parts[0] : EventTable.concat(parts);
  // Event i as the user can find it: its file and row (rows after dropped invalid events are the sample's).
  const rowOf = (i: number): string => {
    let k = 0;
    while (k < parts.length - 1 && i >= parts[k].length) i -= parts[k++].length;
    return `${parts.length > 1 ? `${partSources[k]} ` : ''}row ${i}${dropped ? ' (after dropping invalid events)' : ''}`;
  };
  refuseDuplicateEvents(events, path, rowOf);
  if (!events.has('mJJ')) {
    // Unnamed columns come from a .npy that is not the 6-column LHCO-SR layout: say what that layout is.
    const unnamed = events.columnNames.every((n) => /^col\d+$/.test(n));
    throw new InputError(unnamed
      ? `${path}: a .npy is read as the ${LHCO_SR_COLUMNS.length} LHCO signal-region columns (${LHCO_SR_COLUMNS.join(', ')}; masses in TeV) in that order; this one has ${events.columnNames.length}. Write those columns, or use HDF5, Parquet, Arrow or CSV with named columns`
      : `${path}: no m_JJ: expected the LHCO raw columns (pxj1 … tau3j2) or an "mJJ" column; columns are ${events.columnNames.join(', ')}`);
  }
  let nSignal: number | undefined;
  if (events.has('label')) {
    const l = events.column('label');
    nSignal = 0;
    for (let i = 0; i < l.length; i++) nSignal += l[i] === 1 ? 1 : 0;
  }
  return {
    role, events, sha256, path, nEvents: events.length, nSignal, description,
    ...(dropInvalid ? { droppedInvalid: dropped } : {}), rowsFingerprint: rowsFingerprint(events),
  };
}

/**
 * The identity of a sample in a plan (what task keys hash): the SHA-256 of its files or generated
 * arrays, combined with the number of dropped invalid events when some were dropped — so results
 * computed on the same file before invalid events were removed are never reused for the cleaned sample.
 */
export function sampleIdentity(d: ScanDataset): string {
  return d.droppedInvalid ? hashValue({ sha256: d.sha256, droppedInvalid: d.droppedInvalid }) : d.sha256;
}

/**
 * Refuse a scan whose data are the IAD template or the control sample: the same file bytes (SHA-256)
 * or the same feature rows (in any format or order) would make the background estimate the data
 * themselves and the significances meaningless.
 * @throws InputError naming both samples' files.
 */
export function requireDistinctSamples(datasets: Readonly<Record<string, ScanDataset>>): void {
  const data = datasets.data;
  if (!data) return;
  for (const [role, other] of Object.entries(datasets)) {
    if (role === 'data') continue;
    const what = role === 'template' ? 'IAD template' : `${role} sample`;
    if (other.sha256 === data.sha256)
      throw new InputError(`the data (${data.path}) and the ${what} (${other.path}) are the same file (SHA-256 ${data.sha256.slice(0, 16)}…); the ${what} must be an independent background sample`);
    if (other.rowsFingerprint === data.rowsFingerprint)
      throw new InputError(`the data (${data.path}) and the ${what} (${other.path}) hold the same ${data.nEvents} events (identical feature rows); the ${what} must be an independent background sample`);
    // Events in both: the data's copies pass the template's cuts as background, so a signal there is hidden.
    const shared = findSharedEvents(data.events, other.events);
    if (shared.example)
      throw new InputError(
        `the ${what} (${other.path}) shares ${shared.count} of its ${other.nEvents} events with the data (${data.path}) (e.g. its row ${shared.example[1]} is the data's row ${shared.example[0]}); ` +
          `the ${what} must be an independent background sample: ${role === 'template' ? 'a shared event is background on both sides of the classifier and hides a signal' : 'its shared events measure the methods\' bias on the data themselves'}`,
      );
  }
}

/**
 * The IAD template and the control must be background only: a template holding signal events makes
 * IAD's background estimate contain the signal (real LHCO: `innerdata_test.npy`, 377 signal events, as
 * the template took IAD from Z ≈ 6 to 1.1); a control holding signal measures δsys on it.
 * @throws InputError naming the sample's file and its label-1 count.
 */
export function requireBackgroundOnly(datasets: Readonly<Record<string, ScanDataset>>): void {
  for (const [role, d] of Object.entries(datasets)) {
    if (role === 'data' || !d.nSignal) continue;
    const what = role === 'template' ? 'IAD template' : `${role} sample`;
    throw new InputError(
      `the ${what} (${d.path}) holds ${d.nSignal} signal events (label 1) among its ${d.nEvents}; it must be a background-only sample. ` +
        'Drop the label-1 events (pandas: df[df.label == 0]) or choose a background-only file',
    );
  }
}

/**
 * Every sample holds the classifier features of `featureSet` (an LHCO-SR `.npy` holds only the baseline
 * ones; raw LHCO files derive them all).
 * @throws InputError naming the sample's file, the feature set and the missing columns.
 */
export function requireFeatureColumns(datasets: Readonly<Record<string, ScanDataset>>, featureSet: string): void {
  for (const d of Object.values(datasets)) requireColumns(d.events, featureNames(featureSet), `${d.path} (feature set "${featureSet}")`);
}
