import { EventTable } from '../data/eventTable.js';
import { readEvents } from '../data/io/index.js';
import { deriveFeatures } from '../data/features.js';
import { generateLhcoLike, generateExtraSrBackground } from '../data/generate/index.js';
import { InputError } from '../util/errors.js';
import type { Reporter } from '../util/reporter.js';
import { hashArrays, hashFile, hashValue } from './hash.js';
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
}

/**
 * Load (or generate) a dataset and derive the classifier features. Files with the LHCO raw columns
 * (GeV 4-vectors, τ's) get features derived here; files that already hold features (an mJJ column,
 * e.g. the LHCO-SR .npy in TeV) are used as they are.
 */
export async function loadScanDataset(spec: DatasetSpec, role: string, reporter?: Reporter): Promise<ScanDataset> {
  let raw: EventTable, sha256: string, path: string, description: string;
  const files = spec.paths ?? (spec.path ? [spec.path] : undefined);
  if (files) {
    // Several files (e.g. the two halves of the LHCO SR data) are concatenated in the order given.
    reporter?.log('info', `${role}: reading ${files.join(', ')}`);
    const parts = await Promise.all(files.map((f) => readEvents(f, { key: spec.key })));
    raw = parts.length === 1 ? parts[0] : EventTable.concat(parts);
    const hashes = await Promise.all(files.map(hashFile));
    sha256 = hashes.length === 1 ? hashes[0] : hashValue(hashes);
    path = files.join(',');
    description = `${role} from ${files.join(' + ')}`;
  } else if (spec.generate) {
    const g = spec.generate;
    reporter?.log('info', `${role}: generating ${g.background} background + ${g.signal} signal events (seed ${g.seed}, ${g.backgroundModel ?? 'default'} model)`);
    const model = g.backgroundModel ?? 'default';
    // A restricted m_JJ range generates background only there (the IAD template), by rejection.
    raw = g.mJJRangeTeV
      ? generateExtraSrBackground({ seed: g.seed, backgroundModel: model, extraSrBackground: { n: g.background, mJJLowTeV: g.mJJRangeTeV[0], mJJHighTeV: g.mJJRangeTeV[1] } })
      : generateLhcoLike({ background: g.background, signal: g.signal, seed: g.seed, backgroundModel: model });
    sha256 = hashArrays(Object.fromEntries(raw.columnNames.map((n) => [n, raw.column(n)])));
    path = `generated:${hashValue(g).slice(0, 12)}`;
    const range = g.mJJRangeTeV ? ` in ${g.mJJRangeTeV[0]} < m_JJ < ${g.mJJRangeTeV[1]} TeV` : '';
    description = `${role}: LHCO-like generator, ${g.background} background${range} (${model} model) + ${g.signal} signal, seed ${g.seed}`;
  } else throw new InputError(`${role}: dataset needs a "path", "paths" or "generate" entry`);
  const events = raw.has('pxj1') ? deriveFeatures(raw) : raw;
  if (!events.has('mJJ')) throw new InputError(`${path}: no m_JJ: expected the LHCO raw columns (pxj1 … tau3j2) or an "mJJ" column; columns are ${raw.columnNames.join(', ')}`);
  let nSignal: number | undefined;
  if (events.has('label')) {
    const l = events.column('label');
    nSignal = 0;
    for (let i = 0; i < l.length; i++) nSignal += l[i] === 1 ? 1 : 0;
  }
  return { role, events, sha256, path, nEvents: events.length, nSignal, description };
}
