/**
 * sidewinder — weakly-supervised anomaly-detection bump hunts.
 * Layers (data flows one way): data → windows → ml → methods → stats → scan → report.
 */
export { Rng, createRng, hashLabel } from './util/rng.js';
export type { Reporter } from './util/reporter.js';
export { silent } from './util/reporter.js';
export { SidewinderError, InputError, ConfigError, ShapeError } from './util/errors.js';
export { writeFileAtomic, writeFileAtomicSync } from './util/atomicWrite.js';
export { resolveOptions, defaultsOf, describeConstraint } from './util/options.js';
export type { OptionSpec, OptionTable } from './util/options.js';
export { PACKAGE_VERSION, SIDEWINDER_WRITER } from './util/packageRoot.js';
export { EventTable } from './data/eventTable.js';
export type { Column, Unit } from './data/eventTable.js';
export type { Matrix } from './ml/matrix.js';
export { matrix, rowsView, takeRows, fromColumns } from './ml/matrix.js';
export type { Classifier, FittedClassifier, FitOptions, Labels, ModelDocument, ModelKind } from './ml/classifier.js';
export { registerModelKind, modelKind, modelModules, createClassifier, loadModel, checkModelDocument, modelHeader, effectiveWeights, MODEL_DOC_VERSION, MODEL_WRITER } from './ml/classifier.js';
export { BestEpochs } from './ml/epochEnsemble.js';
export { Standardizer } from './ml/standardize.js';
export type { StandardizerState } from './ml/standardize.js';
export { rocAuc, rocAucTwoSample } from './ml/auc.js';
export { HistGradientBoosting, FittedHistGradientBoosting, HGB_DEFAULTS, HGB_OPTIONS } from './ml/trees/hgb.js';
export type { HgbOptions, HgbFitInfo } from './ml/trees/hgb.js';
export { fitConditionalGan, loadGan, FittedGan, GAN_DEFAULTS, GAN_OPTIONS, kdeMeanLogLikelihood, ksDistance, correlationMatrix, compareSamples } from './ml/gan/index.js';
export type { GanOptions, GanEpoch, GanDocument, SampleComparison } from './ml/gan/index.js';
export { CartClassifier, FittedCart, CART_DEFAULTS, CART_OPTIONS } from './ml/trees/cart.js';
export type { CartOptions } from './ml/trees/cart.js';
export { EnsembleClassifier, FittedEnsemble, ENSEMBLE_DEFAULTS, ENSEMBLE_OPTIONS, memberSeed } from './ml/ensemble.js';
export type { EnsembleOptions } from './ml/ensemble.js';
export { crossFit, kFoldAssignment, foldMemberSeed, runSeed } from './ml/crossFit.js';
export type { CrossFitOptions, CrossFitResult, ClassifierSpec } from './ml/crossFit.js';
export { predictProbaParallel } from './ml/predictParallel.js';
export { WorkerPool, WorkerTaskError, sharedPool, toShared, sharedArray } from './ml/pool/pool.js';
export type { WorkerPoolOptions } from './ml/pool/pool.js';
export { registerTaskHandler } from './ml/pool/registry.js';
export type { TaskHandler } from './ml/pool/registry.js';
export { validateSchema, schemaValidator, formatSchemaErrors } from './util/schema.js';
export {
  readEvents, writeEvents, formatOf, detectFormat, readHdf5, writeHdf5, readNpy, readCsv, writeCsv, readArrow, writeArrow,
  readParquet, writeParquet, toArrow, fromArrow, LHCO_COLUMNS, LHCO_SR_COLUMNS,
  loadDatasetManifest, parseDatasetManifest, writeDatasetManifest, readDataset,
} from './data/io/index.js';
export type { EventFormat, WritableFormat, ReadOptions, WriteOptions, DatasetManifest, DatasetRole } from './data/io/index.js';
export {
  validateEvents, requireColumns, requireFinite, requireDtypes, checkEvents, findInvalidEvents, describeInvalid, TAU_RATIO_MAX, MASS_TOLERANCE_GEV,
} from './data/validate.js';
export type { ValidateOptions, Dtype, CheckEventsOptions, CheckedEvents, EventCheck, InvalidValues } from './data/validate.js';
export {
  loadWindows, parseWindows, windowLabel, DEFAULT_WINDOWS_PATH, signalRegionMask, sidebandMask, shortSidebandMask,
  lowerShortSidebandMask, upperShortSidebandMask, countMask,
} from './windows/index.js';
export type { Window, WindowsConfig, MassUnit, MaskOptions } from './windows/index.js';
export * from './stats/index.js';
export {
  fitConditionalFlow, FittedFlow, loadFlow, FlowEnsemble, loadFlowEnsemble, sampleIntoWindow, sampleMassesKde,
  FLOW_PRESETS, FLOW_DEFAULTS, FLOW_OPTIONS, WINDOW_SAMPLING_DEFAULTS,
} from './ml/flows/index.js';
export type {
  FitFlowOptions, FlowTrainingOptions, FlowDocument, FlowEnsembleDocument, FlowHistory, ConditionalDensity, MassWindow,
  WindowSamplingOptions,
} from './ml/flows/index.js';
// Classical background estimation and fit-based bump hunts (binned fits, BumpHunter, ABCD, Matrix Method, Fake Factor, GP)
export * from './stats/fit/index.js';
export * from './stats/background/index.js';
export * from './stats/bumphunter/index.js';
export { KernelArena, allocateViews, setKernelBackend, kernelBackend, wasmKernelsAvailable } from './ml/kernels/index.js';
export type { KernelBackend } from './ml/kernels/index.js';
export { MlpClassifier, FittedMlp, MLP_DEFAULTS, MLP_OPTIONS, MLP_FAST } from './ml/nn/index.js';
export type { MlpOptions, MlpBackend, MlpFitOptions, ValidationSet, MlpHistory } from './ml/nn/index.js';
export { resolveMlpBackend, TFJS_NODE_GPU } from './ml/backends/index.js';
export type { TfImporter } from './ml/backends/index.js';
export { exportMlpToOnnx, exportFlowToOnnx, FittedOnnxClassifier, loadOnnxClassifier } from './ml/onnx/index.js';
export type { OnnxClassifierOptions, OnnxExportOptions, FlowOnnxExportOptions, FlowOnnxGraph } from './ml/onnx/index.js';
export type {
  ResultsDocument,
  ResultsConfig,
  WindowRecord,
  DatasetRecord,
  VersionsRecord,
  CellRun,
  CellAggregate,
  Summary,
  MethodName,
  SignificanceKind,
  DeltaSysSource,
  DeltaSysStudy,
  LookElsewhereResult,
  RocRecord,
  MjjSpectra,
  SpectrumAfterCut,
  FeatureHistogram,
  BumpHuntFit,
  ComponentSettings,
} from './scan/results.js';
export { RESULTS_SCHEMA, RESULTS_VERSION, METHOD_NAMES, METHOD_LABELS, SIGNIFICANCE_KINDS, aggregateRuns, cellKey } from './scan/results.js';
export { validateResults, resultsSchema, RESULTS_SCHEMA_PATH } from './scan/validateResults.js';
export { writeResults } from './scan/writeResults.js';
export { writeReport, readResults, renderHtml, renderSvg, svgToPng, reportFontFiles, buildPlots, REPORT_DEFAULTS } from './report/index.js';
export type { ReportOptions, ReportOutput, PlotFormat, PlotSpec, MissingPlot, RenderedPlot } from './report/index.js';
export {
  deriveFeatures, eventFeatures, dijetMass, deltaR, deltaPhi, pseudorapidity, tauRatio,
  FEATURE_SETS, FEATURE_NAMES, FEATURE_UNITS, RAW_COLUMNS, RAW_JET_COLUMNS, TAU_RATIO_EPSILON,
} from './data/features.js';
export type { FeatureName, FeatureSetName, EventFeatures, RawJet } from './data/features.js';
export {
  generateLhcoLike, generateExtraSrBackground, generateDataset, resolveGeneratorOptions, GENERATOR_DEFAULTS,
  BACKGROUND_MODELS, DEFAULT_SIGNAL_PARAMS,
} from './data/generate/index.js';
export type {
  GeneratorOptions, GeneratorOptionsInput, ExtraSrBackgroundOptions, BackgroundModelName, BackgroundModelParams, SignalModelParams,
} from './data/generate/index.js';
// Scan: configuration, presets, plan, cache, runner, results
export { runScan, loadScanSamples, scanWindows } from './scan/scan.js';
export type { ScanRunOptions, ScanOutcome } from './scan/scan.js';
export { prepareScan, runPlanTasks, mergeScan, loadPlanSamples, readPlan, missingTasks, taskSampleRoles } from './scan/scan.js';
export type { PreparedScan, PrepareOptions, RunTasksOptions } from './scan/scan.js';
export { taskGroups, DEFAULT_CLUSTER_OPTIONS, parseTimeLimit, parseMemory } from './scan/engines/groups.js';
export type { TaskGroup, ClusterOptions, JobResources, JobPaths } from './scan/engines/groups.js';
export { renderSlurmJobs, sbatchArguments, submitSlurmJobs } from './scan/engines/slurm.js';
export type { SlurmJobs, JobFile, SubmittedJob } from './scan/engines/slurm.js';
export { renderCondorJobs, submitCondorDag } from './scan/engines/condor.js';
export type { CondorJobs } from './scan/engines/condor.js';
export { submitPlan } from './scan/engines/submit.js';
export type { SubmitOptions, SubmitOutcome } from './scan/engines/submit.js';
export { taskStatuses, slurmQueueStates, parseQueueLines, readSubmission } from './scan/engines/status.js';
export type { TaskStatus, TaskState, SubmissionRecord, EngineName } from './scan/engines/status.js';
export { SCAN_PRESETS, presetConfig } from './scan/presets.js';
export { withinEnsembleBudget, plannedEnsemble, classifierWork, crossFittedSrEvents, ENSEMBLE_LADDER } from './scan/budget.js';
export type { EnsembleChoice } from './scan/budget.js';
export { configurationNotes } from './scan/configNotes.js';
export type { ScanConfig, DatasetSpec } from './scan/config.js';
export { buildPlan, taskSeed } from './scan/plan.js';
export type { ScanPlan, ScanTask } from './scan/plan.js';
export { ResultCache } from './scan/cache.js';
export { windowSummary } from './scan/summary.js';
export type { WindowSummary } from './scan/summary.js';
// Methods: background templates per window
export { iadTemplate } from './methods/iad.js';
export { cwolaTemplate } from './methods/cwola.js';
export { sidebandClosureTemplate } from './methods/cathode.js';
export { cathodeFlowPayload, trainAndSampleFlow, CATHODE_FLOW_TASK } from './methods/cathodeTask.js';
export type { CathodeFlowPayload, CathodeFlowResult } from './methods/cathodeTask.js';
export { featureMatrix, featureNames } from './methods/features.js';
export type { BackgroundTemplate, MethodScores, MethodSettings, CathodeSettings } from './methods/types.js';
export { METHOD_REGISTRY, DEFAULT_METHODS, methodDescriptor, methodStage } from './methods/registry.js';
export type { MethodDescriptor, StageSpec, StageInput, StageOutput, PlanInput, StoredResult, TemplateEvents } from './methods/method.js';
export { ANODE, ANODE_DEFAULTS, anodeSrData, trainAnodeFold, scoreAnode, runAnode, resolveAnodeOptions } from './methods/anode.js';
export type { AnodeOptions, AnodeScores, AnodeFoldDocument } from './methods/anode.js';
export { IAD } from './methods/iad.js';
export { CWOLA } from './methods/cwola.js';
export { CATHODE, SIDEBAND_DENSITY_STAGE } from './methods/cathode.js';
export { runStudy, variantDir } from './scan/study.js';
export type { StudyVariant, StudyOptions, StudyOutcome } from './scan/study.js';
export { runLookElsewhere, leeVariants, toyMaxLocalZ, withPseudoExperiments, LEE_FIRST_SEED } from './scan/lee.js';
export type { LeeOptions, LeeSummary } from './scan/lee.js';
export { runSensitivity, summariseSensitivity, validateSensitivity, writeSensitivity, signalForZ } from './scan/sensitivity.js';
