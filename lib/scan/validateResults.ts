/**
 * Validation of results documents: the JSON Schema (`data-schemas/results.schema.json`, draft
 * 2020-12, ajv 8) first, then the cross-references a schema cannot express (window ids, methods and
 * working points that exist in the config, histogram lengths that fit their edges).
 */
import { readFileSync } from 'node:fs';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { InputError } from '../util/errors.js';
import { packageFileUrl } from '../util/packageRoot.js';
import { RESULTS_SCHEMA, RESULTS_VERSION, type ResultsDocument } from './results.js';

/** Path of the results schema, relative to the repository root (for messages). */
export const RESULTS_SCHEMA_PATH = 'data-schemas/results.schema.json';
const SCHEMA_URL = packageFileUrl(RESULTS_SCHEMA_PATH);

// ajv and ajv-formats are CommonJS with `exports.default`; under NodeNext the default import is the module.
const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;

let compiled: { validate: ValidateFunction; pointers: Map<object, string> } | undefined;
function schemaValidator(): { validate: ValidateFunction; pointers: Map<object, string> } {
  if (!compiled) {
    const schema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as object;
    // ajv reports schema paths relative to the last $ref target; map each subschema object to its
    // JSON pointer in the file so messages point at the line that failed.
    const pointers = new Map<object, string>();
    const walk = (node: unknown, ptr: string): void => {
      if (typeof node !== 'object' || node === null) return;
      pointers.set(node, ptr);
      for (const [k, v] of Object.entries(node)) walk(v, `${ptr}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    };
    walk(schema, '#');
    const ajv = new Ajv2020({ allErrors: true, strict: true, verbose: true });
    addFormats(ajv);
    compiled = { validate: ajv.compile(schema), pointers };
  }
  return compiled;
}

/** The results JSON Schema as an object. */
export function resultsSchema(): object {
  return JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as object;
}

const MAX_LISTED = 8;

function describeAjvError(e: ErrorObject, pointers: Map<object, string>): string {
  const where = e.instancePath === '' ? '(document root)' : e.instancePath;
  let detail = e.message ?? 'is invalid';
  if (e.keyword === 'additionalProperties') detail = `has unknown property "${(e.params as { additionalProperty: string }).additionalProperty}"`;
  else if (e.keyword === 'enum') detail = `must be one of ${JSON.stringify((e.params as { allowedValues: unknown[] }).allowedValues)}`;
  else if (e.keyword === 'const') detail = `must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
  const parent = e.parentSchema !== undefined ? pointers.get(e.parentSchema) : undefined;
  const schemaPath = parent !== undefined ? `${parent}/${e.keyword}` : e.schemaPath;
  return `at ${where}: ${detail} (schema ${schemaPath})`;
}

/**
 * Check `doc` against the results schema and its internal cross-references; return it typed.
 * @param source names the document in messages (a file path, or e.g. "scan output").
 * @throws InputError naming `source`, the JSON path that failed and the schema path it failed against.
 */
export function validateResults(doc: unknown, source: string): ResultsDocument {
  // A wrong tag or version first: a different document type otherwise produces a wall of errors.
  if (typeof doc === 'object' && doc !== null && !Array.isArray(doc)) {
    const tag = (doc as { schema?: unknown }).schema;
    const version = (doc as { version?: unknown }).version;
    if (tag !== RESULTS_SCHEMA)
      throw new InputError(`${source}: not a results document: "schema" is ${JSON.stringify(tag)}, expected "${RESULTS_SCHEMA}" (${RESULTS_SCHEMA_PATH})`);
    if (version !== RESULTS_VERSION)
      throw new InputError(`${source}: results document version ${JSON.stringify(version)} is not supported; this sidewinder reads version ${RESULTS_VERSION}`);
  }
  const { validate, pointers } = schemaValidator();
  if (!validate(doc)) {
    const errs = validate.errors ?? [];
    const listed = errs.slice(0, MAX_LISTED).map((e) => `  ${describeAjvError(e, pointers)}`);
    if (errs.length > MAX_LISTED) listed.push(`  … and ${errs.length - MAX_LISTED} more`);
    throw new InputError(`${source}: does not match ${RESULTS_SCHEMA_PATH}:\n${listed.join('\n')}`);
  }
  const problems = crossReferenceProblems(doc as ResultsDocument);
  if (problems.length) {
    const listed = problems.slice(0, MAX_LISTED).map((p) => `  ${p}`);
    if (problems.length > MAX_LISTED) listed.push(`  … and ${problems.length - MAX_LISTED} more`);
    throw new InputError(`${source}: inconsistent results document:\n${listed.join('\n')}`);
  }
  return doc as ResultsDocument;
}

function crossReferenceProblems(doc: ResultsDocument): string[] {
  const out: string[] = [];
  const { config } = doc;
  const windowIds = new Set<number>();
  config.windows.forEach((w, i) => {
    if (windowIds.has(w.id)) out.push(`at /config/windows/${i}/id: window id ${w.id} appears twice`);
    windowIds.add(w.id);
    if (!(w.srLow < w.srHigh)) out.push(`at /config/windows/${i}: srLow ${w.srLow} must be below srHigh ${w.srHigh}`);
    if (Math.abs(w.centre - (w.srLow + w.srHigh) / 2) > 1e-9)
      out.push(`at /config/windows/${i}/centre: ${w.centre} is not (srLow + srHigh)/2 = ${(w.srLow + w.srHigh) / 2}`);
  });
  const methods = new Set<string>(config.methods);
  const epsilons = new Set<number>(config.epsilonB);
  const checkWindow = (path: string, id: number | undefined): void => {
    if (id !== undefined && !windowIds.has(id))
      out.push(`at ${path}/windowId: window ${id} is not in config.windows (ids ${[...windowIds].join(', ')})`);
  };
  const checkMethod = (path: string, m: string): void => {
    if (!methods.has(m)) out.push(`at ${path}/method: "${m}" is not in config.methods (${config.methods.join(', ')})`);
  };
  const checkEpsilon = (path: string, e: number | undefined): void => {
    if (e !== undefined && !epsilons.has(e)) out.push(`at ${path}/epsilonB: ${e} is not in config.epsilonB (${config.epsilonB.join(', ')})`);
  };
  const checkHistogram = (path: string, edges: number[], counts: { name: string; values: number[] | undefined }[]): void => {
    for (let i = 1; i < edges.length; i++)
      if (!(edges[i] > edges[i - 1])) {
        out.push(`at ${path}: edges must be strictly ascending, edges[${i - 1}] = ${edges[i - 1]}, edges[${i}] = ${edges[i]}`);
        break;
      }
    for (const c of counts)
      if (c.values !== undefined && c.values.length !== edges.length - 1)
        out.push(`at ${path}/${c.name}: ${c.values.length} bins, but ${edges.length} edges make ${edges.length - 1}`);
  };

  doc.runs.forEach((r, i) => {
    const p = `/runs/${i}`;
    checkWindow(p, r.windowId);
    checkMethod(p, r.method);
    checkEpsilon(p, r.epsilonB);
    if (r.nObs > r.nSR) out.push(`at ${p}/nObs: ${r.nObs} passing events exceed N_SR = ${r.nSR}`);
  });
  doc.aggregates.forEach((a, i) => {
    const p = `/aggregates/${i}`;
    checkWindow(p, a.windowId);
    checkMethod(p, a.method);
    checkEpsilon(p, a.epsilonB);
  });
  const reported = new Set(doc.runs.map((r) => `${r.windowId}/${r.method}/${r.epsilonB}`));
  doc.refusedCells?.forEach((r, i) => {
    const p = `/refusedCells/${i}`;
    checkWindow(p, r.windowId);
    checkMethod(p, r.method);
    checkEpsilon(p, r.epsilonB);
    if (reported.has(`${r.windowId}/${r.method}/${r.epsilonB}`))
      out.push(`at ${p}: window ${r.windowId}, ${r.method}, ε_B ${r.epsilonB} is refused but also has runs with a significance`);
  });
  doc.deltaSys?.forEach((d, i) => {
    const p = `/deltaSys/${i}`;
    checkMethod(p, d.method);
    d.perWindow.forEach((w, j) => checkWindow(`${p}/perWindow/${j}`, w.windowId));
  });
  doc.lookElsewhere?.forEach((l, i) => {
    const p = `/lookElsewhere/${i}`;
    checkMethod(p, l.method);
    checkEpsilon(p, l.epsilonB);
    if (l.localZMaxWindowId !== undefined && !windowIds.has(l.localZMaxWindowId))
      out.push(`at ${p}/localZMaxWindowId: window ${l.localZMaxWindowId} is not in config.windows`);
    if (l.maxLocalZHistogram) checkHistogram(`${p}/maxLocalZHistogram`, l.maxLocalZHistogram.edges, [{ name: 'counts', values: l.maxLocalZHistogram.counts }]);
  });
  doc.roc?.forEach((r, i) => {
    const p = `/roc/${i}`;
    checkWindow(p, r.windowId);
    checkMethod(p, r.method);
    if (r.fpr.length !== r.tpr.length) out.push(`at ${p}: fpr has ${r.fpr.length} points, tpr ${r.tpr.length}`);
  });
  if (doc.mjjSpectra) {
    const s = doc.mjjSpectra;
    checkHistogram('/mjjSpectra', s.edgesTeV, [{ name: 'countsBeforeCut', values: s.countsBeforeCut }]);
    s.afterCut.forEach((a, i) => {
      const p = `/mjjSpectra/afterCut/${i}`;
      checkMethod(p, a.method);
      checkEpsilon(p, a.epsilonB);
      checkWindow(p, a.windowId);
      checkHistogram(p, s.edgesTeV, [
        { name: 'counts', values: a.counts },
        { name: 'expectedBackground', values: a.expectedBackground },
      ]);
    });
  }
  doc.featureHistograms?.forEach((h, i) => {
    const p = `/featureHistograms/${i}`;
    checkWindow(p, h.windowId);
    checkMethod(p, h.method);
    checkHistogram(p, h.edges, [
      { name: 'dataCounts', values: h.dataCounts },
      { name: 'templateCounts', values: h.templateCounts },
      { name: 'templateSumW2', values: h.templateSumW2 },
    ]);
  });
  doc.bumpHunt?.forEach((b, i) => checkWindow(`/bumpHunt/${i}`, b.windowId));
  return out;
}
