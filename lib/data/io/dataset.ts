/**
 * Dataset manifests (`data-schemas/dataset.schema.json`): a JSON file naming the event files of one
 * sample, how to read them, their units, the sample's role (data | template | alternative-background),
 * and its seed/provenance.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { ConfigError, InputError } from '../../util/errors.js';
import { writeFileAtomic } from '../../util/atomicWrite.js';
import { validateSchema } from '../../util/schema.js';
import { readJsonFile } from '../../util/json.js';
import { EventTable, type Unit } from '../eventTable.js';
import type { EventFormat } from './options.js';
import { readEvents } from './readEvents.js';

/** Role of a sample in an analysis. */
export type DatasetRole = 'data' | 'template' | 'alternative-background';

/** A dataset manifest as stored (schema "sidewinder/dataset", version 1). */
export interface DatasetManifest {
  readonly schema: 'sidewinder/dataset';
  readonly version: 1;
  readonly writer?: string;
  readonly name: string;
  readonly description?: string;
  readonly role: DatasetRole;
  readonly format?: EventFormat;
  readonly key?: string;
  readonly columns?: readonly string[];
  readonly units?: Readonly<Record<string, Unit>>;
  readonly rows?: number;
  readonly signal?: number;
  readonly files: readonly { readonly path: string; readonly format?: EventFormat; readonly key?: string; readonly rows?: number; readonly sha256?: string }[];
  readonly seed?: number;
  readonly provenance?: {
    readonly generator?: string; readonly generatorVersion?: string; readonly options?: Record<string, unknown>;
    readonly source?: string; readonly license?: string; readonly created?: string; readonly notes?: string;
  };
}

/** Validate a parsed manifest. @throws ConfigError with ajv's messages and `source`. */
export function parseDatasetManifest(doc: unknown, source = 'dataset manifest'): DatasetManifest {
  return validateSchema<DatasetManifest>('dataset', doc, source);
}

/** Read and validate a manifest file. @throws ConfigError naming the file. */
export async function loadDatasetManifest(path: string): Promise<DatasetManifest> {
  return parseDatasetManifest(readJsonFile(path, 'dataset manifest', ConfigError), path);
}

/** Validate and write a manifest atomically (pretty JSON). */
export async function writeDatasetManifest(path: string, manifest: DatasetManifest): Promise<void> {
  parseDatasetManifest(manifest, `writeDatasetManifest(${path})`);
  await writeFileAtomic(path, JSON.stringify(manifest, null, 2) + '\n');
}

/**
 * Read every file of a manifest (paths relative to the manifest's directory) and concatenate them.
 * Per-file `format`/`key` override the manifest's; `columns` and `units` apply to all files.
 * @throws InputError if a file's row count differs from the manifest, or files have different columns.
 */
export async function readDataset(manifestPath: string): Promise<{ manifest: DatasetManifest; events: EventTable }> {
  const manifest = await loadDatasetManifest(manifestPath);
  const base = dirname(manifestPath);
  const parts: EventTable[] = [];
  for (const f of manifest.files) {
    const p = isAbsolute(f.path) ? f.path : resolve(base, f.path);
    const t = await readEvents(p, { format: f.format ?? manifest.format, key: f.key ?? manifest.key, columns: manifest.columns, units: manifest.units });
    if (f.rows !== undefined && t.length !== f.rows) throw new InputError(`${p}: ${t.length} rows, the manifest ${manifestPath} says ${f.rows}`);
    if (parts.length && t.columnNames.join(',') !== parts[0].columnNames.join(','))
      throw new InputError(`${p}: columns ${t.columnNames.join(', ')} differ from the first file's (${parts[0].columnNames.join(', ')})`);
    parts.push(t);
  }
  const events = parts.length === 1 ? parts[0] : EventTable.concat(parts);
  if (manifest.rows !== undefined && events.length !== manifest.rows)
    throw new InputError(`${manifestPath}: the files hold ${events.length} rows, the manifest says ${manifest.rows}`);
  return { manifest, events };
}
