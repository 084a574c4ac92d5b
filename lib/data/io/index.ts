/** Event-file readers and writers: pandas HDF5, NumPy .npy, CSV, Arrow IPC/Feather, Parquet. */
export { readEvents, writeEvents, formatOf, detectFormat } from './readEvents.js';
export { sniffBytes, sniffFile } from './sniff.js';
export type { EventFormat, WritableFormat, ReadOptions, WriteOptions } from './options.js';
export { readHdf5, writeHdf5, checkHdf5File } from './hdf5.js';
export { readNpy, parseNpyHeader } from './npy.js';
export type { NpyHeader } from './npy.js';
export { readCsv, writeCsv } from './csv.js';
export { readArrow, writeArrow, toArrow, fromArrow, registerLz4Codec, UNIT_METADATA_KEY } from './arrow.js';
export { readParquet, writeParquet } from './parquet.js';
export { LHCO_COLUMNS, LHCO_SR_COLUMNS, knownUnit, unitsFor } from './units.js';
export { loadDatasetManifest, parseDatasetManifest, writeDatasetManifest, readDataset } from './dataset.js';
export type { DatasetManifest, DatasetRole } from './dataset.js';
