/**
 * OpenSSH's own reading of a config file for one alias (`ssh -G -F FILE alias`): the independent account
 * the SSH config tests hold Nodescope's reading against. Keywords lower case, as ssh -G prints them.
 */
import { execFileSync } from 'child_process';

export function sshDashG(file: string, alias: string): Map<string, string> {
  const out = execFileSync('ssh', ['-G', '-F', file, alias], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Map(
    out
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)]),
  );
}
