import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import ort from 'onnxruntime-node';
import { createRng } from '../../lib/util/rng.js';
import { FlowEnsemble } from '../../lib/ml/flows/index.js';
import { ResultCache } from '../../lib/scan/cache.js';
import { exportOnnx, type ExportCliOptions } from '../../scripts/commands/exportOnnx.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const cliArgs = (args: string[]) => [process.execPath, ['--import', 'tsx', join(repo, 'scripts/cli.ts'), ...args], { cwd: repo, encoding: 'utf8' as const }] as const;
const cli = (...args: string[]): string => execFileSync(...cliArgs(args));
const cliFails = (...args: string[]) => { const r = spawnSync(...cliArgs(args)); return { status: r.status, stderr: r.stderr }; };

function toy(n: number, seed: number) {
  const r = createRng(seed);
  const x = new Float64Array(n * 2), m = new Float64Array(n);
  for (let i = 0; i < n; i++) { m[i] = 3 + r.uniform(); x[2 * i] = 0.1 * m[i] + 0.05 * r.normal(); x[2 * i + 1] = Math.exp(0.3 * r.normal()); }
  return { x: { data: x, rows: n, cols: 2 }, m };
}

describe('sidewinder export-onnx', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sw-export-'));
  const train = toy(1500, 1);

  it('writes a flow ensemble taken from a scan cache as an ONNX log-density that onnxruntime evaluates like the flow', async () => {
    const ens = await FlowEnsemble.fit(train.x, train.m, { blocks: 2, hidden: 8, epochs: 2, batchSize: 128, keepBestEpochs: 1, maxEvents: null, seed: 2, size: 1 });
    // A plan with one flow task (the layout `sidewinder scan` writes) and its cache entry.
    const key = 'ab'.repeat(16);
    writeFileSync(join(dir, 'plan.json'), JSON.stringify({
      schema: 'sidewinder/scan-plan', version: 1, config: {}, datasets: {}, windows: [], shortSidebandWidth: 0.2,
      tasks: [{ index: 0, kind: 'flow', method: 'cathode', sample: 'data', windowId: 5, run: 0, seed: 1, key, dependsOn: [] }],
    }));
    new ResultCache(join(dir, 'cache')).put(key, { nSamples: 0, cols: 2, features: ['a', 'b'], flow: ens.toJSON() });
    const out = join(dir, 'w5.onnx');
    expect(cli('export-onnx', '--scan', dir, '--window', '5', '-o', out)).toMatch(/w5\.onnx: log-density graph: x \[N, 2\], m \[N, 1\] → log_prob \[N\].*window 5 flow/);
    const session = await ort.InferenceSession.create(readFileSync(out));
    const test = toy(200, 3);
    const x32 = Float32Array.from(test.x.data), m32 = Float32Array.from(test.m);
    const res = await session.run({ x: new ort.Tensor('float32', x32, [200, 2]), m: new ort.Tensor('float32', m32, [200, 1]) });
    const ours = ens.logProb({ data: Float64Array.from(x32), rows: 200, cols: 2 }, Float64Array.from(m32));
    const got = res.log_prob.data as Float32Array;
    for (let i = 0; i < 200; i++) {
      if (ours[i] === -Infinity) expect(got[i]).toBe(-Infinity);
      else expect(Math.abs(got[i] - ours[i])).toBeLessThan(5e-5);
    }
    await session.release();
    // The flow document itself, as the sampling graph.
    writeFileSync(join(dir, 'flow.json'), JSON.stringify(ens.flows[0].toJSON()));
    expect(cli('export-onnx', join(dir, 'flow.json'), '--graph', 'sample', '-o', join(dir, 's.onnx'))).toMatch(/sampling graph: z \[N, 2\] ~ N\(0, 1\), m \[N, 1\] → x \[N, 2\]/);
  });

  it('bad input: a clear message naming what was wrong, and no file written', () => {
    writeFileSync(join(dir, 'other.json'), JSON.stringify({ kind: 'hgb' }));
    const base = { graph: 'log-prob', sample: 'data', run: '0' };
    const cases: [string | undefined, Partial<ExportCliOptions>, RegExp][] = [
      [join(dir, 'other.json'), {}, /kind "hgb" cannot be exported; expected "conditional-maf", "conditional-maf-ensemble" or "mlp"/],
      [join(dir, 'missing.json'), {}, /missing\.json: cannot read the model document: no such file or directory \(ENOENT\)/],
      [undefined, { scan: dir }, /--scan needs --window/],
      [undefined, { scan: dir, window: '4' }, /no flow for window 4, sample data, run 0; the plan has window 5 \(data, run 0\)/],
      [join(dir, 'flow.json'), { graph: 'density' }, /--graph must be log-prob or sample, got "density"/],
      [undefined, {}, /give either a model document or --scan/],
      [undefined, { scan: dir, window: 'five' }, /--window: expected a non-negative integer, got "five"/],
      [join(dir, 'flow.json'), { window: '5' }, /--window selects a flow of a scan/],
    ];
    const out = join(dir, 'never.onnx');
    for (const [model, opts, message] of cases) expect(() => exportOnnx(model, { ...base, ...opts, out })).toThrow(message);
    expect(existsSync(out)).toBe(false);
    // Through the CLI: one line on stderr and exit code 1 (bad input).
    const r = cliFails('export-onnx', join(dir, 'other.json'), '-o', out);
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/^sidewinder: .*kind "hgb" cannot be exported/);
    expect(existsSync(out)).toBe(false);
  });
});
