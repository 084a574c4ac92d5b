/**
 * scripts/cli.ts imports only the module of the command named on the command line (start-up time), so the
 * name each COMMANDS entry is filed under must be the name its module registers; and every command module
 * in scripts/commands/ must be in the table (else it is unreachable).
 */
import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { readFileSync, readdirSync } from 'node:fs';
import { COMMANDS } from '../../scripts/commands/index.js';

describe('the CLI command table', () => {
  it('files each command under the name its module registers, once', async () => {
    expect(new Set(COMMANDS.map(([name]) => name)).size).toBe(COMMANDS.length);
    for (const [name, load] of COMMANDS) {
      const program = new Command();
      (await load()).register(program);
      expect(program.commands.map((c) => c.name()), name).toEqual([name]);
    }
  }, 120_000);

  it('lists every module of scripts/commands/ that registers a command', () => {
    const dir = new URL('../../scripts/commands/', import.meta.url);
    const registering = readdirSync(dir).filter((f) => f.endsWith('.ts') && /export function register\(/.test(readFileSync(new URL(f, dir), 'utf8')));
    const table = readFileSync(new URL('index.ts', dir), 'utf8');
    for (const f of registering) expect(table, f).toContain(`import('./${f.replace(/\.ts$/, '.js')}')`);
  });
});
