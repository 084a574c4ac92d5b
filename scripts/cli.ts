#!/usr/bin/env node
/**
 * The sidewinder command line (the `sidewinder` bin and `npm start`). The commands are assembled in
 * scripts/program.ts; every error ends as one line and an exit code (scripts/cliErrors.ts).
 */
import { reportCliError } from './cliErrors.js';
import { runCli } from './program.js';

// Errors escaping the command's promise chain (a stray rejection) follow the same contract.
const fail = (err: unknown): never => process.exit(reportCliError(err));
process.on('unhandledRejection', fail);
// A closed pipe (`sidewinder … | head`) ends the output, not in an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' ? process.exit(0) : fail(err)));
process.on('uncaughtException', fail);

const code = await runCli(process.argv);
// On success let pending output drain and the commands' own exitCode stand; on error leave now
// (worker threads may still be alive).
if (code !== 0) process.exit(code);
