/**
 * Training of the CATHODE conditional MAF: `fitConditionalFlow(x, m, opts)`.
 */
import type { Matrix } from '../matrix.js';
import { takeRows } from '../matrix.js';
import { adamStepInto } from '../kernels/index.js';
import { createRng } from '../../util/rng.js';
import { InputError, ShapeError } from '../../util/errors.js';
import { silent } from '../../util/reporter.js';
import { MafLayout, AFFINE_MAX_LOG_SCALE, batchNormBulkSds, initParams, initBatchNormStats, maskedIndices, zeroAtInto, type MafShape } from './maf.js';
import { MafEngine } from './engine.js';
import { fitPreprocessing, preprocess, type Preprocessed } from './preprocess.js';
import { resolveFlowOptions, type FitFlowOptions, type FlowTrainingOptions } from './options.js';
import { FittedFlow, type FlowMember } from './fittedFlow.js';
import { createStepRunner, type StepRunner } from './parallel.js';
import { BestEpochs } from '../epochEnsemble.js';

const ADAM_BETA1 = 0.9, ADAM_BETA2 = 0.999, ADAM_EPS = 1e-8;

function checkInputs(where: string, x: Matrix, m: Float64Array): void {
  if (!x || typeof x.rows !== 'number' || !x.data) throw new InputError(`${where}: x must be a Matrix { data, rows, cols }`);
  if (!(m instanceof Float64Array)) throw new InputError(`${where}: m must be a Float64Array of m_JJ values`);
  if (m.length !== x.rows) throw new ShapeError(`${where}: m has ${m.length} entries, x has ${x.rows} rows`);
}

/** Copy an array into a SharedArrayBuffer-backed one (worker threads read the same memory). */
function shared<T extends Float32Array>(a: T): Float32Array {
  const out = new Float32Array(new SharedArrayBuffer(a.byteLength));
  out.set(a);
  return out;
}

/**
 * Validation events whose log-likelihood may be non-finite before the fit counts as diverged. Why: a
 * validation event a little beyond every training event (its logit at a bound of the training range)
 * can overflow the float32 forward pass, as one of 36598 did in a 183k-event fit (docs/benchmarks.md,
 * template bias with no δsys); a diverged flow makes every event non-finite.
 */
export const MAX_NON_FINITE_VALIDATION = 1e-3;

/** Mean −log p over the events whose log p is finite, and how many were not. */
export function meanValidationLoss(logP: Float64Array): { loss: number; nonFinite: number } {
  let sum = 0, nonFinite = 0;
  for (let i = 0; i < logP.length; i++) {
    if (Number.isFinite(logP[i])) sum -= logP[i];
    else nonFinite++;
  }
  return { loss: nonFinite === logP.length ? NaN : sum / (logP.length - nonFinite), nonFinite };
}

/**
 * Fit a conditional MAF density p(x | m) on (sideband) events x with condition m = m_JJ (with
 * `transform: 'rq-spline'`, a rational-quadratic neural spline flow of the same structure).
 * Keeps the `keepBestEpochs` epochs with the lowest validation loss; the result samples an equal
 * share from each.
 *
 * @example
 * const flow = await fitConditionalFlow(sidebandX, sidebandMJJ, { preset: 'default', seed: 1 });
 * const template = flow.sample(srMasses, createRng(2));
 */
