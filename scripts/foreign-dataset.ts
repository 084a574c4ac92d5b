/**
 * LHCO-layout files unlike the `default` preset's data, for checking a scan on data it was not
 * built on (not part of CI). Background: the alternative shower model, its m_JJ spectrum hardened by
 * keeping each event with probability min(1, (m_JJ / 4.5 TeV)^HARDNESS); signal: W′ → X Y at
 * MASS GeV (X 300 GeV, Y 200 GeV, X width 40 GeV by default). Writes, under OUT (default out/foreign):
 *  - data.h5: background + SIGNAL signal events;   - null.h5: a background-only twin (other seed);
 *  - template.h5: an independent background sample (IAD's simulated background; any m_JJ).
 *
 *   OUT=out/foreign SEED=5 SIGNAL=1000 MASS=3800 node --import tsx scripts/foreign-dataset.ts
 *   sidewinder scan --data out/foreign/null.h5 --template out/foreign/template.h5 -o out/foreign/null
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { generateLhcoLike } from '../lib/data/generate/index.js';
import { deriveFeatures } from '../lib/data/features.js';
import { writeEvents } from '../lib/data/io/index.js';
import { EventTable } from '../lib/data/eventTable.js';
import { createRng } from '../lib/util/rng.js';

const out = process.env.OUT ?? 'out/foreign';
const seed = Number(process.env.SEED ?? 5), signal = Number(process.env.SIGNAL ?? 1000);
const hardness = Number(process.env.HARDNESS ?? 3), mass = Number(process.env.MASS ?? 3800);
const background = Number(process.env.BACKGROUND ?? 2_000_000);
const signalModel = { wPrimeMassGeV: mass, xMassGeV: 300, yMassGeV: 200, xWidthGeV: 40 };

/** Generated events, the background thinned to the harder spectrum (signal events kept). */
function sample(s: number, nBackground: number, nSignal: number): EventTable {
  const raw = generateLhcoLike({ background: nBackground, signal: nSignal, seed: s, backgroundModel: 'alternative', signalModel });
  const mjj = deriveFeatures(raw).column('mJJ'), label = raw.column('label');
  const keep = createRng(s).fork('harder-spectrum');
  const rows: number[] = [];
  for (let i = 0; i < mjj.length; i++) if (label[i] === 1 || keep.uniform() <= Math.min(1, (mjj[i] / 4.5) ** hardness)) rows.push(i);
  return raw.take(rows);
}

mkdirSync(out, { recursive: true });
for (const [name, table] of [
  ['data.h5', sample(seed, background, signal)],
  ['null.h5', sample(seed + 1, background, 0)],
  ['template.h5', sample(seed + 2, background, 0)],
] as const) {
  await writeEvents(table, join(out, name));
  console.log(`${join(out, name)}: ${table.length} events`);
}
