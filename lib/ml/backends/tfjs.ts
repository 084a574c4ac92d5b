/**
 * The MLP training loop on a tfjs module (tfjs-node-gpu when it loads; any tfjs API works, which is
 * how the tests exercise it with the pure-JS @tensorflow/tfjs). Same initialisation, shuffling,
 * loss, Adam(W) and epoch ensemble as ../nn/train.ts, so both backends give the same model up to
 * float rounding; the result is the same snapshot format, so the fitted model is backend-free.
 */
import type * as TF from '@tensorflow/tfjs';
import type { Rng } from '../../util/rng.js';
import type { Reporter } from '../../util/reporter.js';
import { MlpNetwork } from '../nn/network.js';
import { bceWithLogitsInto } from '../nn/loss.js';
import type { EpochSnapshot, TrainResult, TrainSettings } from '../nn/train.js';
import type { PreparedSet } from '../nn/gradient.js';
import { BestEpochs } from '../epochEnsemble.js';

/** The part of the tfjs API used here. */
export type TfLike = Pick<typeof TF, 'tensor1d' | 'tensor2d' | 'variable' | 'train' | 'tidy' | 'relu' | 'matMul' | 'add' | 'sub' | 'mul' | 'mean' | 'log1p' | 'exp' | 'abs' | 'neg' | 'scalar' | 'dispose'>;

export async function trainNetworkTfjs(tf: TfLike, train: PreparedSet, val: PreparedSet | null, st: TrainSettings, rng: Rng, reporter: Reporter): Promise<TrainResult> {
  const s = st.sizes, L = s.length - 1, d = train.cols;
  // Initialise exactly as the kernel backend does, then copy into tfjs variables.
  const host = new MlpNetwork(s, 1, { backend: 'js' });
  host.initialise(rng.fork('init'));
  const W = host.W.map((w, l) => tf.variable(tf.tensor2d(w, [s[l], s[l + 1]])));
  const b = host.b.map((v) => tf.variable(tf.tensor1d(v)));
  const vars = [...W, ...b];
  const opt = tf.train.adam(st.learningRate, st.beta1, st.beta2, st.epsilon);
  const logits = (x: TF.Tensor2D): TF.Tensor2D => {
    let h = x;
    for (let l = 0; l < L; l++) {
      const z = tf.add(tf.matMul(h, W[l]), b[l]) as TF.Tensor2D;
      h = l + 1 < L ? tf.relu(z) : z;
    }
    return h;
  };
  const xb = new Float32Array(st.batchSize * d), yb = new Float32Array(st.batchSize), wb = new Float32Array(st.batchSize);
  const kept = new BestEpochs<EpochSnapshot>(st.ensembleEpochs);
  const trainLoss: number[] = [], valLoss: number[] = [];
  try {
    for (let epoch = 0; epoch < st.epochs; epoch++) {
      const perm = rng.fork(`epoch:${epoch}`).permutation(train.rows);
      let epochLoss = 0;
      for (let start = 0; start < train.rows; start += st.batchSize) {
        const B = Math.min(st.batchSize, train.rows - start);
        for (let r = 0; r < B; r++) {
          const i = perm[start + r];
          xb.set(train.x.subarray(i * d, (i + 1) * d), r * d);
          yb[r] = train.y[i];
          wb[r] = train.w ? train.w[i] : 1;
        }
        if (st.weightDecay > 0) {
          // Decoupled decay w ← w − lr·λ·w before the Adam step equals the kernels' AdamW update.
          const f = 1 - st.learningRate * st.weightDecay;
          tf.tidy(() => { for (const v of vars) v.assign(tf.mul(v, f)); });
        }
        const lossT = opt.minimize(() => tf.tidy(() => {
          const x = tf.tensor2d(xb.subarray(0, B * d), [B, d]);
          const y = tf.tensor2d(yb.subarray(0, B), [B, 1]);
          const w = tf.tensor2d(wb.subarray(0, B), [B, 1]);
          const z = logits(x);
          // softplus(z) − y·z in the stable form relu(z) − y·z + log1p(e^{−|z|}).
          const l = tf.add(tf.sub(tf.relu(z), tf.mul(y, z)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))));
          return tf.mean(tf.mul(w, l)) as TF.Scalar;
        }), true, vars);
        epochLoss += B * (lossT as TF.Scalar).dataSync()[0];
        tf.dispose(lossT as TF.Scalar);
      }
      trainLoss.push(epochLoss / train.rows);
      const params = flatten(host, W, b);
      let vl = trainLoss[epoch];
      if (val) {
        let sum = 0, wsum = 0;
        for (let start = 0; start < val.rows; start += 4096) {
          const B = Math.min(4096, val.rows - start);
          const z = tf.tidy(() => logits(tf.tensor2d(val.x.subarray(start * d, (start + B) * d), [B, d])));
          const w = val.w ? val.w.subarray(start, start + B) : null;
          sum += bceWithLogitsInto(null, z.dataSync(), val.y.subarray(start, start + B), w, B, 1);
          tf.dispose(z);
          if (w) for (let i = 0; i < B; i++) wsum += w[i];
          else wsum += B;
        }
        vl = sum / wsum;
      }
      valLoss.push(vl);
      kept.offer(vl, () => ({ epoch, valLoss: vl, params }));
      reporter.progress('epochs', epoch + 1, st.epochs);
      reporter.log('debug', `mlp[tfjs] epoch ${epoch + 1}/${st.epochs}: train loss ${trainLoss[epoch].toFixed(5)}, validation loss ${vl.toFixed(5)}`);
    }
  } finally {
    tf.dispose(vars);
    (opt as unknown as { dispose?: () => void }).dispose?.();
  }
  return { snapshots: kept.best(), trainLoss, valLoss };
}

/** Current tfjs variables in the kernels' flat parameter layout. */
function flatten(host: MlpNetwork, W: TF.Variable[], b: TF.Variable[]): Float32Array {
  const out = new Float32Array(host.layout.nParams);
  for (let l = 0; l < W.length; l++) {
    out.set(W[l].dataSync() as Float32Array, host.layout.wOffset[l]);
    out.set(b[l].dataSync() as Float32Array, host.layout.bOffset[l]);
  }
  return out;
}
