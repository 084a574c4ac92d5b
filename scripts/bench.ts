/**
 * `npm run bench [-- name ...]`: runs every benchmark module in scripts/bench/ (or those named).
 * Each module default-exports an async function that prints its figures (events/s, s/epoch,
 * peak memory) and, where a reference (sklearn, PyTorch) is installed, the ratio to it.
 */
import { readdirSync } from 'node:fs';

const dir = new URL('./bench/', import.meta.url);
const wanted = process.argv.slice(2);
const files = readdirSync(dir).filter((f) => f.endsWith('.ts')).sort();
for (const f of files) {
  const name = f.replace(/\.ts$/, '');
  if (wanted.length && !wanted.includes(name)) continue;
  console.log(`\n=== bench: ${name} ===`);
  const mod = (await import(new URL(f, dir).href)) as { default: () => Promise<void> };
  await mod.default();
}
