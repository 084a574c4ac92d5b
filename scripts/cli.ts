/**
 * The sidewinder command line. Each subcommand lives in scripts/commands/<name>.ts and exports
 * `register(program)`; this file only assembles them.
 */
import { Command } from 'commander';
import { SidewinderError } from '../lib/util/errors.js';
import { readFileSync } from 'node:fs';
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

const program = new Command()
  .name('sidewinder')
  .description('Weakly-supervised anomaly-detection bump hunts: IAD, CWoLa Hunting and CATHODE over sliding m_JJ windows')
  .version(pkg.version);


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
