/**
 * What a method is, for the scan: the tasks it needs per (sample, window, run), how each builds its
 * result, and the facts the statistics need (δsys or not, the look-elsewhere null sample, the
 * template's events). lib/scan plans, executes and assembles by looping over registered
 * descriptors (./registry.ts) and never branches on a method's name; adding a method is one module
 * here and one line in the registry.
 */
import type { EventTable } from '../data/eventTable.js';
import type { MassRegion, Window } from '../windows/index.js';
import type { Matrix } from '../ml/matrix.js';
import type { WorkerPool } from '../ml/pool/pool.js';
import type { Reporter } from '../util/reporter.js';
import type { BackgroundTemplate, MethodName, MethodSettings } from './types.js';

/** Which event sample a task runs on: the analysed data, or the signal-free control sample. */
export type SampleRole = 'data' | 'control';

/** Arrays a task stores beside its summary value. */
export type TaskArrays = Record<string, Float64Array | Uint8Array>;

/** A task's stored result: its summary value and its arrays (as the cache holds them). */
export interface StoredResult<T = unknown> {
  readonly value: T;
  readonly arrays: Readonly<Record<string, Float64Array | Float32Array | Uint8Array | Uint32Array>>;
}

/** Summary stored with a scores task's out-of-fold scores. */
export interface ScoresSummary {
  readonly nSR: number;
  readonly nTemplate: number;
  readonly meta: Record<string, unknown>;
}

/** What the plan knows when it sizes templates: the loaded samples, before any training. */
export interface PlanInput {
  readonly window: Window;
  readonly settings: MethodSettings;
  /** The task's own sample. */
  readonly events: EventTable;
  /** Another loaded sample by role (e.g. IAD's `template`). */
  sample(role: string): EventTable;
}

/** What a task reads when it runs. */
export interface StageInput extends PlanInput {
  readonly sampleRole: SampleRole;
  readonly seed: number;
  /** The stored result of one of the stage's dependencies, by the dependency's kind. */
  dependency<T>(kind: string): StoredResult<T>;
  readonly pool?: WorkerPool;
  readonly reporter?: Reporter;
}

/**
 * A stage's output: a result to store as it is (a trained generator and its samples; scores a
 * method computed itself), or SR data and a background template for the scan's classifier to
 * cross-fit (data = label 1, template = label 0), whose out-of-fold scores are stored.
 */
export type StageOutput =
  | { readonly store: { readonly value: unknown; readonly arrays: TaskArrays } }
  | { readonly crossFit: { readonly data: Matrix<Float64Array>; readonly template: BackgroundTemplate } };

/**
 * One task kind of a method. `generator`: trains something other stages read (CATHODE's flow);
 * `scores`: out-of-fold scores of the SR data and of a background template — a cell of the
 * cut-and-count; `closure`: the same in a control region of the data (a data-driven δsys).
 */
export interface StageSpec {
  /** Task kind, unique across methods unless the stage itself is shared (same object). */
  readonly kind: string;
  readonly role: 'generator' | 'scores' | 'closure';
  /** Label of the task's seed: `${sample}/window:${id}/${seedLabel}` forked from the run's seed. */
  seedLabel(method: MethodName): string;
  /** Whether the stage runs on this sample (e.g. IAD not on the control sample). */
  runsOn(sample: SampleRole, settings: MethodSettings): boolean;
  /**
   * Trained once per window and sample and read by every run (seeded as run 0), instead of once per
   * run: CATHODE's sideband density. Runs then repeat the classifiers (new seeds and fold
   * assignments) on the same template; the generator's own training noise is not in the runs' spread
   * (the control sample's independently trained generator carries another draw of it into δsys).
   */
  readonly sharedAcrossRuns?: boolean;
  /** Kinds of the stages whose results it reads (same method, window, sample, run). */
  readonly dependsOn: readonly string[];
  /** Samples read besides the task's own (IAD: `template`). */
  readonly extraSamples?: readonly string[];
  /** Data events scored: the SR, or the short sidebands (closure). */
  readonly dataRegion?: 'signal-region' | 'short-sidebands';
  /**
   * Everything the result depends on besides the sample, window, seed, features, dependencies and
   * (for cross-fitted output) the classifier settings: hashed into the cache key.
   */
  keyInputs(settings: MethodSettings, datasets: Readonly<Record<string, string>>): Record<string, unknown>;
  /** Template events, known at plan time, for the ε_B resolution check (scores and closure stages). */
  templateSize?(input: PlanInput): number;
  /** The stage's output is cross-fitted with the scan's classifier (its settings enter the key). */
  readonly usesClassifier: boolean;
  run(input: StageInput): Promise<StageOutput>;
  /** Check the stage's options before any data are read (e.g. the flow's); throws ConfigError naming the option. */
  checkSettings?(settings: MethodSettings): void;
  /** For generator stages: what the stored result says about the template's quality (results `templateQuality`). */
  quality?(stored: StoredResult): Record<string, unknown>;
}

/** A template's events with the classifier features (for the feature histograms). */
export interface TemplateEvents {
  readonly x: Matrix<Float64Array>;
  readonly weights?: Float64Array;
}

/** A registered method. */
export interface MethodDescriptor {
  readonly name: MethodName;
  /** Display label (tables, plots). */
  readonly label: string;
  /** Its stages, in the order they run for one (sample, window, run). */
  readonly stages: readonly StageSpec[];
  /**
   * The m_JJ regions the method reads, by sample: `own` for the sample its tasks run on, or another
   * sample's role (IAD: `template`). Each must be covered by that sample's spectrum; lib/scan checks
   * this before any training.
   */
  readonly massRegions: Readonly<Record<string, readonly MassRegion[]>>;
  /** Whether a systematic shift δsys applies (false: a perfect template by construction). */
  readonly deltaSys: boolean;
  /**
   * Background-only events of the look-elsewhere pseudo-experiments: the control sample's SR data
   * (its scores cells on `control`), or the template itself (rows of the `template` sample).
   */
  readonly lookElsewhereNull: { readonly sample: 'control' } | { readonly sample: 'template'; rows(input: PlanInput): Uint32Array };
  /** The template is generated by a density estimate: its feature correlations are compared with the data's. */
  readonly generatedTemplate: boolean;
  /** The template of a window's scores cell, for histograms (undefined when its inputs are gone). */
  templateEvents(input: PlanInput & { stored<T>(kind: string): StoredResult<T> | undefined }): TemplateEvents | undefined;
}
