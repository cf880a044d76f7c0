/**
 * The hostile containers of nodescope-rig/hostile:1 (built by test/rig/up.sh from test/rig/hostile.sh):
 * started by the suite that needs them and removed after it, so no other suite's snapshot pays for 440
 * processes of 1 MB command lines. What each one plants is described in hostile.sh; the facts a test
 * checks against come from docker inspect, never from the agent.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';

export const HOSTILE_IMAGE = 'nodescope-rig/hostile:1';
/** What every hostile name in the image carries (hostile-trees.sh): a newline, the word, a red escape. */
export const HOSTILE_NAME = 'n\nFORGED\x1b[31m';
/** The word a forged line starts with, when a renderer prints a hostile name raw. */
export const FORGED = 'FORGED';

export type HostileVariant = 'main' | 'fifo-passwd' | 'zero-shells' | 'pagemap-passwd' | 'nsfs-fifo';

export interface HostileContainer {
  variant: HostileVariant;
  name: string;
  id: string;
  /** Its init process on the host. */
  pid: number;
  /** Image layers, top-most first, and the writable layer, as docker inspect names them. */
  lowerDirs: string[];
  upperDir: string;
}

const LABEL = 'nodescope.hostile';
const sleepMs = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const docker = (...args: string[]): string => execFileSync('docker', args, { encoding: 'utf8', timeout: 60_000 }).trim();

/** Whether the image up.sh builds is there (a probe for skipUnlessReal). */
export function hostileImage(): string | null {
  return spawnSync('docker', ['image', 'inspect', HOSTILE_IMAGE], { stdio: 'ignore' }).status === 0
    ? null
    : `needs ${HOSTILE_IMAGE} (bash test/rig/up.sh builds it)`;
}

/**
 * Starts one hostile container and waits for its /ready (the main one spends about a minute making
 * 200,000 files and 10,000 directories). CPU is capped at one core: its fork loop must not starve the
 * other suites on a 2-core machine, and the agent's deadlines are what is tested, not its speed.
 */
export async function startHostile(variant: HostileVariant, readyMs = 300_000): Promise<HostileContainer> {
  const name = `nodescope-hostile-${process.pid}-${variant}`;
  spawnSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
  // The main container's own argv carries a hostile name too: launch shows it as the command to run.
  const args = variant === 'main' ? ['main', HOSTILE_NAME] : [variant];
  docker(
    'run',
    '-d',
    '--name',
    name,
    '--label',
    `${LABEL}=1`,
    '--label',
    `${LABEL}.owner=${process.pid}`,
    '--network',
    'none',
    '--cap-add',
    'SYS_ADMIN',
    '--cpus',
    '1',
    HOSTILE_IMAGE,
    ...args,
  );
  const pid = Number(docker('inspect', '-f', '{{.State.Pid}}', name));
  const end = Date.now() + readyMs;
  // /ready seen from the node through the init's root, not with docker exec: runc's exec reads the
  // container's /etc/passwd, and blocks on the FIFO one variant puts there (docker inspect with it).
  while (!fs.existsSync(`/proc/${pid}/root/ready`)) {
    const state = docker('inspect', '-f', '{{.State.Status}}', name);
    if (state !== 'running' || Date.now() > end) {
      const logs = spawnSync('docker', ['logs', '--tail', '5', name], { encoding: 'utf8' });
      throw new Error(
        `hostile container ${variant} not ready (${state}) after ${Math.round((Date.now() + readyMs - end) / 1000)} s: ${(logs.stderr + logs.stdout).trim().replace(/\n/g, ' | ')}`,
      );
    }
    await sleepMs(500);
  }
  const di = JSON.parse(docker('inspect', name))[0] as {
    Id: string;
    State: { Pid: number };
    GraphDriver: { Data: { LowerDir: string; UpperDir: string } };
  };
  return {
    variant,
    name,
    id: di.Id,
    pid: di.State.Pid,
    lowerDirs: di.GraphDriver.Data.LowerDir.split(':'),
    upperDir: di.GraphDriver.Data.UpperDir,
  };
}

export function removeHostile(c: HostileContainer | undefined): void {
  if (c) spawnSync('docker', ['rm', '-f', c.name], { stdio: 'ignore', timeout: 120_000 });
}

/** Hostile containers a run that was killed left behind (their owner process is gone). */
export function removeLeftoverHostiles(): void {
  const ids = spawnSync('docker', ['ps', '-aq', '--filter', `label=${LABEL}=1`], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean);
  for (const id of ids) {
    const owner = Number(
      spawnSync('docker', ['inspect', '-f', `{{index .Config.Labels "${LABEL}.owner"}}`, id], { encoding: 'utf8' }).stdout.trim(),
    );
    if (owner === process.pid || (owner > 0 && fs.existsSync(`/proc/${owner}`))) continue;
    spawnSync('docker', ['rm', '-f', id], { stdio: 'ignore', timeout: 120_000 });
  }
}

/** Names in the main container's own directory `dir`, as it lists them (busybox ls inside it; never on a variant: see above). */
export function namesInside(c: HostileContainer, dir: string): string[] {
  return docker('exec', c.name, 'ls', '-a', dir)
    .split('\n')
    .filter((n) => n && n !== '.' && n !== '..');
}
