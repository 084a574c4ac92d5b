import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { EventTable } from '../../lib/data/eventTable.js';
import { validateEvents, requireColumns, requireFinite, requireDtypes } from '../../lib/data/validate.js';
import { validateSchema, schemaValidator } from '../../lib/util/schema.js';
import { ConfigError, InputError } from '../../lib/util/errors.js';

const table = new EventTable({
  mJJ: Float64Array.from([3.4, 3.5, 3.6, 3.55]),
  mJ1: Float64Array.from([0.1, NaN, 0.2, Infinity]),
  tau21J1: Float32Array.from([0.5, 0.4, 0.3, 0.2]),
}, { mJJ: 'TeV', mJ1: 'TeV' });

describe('validateEvents', () => {
  it('passes a good table', () => {
    expect(() => validateEvents(table, { required: ['mJJ', 'tau21J1'], dtypes: { mJJ: 'float64', tau21J1: 'float' } })).not.toThrow();
  });
  it.each([
    [{ required: ['mJJ', 'mj1'] }, /^a.h5: missing column "mj1" \(did you mean "mJ1", "mJJ"\?\); columns present: mJJ, mJ1, tau21J1$/],
    [{ required: ['mJJ', 'deltaMJ', 'tau21J2'] }, /missing columns "deltaMJ", "tau21J2" \(did you mean "tau21J1"\?\)/],
    [{ required: ['mJ1'] }, /^a.h5: column "mJ1", row 1: NaN; expected finite values \(2 non-finite rows in this column\)$/],
    [{ finite: true }, /column "mJ1", row 1: NaN/],
    [{ dtypes: { tau21J1: 'float64' as const } }, /^a.h5: column "tau21J1" is float32; expected float64$/],
  ])('rejects %o', (opts, msg) => {
    expect(() => validateEvents(table, { ...opts, source: 'a.h5' })).toThrow(InputError);
    expect(() => validateEvents(table, { ...opts, source: 'a.h5' })).toThrow(msg);
  });
  it('names the row of an Infinity after the first bad row is fixed', () => {
    const fixed = table.withColumn('mJ1', Float64Array.from([0.1, 0.15, 0.2, Infinity]), 'TeV');
    expect(() => requireFinite(fixed, ['mJ1'])).toThrow(/column "mJ1", row 3: Infinity/);
    expect(() => requireColumns(fixed, ['mJJ'])).not.toThrow();
    expect(() => requireDtypes(fixed, { mJ1: 'float32' })).toThrow(/column "mJ1" is float64; expected float32/);
  });
  it('finite: false skips the finiteness check', () => {
    expect(() => validateEvents(table, { required: ['mJ1'], finite: false })).not.toThrow();
  });
});

describe('JSON Schemas', () => {
  it('the repository windows file validates', () => {
    const doc = JSON.parse(readFileSync(new URL('../../windows/lhco-nine.json', import.meta.url), 'utf8')) as unknown;
    expect(() => validateSchema('windows', doc, 'windows/lhco-nine.json')).not.toThrow();
  });
  const manifest = {
    schema: 'sidewinder/dataset', version: 1, name: 'lhco-sr-train', role: 'data',
    files: [{ path: 'innerdata_train.npy', rows: 60000 }], format: 'npy',
    columns: ['mJJ', 'mJ1', 'deltaMJ', 'tau21J1', 'tau21J2', 'label'], units: { mJJ: 'TeV' },
    seed: 7, provenance: { source: 'Zenodo 4536377', created: '2026-11-23T18:00:00Z' },
  };
  it('a dataset manifest validates', () => {
    expect(validateSchema('dataset', manifest, 'm.json')).toBe(manifest);
  });
  it.each([
    [{ ...manifest, role: 'signal' }, /\/role: must be equal to one of the allowed values \("data", "template", "alternative-background"\)/],
    [{ ...manifest, files: [] }, /\/files: must NOT have fewer than 1 items/],
    [{ ...manifest, files: [{ rows: 3 }] }, /\/files\/0: must have required property 'path'/],
    [{ ...manifest, format: 'root' }, /\/format: must be equal to one of the allowed values/],
    [{ ...manifest, provenance: { created: 'yesterday' } }, /\/provenance\/created: must match format "date-time"/],
    [{ ...manifest, seed: -1 }, /\/seed: must be >= 0/],
    [{ ...manifest, colums: [] }, /must NOT have additional properties \("colums"\)/],
  ])('a bad manifest is rejected with ajv\'s message and the file name (%#)', (doc, msg) => {
    expect(() => validateSchema('dataset', doc, 'm.json')).toThrow(ConfigError);
    expect(() => validateSchema('dataset', doc, 'm.json')).toThrow(msg);
    expect(() => validateSchema('dataset', doc, 'm.json')).toThrow(/^m.json: does not match schema dataset.schema.json: /);
  });
  it('schemas are compiled once', () => {
    expect(schemaValidator('dataset')).toBe(schemaValidator('dataset'));
  });
  it('an unknown schema is a ConfigError naming it', () => {
    expect(() => schemaValidator('nope')).toThrow(/schema "nope": cannot load .*nope.schema.json/);
  });
});
