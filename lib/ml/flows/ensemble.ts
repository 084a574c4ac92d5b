/**
 * Ensembles of independently trained flows (CATHODE's "several runs"): an equal-weight mixture —
 * samples pooled with an equal share per flow, densities averaged.
 */
import { takeRows, type Matrix } from '../matrix.js';
import type { Rng } from '../../util/rng.js';
import { createRng } from '../../util/rng.js';
import { InputError, ShapeError } from '../../util/errors.js';
import { checkModelDocument, modelHeader } from '../modelDocument.js';
import {
  FittedFlow, loadFlow, addSampleChecks, FLOW_DOC_VERSION, FLOW_DOC_READABLE, type FlowDocument, type CheckedSample, type SampleCheck,
} from './fittedFlow.js';
import { fitConditionalFlow } from './fit.js';
import type { FitFlowOptions } from './options.js';

/** Anything that is a conditional density p(x | m) with sampling: a flow or an ensemble. */
export interface ConditionalDensity {
  readonly dims: number;
  logProb(x: Matrix, m: Float64Array): Float64Array;
  sample(m: Float64Array, rng: Rng): Matrix<Float64Array>;
  /**
   * Sampling with a boundary check (flows): only finite events inside the training range, invalid
   * draws redrawn (see FittedFlow.sampleChecked), with counts. Generators without it are checked by
   * their callers.
   */
  sampleChecked?(m: Float64Array, rng: Rng): CheckedSample;
}

/** Persisted ensemble document. */
export interface FlowEnsembleDocument {
  schema: 'sidewinder/model';
  version: number;
  writer: string;
  kind: 'conditional-maf-ensemble';
  options: Record<string, unknown>;
  flows: FlowDocument[];
}

/** Equal-weight mixture of independently trained flows. */
export class FlowEnsemble implements ConditionalDensity {
  readonly kind = 'conditional-maf-ensemble';
  readonly flows: readonly FittedFlow[];

  constructor(flows: readonly FittedFlow[]) {
    if (flows.length === 0) throw new InputError('FlowEnsemble: needs at least one flow');
    const d = flows[0].dims;
    flows.forEach((f, i) => { if (f.dims !== d) throw new ShapeError(`FlowEnsemble: flow ${i} models ${f.dims} features, flow 0 models ${d}`); });
    this.flows = Object.freeze([...flows]);
  }

