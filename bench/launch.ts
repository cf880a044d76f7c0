/**
 * Launch against its anchor: `nodescope launch … --yes` then `nodescope stop … --yes` (a Node start each,
 * a dry run, the overlay mount, the bundle, runc, the read-back; then kill, delete, unmount, remove)
 * against `runc run -d` then `runc delete -f` on a bundle prepared beforehand with the same layers and
 * config: what runc alone costs for the same container. Needs the rig's nodescope-rig-limited.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { launchSpec } from '../server/act/launchSpec';
import { ratioLine, report, timeCommand } from './measure';

const FROM = 'nodescope-rig-limited';

export function benchLaunch(bin: string, runs: number): void {
  const lowers = spawnSync('docker', ['inspect', '-f', '{{.GraphDriver.Data.LowerDir}}', FROM], { encoding: 'utf8' });
  if (lowers.status !== 0) {
    console.log(`launch: skipped (no ${FROM}; bash test/rig/up.sh makes it)`);
    return;
  }
  const name = `nodescope-bench-${process.pid}`;
  const ours = timeCommand(
    'nodescope launch --yes + stop --yes',
    ['sh', '-c', `${bin} launch ${FROM} --name ${name} --yes -- sleep 600 && ${bin} stop ${name} --yes`],
    runs,
  );

  // The anchor's bundle: the same layers, a fresh upper, the same config; made once, outside the timing.
  const bundle = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-bench-bundle-'));
  const anchorId = `${name}-runc`;
  for (const d of ['upper', 'work', 'rootfs']) fs.mkdirSync(path.join(bundle, d));
  execFileSync('mount', [
    '-t',
    'overlay',
    'nodescope-bench',
    '-o',
    `lowerdir=${lowers.stdout.trim()},upperdir=${bundle}/upper,workdir=${bundle}/work`,
    `${bundle}/rootfs`,
  ]);
  try {
    const spec = launchSpec({
      id: anchorId,
      args: ['sleep', '600'],
      cwd: '/',
      user: { uid: 0, gid: 0 },
      env: ['PATH=/bin'],
      readOnly: false,
      tmpfs: [],
      memoryBytes: null,
      pidsMax: null,
      cpus: null,
      annotations: {},
    });
    fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(spec));
    const runc = timeCommand(
      'runc run -d + runc delete -f (bundle ready)',
      ['sh', '-c', `runc run -d --bundle ${bundle} ${anchorId} </dev/null >/dev/null 2>&1 && runc delete -f ${anchorId}`],
      runs,
    );
    console.log(report(runc));
    console.log(report(ours));
    console.log(ratioLine('launch+stop / runc run+delete', ours, runc));
  } finally {
    spawnSync('runc', ['delete', '-f', anchorId]);
    spawnSync('umount', [`${bundle}/rootfs`]);
    fs.rmSync(bundle, { recursive: true, force: true });
  }
}
