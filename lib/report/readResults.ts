import { InputError } from '../util/errors.js';
import { readJsonFile } from '../util/json.js';
import type { ResultsDocument } from '../scan/results.js';
import { validateResults } from '../scan/validateResults.js';

/**
 * Read a results document from disk and validate it against `data-schemas/results.schema.json`.
 * @throws InputError naming the file when it cannot be read, is not JSON, or does not match the schema.
 */
export async function readResults(path: string): Promise<ResultsDocument> {
  return validateResults(readJsonFile(path, 'results file', InputError), path);
}
