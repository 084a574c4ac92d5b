import type { EventTable } from '../data/eventTable.js';
import { shortSidebandMask, signalRegionMask, countMask, type Window, SIGNAL_REGION_AND_SHORT_SIDEBANDS } from '../windows/index.js';
import { createRng } from '../util/rng.js';
import { loadFlowEnsemble, resolveFlowOptions, FLOW_DOC_VERSION, type ConditionalDensity, type FitFlowOptions, type SampleCheck } from '../ml/flows/index.js';
import { loadGan, GAN_OPTIONS } from '../ml/gan/index.js';
import { resolveOptions } from '../util/options.js';
import type { Matrix } from '../ml/matrix.js';
import { ConfigError, InputError } from '../util/errors.js';
import { featureMatrix, maskedColumn, repeatMasses } from './features.js';
import type { BackgroundTemplate } from './types.js';
import type { MethodDescriptor, StageSpec, StoredResult } from './method.js';
import { flowEpochProgress, plannedGeneratorEpochs } from './flowProgress.js';
import { resolveReweighting, sidebandReweighting } from './sidebandReweighting.js';
import { CATHODE_FLOW_TASK, cathodeFlowPayload, trainAndSampleFlow, assertFiniteTemplate, type CathodeFlowResult, type GeneratorDocument } from './cathodeTask.js';

export type { GeneratorDocument };

/** Summary stored with a sideband generator task's template samples (array `samples`). */
export interface SidebandGeneratorResult {
  readonly nSamples: number;
  readonly cols: number;
  readonly features: readonly string[];
  /** The trained sideband generator (FlowEnsemble or FittedGan toJSON()). */
  readonly flow: GeneratorDocument;
  /** Events of the template draw redrawn (non-finite or outside the training range) or dropped (flows). */
  readonly check?: SampleCheck;
  /** Template rows drawn by each flow, in order (`cathode.independentCalibration`: flow k's half is k mod 2). */
  readonly rowsPerFlow?: readonly number[];
}

/** Rebuild the sideband generator from its `toJSON()` document (flow ensemble or GAN, by `kind`). */
export function loadSidebandGenerator(doc: GeneratorDocument): ConditionalDensity {
  return doc.kind === 'conditional-gan' ? loadGan(doc) : loadFlowEnsemble(doc);
}

/**
 * CATHODE's data-driven closure in the sidebands (arXiv:2411.00085): the sideband-trained density,
 * sampled at the masses of the short-sideband data (oversampling × each event's m_JJ), against that
 * data. The data there carry no SR signal and were seen in training, so any selection excess
 * measures the density estimator's mismodelling: a data-driven δsys.
 * @returns the short-sideband data (label 1) and the flow samples as a balanced template.
 */
export function sidebandClosureTemplate(
  density: ConditionalDensity, data: EventTable, window: Window, features: readonly string[], shortSidebandWidth: number,
  opts: { oversampling: number; seed: number },
): { data: Matrix<Float64Array>; template: BackgroundTemplate } {
  const ssb = shortSidebandMask(data, window, shortSidebandWidth);
  const masses = maskedColumn(data, 'mJJ', ssb);
  if (masses.length === 0) throw new InputError(`CATHODE sideband closure, window ${window.id}: no data in the short sidebands`);
  const reps = Math.max(1, Math.round(opts.oversampling));
  const m = repeatMasses(masses, reps);
  const x = density.sample(m, createRng(opts.seed).fork('sideband-closure')) as Matrix<Float64Array>;
  return {
    data: featureMatrix(data, features, ssb),
    template: { method: 'cathode', window, x, classWeight: 'balanced', meta: { nTemplate: x.rows, region: 'short sidebands', oversampling: reps } },
  };
}

/** Sideband halves of `cathode.independentCalibration`. */
const INDEPENDENT_HALVES = 2;

/** The sideband half (0, 1) whose flow drew each template row: flow k's rows, in order, come from half k mod 2. */
function halfOfEachRow(g: SidebandGeneratorResult, what: string): Uint8Array {
  const per = g.rowsPerFlow;
  const total = per?.reduce((a, b) => a + b, 0);
  if (!per || per.length < INDEPENDENT_HALVES || total !== g.nSamples)
    throw new InputError(`${what}: cathode.independentCalibration needs the rows each flow drew, stored with the flows (got ${per ? `${per.length} flows, ${total} of ${g.nSamples} rows` : 'none'}); retrain the flows with this option`);
  const half = new Uint8Array(g.nSamples);
  let at = 0;
  per.forEach((rows, k) => { half.fill(k % INDEPENDENT_HALVES, at, at + rows); at += rows; });
  return half;
}

/** The generator's template samples in the SR, as a matrix (events × features). */
function storedTemplate(stored: StoredResult<SidebandGeneratorResult>): Matrix<Float64Array> {
  return { data: stored.arrays.samples as Float64Array, rows: stored.value.nSamples, cols: stored.value.cols };
}