export async function fitConditionalFlow(x: Matrix, m: Float64Array, opts: FitFlowOptions): Promise<FittedFlow> {
  const o: FlowTrainingOptions = resolveFlowOptions(opts);
  checkInputs('fitConditionalFlow', x, m);
  const reporter = opts.reporter ?? silent;
  const root = createRng(opts.seed);
  // Seeded subsample, then a seeded train/validation split (or the given validation set).
  let rows: Uint32Array = Uint32Array.from({ length: x.rows }, (_, i) => i);
  if (o.maxEvents !== null && x.rows > o.maxEvents) rows = root.fork('subsample').permutation(x.rows).slice(0, o.maxEvents);
  let trainRows = rows, valX: Matrix, valM: Float64Array;
  if (opts.xVal || opts.mVal) {
    if (!opts.xVal || !opts.mVal) throw new InputError('fitConditionalFlow: give both xVal and mVal, or neither');
    checkInputs('fitConditionalFlow (validation)', opts.xVal, opts.mVal);
    if (opts.xVal.cols !== x.cols) throw new ShapeError(`fitConditionalFlow: xVal has ${opts.xVal.cols} columns, x has ${x.cols}`);
    valX = opts.xVal;
    valM = opts.mVal;
  } else {
    const perm = root.fork('validation-split').permutation(rows.length);
    const nVal = Math.max(1, Math.round(o.validationFraction * rows.length));
    const valRows = Uint32Array.from(perm.subarray(0, nVal), (p) => rows[p]);
    trainRows = Uint32Array.from(perm.subarray(nVal), (p) => rows[p]);
    valX = takeRows(x, valRows);
    valM = Float64Array.from(valRows, (i) => m[i]);
  }
  const trainX = takeRows(x, trainRows);
  const trainM = Float64Array.from(trainRows, (i) => m[i]);
  const prep = fitPreprocessing(trainX, trainM, o.featureTransform);
  const tr: Preprocessed = preprocess(prep, trainX, trainM);
  const va: Preprocessed = preprocess(prep, valX, valM);
  if (tr.dropped || va.dropped)
    reporter.log('info', `flow: dropped ${tr.dropped} training and ${va.dropped} validation events outside the training range`, { droppedTrain: tr.dropped, droppedValidation: va.dropped });
  const nTrain = tr.kept.length, nVal = va.kept.length;
  if (nTrain < 2) throw new InputError(`fitConditionalFlow: only ${nTrain} training events after preprocessing`);
  if (nVal < 1) throw new InputError('fitConditionalFlow: no validation events inside the training range');

  const shape: MafShape = {
    dims: x.cols, condDims: 1, hidden: o.hidden, blocks: o.blocks,
    ...(o.transform === 'rq-spline' ? { spline: { bins: o.splineBins, bound: o.splineBound } } : { affineMaxLogScale: AFFINE_MAX_LOG_SCALE }),
  };
  const layout = new MafLayout(shape);
  const bn = { eps: o.batchNormEps, momentum: o.batchNormMomentum };
  const engine = new MafEngine(layout, bn, o.batchSize, { optimiser: true });
  engine.params.set(initParams(layout, root.fork('init')));
  engine.bnStats.set(initBatchNormStats(layout));
  const masked = maskedIndices(layout.mask());
  const data = { trainY: shared(tr.y), trainC: shared(tr.c), valY: shared(va.y), valC: shared(va.c) };
  const runner: StepRunner = await createStepRunner(engine, data, o.threads, o.dataParallel);
  // Rows per optimiser step, and the fewest rows a step may have (two per batch-norm batch).
  const replicas = o.threads > 1 && o.dataParallel === 'replicas';
  const stride = replicas ? o.batchSize * o.threads : o.batchSize;
  const minRows = replicas ? 2 * o.threads : 2;

  const best = new BestEpochs<FlowMember>(o.keepBestEpochs);
  const trainLoss: number[] = [], validationLoss: number[] = [], epochSeconds: number[] = [], nonFiniteValidation: number[] = [], batchNormOutliers: number[] = [];
  const valLogP = new Float64Array(nVal);
  let step = 0, lowest = Infinity, sinceBest = 0, epochsRun = 0;
  // Steps the planned epochs take (the loop below skips a last batch smaller than minRows).
  const stepsPerEpoch = Math.floor(nTrain / stride) + (nTrain % stride >= minRows ? 1 : 0);
  const plannedSteps = Math.max(1, o.epochs * stepsPerEpoch);
  const learningRateAt = (t: number): number =>
    o.learningRateSchedule === 'cosine' ? o.learningRate * 0.5 * (1 + Math.cos((Math.PI * Math.min(t - 1, plannedSteps)) / plannedSteps)) : o.learningRate;
  try {
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const order = root.fork(`epoch:${epoch}`).permutation(nTrain);
      let lossSum = 0, seen = 0;
      const t0 = performance.now();
      for (let s = 0; s < nTrain; s += stride) {
        const b = Math.min(s + stride, nTrain);
        if (b - s < minRows) break; // batch norm needs two rows
        lossSum += runner.trainStep(order, s, b);
        seen += b - s;
        step++;
        // Gradients of masked weights are partly skipped by the masked gemms (backend-dependent): zero them
        // so engine.grad is the same on every backend; the step itself is per element and unaffected.
        zeroAtInto(engine.grad, masked);
        adamStepInto(engine.params, engine.grad, engine.adamM, engine.adamV, step, learningRateAt(step), ADAM_BETA1, ADAM_BETA2, ADAM_EPS, o.weightDecay);
        zeroAtInto(engine.params, masked); // masked MADE weights back to exactly 0
      }
      epochSeconds.push((performance.now() - t0) / 1000);
      // Validation, best-epoch selection and sampling see the full training set's batch-norm statistics.
      if (o.batchNormStatistics === 'training-set') {
        const outliers = engine.setTrainingSetBatchNormStats(tr.y, tr.c, nTrain);
        if (outliers > 0)
          reporter.log('warn', `flow epoch ${epoch}: ${outliers} of ${nTrain} training events lie over ${batchNormBulkSds(nTrain).toFixed(0)} standard deviations outside a batch norm's bulk (each would outweigh the rest in its variance); left out of its statistics`, { epoch, outliers });
        batchNormOutliers.push(outliers);
      }
      runner.evaluate(valLogP);
      const { loss: v, nonFinite } = meanValidationLoss(valLogP);
      if (nonFinite > 0)
        reporter.log('warn', `flow epoch ${epoch}: ${nonFinite} of ${nVal} validation events have a non-finite log-likelihood (beyond the training events' range in the flow's space); left out of the validation loss`, { epoch, nonFinite });
      if (!Number.isFinite(v) || nonFinite > MAX_NON_FINITE_VALIDATION * nVal)
        throw new InputError(`fitConditionalFlow: validation loss is ${v} at epoch ${epoch}, ${nonFinite} of ${nVal} validation events with a non-finite log-likelihood (diverged; lower learningRate)`);
      trainLoss.push(lossSum / seen);
      validationLoss.push(v);
      nonFiniteValidation.push(nonFinite);
      epochsRun = epoch;
      best.offer(v, () => ({ epoch, validationLoss: v, params: engine.params.slice(), bnStats: engine.bnStats.slice() }));
      reporter.progress('flow epochs', epoch, o.epochs);
      reporter.log('debug', `flow epoch ${epoch}: train ${trainLoss[epoch - 1].toFixed(4)}, validation ${v.toFixed(4)}`, { epoch, trainLoss: trainLoss[epoch - 1], validationLoss: v });
      if (v < lowest) { lowest = v; sinceBest = 0; } else sinceBest++;
      if (o.patience !== null && sinceBest >= o.patience) {
        reporter.log('info', `flow: early stop after epoch ${epoch} (no improvement in ${o.patience} epochs)`);
        break;
      }
    }
  } finally {
    await runner.close();
  }
  const members = best.best().sort((p, q) => p.epoch - q.epoch);
  return new FittedFlow({
    options: o, shape, preprocessing: prep, members,
    history: {
      trainLoss, validationLoss, epochSeconds, epochsRun, droppedTrain: tr.dropped, droppedValidation: va.dropped,
      ...(nonFiniteValidation.some((n) => n > 0) ? { nonFiniteValidation } : {}),
      ...(batchNormOutliers.some((n) => n > 0) ? { batchNormOutliers } : {}),
      trainEvents: nTrain, validationEvents: nVal,
    },
  });
}
