import { describe, expect, it } from 'vitest';
import { resolveMlpBackend, defaultKernelBackend, TFJS_NODE_GPU } from '../../lib/ml/backends/select.js';
import { MlpClassifier } from '../../lib/ml/nn/mlp.js';
import { createRng } from '../../lib/util/rng.js';
import type { Reporter } from '../../lib/util/reporter.js';

function recorder(): Reporter & { lines: string[] } {
  const lines: string[] = [];
  return { lines, progress() {}, log: (level, msg) => { lines.push(`${level}: ${msg}`); } };
}

describe('MLP backend selection (importer injected)', () => {
  it("'auto' and 'js' need no import; 'auto' prefers the WASM kernels when built", async () => {
    const importer = () => { throw new Error('must not be called'); };
    expect((await resolveMlpBackend('auto', { importer })).name).toBe(defaultKernelBackend());
    expect((await resolveMlpBackend('js', { importer })).name).toBe('js');
  });

  it("'tfjs' whose import throws: one warning line naming the package and the reason, then the default backend", async () => {
    const rep = recorder();
    const r = await resolveMlpBackend('tfjs', {
      reporter: rep,
      importer: async () => { throw new Error('The Node.js native addon module (tfjs_binding.node) can not be found\nsecond line'); },
    });
    expect(r.name).toBe(defaultKernelBackend());
    expect(rep.lines).toEqual([`warn: mlp backend 'tfjs': ${TFJS_NODE_GPU} did not load (The Node.js native addon module (tfjs_binding.node) can not be found); using '${defaultKernelBackend()}'`]);
  });

  it("'tfjs' whose import is not a tfjs API: a warning and the default", async () => {
    const rep = recorder();
    const r = await resolveMlpBackend('tfjs', { reporter: rep, importer: async () => ({ default: { version: '0' } }) });
    expect(r.name).toBe(defaultKernelBackend());
    expect(rep.lines[0]).toMatch(/not a tfjs API/);
  });

  it("'tfjs' with a loadable tfjs (a default export is unwrapped)", async () => {
    const tf = await import('@tensorflow/tfjs');
    const r = await resolveMlpBackend('tfjs', { importer: async () => ({ default: tf }) });
    expect(r.name).toBe('tfjs');
  });

  it('the real optional package: either it loads, or the fit falls back with one message', async () => {
    const rep = recorder();
    const r = await resolveMlpBackend('tfjs', { reporter: rep });
    if (r.name === 'tfjs') expect(rep.lines).toEqual([]);
    else expect(rep.lines).toHaveLength(1);
  });
});

describe('MLP trained on tfjs (pure-JS @tensorflow/tfjs injected in place of tfjs-node-gpu)', () => {
  it('follows the same training trajectory as the dense kernels (same init, shuffles, Adam(W))', async () => {
    const tf = await import('@tensorflow/tfjs');
    await tf.setBackend('cpu');
    const rng = createRng(12), n = 600, d = 3;
    const X = new Float64Array(n * d), y = new Uint8Array(n);
    for (let i = 0; i < n; i++) { y[i] = i % 2; for (let j = 0; j < d; j++) X[i * d + j] = rng.normal() + (y[i] ? 0.7 : 0); }
    const Xm = { data: X, rows: n, cols: d };
    const opts = { epochs: 3, ensembleEpochs: 2, hidden: [8, 8], batchSize: 32, weightDecay: 1e-3 };
    const rep = recorder();
    const viaTf = await new MlpClassifier({ ...opts, backend: 'tfjs' }).fit(Xm, y, { seed: 5, reporter: rep, tfImporter: async () => tf });
    const viaKernels = await new MlpClassifier(opts).fit(Xm, y, { seed: 5 });
    expect(viaTf.history!.backend).toBe('tfjs');
    expect(rep.lines.filter((l) => l.startsWith('warn'))).toEqual([]);
    for (let e = 0; e < 3; e++) {
      expect(viaTf.history!.trainLoss[e]).toBeCloseTo(viaKernels.history!.trainLoss[e], 4);
      expect(viaTf.history!.valLoss[e]).toBeCloseTo(viaKernels.history!.valLoss[e], 4);
    }
    const a = viaTf.predictProba(Xm), b = viaKernels.predictProba(Xm);
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    expect(worst).toBeLessThan(1e-3);
  });
});
