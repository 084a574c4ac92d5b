/**
 * JSON Schema validation of configs, manifests and results against `data-schemas/<name>.schema.json`
 * (draft 2020-12, ajv + ajv-formats). Each schema is loaded and compiled once per process.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { FormatsPlugin } from 'ajv-formats';
import { ConfigError } from './errors.js';
import { packageFileUrl } from './packageRoot.js';

// ajv-formats is CommonJS with a `default` export; under NodeNext the default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: FormatsPlugin }).default ?? addFormatsModule) as FormatsPlugin;

/** Directory of the schemas: `<package>/data-schemas/`. */
export const SCHEMA_DIR = packageFileUrl('data-schemas/');

let ajv: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction>();

const loaded = new Map<string, object>();

/** The parsed `data-schemas/<name>.schema.json`. @throws ConfigError if it is missing or not JSON. */
function loadSchema(name: string): object {
  const hit = loaded.get(name);
  if (hit) return hit;
  const file = new URL(`${name}.schema.json`, SCHEMA_DIR);
  try {
    const schema = JSON.parse(readFileSync(file, 'utf8')) as object;
    loaded.set(name, schema);
    return schema;
  } catch (err) {
    throw new ConfigError(`schema "${name}": cannot load ${file.pathname} (${(err as Error).message})`, { cause: err });
  }
}

/**
 * The `default` of every property of the object schema at `pointer` (e.g. `/$defs/summaries`) in
 * `data-schemas/<name>.schema.json`: options whose defaults the schema states, read from there so
 * the code and the documentation cannot disagree.
 */
export function schemaDefaults<T extends object>(name: string, pointer: string): T {
  let node: unknown = loadSchema(name);
  for (const part of pointer.split('/').slice(1)) node = (node as Record<string, unknown> | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  const props = (node as { properties?: Record<string, { default?: unknown }> } | undefined)?.properties;
  if (!props) throw new ConfigError(`schema "${name}": no object schema with properties at ${pointer}`);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(props)) {
    if (v.default === undefined) throw new ConfigError(`schema "${name}": ${pointer}/properties/${k} states no default`);
    out[k] = v.default;
  }
  return out as T;
}

/** The compiled validator of `data-schemas/<name>.schema.json`. @throws ConfigError if the schema is missing or invalid. */
export function schemaValidator(name: string): ValidateFunction {
  const hit = compiled.get(name);
  if (hit) return hit;
  const schema = loadSchema(name);
  if (!ajv) {
    ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats(ajv);
  }
  const validate = ajv.compile(schema);
  compiled.set(name, validate);
  return validate;
}

/** ajv's errors as one line each: `/windows/2/srLow: must be number`. */
export function formatSchemaErrors(errors: readonly ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => {
      const at = e.instancePath || '(top level)';
      const extra = e.keyword === 'additionalProperties' ? ` ("${(e.params as { additionalProperty: string }).additionalProperty}")`
        : e.keyword === 'enum' ? ` (${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')})`
        : '';
      return `${at}: ${e.message ?? e.keyword}${extra}`;
    })
    .join('; ');
}

/**
 * Check `doc` against the schema `name`; returns it typed as `T`.
 * @param source names the file (or argument) in the error.
 * @throws ConfigError listing every violation with its JSON path, the schema and the source.
 */
export function validateSchema<T>(name: string, doc: unknown, source: string): T {
  const validate = schemaValidator(name);
  if (!validate(doc)) throw new ConfigError(`${source}: does not match schema ${name}.schema.json: ${formatSchemaErrors(validate.errors)}`);
  return doc as T;
}
