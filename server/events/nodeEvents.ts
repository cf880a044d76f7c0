/**
 * The agent's event sources (watch.ts ChangeSource), all hints that ask for a pass: Docker's event stream,
 * inotify on /run/netns, containerd's task directories and cgroup v2 event files, and the light /proc pulse.
 * Engine and namespace events ask for a pass at the event budget; the pulse, which fires for any process
 * born or ended (a node always has some), at the polling budget, so a node's own churn stays cheap.
 */
import { MAX_CPU_SHARE, type ChangeSource } from '../watch';
import { dockerEvents } from './dockerEvents';
import { containerdTaskDirs, fileEvents } from './fileEvents';
import { procPulse } from './procPulse';

/** Docker's socket: DOCKER_HOST's when it names a unix socket, else the default. */
export function dockerSocket(env: NodeJS.ProcessEnv = process.env): string {
  const host = env.DOCKER_HOST ?? '';
  return host.startsWith('unix://') ? host.slice('unix://'.length) : '/run/docker.sock';
}

export function nodeEventSources(poke: (why: string, share?: number) => void): ChangeSource[] {
  return [
    dockerEvents(
      dockerSocket(),
      (e) => poke(`docker ${e.action || 'event'}`),
      () => poke('docker events reconnected'),
    ),
    fileEvents(['/run/netns', ...containerdTaskDirs()], (why) => poke(why)),
    procPulse(() => poke('processes came or went', MAX_CPU_SHARE)),
  ];
}
