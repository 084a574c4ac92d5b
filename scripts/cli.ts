/**
 * The sidewinder command line. Each subcommand lives in scripts/commands/<name>.ts and exports
 * `register(program)`; this file only assembles them.
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { register as start } from './commands/start.js';
import { register as generate } from './commands/generate.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command()
  .name('sidewinder')
  .description('Weakly-supervised anomaly-detection bump hunts: IAD, CWoLa Hunting and CATHODE over sliding m_JJ windows')
  .version(pkg.version);

for (const register of [start, generate]) register(program);

await program.parseAsync(process.argv);
