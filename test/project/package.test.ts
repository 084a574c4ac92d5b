/**
 * The published package as a user gets it: `npm pack` the project (its dist/ rebuilt first when a source
 * is newer), install the tarball into an empty directory, and there run the `sidewinder` bin (version
 * and a one-window `ci` scan), a plain .mjs that imports the API, and a .ts file type-checked by tsc
 * against the installed .d.ts. No tsx is installed there: the runtime must not need it.
 *
 * The install resolves the dependencies afresh (as a user's would): from npm's cache when it holds them
 * (`--offline`), else from the registry; without either the test skips and says why.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zCowan } from '../../lib/stats/significance.js';

const REPO = new URL('../../', import.meta.url).pathname;
const PKG = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { name: string; version: string; allowScripts: Record<string, boolean> };
const TSC = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');

/** Run a command; a non-zero exit fails the test with the command's output. */
function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

const NETWORK = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|ENOTCACHED/;

describe('the packed tarball, installed in an empty directory', () => {
  it('runs the bin, a one-window ci scan, a plain .mjs import and a type-checked .ts file', async (ctx) => {
    const t0 = Date.now();
    const stages: string[] = [];
    let tStage = t0;
    const stage = (name: string): void => {
      stages.push(`${name} ${((Date.now() - tStage) / 1000).toFixed(0)} s`);
      tStage = Date.now();
    };
    const work = mkdtempSync(join(tmpdir(), 'sidewinder-pack-'));
    try {
      // 1. Pack: dist/ must match the sources (rebuilt only when one is newer), then the tarball of it.
      run(process.execPath, ['scripts/build.mjs', '--if-stale'], REPO);
      run('npm', ['pack', '--ignore-scripts', '--pack-destination', work, '--loglevel=error'], REPO);
      const tarball = join(work, `${PKG.name}-${PKG.version}.tgz`);
      expect(existsSync(tarball)).toBe(true);
      stage('pack');

      // 2. Install into an empty project. Its allowScripts is what the README tells users: skip
      //    onnxruntime-node's CUDA download (the CPU runtime ships in the package) and the optional
      //    tfjs-node-gpu download; sidewinder's own `prepare` is for building from a clone.
      const app = join(work, 'app');
      mkdirSync(app);
      writeFileSync(join(app, 'package.json'), JSON.stringify({
        name: 'sidewinder-pack-test', private: true, type: 'module',
        allowScripts: { ...PKG.allowScripts, [PKG.name]: false },
      }, null, 2));
      const npmInstall = (mode: string) => spawnSync('npm', ['install', tarball, '--no-audit', '--no-fund', mode, '--loglevel=error'], { cwd: app, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      let inst = npmInstall('--offline');
      if (inst.status !== 0) inst = npmInstall('--prefer-offline');
      if (inst.status !== 0 && NETWORK.test(inst.stderr)) {
        console.warn(`skipping the packed-tarball test: the npm registry is not reachable and the cache lacks a dependency (${NETWORK.exec(inst.stderr)?.[0]})`);
        ctx.skip();
      }
      expect(inst.status, inst.stderr).toBe(0);
      const installed = join(app, 'node_modules', PKG.name);
      expect(existsSync(join(installed, 'dist', 'lib', 'index.js'))).toBe(true);
      expect(existsSync(join(installed, 'lib')), 'the TypeScript sources are not published').toBe(false);
      expect(existsSync(join(app, 'node_modules', 'tsx')), 'tsx is a devDependency only').toBe(false);
      stage('install');

      // 3. The bin.
      const version = run('npx', ['--no-install', 'sidewinder', '--version'], app);
      expect(version.stdout.trim()).toBe(PKG.version);
      expect(version.stderr).toBe('');

      // 4. The smallest honest scan: window 5 of the ci preset, IAD, CWoLa and CATHODE, with the report.
      const scan = run('npx', ['--no-install', 'sidewinder', 'scan', '--preset', 'ci', '--windows', '5', '--out', 'scan', '--log'], app);
      expect(scan.stderr).not.toMatch(/npm warn|ExperimentalWarning/i);
      const results = JSON.parse(readFileSync(join(app, 'scan', 'results.json'), 'utf8')) as {
        config: { windows: { id: number }[] };
        aggregates: { windowId: number; method: string; epsilonB: number; nObs: { mean: number } }[];
      };
      expect(results.config.windows.map((w) => w.id)).toEqual([5]);
      // One aggregate per method and working point (the ci preset: ε_B = 1e-2, 1e-3), all in window 5.
      expect(results.aggregates.map((a) => `${a.method} ${a.epsilonB}`).sort()).toEqual(
        ['cathode 0.001', 'cathode 0.01', 'cwola 0.001', 'cwola 0.01', 'iad 0.001', 'iad 0.01']);
      expect(results.aggregates.every((a) => a.windowId === 5 && a.nObs.mean > 0)).toBe(true);
      expect(existsSync(join(app, 'scan', 'report', 'report.html'))).toBe(true);
      expect(readdirSync(join(app, 'scan', 'report')).filter((f) => f.endsWith('.png')).length).toBeGreaterThan(0);
      stage('bin + scan');

      // 5. Plain Node ESM: the API, a reader/writer that loads its WASM module on first use, a closed form,
      //    and a PyTorch-exported ONNX classifier scored synchronously (through dist's worker bootstrap).
      const fixture = (f: string) => JSON.stringify(join(REPO, 'test', 'fixtures', f));
      writeFileSync(join(app, 'use.mjs'), [
        "import { readFileSync } from 'node:fs';",
        "import { zCowan, presetConfig, runScan, EventTable, writeEvents, readEvents, loadOnnxClassifier } from 'sidewinder';",
        "const t = new EventTable(new Map([['mJJ', Float64Array.of(3.4, 3.5, 3.6)]]), { mJJ: 'TeV' });",
        "await writeEvents(t, 'events.h5');",
        "const back = await readEvents('events.h5');",
        `const ref = JSON.parse(readFileSync(${fixture('torch_mlp_classifier.json')}, 'utf8'));`,
        `const clf = await loadOnnxClassifier(${fixture('torch_mlp_classifier.onnx')});`,
        'const p = clf.predictProba({ data: Float64Array.from(ref.x.flat()), rows: ref.x.length, cols: ref.cols });',
        'await clf.close();',
        'const onnxMaxDiff = Math.max(...ref.proba.map((q, i) => Math.abs(q - p[i])));',
        "console.log(JSON.stringify({ z: zCowan(30, 10), preset: presetConfig('ci').preset, runScan: typeof runScan, mJJ: Array.from(back.column('mJJ')), onnxMaxDiff }));",
      ].join('\n'));
      const out = JSON.parse(run(process.execPath, ['use.mjs'], app).stdout) as { z: number; preset: string; runScan: string; mJJ: number[]; onnxMaxDiff: number };
      // σ → 0: Z = sqrt(2 (n ln(n/b) − (n − b)))
      expect(out.z).toBeCloseTo(Math.sqrt(2 * (30 * Math.log(3) - 20)), 12);
      expect(out.z).toBe(zCowan(30, 10));
      expect(out).toMatchObject({ preset: 'ci', runScan: 'function', mJJ: [3.4, 3.5, 3.6] });
      expect(out.onnxMaxDiff).toBeLessThan(1e-5); // onnxruntime reproduces torch's probabilities
      stage('.mjs');

      // 6. TypeScript against the installed declarations: a correct file compiles, a wrong one fails
      //    with a type error (so the types are real, not `any`).
      writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
        compilerOptions: {
          target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true,
          types: ['node'], typeRoots: [join(REPO, 'node_modules', '@types')],
        },
        files: ['use.ts'],
      }));
      writeFileSync(join(app, 'use.ts'), [
        "import { presetConfig, zCowan, type ScanConfig, type ResultsDocument } from 'sidewinder';",
        "const config: ScanConfig = presetConfig('ci');",
        'const z: number = zCowan(30, 10, 0.1);',
        'export const summary = (r: ResultsDocument): string => `${config.preset}: ${r.aggregates.length} cells, Z = ${z.toFixed(2)}`;',
      ].join('\n'));
      run(process.execPath, [TSC, '-p', '.'], app);
      writeFileSync(join(app, 'use.ts'), "import { zCowan } from 'sidewinder';\nexport const wrong: string = zCowan(30, 10);\n");
      const bad = spawnSync(process.execPath, [TSC, '-p', '.'], { cwd: app, encoding: 'utf8' });
      expect(bad.status).not.toBe(0);
      expect(bad.stdout).toMatch(/use\.ts\(2,\d+\): error TS2322: Type 'number' is not assignable to type 'string'/);
      stage('.ts');
    } finally {
      rmSync(work, { recursive: true, force: true });
      stage('clean-up');
      console.log(`packed-tarball test: ${((Date.now() - t0) / 1000).toFixed(0)} s (${stages.join(', ')})`);
    }
  }, 600_000);
});
