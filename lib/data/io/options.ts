import type { Unit } from '../eventTable.js';

/** File formats sidewinder reads; `arrow` covers Arrow IPC file and stream and Feather v2. */
export type EventFormat = 'hdf5' | 'npy' | 'csv' | 'arrow' | 'parquet';

/** Formats sidewinder writes. */
export type WritableFormat = 'hdf5' | 'csv' | 'arrow' | 'parquet';

/** Options of {@link readEvents}; every field is optional. */
export interface ReadOptions {
  /**
   * Format. The file's magic bytes decide (HDF5, Parquet, Arrow/Feather, NPY; text → CSV); a format given
   * here that contradicts them is an InputError. It (or else the extension) decides only for content
   * without a known magic, e.g. a legacy Arrow stream.
   */
  readonly format?: EventFormat;
  /** HDF5: the object under the root holding the DataFrame (e.g. "df"); optional when the root holds exactly one. */
  readonly key?: string;
  /**
   * `.npy`: names of all columns of the 2-D array, in order (default for 6 columns: the LHCO-SR layout
   * mJJ, mJ1, deltaMJ, tau21J1, tau21J2, label). Other formats: the columns to keep, in this order.
   */
  readonly columns?: readonly string[];
  /** Units to attach, overriding those stored in the file or known for the layout. */
  readonly units?: Readonly<Record<string, Unit>>;
  /** Name of a per-event weight column: must exist, every value finite and ≥ 0. */
  readonly weight?: string;
}

/** Options of {@link writeEvents}. */
export interface WriteOptions {
  /** Format; inferred from the extension when absent (.h5/.hdf5, .csv, .arrow/.feather/.ipc, .parquet/.pq). */
  readonly format?: WritableFormat;
  /** HDF5: group key of the pandas DataFrame (default "df"). */
  readonly key?: string;
  /** Arrow: "none" (default) or "lz4" (LZ4 frame, as pandas `to_feather`); Parquet: "snappy" (default), "zstd" or "none". */
  readonly compression?: 'none' | 'lz4' | 'snappy' | 'zstd';
}
