/** The search results document: validation against `data-schemas/search-results.schema.json`. */
import { validateSchema } from '../util/schema.js';
import type { SearchResults } from './run.js';

/**
 * Check a results document (as written, or read back) against the schema. Non-finite numbers are
 * written as null by JSON.stringify, so the check runs on the JSON form.
 * @throws ConfigError listing every violation.
 */
export function validateSearchResults(doc: unknown, source: string): SearchResults {
  return validateSchema<SearchResults>('search-results', JSON.parse(JSON.stringify(doc)), source);
}
