import type { ResultsDocument } from './results.js';
import { validateResults } from './validateResults.js';
import { writeFileAtomic } from '../util/atomicWrite.js';

/**
 * Validate a results document against `data-schemas/results.schema.json` and write it as JSON,
 * atomically (temporary file + rename): a reader never sees a half-written or invalid document.
 * @throws InputError naming `path` and the JSON path that failed, before anything is written.
 */
export async function writeResults(doc: ResultsDocument, path: string): Promise<void> {
  // Validate what will be read back: JSON drops undefined fields and turns NaN/∞ into null.
  const text = `${JSON.stringify(doc, null, 1)}\n`;
  validateResults(JSON.parse(text), `results document for ${path}`);
  await writeFileAtomic(path, text);
}
