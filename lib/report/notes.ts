/**
 * The notes of a results document as the report and the CLI state them: each fact once. The scan
 * writes one note per (method, ε_B) cell it concerns ("cwola, ε_B=0.01: …"); the same fact for
 * several cells becomes one note naming them all.
 */
import { METHOD_NAMES, type LookElsewhereResult, type ResultsDocument } from '../scan/results.js';
import { formatPowerOfTen, methodLabel, methodOrder } from './plots/common.js';

/** How a look-elsewhere entry's global p was obtained, in a few words (report table and CLI line). */
export function globalPSource(x: LookElsewhereResult): string {
  if (x.globalMethod === 'single-window') return 'one window with a significance (a one-window scan, or the other windows\' cells refused): global = local';
  if (x.globalMethod === 'pseudo-experiments' || (x.globalMethod === undefined && x.nPseudoExperiments > 0)) return `${x.nPseudoExperiments.toLocaleString('en-US')} pseudo-experiments with retraining`;
  if (x.globalMethod === 'correlated-gaussian') return `correlated windows, Gaussian approximation${x.trialsFactor !== undefined ? `, trials factor ${x.trialsFactor.toFixed(1)}` : ''}`;
  return 'Šidák bound';
}

/** "pseudo-experiments gave a global p (0.00) below …": the cell's value goes, the fact stays. */
const cellValue = /global p \([^)]*\)/g;

/** Notes about the look-elsewhere effect, which one window does not have. */
const LOOK_ELSEWHERE = /look-elsewhere|global p|Šidák/i;

/** Said instead of the look-elsewhere notes when the scan has a single window. */
export const ONE_WINDOW_NOTE = 'One signal region was scanned, so there is no look-elsewhere effect: the global significance is the local one.';

/**
 * Each fact once: identical notes merged, per-cell notes with the same text grouped under one note
 * naming the methods and working points, and for a one-window scan the look-elsewhere notes replaced
 * by {@link ONE_WINDOW_NOTE} (global = local is then expected, not a problem). Order of first appearance.
 */
export function condensedNotes(results: Pick<ResultsDocument, 'notes' | 'config'>): string[] {
  const methods = new Set<string>([...METHOD_NAMES, ...results.config.methods]);
  const oneWindow = results.config.windows.length === 1;
  const groups = new Map<string, { text: string; cells: Map<string, Set<number>> } | null>();
  let sawLookElsewhere = false;
  for (const note of results.notes ?? []) {
    const m = /^([a-z][\w-]*)(?:, ε_B=([^:\s]+))?: (.*)$/s.exec(note);
    const cell = m && methods.has(m[1]) ? { method: m[1], epsilonB: m[2] === undefined ? undefined : Number(m[2]), text: m[3].replace(cellValue, 'global p') } : null;
    if (oneWindow && LOOK_ELSEWHERE.test(note)) {
      sawLookElsewhere = true;
      continue;
    }
    if (!cell) {
      if (!groups.has(note)) groups.set(note, null);
      continue;
    }
    let g = groups.get(`\u0000${cell.text}`);
    if (!g) groups.set(`\u0000${cell.text}`, (g = { text: cell.text, cells: new Map() }));
    if (!g.cells.has(cell.method)) g.cells.set(cell.method, new Set());
    if (cell.epsilonB !== undefined && Number.isFinite(cell.epsilonB)) g.cells.get(cell.method)!.add(cell.epsilonB);
  }
  const out: string[] = [];
  if (oneWindow && sawLookElsewhere) out.push(ONE_WINDOW_NOTE);
  for (const [key, g] of groups) {
    if (!g) {
      out.push(key);
      continue;
    }
    const eps = (s: Set<number>): string => [...s].sort((a, b) => b - a).map(formatPowerOfTen).join(', ');
    const order = methodOrder(g.cells.keys());
    const sets = order.map((m) => eps(g.cells.get(m)!));
    // One ε_B list for all methods when they share it, else one per method.
    const who =
      sets.every((s) => s === sets[0])
        ? `${order.map(methodLabel).join(', ')}${sets[0] ? ` at ε_B = ${sets[0]}` : ''}`
        : order.map((m, i) => `${methodLabel(m)}${sets[i] ? ` at ε_B = ${sets[i]}` : ''}`).join('; ');
    out.push(`${who}: ${g.text}`);
  }
  return out;
}