  /**
   * Train `size` flows with seeds derived from opts.seed (fork `flow:k`), one after another (each
   * uses opts.threads threads). With `partitions` P > 1 the events are split at random (fork
   * `partitions`) into P disjoint parts of equal size and flow k trains on part k mod P only: flows of
   * different parts share no training event, so their statistical errors are independent.
   */
  static async fit(x: Matrix, m: Float64Array, opts: FitFlowOptions & { size: number; partitions?: number }): Promise<FlowEnsemble> {
    const { size, partitions = 1, ...rest } = opts;
    if (!Number.isInteger(size) || size < 1) throw new InputError(`FlowEnsemble.fit: size must be an integer ≥ 1, got ${String(size)}`);
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > size)
      throw new InputError(`FlowEnsemble.fit: partitions must be an integer from 1 to size (${size}), got ${String(partitions)}`);
    const root = createRng(opts.seed);
    const parts = partitions === 1 ? [{ x, m }] : disjointParts(x, m, partitions, root.fork('partitions'));
    const flows: FittedFlow[] = [];
    for (let k = 0; k < size; k++) flows.push(await fitConditionalFlow(parts[k % partitions].x, parts[k % partitions].m, { ...rest, seed: root.fork(`flow:${k}`).nextUint32() }));
    return new FlowEnsemble(flows);
  }

  get dims(): number {
    return this.flows[0].dims;
  }

  /** log of the mean density over the flows (−Infinity outside every flow's support). */
  logProb(x: Matrix, m: Float64Array): Float64Array {
    const per = this.flows.map((f) => f.logProb(x, m));
    const out = new Float64Array(x.rows);
    const logK = Math.log(per.length);
    for (let i = 0; i < x.rows; i++) {
      let mx = -Infinity;
      for (const p of per) if (p[i] > mx) mx = p[i];
      if (mx === -Infinity) { out[i] = -Infinity; continue; }
      let s = 0;
      for (const p of per) s += Math.exp(p[i] - mx);
      out[i] = mx + Math.log(s) - logK;
    }
    return out;
  }

  /** One sample per mass (checked, see {@link FlowEnsemble.sampleChecked}). */
  sample(m: Float64Array, rng: Rng): Matrix<Float64Array> {
    return this.sampleChecked(m, rng).x;
  }

  /** Checked sampling: flow k draws rows [⌊kn/K⌋, ⌊(k+1)n/K⌋) with rng.fork(`flow:k`) (FittedFlow.sampleChecked); counts summed. */
  sampleChecked(m: Float64Array, rng: Rng): CheckedSample {
    const n = m.length, D = this.dims, K = this.flows.length;
    const parts: CheckedSample[] = [];
    for (let k = 0; k < K; k++) {
      const a = Math.floor((k * n) / K), b = Math.floor(((k + 1) * n) / K);
      parts.push(this.flows[k].sampleChecked(m.subarray(a, b), rng.fork(`flow:${k}`)));
    }
    const rowsPerFlow = parts.map((p) => p.x.rows);
    const rows = rowsPerFlow.reduce((t, r) => t + r, 0);
    const x = new Float64Array(rows * D), mm = new Float64Array(rows);
    let at = 0;
    let check: SampleCheck = { requested: 0, nonFinite: 0, outOfRange: 0, redrawn: 0, dropped: 0 };
    for (const p of parts) {
      x.set(p.x.data, at * D);
      mm.set(p.m, at);
      at += p.x.rows;
      check = addSampleChecks(check, p.check);
    }
    return { x: { data: x, rows, cols: D }, m: mm, check, rowsPerFlow };
  }

  /** Base-space noise z (n × D) → events, rows shared between the flows as in {@link FlowEnsemble.sample}. */
  sampleFromNoise(z: ArrayLike<number>, m: Float64Array): Matrix<Float64Array> {
    const D = this.dims;
    if (z.length !== m.length * D) throw new ShapeError(`FlowEnsemble.sampleFromNoise: z holds ${z.length} values, expected ${m.length} rows × ${D}`);
    const zs = Float32Array.from(z);
    return this.byFlow(m, (f, _k, a, b) => f.sampleFromNoise(zs.subarray(a * D, b * D), m.subarray(a, b)));
  }

  private byFlow(m: Float64Array, part: (f: FittedFlow, k: number, a: number, b: number) => Matrix<Float64Array>): Matrix<Float64Array> {
    const n = m.length, D = this.dims, K = this.flows.length;
    const out = new Float64Array(n * D);
    for (let k = 0; k < K; k++) {
      const a = Math.floor((k * n) / K), b = Math.floor(((k + 1) * n) / K);
      out.set(part(this.flows[k], k, a, b).data, a * D);
    }
    return { data: out, rows: n, cols: D };
  }

  toJSON(): FlowEnsembleDocument {
    return {
      ...modelHeader('conditional-maf-ensemble', FLOW_DOC_VERSION),
      options: { size: this.flows.length }, flows: this.flows.map((f) => f.toJSON()),
    };
  }
}

/** The events split at random into `n` disjoint parts whose sizes differ by at most one (rows keep their order). */
export function disjointParts<T extends Float32Array | Float64Array>(x: Matrix<T>, m: Float64Array, n: number, rng: Rng): { x: Matrix<T>; m: Float64Array }[] {
  const part = new Uint8Array(x.rows);
  const perm = rng.permutation(x.rows);
  for (let j = 0; j < perm.length; j++) part[perm[j]] = j % n;
  const rowsOf = Array.from({ length: n }, () => [] as number[]);
  for (let i = 0; i < part.length; i++) rowsOf[part[i]].push(i);
  return rowsOf.map((idx) => ({ x: takeRows(x, idx), m: Float64Array.from(idx, (i) => m[i]) }));
}

/** Rebuild an ensemble from `FlowEnsemble.toJSON()` output. */
export function loadFlowEnsemble(doc: unknown): FlowEnsemble {
  const d = checkModelDocument(doc, 'loadFlowEnsemble', { kind: 'conditional-maf-ensemble', versions: FLOW_DOC_READABLE, keys: ['flows'] });
  if (!Array.isArray(d.flows)) throw new InputError('loadFlowEnsemble: "flows" must be an array of flow documents');
  return new FlowEnsemble(d.flows.map((f: unknown) => loadFlow(f)));
}
