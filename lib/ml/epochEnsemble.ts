/**
 * The epoch ensemble (CATHODE's "keep the best epochs"): after every epoch the model is offered with
 * its selection loss, and the `size` epochs with the lowest loss are kept — the MLP classifier
 * (validation loss), the conditional flow (validation negative log-likelihood) and the GAN (minus
 * its model-selection score) all keep their snapshots here. Predictions or samples then average or
 * share over the kept epochs (sk_cathode's `ensembling_utils`).
 *
 * Ranking: lower loss first; on ties the epoch offered earlier first; a NaN loss ranks last
 * (a diverged epoch is never preferred to a finite one).
 *
 * @example
 * const best = new BestEpochs<Float32Array>(10);
 * for (let epoch = 0; epoch < 100; epoch++) { train(); best.offer(validationLoss(), () => params.slice()); }
 * const snapshots = best.best(); // lowest validation loss first
 */
import { ConfigError } from '../util/errors.js';

export class BestEpochs<T> {
  private readonly kept: { readonly key: number; readonly item: T }[] = [];

  /** @param size epochs to keep (an integer ≥ 1) */
  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new ConfigError(`BestEpochs: size must be an integer ≥ 1, got ${JSON.stringify(size)}`);
  }

  /**
   * Offer an epoch with selection loss `loss` (lower is better). `snapshot` is called — and its
   * result kept — only when the epoch ranks among the best `size` so far. Returns whether it did.
   */
  offer(loss: number, snapshot: () => T): boolean {
    const key = Number.isNaN(loss) ? Infinity : loss;
    let i = this.kept.length;
    while (i > 0 && this.kept[i - 1].key > key) i--;
    if (i >= this.size) return false;
    this.kept.splice(i, 0, { key, item: snapshot() });
    if (this.kept.length > this.size) this.kept.pop();
    return true;
  }

  /** Number of epochs kept so far. */
  get length(): number {
    return this.kept.length;
  }

  /** The kept snapshots, best (lowest loss) first. */
  best(): T[] {
    return this.kept.map((e) => e.item);
  }
}
