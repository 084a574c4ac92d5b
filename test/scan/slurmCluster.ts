/**
 * A throw-away single-node Slurm cluster on loopback for integration tests: its own munge key and
 * socket, slurm.conf, state and spool directories under one temporary directory, free ports, so it
 * neither needs nor disturbs a system Slurm. Needs root and the Debian packages
 * `slurmctld slurmd slurm-client munge`; {@link startSlurm} says why when it cannot start.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface SlurmCluster {
  /** Environment for client commands (sbatch, squeue, scontrol): SLURM_CONF points at this cluster. */
  readonly env: NodeJS.ProcessEnv;
  readonly dir: string;
  readonly nodeName: string;
  /** Stop the daemons this harness started (and wait for them to exit), then remove its directory. */
  stop(): Promise<void>;
}

const BINARIES = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'scontrol'];

function which(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

function readPid(file: string): number | undefined {
  try {
    const n = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** Running (a zombie awaiting its reaper counts as gone). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Why Slurm cannot be started here, or undefined when it can be tried. */
export function slurmUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return `Slurm integration test needs Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'Slurm integration test needs root (it starts munged, slurmctld and slurmd)';
  const missing = BINARIES.filter((b) => !which(b));
  if (missing.length) return `Slurm integration test: ${missing.join(', ')} not installed (apt-get install slurmctld slurmd slurm-client munge)`;
  let munge: number | undefined;
  try {
    munge = Number(execFileSync('id', ['-u', 'munge'], { encoding: 'utf8' }).trim());
  } catch {
    /* no munge user */
  }
  if (munge === undefined) return 'Slurm integration test: no "munge" user (the munge package creates it)';
  return undefined;
}

/**
 * Start munged, slurmctld and slurmd for a one-node cluster (`CPUs=cpus`) and wait until the node is
 * idle. Throws with the daemons' log tails when they do not come up within `timeoutMs`.
 */
export async function startSlurm({ cpus = 2, timeoutMs = 30_000 } = {}): Promise<SlurmCluster> {
  const why = slurmUnavailableReason();
  if (why) throw new Error(why);
  const dir = mkdtempSync(join(tmpdir(), 'sw-slurm-'));
  chmodSync(dir, 0o755);
  const nodeName = hostname().split('.')[0];
  const mungeUid = Number(execFileSync('id', ['-u', 'munge'], { encoding: 'utf8' }).trim());
  const mungeGid = Number(execFileSync('id', ['-g', 'munge'], { encoding: 'utf8' }).trim());
  const mungeDir = join(dir, 'munge');
  mkdirSync(mungeDir, { mode: 0o700 });
  const key = join(mungeDir, 'munge.key');
  writeFileSync(key, randomBytes(1024), { mode: 0o400 });
  chownSync(mungeDir, mungeUid, mungeGid);
  chownSync(key, mungeUid, mungeGid);
  const socket = join(mungeDir, 'munge.socket');
  const pids: string[] = [];
  const stop = async (): Promise<void> => {
    // Only the daemons started here, by the pids they wrote; slurmd and slurmctld first, munged last.
    for (const f of [...pids].reverse()) {
      const pid = readPid(f);
      if (!pid) continue;
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        continue; // already gone
      }
      for (let i = 0; i < 100 && alive(pid); i++) await sleep(100);
    }
    rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  };
  try {
    const mungePid = join(mungeDir, 'munged.pid');
    pids.push(mungePid);
    execFileSync('runuser', ['-u', 'munge', '--', 'munged', '--force', `--socket=${socket}`, `--key-file=${key}`, `--pid-file=${mungePid}`, `--log-file=${join(mungeDir, 'munged.log')}`, `--seed-file=${join(mungeDir, 'munged.seed')}`], { stdio: 'pipe' });

    for (const d of ['state', 'spool', 'log']) mkdirSync(join(dir, d));
    const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
    // Memory the node offers: most of the machine, in MB (jobs ask for less).
    const realMemory = Math.floor((totalmem() / 2 ** 20) * 0.8);
    const conf = join(dir, 'slurm.conf');
    writeFileSync(conf, [
      'ClusterName=sidewinder-test',
      `SlurmctldHost=${nodeName}(127.0.0.1)`,
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${slurmdPort}`,
      'SlurmUser=root',
      'SlurmdUser=root',
      'AuthType=auth/munge',
      'CredType=cred/munge',
      `AuthInfo=socket=${socket}`,
      `StateSaveLocation=${join(dir, 'state')}`,
      `SlurmdSpoolDir=${join(dir, 'spool')}`,
      `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
      `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
      `SlurmctldLogFile=${join(dir, 'log', 'slurmctld.log')}`,
      `SlurmdLogFile=${join(dir, 'log', 'slurmd.log')}`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_CPU',
      'SchedulerType=sched/backfill',
      'ReturnToService=2',
      'MpiDefault=none',
      'JobAcctGatherType=jobacct_gather/none',
      'AccountingStorageType=accounting_storage/none',
      'JobCompType=jobcomp/none',
      'MinJobAge=600',
      'SlurmctldTimeout=30',
      'SlurmdTimeout=30',
      `NodeName=${nodeName} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${realMemory} State=UNKNOWN`,
      `PartitionName=debug Nodes=${nodeName} Default=YES MaxTime=INFINITE State=UP`,
      '',
    ].join('\n'));
    const env = { ...process.env, SLURM_CONF: conf };
    pids.push(join(dir, 'slurmctld.pid'));
    execFileSync('slurmctld', ['-f', conf, '-c'], { env, stdio: 'pipe' });
    pids.push(join(dir, 'slurmd.pid'));
    execFileSync('slurmd', ['-f', conf, '-N', nodeName], { env, stdio: 'pipe' });

    const t0 = Date.now();
    for (;;) {
      const r = spawnSync('sinfo', ['-h', '-N', '-o', '%T'], { env, encoding: 'utf8' });
      const state = r.status === 0 ? r.stdout.trim() : '';
      if (/^idle/.test(state)) break;
      if (Date.now() - t0 > timeoutMs) {
        const tail = (f: string): string => (existsSync(f) ? readFileSync(f, 'utf8').split('\n').slice(-15).join('\n') : '(no log)');
        throw new Error(`Slurm did not come up within ${timeoutMs / 1000} s (node state "${state || r.stderr.trim()}")\nslurmctld.log:\n${tail(join(dir, 'log', 'slurmctld.log'))}\nslurmd.log:\n${tail(join(dir, 'log', 'slurmd.log'))}`);
      }
      await sleep(300);
    }
    return { env, dir, nodeName, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
