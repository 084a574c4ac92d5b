/**
 * The README and docs/: the README stays a short front door, its runnable examples run as written against
 * the built package, docs/config.md is what the schemas generate, every relative link (and #anchor) of the
 * README and docs/ resolves, and no source comment cites the design notes that are not in the repository.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
// @ts-expect-error plain-JS script without declarations
import { renderConfigDocs, CONFIG_DOC } from '../../scripts/gen-config-docs.mjs';

const REPO = new URL('../../', import.meta.url).pathname;
const README = readFileSync(join(REPO, 'README.md'), 'utf8');
const DOCS = readdirSync(join(REPO, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join(REPO, 'docs', f));

/** GitHub's anchor of a heading: lower case, punctuation dropped (letters of any script kept), spaces → '-'. */
const slug = (heading: string): string =>
  heading.trim().toLowerCase().replace(/[`*]/g, '').replace(/[^\p{L}\p{N}_ -]/gu, '').replace(/ /g, '-');

function anchors(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1])));
}

describe('README', () => {
  it('is at most 6,000 characters and starts with the two commands', () => {
    expect([...README].length).toBeLessThanOrEqual(6000);
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(README)?.[1] ?? '';
    expect(firstBlock).toContain('npm ci && npm start');
    expect(firstBlock).toContain('npm test');
    expect(README.indexOf('```sh')).toBeLessThan(README.indexOf('\n## '));
  });

  it('links every docs/ page', () => {
    for (const f of DOCS) expect(README, relative(REPO, f)).toContain(`](${relative(REPO, f)}`);
  });

  it('runs its runnable examples as written, against the built package', () => {
    const blocks = [...README.matchAll(/```(js|ts) runnable\n([\s\S]*?)```/g)];
    expect(blocks.length).toBeGreaterThan(0);
    // `import … from 'sidewinder'` resolves through the package's own exports (dist/): build it if stale.
    const build = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { cwd: REPO, encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
    const dir = join(REPO, '.readme-examples');
    mkdirSync(dir, { recursive: true });
    try {
      blocks.forEach(([, lang, code], i) => {
        const file = join(dir, `example-${i + 1}.${lang === 'ts' ? 'ts' : 'mjs'}`);
        writeFileSync(file, code);
        const args = lang === 'ts' ? ['--import', 'tsx', file] : [file];
        const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
        expect(r.status, `README example ${i + 1} failed:\n${r.stderr}`).toBe(0);
        // The IAD example prints one line per working point with a finite, positive significance.
        const z = [...r.stdout.matchAll(/Z_Cowan = (-?[\d.]+)/g)].map((m) => Number(m[1]));
        if (z.length) expect(z.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});

describe('docs/', () => {
  it('config.md is what `npm run docs:config` generates from data-schemas/', () => {
    const generated = renderConfigDocs() as string;
    expect(generated).toBe(renderConfigDocs()); // deterministic
    expect(readFileSync(CONFIG_DOC as string, 'utf8'), 'docs/config.md is stale: run `npm run docs:config`').toBe(generated);
  });

  it('has the pages the README promises, each with sections', () => {
    for (const page of ['physics', 'config', 'data-formats', 'cluster', 'classical', 'generators', 'benchmarks'])
      expect(existsSync(join(REPO, 'docs', `${page}.md`)), page).toBe(true);
    for (const f of DOCS) expect(anchors(f).size, relative(REPO, f)).toBeGreaterThan(2);
  });

  it('every relative link of the README and docs/ points at an existing file and heading', () => {
    const broken: string[] = [];
    for (const file of [join(REPO, 'README.md'), ...DOCS]) {
      const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target)) continue; // external
        const [path, anchor] = target.split('#');
        const dest = path ? resolve(dirname(file), path) : file;
        if (!existsSync(dest)) broken.push(`${relative(REPO, file)}: ${target} (no such file)`);
        else if (anchor && dest.endsWith('.md') && !anchors(dest).has(anchor)) broken.push(`${relative(REPO, file)}: ${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('sources cite docs/physics.md, not the design notes outside the repository', () => {
    const citing: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (/\.(ts|mjs|py)$/.test(e.name) && readFileSync(p, 'utf8').includes(['DESIGN', 'md'].join('.'))) citing.push(relative(REPO, p));
      }
    };
    for (const d of ['lib', 'scripts', 'test']) walk(join(REPO, d));
    expect(citing).toEqual([]);
  });
});
