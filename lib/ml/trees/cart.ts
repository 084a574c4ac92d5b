/**
 * Exact CART trees (Gini) from `ml-cart`, as a classifier kind 'cart': a single tree, or a bagged
 * forest of bootstrap trees. ml-cart's `predict` gives hard labels; we read each leaf's class
 * fractions (its `distribution`) instead, so predictProba is P(label 1) = the class-1 fraction of
 * the event's leaf (averaged over bagged trees).
 *
 * ml-cart's split search is ≈ O(n²) per node: use it on small data (≲ 5k rows) and for
 * cross-checks of the histogram trees, never on full SR samples.
 *
 * Weights: ml-cart has none. A single tree takes class weights by reweighting its leaf fractions,
 * p = c₁f₁ / (c₁f₁ + c₀f₀) (the splits stay unweighted), and refuses non-uniform sample weights;
 * bagged trees draw their bootstrap samples with probability ∝ sampleWeight × class weight.
 */
import { DecisionTreeClassifier } from 'ml-cart';
import type { Matrix } from '../matrix.js';
import {
  type Classifier,
  type FitOptions,
  type FittedClassifier,
  type Labels,
  type ModelDocument,
  MODEL_DOC_VERSION,
  checkFitInputs,
  checkPredictInputs,
  checkModelDocument,
  modelHeader,
  effectiveWeights,
  registerModelKind,
} from '../classifier.js';
import { createRng } from '../../util/rng.js';
import { ConfigError, ShapeError } from '../../util/errors.js';
import { defaultsOf, resolveOptions, type OptionTable } from '../../util/options.js';

export interface CartOptions {
  /** Number of trees: 1 = a single tree on all rows, > 1 = bagging. */
  trees: number;
  /** Depth limit (null = none). */
  maxDepth: number | null;
  /** A node with ≤ this many rows becomes a leaf (ml-cart `minNumSamples`). */
  minNumSamples: number;
  /** Minimum Gini gain to split (ml-cart `gainThreshold`). */
  gainThreshold: number;
  /** Bootstrap sample size as a fraction of the rows (bagging only). */
  maxSamples: number;
}

/** Declared constraints, defaults and meaning of every option (checked by `resolveOptions`). */
export const CART_OPTIONS: OptionTable<CartOptions> = Object.freeze({
  trees: { type: 'integer', min: 1, default: 1, description: 'Number of trees: 1 = a single tree on all rows, > 1 = bagging.' },
  maxDepth: { type: 'integer', min: 1, nullable: true, default: null, description: 'Depth limit (null = none).' },
  minNumSamples: { type: 'integer', min: 1, default: 3, description: 'A node with ≤ this many rows becomes a leaf (ml-cart `minNumSamples`).' },
  gainThreshold: { type: 'number', min: 0, default: 0.01, description: 'Minimum Gini gain to split (ml-cart `gainThreshold`).' },
  maxSamples: { type: 'number', min: 0, max: 1, exclusiveMin: true, default: 1, description: 'Bootstrap sample size as a fraction of the rows (bagging only).' },
});

export const CART_DEFAULTS: Readonly<CartOptions> = defaultsOf(CART_OPTIONS);

/** One CART tree, flat: internal node goes left when x[feature] < threshold; leaves hold P(label 1). */
export interface CartTree {
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  /** Class-1 and class-0 fractions of each leaf's training rows. */
  frac1: Float64Array;
  frac0: Float64Array;
}

function resolveCartOptions(options: Record<string, unknown> = {}): CartOptions {
  return resolveOptions('CartClassifier', CART_OPTIONS, options);
}

interface MlCartNode {
  left?: MlCartNode;
  right?: MlCartNode;
  splitColumn?: number;
  splitValue?: number;
  distribution?: { columns: number; get(r: number, c: number): number };
}

/** Flatten an ml-cart tree (pre-order), reading the leaves' class fractions. */
function flatten(root: MlCartNode): CartTree {
  const feature: number[] = [], threshold: number[] = [], left: number[] = [], right: number[] = [], f1: number[] = [], f0: number[] = [];
  const visit = (n: MlCartNode): number => {
    const id = feature.length;
    feature.push(-1); threshold.push(0); left.push(-1); right.push(-1); f1.push(0); f0.push(0);
    if (n.left && n.right) {
      feature[id] = n.splitColumn!;
      threshold[id] = n.splitValue!;
      left[id] = visit(n.left);
      right[id] = visit(n.right);
    } else {
      const d = n.distribution!;
      f0[id] = d.get(0, 0);
      f1[id] = d.columns > 1 ? d.get(0, 1) : 0;
    }
    return id;
  };
  visit(root);
  return {
    feature: Int32Array.from(feature), threshold: Float64Array.from(threshold), left: Int32Array.from(left), right: Int32Array.from(right),
    frac1: Float64Array.from(f1), frac0: Float64Array.from(f0),
  };
}

const toRows = (X: Matrix, idx?: ArrayLike<number>): number[][] =>
  Array.from({ length: idx ? idx.length : X.rows }, (_, k) => {
    const i = idx ? idx[k] : k;
    return Array.from(X.data.subarray(i * X.cols, (i + 1) * X.cols));
  });

