/**
 * The sidewinder program: each subcommand lives in scripts/commands/<name>.ts and exports
 * `register(program)`; this file assembles them and runs a command line under the error contract of
 * scripts/cliErrors.ts. `scripts/cli.ts` is the executable entry.
 */
import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { EXIT_CODE_HELP, reportCliError } from './cliErrors.js';
import { COMMANDS } from './commands/index.js';
import { packageFileUrl } from '../lib/util/packageRoot.js';

const pkg = JSON.parse(readFileSync(packageFileUrl('package.json'), 'utf8')) as { version: string };

/** Where a run's stdout/stderr go (the process's by default; tests capture them). */
export interface CliIo {
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
}

const processIo: CliIo = { stdout: (s) => process.stdout.write(s), stderr: (s) => process.stderr.write(s) };

/**
 * A fresh program (commander keeps parsed option values on the objects). Start-up: a command module
 * imports the library code it runs, so only the module of the command named in `argv` is imported;
 * `--help`, `help`, no argv and unknown names import them all (help lists every command).
 */
export async function buildProgram(io: CliIo = processIo, argv?: readonly string[]): Promise<Command> {
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

  const first = argv?.[2];
  const named = COMMANDS.find(([name]) => name === first);
  if (named) (await named[1]()).register(program);
  else if (first !== '--version' && first !== '-V') for (const [, load] of COMMANDS) (await load()).register(program);
  return program;
}

/**
 * Run one command line (`argv` as in process.argv: node, script, args…).
 * @returns the exit code: 0, or the code of the error (see EXIT in scripts/cliErrors.ts), whose one
 *   line went to `io.stderr`.
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  try {
    await (await buildProgram(io, argv)).parseAsync([...argv]);
    return 0;
  } catch (err) {
    return reportCliError(err, io.stderr);
  }
}
