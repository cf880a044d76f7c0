/**
 * Many nodes at once, for the CLI and the extension alike: which nodes a Host pattern names in the SSH
 * config, and work run on each with a bound on how many run together. One node's failure is its own
 * result, never the others' problem: every node gets an answer, in the order the nodes were given.
 */
import { hostMatches, listConfiguredHosts, type SshConfig } from './sshConfig';

/** How many nodes connect at once by default: enough to hide round trips, few enough not to flood a bastion or sshd's MaxStartups (10). */
export const FLEET_CONCURRENCY = 8;

export type FleetResult<T> = { target: string; value: T } | { target: string; error: string };

/**
 * The concrete Host names of the config that `pattern` matches, as ssh matches a Host line: patterns
 * separated by commas, `*` and `?`, `!` to exclude (`web-*,!web-old`). In the config's order.
 */
export function hostsMatching(cfg: SshConfig, pattern: string): string[] {
  const patterns = pattern
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  return listConfiguredHosts(cfg).filter((h) => hostMatches(patterns, h));
}

/**
 * `work` for every target, at most `limit` at a time; each result in the targets' order, an error as
 * its one-line message. Waits for all: nothing is cut short because another node failed.
 */
export async function fanOut<T>(targets: string[], limit: number, work: (target: string) => Promise<T>): Promise<FleetResult<T>[]> {
  const results: FleetResult<T>[] = new Array<FleetResult<T>>(targets.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < targets.length) {
      const i = next++;
      const target = targets[i];
      try {
        results[i] = { target, value: await work(target) };
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        results[i] = { target, error: message.split('\n')[0] || 'failed without a message' };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, targets.length)) }, worker));
  return results;
}