/**
 * The sideband density of one window (arXiv:2109.00546), trained in a pool worker and sampled into
 * the SR; the trained generator is stored with its samples (the sideband closure samples it again).
 * Shared by every method that reads a sideband density: same settings, same task.
 */
export const SIDEBAND_DENSITY_STAGE: StageSpec = {
  kind: 'flow', role: 'generator', usesClassifier: false, dependsOn: [], sharedAcrossRuns: true,
  seedLabel: () => 'flow',
  runsOn: () => true,
  // The flow document version is in the key: a flow of older code (other batch-norm statistics) is not reused;
  // so are the resolved flow options: a changed preset (e.g. the `default` one) does not reuse flows trained with the old.
  // The template's reweighting is the classify stage's: it does not retrain the density.
  keyInputs: ({ cathode: { reweighting: _reweighting, ...cathode } }) => ({
    cathode, flowDocument: FLOW_DOC_VERSION,
    ...(cathode.generator === 'gan' ? {} : { flowOptions: resolveFlowOptions({ ...cathode.flow, seed: 1 } as FitFlowOptions) }),
  }),
  run: async ({ events, window, settings, seed, sampleRole, pool, reporter }) => {
    // Unless set, the GAN trains on as many sideband events as the flow would.
    const { independentCalibration, ...cathode } = settings.cathode;
    const payload = cathodeFlowPayload(events, window, settings.features, {
      ...cathode, ...(independentCalibration ? { partitions: INDEPENDENT_HALVES } : {}), seed, sample: sampleRole,
      gan: { maxEvents: (settings.cathode.flow as { maxEvents?: number }).maxEvents ?? 0, ...settings.cathode.gan },
    });
    const epochs = flowEpochProgress(reporter, `${sampleRole}/window:${window.id}/${seed}`, plannedGeneratorEpochs(settings.cathode));
    let r: CathodeFlowResult;
    try {
      const p = { ...payload, progress: epochs.cells };
      r = pool ? await pool.run<CathodeFlowResult>(CATHODE_FLOW_TASK, p) : await trainAndSampleFlow(p);
    } finally {
      epochs.finish();
    }
    // The fit's own warning stays in the worker: repeat it where the scan's log shows it.
    if (r.flow.kind === 'conditional-maf-ensemble') {
      const leftOut = r.flow.flows.map((f) => (f.history.nonFiniteValidation ?? []).reduce((a, b) => a + b, 0));
      if (leftOut.some((n) => n > 0))
        reporter?.log('warn', `window ${window.id}, ${sampleRole} sample: the sideband flow left ${leftOut.join(' / ')} validation events (summed over epochs, per flow) out of its validation loss for a non-finite log-likelihood (templateQuality.validationNonFinite)`, { windowId: window.id, sample: sampleRole, leftOut });
      const outliers = r.flow.flows.map((f) => Math.max(0, ...(f.history.batchNormOutliers ?? [])));
      if (outliers.some((n) => n > 0))
        reporter?.log('warn', `window ${window.id}, ${sampleRole} sample: up to ${outliers.join(' / ')} training events (per flow) lay so far outside a batch norm's bulk that they were left out of its statistics (history.batchNormOutliers of the flow document)`, { windowId: window.id, sample: sampleRole, outliers });
    }
    const value: SidebandGeneratorResult = {
      nSamples: r.rows, cols: r.cols, features: settings.features, flow: r.flow, ...(r.check ? { check: r.check } : {}), ...(r.rowsPerFlow ? { rowsPerFlow: r.rowsPerFlow } : {}),
    };
    return { store: { value, arrays: { samples: r.samples } } };
  },
  checkSettings: ({ cathode, shortSidebandWidth, dataDrivenDeltaSys }) => {
    // The closure samples the density over the short sidebands: it must have been trained there.
    if (dataDrivenDeltaSys && cathode.sidebandWidthTeV !== undefined && cathode.sidebandWidthTeV < shortSidebandWidth)
      throw new ConfigError(`cathode.sidebandWidthTeV (${cathode.sidebandWidthTeV}) is narrower than the short sidebands (${shortSidebandWidth} TeV) that the sideband closure (deltaSys.dataDriven) samples the density over; widen it or turn the closure off`);
    // The seed comes from the task; the rest must be valid options of the chosen generator.
    if (cathode.independentCalibration && (cathode.generator === 'gan' || cathode.flows < INDEPENDENT_HALVES))
      throw new ConfigError(`cathode.independentCalibration needs the flow generator with flows ≥ ${INDEPENDENT_HALVES} (one or more per sideband half), got ${cathode.generator === 'gan' ? 'generator "gan"' : `flows: ${cathode.flows}`}`);
    if (cathode.generator === 'gan') resolveOptions('cathode.gan', GAN_OPTIONS, { seed: 1, ...cathode.gan });
    else resolveFlowOptions({ ...cathode.flow, seed: 1 } as FitFlowOptions);
  },
  quality: (stored) => {
    const g = stored.value as SidebandGeneratorResult;
    const q: Record<string, unknown> = {};
    if (g.check) Object.assign(q, { requested: g.check.requested, nonFinite: g.check.nonFinite, outOfRange: g.check.outOfRange, redrawn: g.check.redrawn, dropped: g.check.dropped });
    if (g.flow.kind === 'conditional-maf-ensemble') {
      q.validationLogLikelihood = g.flow.flows.map((f) => f.history.validationLoss.map((v) => -v));
      if (g.flow.flows.some((f) => f.history.nonFiniteValidation)) q.validationNonFinite = g.flow.flows.map((f) => f.history.nonFiniteValidation ?? f.history.validationLoss.map(() => 0));
    }
    return q;
  },
};

