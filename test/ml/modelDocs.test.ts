import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import '../../lib/ml/trees/hgb.js';
import '../../lib/ml/trees/cart.js';
import '../../lib/ml/ensemble.js';
import { loadModel } from '../../lib/ml/classifier.js';
import { matrix } from '../../lib/ml/matrix.js';

/** Model documents written by version 1 (hgb, cart, ensemble of hgb) with the predictions they gave. */
const docs = JSON.parse(readFileSync(new URL('../fixtures/models-v1.json', import.meta.url), 'utf8')) as { model: Record<string, unknown>; Xtest: number[]; proba: number[] }[];

describe('model documents', () => {
  it.each(docs.map((d) => [d.model.kind as string, d] as const))('a stored version-1 "%s" document still loads and predicts the same', (_kind, d) => {
    const m = loadModel(d.model);
    expect(m.kind).toBe(d.model.kind);
    expect(Array.from(m.predictProba(matrix(Float64Array.from(d.Xtest), d.Xtest.length / 2, 2)))).toEqual(d.proba);
  });

  it.each([
    [null, /must be an object, got null/],
    [{ schema: 'sidewinder/model', version: 1, writer: 'x', kind: 'hgb' }, /lacks key\(s\) options/],
    [{ schema: 'other', version: 1, writer: 'x', kind: 'hgb', options: {} }, /schema must be "sidewinder\/model"/],
    [{ schema: 'sidewinder/model', version: 2, writer: 'x', kind: 'hgb', options: {} }, /version 2 is not supported/],
    [{ schema: 'sidewinder/model', version: 1, writer: 'x', kind: 'hgbb', options: {} }, /"hgbb" is not registered.*did you mean "hgb"/],
    [{ schema: 'sidewinder/model', version: 1, writer: 'x', kind: 'hgb', options: {} }, /lacks key\(s\) nFeatures, baseline, edges, trees, info/],
  ])('bad document %j is refused naming what is wrong', (doc, msg) => {
    expect(() => loadModel(doc)).toThrow(msg);
  });
});
