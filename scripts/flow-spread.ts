/**
 * Diagnostic (not part of CI): is a CATHODE template's excess at a working point each flow's own error, or one the
 * flows of a window share? With `cathode.flows` K > 1 the template's rows come in K blocks, one per flow
 * (FlowEnsemble.sampleChecked). At each ε_B cut of the scan (per-fold thresholds, δsys = 0) this compares the
 * (weighted) fraction of each flow's block that passes with the others (printed over the whole template's ε_eff): their χ² about the mean, against the
 * blocks' own counting errors, has K − 1 degrees of freedom when the flows differ only by counting. The data's
 * excess over the whole template (bias, Z) is printed beside it.
 *
 *   node --import tsx scripts/flow-spread.ts out/f3-default [--cache dir] [--sample control|data] [--epsilon-b 0.01,0.001]
 *
 * A χ²/dof near 1 with a data excess well beyond it: the flows agree with each other and are wrong together
 * (the common part: shared sideband events, the flow's form); more flows of the same kind cannot remove it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ResultCache } from '../lib/scan/cache.js';
import { cutAndCount, passingEvents } from '../lib/stats/cutAndCount.js';
import { effectiveCount } from '../lib/stats/expectedBackground.js';
import { zCowan } from '../lib/stats/significance.js';
import { summarizeRuns } from '../lib/stats/runs.js';
import { chi2Sf } from '../lib/util/special.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { cache: { type: 'string' }, sample: { type: 'string', default: 'control' }, 'epsilon-b': { type: 'string', default: '0.01,0.001' } } });
const outDir = positionals[0];
if (!outDir) throw new Error('usage: flow-spread.ts <scan output directory> [--cache dir] [--sample control|data] [--epsilon-b 0.01,0.001]');
const epsilonB = values['epsilon-b']!.split(',').map(Number);
const plan = JSON.parse(readFileSync(join(outDir, 'plan.json'), 'utf8'));
const cache = new ResultCache(values.cache ?? join(outDir, 'cache'));
interface Task { index: number; kind: string; sample: string; windowId: number; method: string; run: number; key: string; dependsOn: string[] }
const tasks = (plan.tasks as Task[]).filter((t) => t.kind === 'classify' && t.method === 'cathode' && t.sample === values.sample);
if (tasks.length === 0) throw new Error(`${outDir}/plan.json: no CATHODE classify task on the ${values.sample} sample`);

const chi2 = new Map<number, { sum: number; dof: number; z: number[] }>(epsilonB.map((e) => [e, { sum: 0, dof: 0, z: [] }]));
for (const t of tasks) {
  const flowEntry = cache.get<{ flow: { flows?: unknown[] }; check?: { dropped: number } }>(t.dependsOn[0]);
  const scores = cache.get<unknown>(t.key);
  if (!flowEntry || !scores) throw new Error(`window ${t.windowId}, run ${t.run}: task ${t.index} or its flow is not in ${cache.dir}`);
  const k = flowEntry.value.flow.flows?.length ?? 1;
  if (k < 2) throw new Error(`window ${t.windowId}: the template comes from one flow; nothing to compare (scan with cathode.flows ≥ 2)`);
  if ((flowEntry.value.check?.dropped ?? 0) > 0) throw new Error(`window ${t.windowId}: template events were dropped, so the rows no longer split into one block per flow`);
  const a = scores.arrays;
  const templateScores = a.templateScores as Float64Array, templateFold = a.templateFold as Uint8Array, weights = a.templateWeights as Float64Array | undefined;
  const rows = cutAndCount({ dataScores: a.dataScores as Float64Array, templateScores, templateWeights: weights, folds: { data: a.dataFold as Uint8Array, template: templateFold } }, { epsilonB, deltaSys: 0 });
  const n = templateScores.length;
  const cells = rows.map((row) => {
    const pass = passingEvents(templateScores, templateFold, row);
    // Per flow block: weighted pass fraction and its counting variance (effective counts).
    const blocks = Array.from({ length: k }, (_, j) => {
      const lo = Math.floor((j * n) / k), hi = Math.floor(((j + 1) * n) / k);
      const w = weights ? weights.subarray(lo, hi) : new Float64Array(hi - lo).fill(1);
      let all = 0, passed = 0;
      for (let i = 0; i < w.length; i++) { all += w[i]; if (pass[lo + i]) passed += w[i]; }
      const eps = passed / all;
      return { eps, variance: (eps * eps) / Math.max(1, effectiveCount(w, pass.subarray(lo, hi))) };
    });
    const mean = blocks.reduce((s, b) => s + b.eps, 0) / k;
    const c2 = blocks.reduce((s, b) => s + (b.eps - mean) ** 2 / b.variance, 0);
    const acc = chi2.get(row.epsilonB)!;
    const z = zCowan(row.nObs, row.nExp, 1 / Math.sqrt(row.nTemplatePassEff));
    acc.sum += c2; acc.dof += k - 1; acc.z.push(z);
    return `ε_B ${row.epsilonB}: data ÷ template − 1 = ${(row.nObs / row.nExp - 1).toFixed(3)} (Z ${z.toFixed(2)}); per flow ε ÷ ε_eff ${blocks.map((b) => (b.eps / mean).toFixed(3)).join(' ')} (χ² ${c2.toFixed(1)}/${k - 1})`;
  });
  console.log(`window ${t.windowId}, run ${t.run}: ${cells.join('; ')}`);
}
for (const [e, acc] of chi2) {
  const s = summarizeRuns(acc.z);
  console.log(`ε_B ${e}: flows about their mean χ² ${acc.sum.toFixed(1)} / ${acc.dof} dof (p ${chi2Sf(acc.sum, acc.dof).toFixed(3)}); data over the template Z mean ${s.mean.toFixed(2)}, sd ${s.std.toFixed(2)} (${acc.z.length} cells)`);
}
