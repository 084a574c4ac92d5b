#!/usr/bin/env node
/**
 * The sidewinder command line. Each subcommand lives in scripts/commands/<name>.ts and exports
 * `register(program)`; this file only assembles them.
 *
 * Start-up: a command module imports the library code it runs, so importing all of them costs every
 * call (`--version` included) the whole library. Only the module of the command named on the command
 * line is imported; `--help`, `help` and unknown names import them all (help lists every command).
 */
import { Command } from 'commander';
import { SidewinderError } from '../lib/util/errors.js';
import { packageFileUrl } from '../lib/util/packageRoot.js';
import { readFileSync } from 'node:fs';
import { COMMANDS } from './commands/index.js';

const pkg = JSON.parse(readFileSync(packageFileUrl('package.json'), 'utf8')) as { version: string };

const program = new Command()
  .name('sidewinder')
  .description('Weakly-supervised anomaly-detection bump hunts: IAD, CWoLa Hunting and CATHODE over sliding m_JJ windows')
  .version(pkg.version);

const first = process.argv[2];
const named = COMMANDS.find(([name]) => name === first);
if (named) (await named[1]()).register(program);
else if (first !== '--version' && first !== '-V') for (const [, load] of COMMANDS) (await load()).register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Bad input (files, columns, options): one clear line and exit code 1, no stack trace.
  if (err instanceof SidewinderError) {
    console.error(`sidewinder: ${err.message}`);
    process.exit(1);
  }
  throw err;
}