/** CART classifier (ml-cart), single or bagged. */
export class CartClassifier implements Classifier<CartOptions> {
  readonly kind = 'cart';
  readonly options: Readonly<CartOptions>;

  constructor(options: Partial<CartOptions> = {}) {
    this.options = Object.freeze(resolveCartOptions(options));
  }

  fit(X: Matrix, y: Labels, opts: FitOptions): FittedCart {
    checkFitInputs('CartClassifier.fit', X, y, opts);
    const o = this.options;
    const mlOpts = { gainFunction: 'gini' as const, splitFunction: 'mean' as const, minNumSamples: o.minNumSamples, maxDepth: o.maxDepth ?? Infinity, gainThreshold: o.gainThreshold };
    const trees: CartTree[] = [];
    let classScale: [number, number] = [1, 1];
    if (o.trees === 1) {
      if (opts.sampleWeight && opts.sampleWeight.some((w) => w !== opts.sampleWeight![0]))
        throw new ConfigError('CartClassifier.fit: a single ml-cart tree cannot use per-event sampleWeight; use trees > 1 (weighted bootstrap)');
      if (opts.classWeight === 'balanced') {
        const w = effectiveWeights(y, { classWeight: 'balanced' });
        const i1 = y.indexOf(1), i0 = y.indexOf(0);
        classScale = [w[i0], w[i1]];
      }
      const t = new DecisionTreeClassifier(mlOpts);
      t.train(toRows(X), Array.from(y));
      trees.push(flatten((t as unknown as { root: MlCartNode }).root));
    } else {
      const w = effectiveWeights(y, opts);
      const cum = new Float64Array(w.length);
      let s = 0;
      for (let i = 0; i < w.length; i++) cum[i] = s += w[i];
      const m = Math.max(2, Math.round(o.maxSamples * X.rows));
      const rng = createRng(opts.seed);
      for (let b = 0; b < o.trees; b++) {
        const r = rng.fork(`bag:${b}`);
        const idx = new Uint32Array(m);
        for (let k = 0; k < m; k++) {
          // Weighted draw by binary search in the cumulative weights.
          const u = r.uniform() * s;
          let lo = 0, hi = w.length - 1;
          while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            if (cum[mid] > u) hi = mid;
            else lo = mid + 1;
          }
          idx[k] = lo;
        }
        const t = new DecisionTreeClassifier(mlOpts);
        t.train(toRows(X, idx), Array.from(idx, (i) => y[i]));
        trees.push(flatten((t as unknown as { root: MlCartNode }).root));
        opts.reporter?.progress('cart trees', b + 1, o.trees);
      }
    }
    return new FittedCart(o, X.cols, trees, classScale);
  }
}

/** A fitted CART model (one tree or a bagged forest). */
export class FittedCart implements FittedClassifier {
  readonly kind = 'cart';
  constructor(
    readonly options: Readonly<CartOptions>,
    readonly nFeatures: number,
    readonly trees: readonly CartTree[],
    /** Class weights (c₀, c₁) folded into the leaf probability (single tree, balanced). */
    readonly classScale: readonly [number, number],
  ) {}

  predictProba(X: Matrix): Float64Array {
    checkPredictInputs('CartClassifier.predict', X, this.nFeatures);
    const out = new Float64Array(X.rows);
    const [c0, c1] = this.classScale;
    for (let i = 0; i < X.rows; i++) {
      const o = i * X.cols;
      let s = 0;
      for (const t of this.trees) {
        let n = 0;
        while (t.feature[n] >= 0) n = X.data[o + t.feature[n]] < t.threshold[n] ? t.left[n] : t.right[n];
        const a = c1 * t.frac1[n], b = c0 * t.frac0[n];
        s += a + b > 0 ? a / (a + b) : 0;
      }
      out[i] = s / this.trees.length;
    }
    return out;
  }

  toJSON(): ModelDocument {
    return {
      ...modelHeader('cart'),
      options: { ...this.options }, nFeatures: this.nFeatures, classScale: [...this.classScale],
      trees: this.trees.map((t) => ({
        feature: Array.from(t.feature), threshold: Array.from(t.threshold), left: Array.from(t.left), right: Array.from(t.right),
        frac1: Array.from(t.frac1), frac0: Array.from(t.frac0),
      })),
    };
  }

  static fromJSON(doc: unknown): FittedCart {
    const d = checkModelDocument(doc, 'FittedCart.fromJSON', { kind: 'cart', versions: [MODEL_DOC_VERSION], keys: ['nFeatures', 'classScale', 'trees'] });
    const trees = (d.trees as Record<string, number[]>[]).map((t) => ({
      feature: Int32Array.from(t.feature), threshold: Float64Array.from(t.threshold), left: Int32Array.from(t.left), right: Int32Array.from(t.right),
      frac1: Float64Array.from(t.frac1), frac0: Float64Array.from(t.frac0),
    }));
    return new FittedCart(resolveCartOptions(d.options), d.nFeatures as number, trees, d.classScale as [number, number]);
  }
}

registerModelKind({
  kind: 'cart',
  module: import.meta.url,
  create: (options) => new CartClassifier(options as Partial<CartOptions>),
  load: (doc) => FittedCart.fromJSON(doc),
});
