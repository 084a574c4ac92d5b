/**
 * The CLI's commands: name → module, in the order help lists them. scripts/cli.ts imports only the module of
 * the command it runs (start-up time), so each name here must be the one its module registers
 * (test/scripts/cliCommands.test.ts checks).
 */
import type { Command } from 'commander';

export type CommandModule = { register(program: Command): void };

/** Command name → its module, in help order (one line per command keeps merges of new commands conflict-free). */
export const COMMANDS: readonly (readonly [string, () => Promise<CommandModule>])[] = [
  ['start', () => import('./start.js')],
  ['scan', () => import('./scan.js')],
  ['dsys', () => import('./dsys.js')],
  ['sensitivity', () => import('./sensitivity.js')],
  ['inspect', () => import('./inspect.js')],
  ['fit', () => import('./fit.js')],
  ['bumphunter', () => import('./bumphunter.js')],
  ['abcd', () => import('./abcd.js')],
  ['matrix-method', () => import('./matrixMethod.js')],
  ['fake-factor', () => import('./fakeFactor.js')],
  ['gp', () => import('./gp.js')],
  ['report', () => import('./report.js')],
  ['generate', () => import('./generate.js')],
  ['submit', () => import('./submit.js')],
  ['task', () => import('./task.js')],
  ['status', () => import('./status.js')],
  ['merge', () => import('./merge.js')],
  ['dcor', () => import('./dcor.js')],
  ['charge-flip', () => import('./chargeFlip.js')],
  ['export-onnx', () => import('./exportOnnx.js')],
  ['search', () => import('./search.js')],
  ['lee', () => import('./lee.js')],
  ['windows', () => import('./windows.js')],
];