/** CATHODE in a scan: the sideband density, SR data vs its samples, and (data sample, on request) its sideband closure. */
export const CATHODE: MethodDescriptor = {
  name: 'cathode',
  label: 'CATHODE',
  stages: [
    SIDEBAND_DENSITY_STAGE,
    {
      kind: 'classify', role: 'scores', usesClassifier: true, dependsOn: ['flow'],
      seedLabel: (method) => `classify:${method}`,
      runsOn: () => true,
      // Absent reweighting leaves the key as it was before the option existed (cached scores stay valid).
      // So do the default band weighting and one pass: scores cached before those options existed stay valid.
      keyInputs: (settings) => {
        const calibration = settings.cathode.independentCalibration ? { independentCalibration: true } : {};
        if (!settings.cathode.reweighting) return calibration;
        const { bandWeighting, iterations, ...rest } = resolveReweighting(settings.cathode.reweighting);
        return { ...calibration, reweighting: { ...rest, ...(bandWeighting === 'population' ? {} : { bandWeighting }), ...(iterations === 1 ? {} : { iterations }) } };
      },
      checkSettings: (settings) => {
        if (settings.cathode.reweighting) resolveReweighting(settings.cathode.reweighting);
      },
      templateSize: ({ events, window, settings }) => Math.round(settings.cathode.oversampling * countMask(signalRegionMask(events, window))),
      run: async ({ events, window, settings, seed, sampleRole, dependency }) => {
        const flow = dependency<SidebandGeneratorResult>('flow');
        const x = storedTemplate(flow);
        const what = `window ${window.id}, method cathode, ${sampleRole} sample`;
        assertFiniteTemplate(x.data, x.rows, x.cols, `${what}: the template`);
        const meta: Record<string, unknown> = { nTemplate: x.rows, oversampling: settings.cathode.oversampling };
        let weights: Float64Array | undefined;
        if (settings.cathode.reweighting) {
          const r = await sidebandReweighting(loadSidebandGenerator(flow.value.flow), events, window, settings.features, x, resolveReweighting(settings.cathode.reweighting), { seed, what });
          weights = r.weights;
          meta.reweighting = r.summary;
        }
        const groups = settings.cathode.independentCalibration ? halfOfEachRow(flow.value, what) : undefined;
        if (groups) meta.independentCalibration = { halves: INDEPENDENT_HALVES, rowsPerFlow: flow.value.rowsPerFlow };
        const template: BackgroundTemplate = { method: 'cathode', window, x, ...(weights ? { weights } : {}), ...(groups ? { groups } : {}), classWeight: 'balanced', meta };
        return { crossFit: { data: featureMatrix(events, settings.features, signalRegionMask(events, window)), template } };
      },
    },
    {
      kind: 'sideband-closure', role: 'closure', usesClassifier: true, dependsOn: ['flow'], dataRegion: 'short-sidebands',
      seedLabel: () => 'sideband-closure',
      runsOn: (sample, settings) => sample === 'data' && settings.dataDrivenDeltaSys,
      keyInputs: (settings) => ({ shortSidebandWidth: settings.shortSidebandWidth, oversampling: settings.cathode.oversampling }),
      templateSize: ({ events, window, settings }) => Math.max(1, Math.round(settings.cathode.oversampling)) * countMask(shortSidebandMask(events, window, settings.shortSidebandWidth)),
      run: async ({ events, window, settings, seed, sampleRole, dependency }) => {
        const flow = dependency<SidebandGeneratorResult>('flow');
        const closure = sidebandClosureTemplate(loadSidebandGenerator(flow.value.flow), events, window, settings.features, settings.shortSidebandWidth, { oversampling: settings.cathode.oversampling, seed });
        assertFiniteTemplate(closure.template.x.data, closure.template.x.rows, closure.template.x.cols, `window ${window.id}, method cathode (sideband closure), ${sampleRole} sample: the template`);
        return { crossFit: { data: closure.data, template: closure.template } };
      },
    },
  ],
  // The flow interpolates into the SR from both sides; the closure reads the short sidebands.
  massRegions: { own: SIGNAL_REGION_AND_SHORT_SIDEBANDS },
  deltaSys: true,
  lookElsewhereNull: { sample: 'control' },
  generatedTemplate: true,
  templateEvents: ({ stored }) => {
    const flow = stored<SidebandGeneratorResult>('flow');
    return flow ? { x: storedTemplate(flow) } : undefined;
  },
};
