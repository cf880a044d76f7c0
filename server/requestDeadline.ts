/**
 * A deadline for a request the agent answers later (a promise): past it, the request fails with what it
 * was doing ("answering launch.start (from web): no answer in 10 s") instead of leaving its client waiting.
 * A request answered synchronously cannot be failed while it runs (the thread is busy with it): for those
 * the watchdog thread reports and, past the hard limit, ends the agent (agentWatchdog.ts).
 */
import { refuse } from './failure';
import { ErrorCodes } from './protocol';

export function withDeadline<T>(work: Promise<T>, ms: number, doing: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    const after = ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
    timer = setTimeout(() => reject(refuse(ErrorCodes.Timeout, `${doing}: no answer in ${after}`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
