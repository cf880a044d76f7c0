/**
 * A rig container that has written each kind of change an overlay records, for the tests that read changes
 * (diff, layers, layers.explore) and compare them with docker diff / docker export.
 */
import { execFileSync } from 'child_process';

export const LAYERED_IMAGE = 'nodescope-rig/layers:1';

/** Starts `name` from the rig's layered image and makes one change of each kind in its writable layer, then `more` (shell). */
export function startChangedContainer(name: string, more: string[] = []): void {
  const docker = (...args: string[]): string => execFileSync('docker', args, { encoding: 'utf8' });
  docker('run', '-d', '--name', name, '--network', 'none', '--label', 'nodescope.rig=1', LAYERED_IMAGE, 'sleep', '600');
  docker(
    'exec',
    name,
    'sh',
    '-c',
    [
      'echo x > /new-file',
      'echo y >> /data/keep/k', // a copy-up
      'rm /data/blob', // a whiteout over a lower file
      'mkdir -p /newdir/sub && touch /newdir/sub/f',
      'rm -rf /opq && mkdir /opq && echo z > /opq/again', // an opaque directory
      ...more,
    ].join(' && '),
  );
}
