/**
 * The sidewinder program: each subcommand lives in scripts/commands/<name>.ts and exports
 * `register(program)`; this file assembles them and runs a command line under the error contract of
 * scripts/cliErrors.ts. `scripts/cli.ts` is the executable entry.
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { EXIT_CODE_HELP, reportCliError } from './cliErrors.js';
import { register as start } from './commands/start.js';
import { register as scan } from './commands/scan.js';
import { register as dsys } from './commands/dsys.js';
import { register as inspect } from './commands/inspect.js';
import { register as fit } from './commands/fit.js';
import { register as bumphunter } from './commands/bumphunter.js';
import { register as abcd } from './commands/abcd.js';
import { register as matrixMethod } from './commands/matrixMethod.js';
import { register as fakeFactor } from './commands/fakeFactor.js';
import { register as gp } from './commands/gp.js';
import { register as report } from './commands/report.js';
import { register as generate } from './commands/generate.js';
import { register as submit } from './commands/submit.js';
import { register as task } from './commands/task.js';
import { register as status } from './commands/status.js';
import { register as merge } from './commands/merge.js';
import { register as dcor } from './commands/dcor.js';
import { register as chargeFlip } from './commands/chargeFlip.js';
import { register as exportOnnx } from './commands/exportOnnx.js';
import { register as search } from './commands/search.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** Where a run's stdout/stderr go (the process's by default; tests capture them). */
export interface CliIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
}

const processIo: CliIo = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) };

/** A fresh program with every command (commander keeps parsed option values on the objects). */
export function buildProgram(io: CliIo = processIo): Command {
  const program = new Command()
    .name('sidewinder')
    .description('Weakly-supervised anomaly-detection bump hunts: IAD, CWoLa Hunting and CATHODE over sliding m_JJ windows')
    .version(pkg.version)
    // Set before the commands are added: subcommands inherit both. Errors are thrown, not printed,
    // so that runCli prints every error the same way (one line) with the usage exit code.
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: () => {} })
    .showHelpAfterError(false)
    .addHelpText('after', EXIT_CODE_HELP);

  // One line per command (keeps merges of new commands conflict-free).
  start(program);
  scan(program);
  dsys(program);
  inspect(program);
  fit(program);
  bumphunter(program);
  abcd(program);
  matrixMethod(program);
  fakeFactor(program);
  gp(program);
  report(program);
  generate(program);
  submit(program);
  task(program);
  status(program);
  merge(program);
  dcor(program);
  chargeFlip(program);
  exportOnnx(program);
  search(program);
  return program;
}

/**
 * Run one command line (`argv` as in process.argv: node, script, args…).
 * @returns the exit code: 0, or the code of the error (see EXIT in scripts/cliErrors.ts), whose one
 *   line went to `io.stderr`.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  try {
    await buildProgram(io).parseAsync([...argv]);
    return 0;
  } catch (err) {
    return reportCliError(err, io.stderr);
  }
}
