/** Test helper: write a float64 C-order 2-D `.npy` (v1.0) — sidewinder itself reads .npy but never writes it. */
import { writeFileSync } from 'node:fs';
import type { EventTable } from '../../lib/data/eventTable.js';

/** The bytes of a `<f8` (rows × columns) .npy holding `columns` of `t` in that order. */
export function npyBytes(t: EventTable, columns: readonly string[] = t.columnNames): Buffer {
  const k = columns.length;
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${t.length}, ${k}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const data = new Float64Array(t.length * k);
  columns.forEach((n, j) => {
    const c = t.column(n);
    for (let i = 0; i < t.length; i++) data[i * k + j] = c[i];
  });
  const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, 0, 0]);
  pre.writeUInt16LE(header.length, 8);
  return Buffer.concat([pre, Buffer.from(header, 'latin1'), Buffer.from(data.buffer)]);
}

/** Write `columns` of `t` as a .npy file. */
export function writeNpy(path: string, t: EventTable, columns?: readonly string[]): void {
  writeFileSync(path, npyBytes(t, columns));
}
