import { Option, type Command } from 'commander';
import { dirname, join, resolve } from 'node:path';
import { loadFlow, loadFlowEnsemble, type FittedFlow, type FlowEnsemble } from '../../lib/ml/flows/index.js';
import { exportFlowToOnnx, exportMlpToOnnx, type FlowOnnxGraph } from '../../lib/ml/onnx/index.js';
import { loadModel } from '../../lib/ml/classifier.js';
import '../../lib/ml/nn/mlp.js';
import type { FittedMlp } from '../../lib/ml/nn/mlp.js';
import { readPlan } from '../../lib/scan/scan.js';
import { ResultCache } from '../../lib/scan/cache.js';
import { writeFileAtomicSync } from '../../lib/util/atomicWrite.js';
import { ConfigError, InputError } from '../../lib/util/errors.js';
import { readJsonFile } from '../../lib/util/json.js';
import { warnDeprecated } from '../cliErrors.js';

/** Options of `sidewinder export-onnx` (as commander passes them). */
export interface ExportCliOptions {
  out?: string; /** deprecated spelling of `out` */ output?: string; graph: string; scan?: string; plan?: string; cache?: string; window?: string; sample: string; run: string;
}

const GRAPHS: Record<string, FlowOnnxGraph> = { 'log-prob': 'logProb', logProb: 'logProb', sample: 'sample' };

/** `sidewinder export-onnx`: a trained flow (file or from a scan's cache) or MLP as an ONNX model. */
export function register(program: Command): void {
  program
    .command('export-onnx')
    .description('export a trained conditional flow (log-density or sampling graph) or MLP classifier to ONNX (opset 13)')
    .argument('[model]', 'model document (.json): a flow, a flow ensemble or an MLP; or give --scan and --window')
    .option('-o, --out <file>', 'ONNX file to write (required)')
    .addOption(new Option('--output <file>', 'deprecated: use -o, --out').hideHelp())
    .option('--graph <graph>', 'flows: log-prob (inputs x [N, D], m [N, 1] → log_prob [N]) or sample (z [N, D], m [N, 1] → x [N, D])', 'log-prob')
    .option('--scan <dir>', "take the CATHODE flow of a scan's output directory (its plan.json and cache)")
    .option('--plan <file>', 'plan.json (default: <scan>/plan.json)')
    .option('--cache <dir>', 'task cache (default: <plan dir>/cache)')
    .option('--window <id>', 'with --scan: the window whose sideband flow to export')
    .option('--sample <role>', 'with --scan: data or control', 'data')
    .option('--run <n>', 'with --scan: run index', '0')
    .addHelpText('after', `
Examples:
  $ sidewinder export-onnx --scan out/scan --window 5 -o w5-flow.onnx             # the CATHODE flow of window 5
  $ sidewinder export-onnx flow.json --graph sample -o flow-sampler.onnx`)
    .action((model: string | undefined, o: ExportCliOptions) => {
      if (o.output !== undefined) warnDeprecated('export-onnx --output', '-o, --out');
      console.log(exportOnnx(model, o));
    });
}

