import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The shared data directory: <repo>/../shared/data/<name>, else /work/shared/data/<name>; null if absent. */
export function sharedData(name: string): string | null {
  const rel = fileURLToPath(new URL(`../../../shared/data/${name}/`, import.meta.url));
  if (existsSync(rel)) return rel;
  const abs = `/work/shared/data/${name}/`;
  return existsSync(abs) ? abs : null;
}

export const mean = (a: ArrayLike<number>): number => Array.from(a).reduce((s, v) => s + v, 0) / a.length;
export const std = (a: ArrayLike<number>): number => {
  const m = mean(a);
  return Math.sqrt(Array.from(a).reduce((s, v) => s + (v - m) ** 2, 0) / (a.length - 1));
};

/** CWoLa Hunting bin edges in TeV (from the data README). */
export const CWOLA_EDGES_TEV = [2001, 2107, 2219, 2337, 2461, 2592, 2730, 2875, 3028, 3189, 3358, 3536, 3724, 3922, 4131, 4350].map((e) => e / 1000);
/** The injected signal histogram of the README. */
export const CWOLA_SIGNAL = [7, 22, 31, 54, 75, 106, 192, 217, 113, 40, 8, 5, 4, 1, 0];
