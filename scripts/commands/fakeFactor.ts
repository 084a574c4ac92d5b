import type { Command } from 'commander';
import { ConfigError } from '../../lib/util/errors.js';
import { fakeFactorEstimate, fakeFactorFromRate, measureFakeFactors, type FakeFactorEvents } from '../../lib/stats/background/fakeFactor.js';
import { fitFakeFactorModel, fakeFactorModelEstimate, type FakeFactorModelEvents } from '../../lib/stats/background/bdtFakeFactor.js';
import { warnDeprecated } from '../cliErrors.js';
import { fmt, numberList, numberOption, readCsvColumns, toJson } from './classicalInput.js';

/** Events for the unbinned model: per object k the columns <variable>k and tightk [, weight]. */
function readModelEvents(file: string, objects: 1 | 2, variables: readonly string[], weighted: boolean): FakeFactorModelEvents {
  const names: string[] = [];
  for (let k = 1; k <= objects; k++) names.push(...variables.map((v) => `${v}${k}`), `tight${k}`);
  const c = readCsvColumns(file, weighted ? [...names, 'weight'] : names);
  const n = c[names[0]].length, d = variables.length;
  const obj = (k: number) => {
    const x = new Float64Array(n * d);
    variables.forEach((v, j) => { const col = c[`${v}${k}`]; for (let i = 0; i < n; i++) x[i * d + j] = col[i]; });
    return { x: { data: x, rows: n, cols: d }, tight: c[`tight${k}`] };
  };
  return { objects: objects === 1 ? [obj(1)] : [obj(1), obj(2)], weights: weighted ? c.weight : undefined };
}

/** Read one- or two-object events: columns pt1,eta1,tight1[,pt2,eta2,tight2][,weight]. */
function readEvents(file: string, objects: 1 | 2, weighted: boolean): FakeFactorEvents {
  const names = objects === 1 ? ['pt1', 'eta1', 'tight1'] : ['pt1', 'eta1', 'tight1', 'pt2', 'eta2', 'tight2'];
  const c = readCsvColumns(file, weighted ? [...names, 'weight'] : names);
  const obj = (k: number) => ({ pt: c[`pt${k}`], eta: c[`eta${k}`], tight: c[`tight${k}`] });
  return { objects: objects === 1 ? [obj(1)] : [obj(1), obj(2)], weights: weighted ? c.weight : undefined };
}

interface FfCliOptions {
  f?: string; f1?: string; f2?: string;
  loose?: string; tl?: string; lt?: string; ll?: string;
  mcLoose?: string; mcTl?: string; mcLt?: string; mcLl?: string;
  control?: string; ptEdges?: string; etaEdges?: string; events?: string; mc?: string; objects: string;
  json?: boolean; model: string; variables: string; seed: string;
}

