/**
 * An e2e step: a node:test `it` that leaves a screenshot of what the page showed when it failed
 * (test-results/e2e/FAILED-<prefix>-<step number>.png). Shared so each e2e file holds only its flow.
 */
import { it } from 'node:test';
import type { VsCode } from './codeServer';

export function stepsWithShots(prefix: string, vs: () => VsCode | undefined): (name: string, fn: () => Promise<void>) => void {
  return (name, fn) => {
    void it(name, async () => {
      try {
        await fn();
      } catch (err) {
        await vs()
          ?.shot(`FAILED-${prefix}-${name.split('.')[0]}`)
          .catch(() => undefined);
        throw err;
      }
    });
  };
}

/**
 * A named part of one long e2e test (a panel's flow shares its page across parts): a failure leaves
 * test-results/e2e/FAILED-<prefix>-<name>.png and names the part, with the last lines of the Nodescope log.
 */
export function partsWithShots(prefix: string, vs: () => VsCode): (name: string, fn: () => Promise<void>) => Promise<void> {
  return async (name, fn) => {
    try {
      await fn();
    } catch (err) {
      await vs()
        .shot(`FAILED-${prefix}-${name}`)
        .catch(() => undefined);
      throw new Error(`${name}: ${(err as Error).message}\nNodescope log: ${vs().nodescopeLog().slice(-6).join(' | ')}`, { cause: err });
    }
  };
}
