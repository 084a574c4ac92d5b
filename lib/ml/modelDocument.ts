/**
 * The one model-document format: every trained model (classifiers, flows, flow ensembles, GANs)
 * persists as JSON with the header `{ schema: 'sidewinder/model', version, writer, kind, options }`
 * followed by its kind's body. {@link modelHeader} writes the header, {@link checkModelDocument}
 * reads it — every loader goes through it, so a missing key, a foreign schema, a wrong kind or an
 * unknown version is reported the same way for every model.
 */
import { InputError } from '../util/errors.js';
import { SIDEWINDER_WRITER } from '../util/packageRoot.js';

/** Schema tag of model documents. */
export const MODEL_SCHEMA = 'sidewinder/model';
/** Writer tag stored in every model document (`sidewinder <version from package.json>`). */
export const MODEL_WRITER = SIDEWINDER_WRITER;
/** Version of the classifier documents (hgb, cart, mlp, ensemble, onnx); flows and the GAN keep their own. */
export const MODEL_DOC_VERSION = 1;

/** The header every model document starts with. */
export interface ModelHeader<K extends string = string> {
  schema: typeof MODEL_SCHEMA;
  version: number;
  writer: string;
  kind: K;
}

/** Persisted model document: the header, the options, and the kind's body. */
export interface ModelDocument extends ModelHeader {
  options: Record<string, unknown>;
  [key: string]: unknown;
}

const HEADER_KEYS = ['schema', 'version', 'writer', 'kind', 'options'] as const;

/** The header of a new document of `kind` at layout `version` (written by this sidewinder). */
export function modelHeader<K extends string>(kind: K, version: number = MODEL_DOC_VERSION): ModelHeader<K> {
  return { schema: MODEL_SCHEMA, version, writer: MODEL_WRITER, kind };
}

/** What a loader expects of a document. */
export interface ExpectedDocument {
  /** The kind this loader reads (omit to accept any: a dispatcher). */
  readonly kind?: string;
  /** Layout versions this loader reads (omit to accept any: a dispatcher). */
  readonly versions?: readonly number[];
  /** Body keys that must be present (besides the header and options). */
  readonly keys?: readonly string[];
}

/**
 * Check a model document's header (and the presence of `expected.keys`); names the missing or wrong
 * keys and where (`where`, e.g. the loader or file). Returns the document typed.
 */
export function checkModelDocument(doc: unknown, where: string, expected: ExpectedDocument = {}): ModelDocument {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new InputError(`${where}: model document must be an object, got ${doc === null ? 'null' : Array.isArray(doc) ? 'an array' : typeof doc}`);
  const d = doc as Record<string, unknown>;
  const missing = HEADER_KEYS.filter((k) => d[k] === undefined);
  if (missing.length) throw new InputError(`${where}: model document lacks key(s) ${missing.join(', ')}`);
  if (d.schema !== MODEL_SCHEMA) throw new InputError(`${where}: schema must be "${MODEL_SCHEMA}", got ${JSON.stringify(d.schema)}`);
  if (expected.kind !== undefined && d.kind !== expected.kind) throw new InputError(`${where}: expected a "${expected.kind}" model, got kind ${JSON.stringify(d.kind)}`);
  if (expected.versions !== undefined && !expected.versions.includes(d.version as number))
    throw new InputError(`${where}: document version ${JSON.stringify(d.version)} is not supported for kind "${String(d.kind)}" (this reader knows ${expected.versions.join(', ')})`);
  if (typeof d.options !== 'object' || d.options === null || Array.isArray(d.options)) throw new InputError(`${where}: options must be an object, got ${JSON.stringify(d.options)}`);
  const body = (expected.keys ?? []).filter((k) => d[k] === undefined);
  if (body.length) throw new InputError(`${where}: model document lacks key(s) ${body.join(', ')}`);
  return d as ModelDocument;
}