/** `sidewinder fake-factor`: F = f/(1 − f) and the one- or two-object fake estimate from counts. */
export function register(program: Command): void {
  program
    .command('fake-factor')
    .description('Fake Factor F = f/(1−f); N_fakes = [Σ_TL F2 + Σ_LT F1 − Σ_LL F1F2]_data − [same]_prompt MC from counts with constant F, or per event with F(pT, η) measured in bins from a control CSV (--control, --events, --mc)')
    .option('--f <rate>', 'fake rate f (both objects), or use --f1/--f2')
    .option('--f1 <rate>', 'fake rate of object 1')
    .option('--f2 <rate>', 'fake rate of object 2')
    .option('--loose <n>', 'one object: loose-not-tight count in data')
    .option('--tl <n>', 'two objects: data count with object 1 tight, object 2 loose-not-tight')
    .option('--lt <n>', 'two objects: object 1 loose-not-tight, object 2 tight')
    .option('--ll <n>', 'two objects: both loose-not-tight')
    .option('--mc-loose <n>', 'prompt MC (weighted) count, one object')
    .option('--mc-tl <n>', 'prompt MC TL count')
    .option('--mc-lt <n>', 'prompt MC LT count')
    .option('--mc-ll <n>', 'prompt MC LL count')
    .option('--control <csv>', 'per-event mode: fake-enriched control sample, columns pt, eta, tight (0/1) [, weight]: F(pT, η) measured in bins')
    .option('--pt-edges <list>', 'pT bin edges of the fake-factor map')
    .option('--eta-edges <list>', 'η bin edges of the fake-factor map', '-1e9,1e9')
    .option('--events <csv>', 'per-event mode: data events, columns pt1, eta1, tight1 [, pt2, eta2, tight2]')
    .option('--mc <csv>', 'per-event mode: prompt MC events, same columns plus weight')
    .option('--objects <n>', 'objects per event in --events/--mc: 1 or 2', '2')
    .option('--model <kind>', 'per-event mode: binned (F(pT, η) map from --pt-edges/--eta-edges) or bdt (unbinned F(x) = c/(1 − c) from a boosted-decision-tree tight-vs-loose classifier; "flow" is a deprecated alias)', 'binned')
    .option('--variables <list>', '--model bdt: object variables (control columns; events columns <name>1, <name>2)', 'pt,eta')
    .option('--seed <n>', '--model bdt: seed', '1')
    .option('--json', 'print JSON')
    .action((o: FfCliOptions) => {
      if (o.control || o.events) {
        // 'flow' was the old, misleading name of the tree-classifier model (it never was a flow).
        if (o.model === 'flow') { warnDeprecated('--model flow', '--model bdt (a boosted-decision-tree classifier; it never was a flow)'); o.model = 'bdt'; }
        if (o.model !== 'binned' && o.model !== 'bdt') throw new ConfigError(`--model: expected "binned" or "bdt", got "${o.model}"`);
        if (!o.control || !o.events || (o.model === 'binned' && !o.ptEdges)) throw new ConfigError(`fake-factor per-event mode needs --control${o.model === 'binned' ? ', --pt-edges' : ''} and --events (and optionally --mc)`);
        const nObj = numberOption(o.objects, '--objects');
        if (nObj !== 1 && nObj !== 2) throw new ConfigError(`--objects: expected 1 or 2, got ${o.objects}`);
        if (o.model === 'bdt') {
          const vars = o.variables.split(',').map((s) => s.trim()).filter((s) => s !== '');
          let cr: Record<string, Float64Array>;
          try { cr = readCsvColumns(o.control, [...vars, 'tight', 'weight']); } catch { cr = readCsvColumns(o.control, [...vars, 'tight']); }
          const n = cr.tight.length, d = vars.length, x = new Float64Array(n * d);
          vars.forEach((v, j) => { for (let i = 0; i < n; i++) x[i * d + j] = cr[v][i]; });
          const model = fitFakeFactorModel({ data: x, rows: n, cols: d }, cr.tight, vars, { weights: cr.weight, seed: numberOption(o.seed, '--seed') });
          const e = fakeFactorModelEstimate(readModelEvents(o.events, nObj, vars, false), model, o.mc ? readModelEvents(o.mc, nObj, vars, true) : undefined);
          if (o.json) { console.log(toJson({ ...e, model: 'bdt', variables: vars, closureRatio: model.closureRatio })); return; }
          console.log(`unbinned BDT F(${vars.join(', ')}) from ${n} control objects; closure Σ_loose F / N_tight = ${fmt(model.closureRatio, 4)}`);
          console.log(`N_fakes = ${fmt(e.nFakes, 3)} ± ${fmt(e.sigmaStat, 3)} (stat) = data ${fmt(e.dataTerm, 3)} − prompt MC ${fmt(e.promptTerm, 3)}`);
          return;
        }
        let cr: Record<string, Float64Array>;
        try { cr = readCsvColumns(o.control, ['pt', 'eta', 'tight', 'weight']); } catch { cr = readCsvColumns(o.control, ['pt', 'eta', 'tight']); }
        const map = measureFakeFactors({ pt: cr.pt, eta: cr.eta, tight: cr.tight, weights: cr.weight }, numberList(o.ptEdges!, '--pt-edges'), numberList(o.etaEdges ?? '-1e9,1e9', '--eta-edges'));
        const e = fakeFactorEstimate(readEvents(o.events, nObj, false), map, o.mc ? readEvents(o.mc, nObj, true) : undefined);
        if (o.json) { console.log(toJson({ ...e, fakeFactorMap: map })); return; }
        console.log(`F(pT, η) measured in ${map.values.length} bins: ${Array.from(map.values, (v) => fmt(v, 3)).join(' ')}`);
        console.log(`N_fakes = ${fmt(e.nFakes, 3)} ± ${fmt(e.sigmaStat, 3)} (stat) = data ${fmt(e.dataTerm, 3)} − prompt MC ${fmt(e.promptTerm, 3)}`);
        return;
      }
      const num = (v: string | undefined, name: string, dflt?: number): number => {
        if (v === undefined) { if (dflt === undefined) throw new ConfigError(`fake-factor: ${name} is required`); return dflt; }
        return numberOption(v, name);
      };
      const f1 = num(o.f1 ?? o.f, '--f1 (or --f)'), f2 = o.f2 !== undefined || o.f !== undefined ? num(o.f2 ?? o.f, '--f2') : f1;
      const F1 = fakeFactorFromRate(f1), F2 = fakeFactorFromRate(f2);
      let out: Record<string, number>;
      if (o.tl !== undefined || o.lt !== undefined || o.ll !== undefined) {
        const term = (tl: number, lt: number, ll: number) => tl * F2 + lt * F1 - ll * F1 * F2;
        const data = term(num(o.tl, '--tl'), num(o.lt, '--lt'), num(o.ll, '--ll'));
        const mc = term(num(o.mcTl, '--mc-tl', 0), num(o.mcLt, '--mc-lt', 0), num(o.mcLl, '--mc-ll', 0));
        // Poisson variance of the data counts
        const sigma = Math.sqrt(num(o.tl, '--tl') * F2 ** 2 + num(o.lt, '--lt') * F1 ** 2 + num(o.ll, '--ll') * (F1 * F2) ** 2);
        out = { F1, F2, dataTerm: data, promptTerm: mc, nFakes: data - mc, sigmaStatData: sigma };
      } else if (o.loose !== undefined) {
        const data = num(o.loose, '--loose') * F1, mc = num(o.mcLoose, '--mc-loose', 0) * F1;
        out = { F: F1, dataTerm: data, promptTerm: mc, nFakes: data - mc, sigmaStatData: Math.sqrt(num(o.loose, '--loose')) * F1 };
      } else out = o.f2 !== undefined ? { F1, F2 } : { F: F1 };
      if (o.json) { console.log(toJson(out)); return; }
      console.log(Object.entries(out).map(([k, v]) => `${k} = ${fmt(v, 4)}`).join('\n'));
    });
}
