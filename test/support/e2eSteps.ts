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
