/**
 * Ensembles: M members of one model kind, trained with seeds derived by label from the fit seed
 * (so member m is the same model whatever else runs), scored by the average of their
 * probabilities (the anchor analysis averages 50 boosted-tree members). An ensemble is itself a
 * classifier (kind 'ensemble') and persists as the list of its members' documents.
 */
import type { Matrix } from './matrix.js';
import {
  type Classifier,
  type FitOptions,
  type FittedClassifier,
  type Labels,
  type ModelDocument,
  MODEL_DOC_VERSION,
  checkFitInputs,
  checkModelDocument,
  createClassifier,
  loadModel,
  modelKind,
  modelHeader,
  modelModules,
  registerModelKind,
} from './classifier.js';
import { createRng } from '../util/rng.js';
import { defaultsOf, resolveOptions, type OptionTable } from '../util/options.js';
import { ConfigError, InputError, ShapeError } from '../util/errors.js';

export interface EnsembleOptions {
  /** Number of members (default 10). */
  members: number;
  /** Kind of every member (a registered model kind, default 'hgb'). */
  base: string;
  /** Options of every member. */
  baseOptions: Record<string, unknown>;
}

/** Declared constraints, defaults and meaning of every option (checked by `resolveOptions`). */
export const ENSEMBLE_OPTIONS: OptionTable<EnsembleOptions> = Object.freeze({
  members: { type: 'integer', min: 1, default: 10, description: 'Number of members.' },
  base: { type: 'string', default: 'hgb', description: "Kind of every member (a registered model kind other than 'ensemble')." },
  baseOptions: { type: 'object', default: Object.freeze({}), description: 'Options of every member (checked by the base kind).' },
});

export const ENSEMBLE_DEFAULTS: Readonly<EnsembleOptions> = defaultsOf(ENSEMBLE_OPTIONS);

/** Seed of member m of an ensemble fitted with `seed`. */
export const memberSeed = (seed: number, m: number): number => createRng(seed).fork(`ensemble/member:${m}`).nextUint32();

/** An ensemble of same-kind members, averaged. */
export class EnsembleClassifier implements Classifier<EnsembleOptions> {
  readonly kind = 'ensemble';
  readonly options: Readonly<EnsembleOptions>;

  constructor(options: Partial<EnsembleOptions> = {}) {
    const o = resolveOptions('EnsembleClassifier', ENSEMBLE_OPTIONS, options);
    if (o.base === 'ensemble') throw new ConfigError('EnsembleClassifier: base must not be "ensemble"');
    modelKind(o.base);
    this.options = o;
  }

  async fit(X: Matrix, y: Labels, opts: FitOptions): Promise<FittedEnsemble> {
    checkFitInputs('EnsembleClassifier.fit', X, y, opts);
    const members: FittedClassifier[] = [];
    for (let m = 0; m < this.options.members; m++) {
      const clf = createClassifier(this.options.base, this.options.baseOptions);
      members.push(await clf.fit(X, y, { ...opts, seed: memberSeed(opts.seed, m) }));
      opts.reporter?.progress('ensemble members', m + 1, this.options.members);
    }
    return new FittedEnsemble(this.options, members);
  }
}

/** A fitted ensemble: predictProba is the mean of the members' probabilities (member order). */
export class FittedEnsemble implements FittedClassifier {
  readonly kind = 'ensemble';
  readonly nFeatures: number | undefined;

  constructor(
    readonly options: Readonly<EnsembleOptions>,
    readonly members: readonly FittedClassifier[],
  ) {
    if (members.length === 0) throw new ConfigError('FittedEnsemble: needs at least one member');
    this.nFeatures = members[0].nFeatures;
    for (const m of members)
      if (m.nFeatures !== undefined && this.nFeatures !== undefined && m.nFeatures !== this.nFeatures)
        throw new ShapeError(`FittedEnsemble: members take ${m.nFeatures} and ${this.nFeatures} features`);
  }

  predictProba(X: Matrix): Float64Array {
    const out = new Float64Array(X.rows);
    for (const m of this.members) {
      const p = m.predictProba(X);
      for (let i = 0; i < out.length; i++) out[i] += p[i];
    }
    for (let i = 0; i < out.length; i++) out[i] /= this.members.length;
    return out;
  }

  toJSON(): ModelDocument {
    return {
      ...modelHeader('ensemble'),
      options: { ...this.options },
      members: this.members.map((m) => m.toJSON()),
    };
  }

  static fromJSON(doc: unknown): FittedEnsemble {
    const d = checkModelDocument(doc, 'FittedEnsemble.fromJSON', { kind: 'ensemble', versions: [MODEL_DOC_VERSION], keys: ['members'] });
    if (!Array.isArray(d.members)) throw new InputError('FittedEnsemble.fromJSON: "members" must be an array of model documents');
    return new FittedEnsemble(resolveOptions('FittedEnsemble.fromJSON', ENSEMBLE_OPTIONS, d.options), d.members.map((m) => loadModel(m)));
  }
}

registerModelKind({
  kind: 'ensemble',
  module: import.meta.url,
  create: (options) => new EnsembleClassifier(options as Partial<EnsembleOptions>),
  load: (doc) => FittedEnsemble.fromJSON(doc),
  dependencies: (options) => modelModules(String(options.base ?? ENSEMBLE_DEFAULTS.base), (options.baseOptions as Record<string, unknown>) ?? {}),
});
