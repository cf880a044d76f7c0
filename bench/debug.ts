/**
 * Debug shell against its anchors: `nodescope debug X -- true` (a Node start, the agent's plan, then
 * nsenter, a private copy of the mount namespace, the toolbox's tmpfs, copy and links, the pid namespace
 * join) against `nsenter -t PID -a true` (joining the namespaces alone) and `docker exec X true` (the
 * engine's way in, on a container that has `true`). Ratios in the same run. Needs the rig's containers.
 */
import { spawnSync } from 'child_process';
import { ratioLine, report, timeCommand } from './measure';

const DISTROLESS = 'nodescope-rig-distroless';
/** docker exec needs a `true` in the container: the busybox one, on the same image family. */
const WITH_TOOLS = 'nodescope-rig-limited';

export function benchDebug(bin: string, runs: number): void {
  const pidOf = (name: string): string | null => {
    const r = spawnSync('docker', ['inspect', '-f', '{{.State.Pid}}', name], { encoding: 'utf8' });
    return r.status === 0 && /^[1-9]\d*$/.test(r.stdout.trim()) ? r.stdout.trim() : null;
  };
  const distroless = pidOf(DISTROLESS);
  const limited = pidOf(WITH_TOOLS);
  if (!distroless || !limited) {
    console.log(`debug: skipped (no ${DISTROLESS} or ${WITH_TOOLS}; bash test/rig/up.sh makes them)`);
    return;
  }
  const ours = timeCommand(`nodescope debug ${DISTROLESS} -- true`, [bin, 'debug', DISTROLESS, '--', 'true'], runs);
  const oursTools = timeCommand(`nodescope debug ${WITH_TOOLS} -- true`, [bin, 'debug', WITH_TOOLS, '--', 'true'], runs);
  const nsenter = timeCommand(`nsenter -t PID -a true (${WITH_TOOLS})`, ['nsenter', '-t', limited, '-a', 'true'], runs);
  const exec = timeCommand(`docker exec ${WITH_TOOLS} true`, ['docker', 'exec', WITH_TOOLS, 'true'], runs);
  for (const t of [ours, oursTools, nsenter, exec]) console.log(report(t));
  console.log(ratioLine('debug -- true / nsenter -a true', oursTools, nsenter));
  console.log(ratioLine('debug -- true / docker exec true', oursTools, exec));
  console.log(ratioLine('debug (distroless) / docker exec true', ours, exec));
}