/** The flow document of a scan's flow task for one window, sample and run. */
function flowFromScan(o: ExportCliOptions): { doc: unknown; source: string } {
  const planPath = o.plan ?? join(o.scan ?? '.', 'plan.json');
  const plan = readPlan(planPath);
  if (o.window === undefined) throw new ConfigError('--scan needs --window <id> (the window whose flow to export)');
  const integer = (v: string, name: string): number => {
    const k = Number(v);
    if (!/^\s*\d+\s*$/.test(v) || !Number.isInteger(k)) throw new ConfigError(`${name}: expected a non-negative integer, got "${v}"`);
    return k;
  };
  const windowId = integer(o.window, '--window'), runIndex = integer(o.run, '--run');
  const flows = plan.tasks.filter((t) => t.kind === 'flow');
  if (flows.length === 0) throw new InputError(`${planPath}: the scan trains no flows (CATHODE is not among its methods)`);
  const flowOf = (run: number) => flows.find((t) => t.windowId === windowId && t.sample === o.sample && t.run === run);
  // A flow shared by every run is planned once, as run 0.
  const task = flowOf(runIndex) ?? (runIndex < plan.config.runs ? flowOf(0) : undefined);
  if (!task) {
    const have = [...new Set(flows.map((t) => `window ${t.windowId} (${t.sample}, run ${t.run})`))];
    throw new InputError(`${planPath}: no flow for window ${o.window}, sample ${o.sample}, run ${o.run}; the plan has ${have.join(', ')}`);
  }
  const cacheDir = o.cache ?? join(dirname(planPath), 'cache');
  const found = new ResultCache(cacheDir).lookup<{ flow: unknown }>(task.key);
  if (found.status === 'damaged') throw new InputError(`${cacheDir}: the flow of window ${windowId} (task ${task.index}) is damaged in the cache (${found.reason}); rerun the scan to recompute it`);
  if (found.status === 'absent') throw new InputError(`${cacheDir}: the flow of window ${windowId} (task ${task.index}) is not in the cache yet; run the scan first`);
  return { doc: found.entry.value.flow, source: `window ${windowId} flow (${o.sample}, run ${runIndex}) of ${planPath}` };
}

/** Export the model (file or scan flow) to `o.output`; returns the line the CLI prints. */
export function exportOnnx(model: string | undefined, o: ExportCliOptions): string {
  if (o.out !== undefined && o.output !== undefined && o.out !== o.output) throw new ConfigError(`give the ONNX file once: -o, --out ${o.out} and the deprecated --output ${o.output} differ`);
  const outPath = o.out ?? o.output;
  if (outPath === undefined) throw new ConfigError('export-onnx needs -o, --out <file> (the ONNX file to write)');
  if ((model === undefined) === (o.scan === undefined && o.plan === undefined)) throw new ConfigError('give either a model document or --scan <dir> --window <id>');
  if (model !== undefined && o.window !== undefined) throw new ConfigError('--window selects a flow of a scan (with --scan); it does not apply to a model document');
  const { doc, source } = model !== undefined ? { doc: readJsonFile(model, 'model document'), source: model } : flowFromScan(o);
  const kind = (doc as { kind?: unknown } | null)?.kind;
  let bytes: Uint8Array, what: string;
  if (kind === 'conditional-maf' || kind === 'conditional-maf-ensemble') {
    const graph = GRAPHS[o.graph];
    if (!graph) throw new ConfigError(`--graph must be log-prob or sample, got "${o.graph}"`);
    const flow: FittedFlow | FlowEnsemble = kind === 'conditional-maf' ? loadFlow(doc) : loadFlowEnsemble(doc);
    bytes = exportFlowToOnnx(flow, { graph });
    const [D, C] = [flow.dims, (kind === 'conditional-maf' ? (flow as FittedFlow) : (flow as FlowEnsemble).flows[0]).shape.condDims];
    what = graph === 'logProb'
      ? `log-density graph: x [N, ${D}], m [N, ${C}] → log_prob [N]`
      : `sampling graph: z [N, ${D}] ~ N(0, 1), m [N, ${C}] → x [N, ${D}]`;
  } else if (kind === 'mlp') {
    bytes = exportMlpToOnnx(loadModel(doc) as FittedMlp);
    what = 'classifier: x [N, d] → proba [N, 1]';
  } else {
    throw new InputError(`${source}: kind ${JSON.stringify(kind)} cannot be exported; expected "conditional-maf", "conditional-maf-ensemble" or "mlp"`);
  }
  const written = resolve(outPath);
  writeFileAtomicSync(written, bytes);
  return `${written}: ${what} (${(bytes.byteLength / 1024).toFixed(0)} KiB, from ${source})`;
}
