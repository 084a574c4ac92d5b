/**
 * Scan configurations with duplicates or impossible values are refused before any work starts: by
 * the JSON Schema where it can say it (data-schemas/scan-config.schema.json), by checkScanConfig for
 * relations between fields (issue 16, item 2). No data are read here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkScanConfig, validateScanConfig, type ScanConfig } from '../../lib/scan/config.js';
import { presetConfig } from '../../lib/scan/presets.js';
import { schemaDefaults, validateSchema } from '../../lib/util/schema.js';

type Edit = (c: ScanConfig) => void;
const set = (path: string, value: unknown): Edit => (c) => {
  const keys = path.split('.');
  let o = c as unknown as Record<string, unknown>;
  for (const k of keys.slice(0, -1)) o = o[k] as Record<string, unknown>;
  o[keys.at(-1)!] = value;
};

// [what, edit, expected message]: each must be refused by the schema itself.
const SCHEMA_CASES: [string, Edit, RegExp][] = [
  ['duplicate ε_B', set('epsilonB', [0.01, 0.001, 0.01]), /\/epsilonB: 0\.01 appears twice \(items 1 and 3\)/],
  ['duplicate ε_B written differently', set('epsilonB', [1e-2, 0.01]), /\/epsilonB: 0\.01 appears twice/],
  ['ε_B = 0', set('epsilonB', [0]), /\/epsilonB\/0: got 0; must be > 0/],
  ['ε_B = 1', set('epsilonB', [1]), /\/epsilonB\/0: got 1; must be < 1/],
  ['no ε_B', set('epsilonB', []), /\/epsilonB: must NOT have fewer than 1 items/],
  ['duplicate window id', set('windows', { file: 'windows/lhco-nine.json', ids: [5, 4, 5] }), /\/windows\/ids: 5 appears twice/],
  ['window id 0', set('windows', { file: 'windows/lhco-nine.json', ids: [0] }), /\/windows\/ids\/0: got 0; must be >= 1/],
  ['empty windows file name', set('windows', { file: '' }), /\/windows\/file: got ""; must NOT have fewer than 1 characters/],
  ['duplicate method', set('methods', ['iad', 'cwola', 'iad']), /\/methods: "iad" appears twice/],
  ['unknown method', set('methods', ['cathod']), /\/methods\/0: "cathod" is not one of .*did you mean "cathode"/],
  ['no method', set('methods', []), /\/methods: must NOT have fewer than 1 items/],
  ['unknown feature set', set('features', 'deltar'), /\/features: "deltar" is not one of .*did you mean "deltaR"/],
  ['1 fold', set('folds', 1), /\/folds: got 1; must be >= 2/],
  ['fractional folds', set('folds', 2.5), /\/folds: got 2\.5; must be integer/],
  ['ensemble 0', set('ensemble', 0), /\/ensemble: got 0; must be >= 1/],
  ['runs 0', set('runs', 0), /\/runs: got 0; must be >= 1/],
  ['negative seed', set('seed', -1), /\/seed: got -1; must be >= 0/],
  ['seed beyond 2^53', set('seed', 2 ** 60), /\/seed: got \d+; must be <= 9007199254740991/],
  ['generated background 0', set('dataset', { generate: { background: 0, signal: 10, seed: 1 } }), /\/dataset\/generate\/background: got 0; must be >= 1/],
  ['negative signal', set('dataset', { generate: { background: 10, signal: -1, seed: 1 } }), /\/dataset\/generate\/signal: got -1; must be >= 0/],
  ['m_JJ range at 0', set('template', { generate: { background: 10, signal: 0, seed: 2, mJJRangeTeV: [0, 4] } }), /\/template\/generate\/mJJRangeTeV\/0: got 0; must be > 0/],
  ['the same file twice', set('dataset', { paths: ['/d/a.h5', '/d/a.h5'] }), /\/dataset\/paths: "\/d\/a\.h5" appears twice/],
  ['a sample with no source', set('control', { key: 'df' }), /\/control: needs one of "path", "paths" or "generate"/],
  ['empty HDF5 key', set('dataset', { path: 'a.h5', key: '' }), /\/dataset\/key: got ""; must NOT have fewer than 1 characters/],
  ['onnx classifier without a file', set('classifier', { kind: 'onnx', options: {} }), /\/classifier: missing "onnxPath"/],
  ['unknown classifier', set('classifier', { kind: 'xgb', options: {} }), /\/classifier\/kind: "xgb" is not one of/],
  ['oversampling 0', set('cathode.oversampling', 0), /\/cathode\/oversampling: got 0; must be > 0/],
  ['bandwidth 0', set('cathode.bandwidth', 0), /\/cathode\/bandwidth: got 0; must be > 0/],
  ['no flows', set('cathode.flows', 0), /\/cathode\/flows: got 0; must be >= 1/],
  // cathode.maxTrainEvents was read by nothing and is gone: a config naming it is refused.
  ['removed dead option', set('cathode.maxTrainEvents', 10000), /\/cathode: unknown property "maxTrainEvents"/],
  ['unknown generator', set('cathode.generator', 'vae'), /\/cathode\/generator: "vae" is not one of "flow", "gan"/],
  ['negative pseudo-experiments', set('lookElsewhere', { pseudoExperiments: -1 }), /\/lookElsewhere\/pseudoExperiments: got -1; must be >= 0/],
  ['unknown top-level key', set('epsilonb' as never, [0.01]), /\(top level\): unknown property "epsilonb"/],
  ['empty preset name', set('preset', ''), /\/preset: got ""; must NOT have fewer than 1 characters/],
];

// Relations the schema cannot state: refused by checkScanConfig, the schema alone passes them.
const CROSS_FIELD_CASES: [string, Edit, RegExp][] = [
  ['m_JJ range reversed', set('template', { generate: { background: 10, signal: 0, seed: 2, mJJRangeTeV: [4.1, 2.9] } }), /template\.generate\.mJJRangeTeV must be \[low, high\] with low < high, got \[4\.1, 2\.9\]/],
  ['a file and generated events at once', set('dataset', { path: 'a.h5', generate: { background: 10, signal: 0, seed: 1 } }), /dataset needs exactly one of "path", "paths" or "generate", got "path" and "generate"/],
  ['onnxPath with another classifier', set('classifier', { kind: 'hgb', options: {}, onnxPath: 'm.onnx' }), /classifier\.onnxPath is given but classifier\.kind is "hgb"/],
  ['δsys key written otherwise than the ε_B', set('deltaSys', { values: { cwola: { '1e-3': 0.1 } } }), /deltaSys\.values\.cwola: write the key "1e-3" as "0\.001"/],
  ['δsys for an ε_B not scanned', set('deltaSys', { values: { cathode: { '0.05': 0.1 } } }), /deltaSys\.values\.cathode: "0\.05" is not a working point of the scan \(epsilonB: 0\.01, 0\.001\)/],
];

const edited = (edit: Edit): ScanConfig => { const c = presetConfig('ci'); edit(c); return c; };

describe('scan configuration: duplicates and impossible values', () => {
  it('the presets pass both checks', () => {
    for (const p of ['default', 'paper', 'ci']) expect(() => validateScanConfig(presetConfig(p), p)).not.toThrow();
  });

  it('the study configurations the docs quote (windows/cathode-study) pass both checks', () => {
    const dir = 'windows/cathode-study';
    const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files).toContain('paper-window5.json');
    for (const f of files) expect(() => validateScanConfig(JSON.parse(readFileSync(`${dir}/${f}`, 'utf8')), f)).not.toThrow();
  });

  it.each(SCHEMA_CASES)('the schema refuses %s', (_what, edit, message) => {
    const cfg = edited(edit);
    expect(() => validateSchema('scan-config', cfg, 'my.json')).toThrow(/my\.json: does not match schema/);
    expect(() => validateScanConfig(cfg, 'my.json')).toThrow(new RegExp(`^my\\.json: .*${message.source}`));
  });

  it.each(CROSS_FIELD_CASES)('checkScanConfig refuses %s (the schema cannot say it)', (_what, edit, message) => {
    const cfg = edited(edit);
    expect(() => validateSchema('scan-config', cfg, 'my.json')).not.toThrow();
    expect(() => checkScanConfig(cfg, 'my.json')).toThrow(new RegExp(`^my\\.json: ${message.source}`));
    expect(() => validateScanConfig(cfg, 'my.json')).toThrow(message);
  });

  it('names the command-line option a bad value came from', () => {
    const cfg = edited(set('epsilonB', [0.01, 0.01]));
    cfg.windows.ids = [5, 5];
    expect(() => validateScanConfig(cfg, 'preset "ci"', { '/epsilonB': '--epsilon-b', '/windows/ids': '--windows' }))
      .toThrow(/^--windows: 5 appears twice \(items 1 and 2\); --epsilon-b: 0\.01 appears twice \(items 1 and 2\)$/);
  });
});

describe('one name per classifier family', () => {
  it('"gbdt", the old spelling of the boosted trees, is read as the model registry\'s "hgb"', () => {
    const cfg = presetConfig('ci');
    (cfg.classifier as { kind: string }).kind = 'gbdt';
    expect(validateScanConfig(cfg).classifier.kind).toBe('hgb');
    expect(presetConfig('default').classifier.kind).toBe('hgb');
  });
  it('summaries take the schema\'s defaults; an inverted spectrum range is refused', () => {
    const cfg = presetConfig('ci');
    cfg.summaries = { spectrumTeV: [4.6, 2.5] };
    expect(() => validateScanConfig(cfg)).toThrow(/summaries\.spectrumTeV must be \[low, high\] with low < high/);
    expect(schemaDefaults('scan-config', '/$defs/summaries')).toEqual({ spectrumTeV: [2.5, 4.6], spectrumBins: 42, bumpHuntFitFromTeV: 2.8, sqrtSTeV: 13, dependenceEvents: 200_000 });
  });
});

describe('model options are checked before any data are read', () => {
  it('an unknown classifier or flow option is refused naming it, before the (missing) data file is opened', async () => {
    const { runScan } = await import('../../lib/scan/scan.js');
    const { checkModelOptions } = await import('../../lib/scan/execute.js');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const cfg = presetConfig('ci');
    expect(() => checkModelOptions(cfg)).not.toThrow();
    cfg.classifier.options = { ...cfg.classifier.options, maxIters: 5 };
    expect(() => checkModelOptions(cfg)).toThrow(/classifier\.options: .*unknown option "maxIters" \(did you mean "maxIter"\?\)/);
    const flow = presetConfig('ci');
    flow.cathode = { ...flow.cathode, flow: { ...flow.cathode.flow, epoch: 3 } };
    expect(() => checkModelOptions(flow)).toThrow(/unknown option "epoch"/);
    const gan = presetConfig('ci');
    gan.cathode = { ...gan.cathode, generator: 'gan', gan: { epochz: 3 } };
    expect(() => checkModelOptions(gan)).toThrow(/cathode\.gan: unknown option "epochz"/);
    const dir = mkdtempSync(join(tmpdir(), 'sw-opts-'));
    try {
      cfg.dataset = { path: join(dir, 'does-not-exist.h5') };
      await expect(runScan(cfg, { outDir: dir, cacheDir: join(dir, 'cache') })).rejects.toThrow(/maxIters/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('ensembleByMethod', () => {
  it('overrides ensemble for the named methods only; an unknown method is refused', async () => {
    const { ensembleOf } = await import('../../lib/scan/config.js');
    const cfg = presetConfig('default');
    cfg.ensembleByMethod = { cathode: 1 };
    const ok = validateScanConfig(cfg);
    expect([ensembleOf(ok, 'iad'), ensembleOf(ok, 'cwola'), ensembleOf(ok, 'cathode')]).toEqual([5, 5, 1]);
    const bad = presetConfig('default');
    (bad as unknown as { ensembleByMethod: Record<string, number> }).ensembleByMethod = { cathod: 1 };
    expect(() => validateScanConfig(bad)).toThrow(/ensembleByMethod/);
  });
});
