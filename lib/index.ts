/**
 * sidewinder — weakly-supervised anomaly-detection bump hunts.
 * Layers (data flows one way): data → windows → ml → methods → stats → scan → report.
 */
export { Rng, createRng, hashLabel } from './util/rng.js';
export type { Reporter } from './util/reporter.js';
export { silent } from './util/reporter.js';
export { SidewinderError, InputError, ConfigError, ShapeError } from './util/errors.js';
export { writeFileAtomic, writeFileAtomicSync } from './util/atomicWrite.js';
export { EventTable } from './data/eventTable.js';
export type { Column, Unit } from './data/eventTable.js';
export type { Matrix } from './ml/matrix.js';
export { matrix, rowsView, takeRows, fromColumns } from './ml/matrix.js';
export type { Classifier, FittedClassifier, FitOptions, Labels, ModelDocument } from './ml/classifier.js';
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
export { RESULTS_SCHEMA, RESULTS_VERSION, METHOD_NAMES, METHOD_LABELS, SIGNIFICANCE_KINDS, summarise, quantileSorted, aggregateRuns, cellKey } from './scan/results.js';
export { validateResults, resultsSchema, RESULTS_SCHEMA_PATH } from './scan/validateResults.js';
export { writeResults } from './scan/writeResults.js';
export { writeReport, readResults, renderHtml, renderSvg, svgToPng, reportFontFiles, buildPlots, REPORT_DEFAULTS } from './report/index.js';
export type { ReportOptions, ReportOutput, PlotFormat, PlotSpec, MissingPlot, RenderedPlot } from './report/index.js';
