import { runScan } from '../lib/scan/scan.js';
import { presetConfig } from '../lib/scan/presets.js';
for (const [label, flow] of [['150k/6', { preset: 'default', maxEvents: 150_000, epochs: 6 }], ['300k/8', { preset: 'default' }], ['150k/12', { preset: 'default', maxEvents: 150_000, epochs: 12, keepBestEpochs: 4 }]] as const) {
  const cfg = presetConfig('default');
  cfg.windows.ids = [4, 5];
  cfg.methods = ['cathode'];
  cfg.cathode.flow = flow as never;
  cfg.lookElsewhere = { pseudoExperiments: 0 };
  const t0 = Date.now();
  const out = await runScan(cfg, { outDir: `/tmp/flowcheck/${label.replace('/', '-')}`, cacheDir: '/tmp/flowcheck/cache' });
  console.log(label, ((Date.now() - t0) / 1000).toFixed(0), 's', JSON.stringify(out.results.deltaSys?.map((d) => [d.epsilonB, d.mean.toFixed(3), d.perWindow.map((w) => w.value.toFixed(2))])));
  console.log(label, out.results.aggregates.map((a) => `${a.windowId}/${a.epsilonB}: Z=${a.z.cowan.mean.toFixed(2)}`).join('  '));
}
process.exit(0);
