/**
 * Where the package's own files are (package.json, data-schemas/, windows/), whether this code runs
 * from the TypeScript sources (`lib/util/packageRoot.ts`, under tsx or vitest) or from the compiled
 * package (`dist/lib/util/packageRoot.js`, one directory deeper). Every read of a file shipped with
 * the package goes through here, so the two layouts cannot drift apart.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** True when running the compiled package (dist/), false when running the TypeScript sources. */
export const RUNS_COMPILED: boolean = import.meta.url.endsWith('.js');

/** Root of the package as a file: URL with a trailing slash. */
export const PACKAGE_ROOT_URL: URL = new URL(RUNS_COMPILED ? '../../../' : '../../', import.meta.url);

/** Root of the package as a path (no trailing slash). */
export const PACKAGE_ROOT: string = fileURLToPath(PACKAGE_ROOT_URL).replace(/\/$/, '');

/** URL of a file shipped with the package, e.g. `packageFileUrl('data-schemas/results.schema.json')`. */
export function packageFileUrl(relativePath: string): URL {
  return new URL(relativePath, PACKAGE_ROOT_URL);
}

/** Path of a file shipped with the package, e.g. `packageFile('windows/lhco-nine.json')`. */
export function packageFile(relativePath: string): string {
  return fileURLToPath(packageFileUrl(relativePath));
}

/** The package's version, read from its package.json (one source: no version string typed in code). */
export const PACKAGE_VERSION: string = (JSON.parse(readFileSync(packageFile('package.json'), 'utf8')) as { version: string }).version;

/** Writer tag of every document sidewinder writes (models, results): `sidewinder <version>`. */
export const SIDEWINDER_WRITER = `sidewinder ${PACKAGE_VERSION}`;
