import { readFile } from 'node:fs/promises';
import { InputError } from '../util/errors.js';
import type { ResultsDocument } from '../scan/results.js';
import { validateResults } from '../scan/validateResults.js';

/**
 * Read a results document from disk and validate it against `data-schemas/results.schema.json`.
 * @throws InputError naming the file when it cannot be read, is not JSON, or does not match the schema.
 */
export async function readResults(path: string): Promise<ResultsDocument> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InputError(`${path}: cannot read the results file (${(err as Error).message})`, { cause: err });
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${path}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
  return validateResults(doc, path);
}
