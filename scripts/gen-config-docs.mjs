#!/usr/bin/env node
// Generates docs/config.md from the JSON Schemas in data-schemas/ (`npm run docs:config`): one section per
// schema (a fixed order, then the rest by name), one table row per field (dotted paths; `[]` marks array items, `{}` map values), with its type,
// constraints, whether it is required and the schema's description. Deterministic: schemas in that order, fields in the order the schema lists them, no dates. test/project/docs.test.ts fails when the committed
// docs/config.md differs from what this prints, so edit the schemas, not the Markdown.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCHEMA_DIR = `${ROOT}data-schemas/`;
export const CONFIG_DOC = `${ROOT}docs/config.md`;

/** A cell of a Markdown table: pipes escaped, newlines flattened. */
const cell = (s) => String(s ?? '').replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
const json = (v) => JSON.stringify(v);

/** Follow a local `$ref` (`#/$defs/name`). */
function deref(root, node) {
  if (!node?.$ref) return node;
  const path = node.$ref.replace(/^#\//, '').split('/');
  let target = root;
  for (const p of path) target = target?.[p];
  if (!target) throw new Error(`gen-config-docs: unresolved $ref ${node.$ref}`);
  return { ...target, ...Object.fromEntries(Object.entries(node).filter(([k]) => k !== '$ref')) };
}

/** Short type of a schema node: `number`, `integer ≥ 0`, `"a" \| "b"`, `array of string`, `object`. */
function typeOf(root, node) {
  node = deref(root, node);
  if (!node || Object.keys(node).length === 0) return 'any';
  if ('const' in node) return `= ${json(node.const)}`;
  if (node.enum) return node.enum.map(json).join(' | ');
  for (const k of ['oneOf', 'anyOf']) if (node[k]) return node[k].map((n) => typeOf(root, n)).join(' or ');
  const types = [].concat(node.type ?? (node.properties ? 'object' : node.items ? 'array' : 'any'));
  return types.map((t) => {
    if (t === 'array') return node.items ? `array of ${typeOf(root, node.items)}` : 'array';
    if (t === 'object' && node.additionalProperties && typeof node.additionalProperties === 'object' && !node.properties)
      return `map of ${typeOf(root, node.additionalProperties)}`;
    return t;
  }).join(' or ');
}

/** Constraints of a node as text (bounds, lengths, formats, patterns, defaults). */
function constraintsOf(root, node) {
  node = deref(root, node);
  const c = [];
  if ('minimum' in node) c.push(`≥ ${node.minimum}`);
  if ('exclusiveMinimum' in node) c.push(`> ${node.exclusiveMinimum}`);
  if ('maximum' in node) c.push(`≤ ${node.maximum}`);
  if ('exclusiveMaximum' in node) c.push(`< ${node.exclusiveMaximum}`);
  if ('minItems' in node && 'maxItems' in node && node.minItems === node.maxItems) c.push(`${node.minItems} items`);
  else {
    if ('minItems' in node) c.push(`≥ ${node.minItems} items`);
    if ('maxItems' in node) c.push(`≤ ${node.maxItems} items`);
  }
  if (node.uniqueItems) c.push('unique');
  if ('minLength' in node) c.push(`length ≥ ${node.minLength}`);
  if (node.format) c.push(`format ${node.format}`);
  if (node.pattern) c.push(`pattern \`${node.pattern}\``);
  if ('default' in node) c.push(`default ${json(node.default)}`);
  const items = node.items && deref(root, node.items);
  if (items && !items.properties) {
    const inner = constraintsOf(root, items);
    if (inner) c.push(`each ${inner}`);
  }
  return c.join(', ');
}

/** Rows [path, type, constraints, required, description] of every field under `node`. */
function rows(root, node, prefix, requiredHere, seen) {
  node = deref(root, node);
  const out = [];
  const props = node.properties ?? {};
  const required = new Set(node.required ?? []);
  for (const [name, raw] of Object.entries(props)) {
    if (name === '$schema') continue;
    const path = prefix ? `${prefix}.${name}` : name;
    const child = deref(root, raw);
    out.push([path, typeOf(root, raw), constraintsOf(root, raw), required.has(name) && requiredHere ? 'yes' : '', child.description ?? raw.description ?? '']);
    out.push(...nested(root, raw, path, required.has(name) && requiredHere, seen));
  }
  return out;
}

/** Rows of what lies inside a field: its object properties, array items or map values. */
function nested(root, raw, path, required, seen) {
  const ref = raw.$ref;
  if (ref && seen.has(ref)) return []; // recursive definition: documented where it first appears
  const next = ref ? new Set([...seen, ref]) : seen;
  const node = deref(root, raw);
  if (node.properties) return rows(root, node, path, required, next);
  if (node.items) {
    const items = deref(root, node.items);
    if (items.properties) return rows(root, node.items, `${path}[]`, required, next);
  }
  if (node.additionalProperties && typeof node.additionalProperties === 'object') {
    const values = deref(root, node.additionalProperties);
    if (values.properties) return rows(root, node.additionalProperties, `${path}{}`, required, next);
  }
  for (const k of ['oneOf', 'anyOf']) {
    if (!node[k]) continue;
    return node[k].flatMap((alt, i) => {
      const a = deref(root, alt);
      return a.properties ? rows(root, alt, `${path}⟨${i + 1}⟩`, false, next) : [];
    });
  }
  return [];
}

/** The Markdown of docs/config.md. */
export function renderConfigDocs() {
  // What a user writes first (scan config, windows), then the documents sidewinder writes; any other schema after them.
  const first = ['scan-config.schema.json', 'windows.schema.json', 'dataset.schema.json', 'results.schema.json'];
  const present = readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.schema.json')).sort();
  const files = [...first.filter((f) => present.includes(f)), ...present.filter((f) => !first.includes(f))];
  const parts = [
    '# Configuration and file schemas',
    '',
    '<!-- Generated by `npm run docs:config` (scripts/gen-config-docs.mjs) from data-schemas/*.schema.json. Do not edit: change the schema and regenerate; test/project/docs.test.ts fails when this file is stale. -->',
    '',
    'Every document sidewinder reads or writes is validated against a JSON Schema (draft 2020-12) in',
    '`data-schemas/`, shipped with the package. A field path `a.b` is property `b` of object `a`; `a[]` is',
    'an element of array `a`; `a{}` a value of map `a`; `⟨n⟩` the n-th alternative of a field that takes several',
    'forms. "required" is marked only where the whole path down to the field is required.',
    '',
    files.map((f) => `- [${JSON.parse(readFileSync(SCHEMA_DIR + f, 'utf8')).title ?? f}](#${anchor(f)})`).join('\n'),
  ];
  for (const f of files) {
    const schema = JSON.parse(readFileSync(SCHEMA_DIR + f, 'utf8'));
    parts.push('', `## ${f}`, '', `**${schema.title ?? f}**${schema.description ? `: ${schema.description}` : ''}`, '');
    const table = rows(schema, schema, '', true, new Set());
    parts.push('| field | type | constraints | required | description |', '|---|---|---|---|---|');
    for (const [path, type, constraints, required, description] of table)
      parts.push(`| \`${cell(path)}\` | ${cell(type)} | ${cell(constraints)} | ${required} | ${cell(description)} |`);
  }
  return `${parts.join('\n')}\n`;
}

/** GitHub's heading anchor of `## <file>`. */
function anchor(file) {
  return file.toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(CONFIG_DOC, renderConfigDocs());
  console.log(`gen-config-docs: wrote ${CONFIG_DOC}`);
}
