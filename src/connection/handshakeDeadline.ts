/**
 * ConnectTimeout for one SSH hop that counts the machines' time only, not a person's.
 *
 * ssh2's readyTimeout runs from the TCP connect to the end of authentication, so a person reading the
 * host key modal or typing a password for longer than the timeout would see "timed out". Here the clock
 * stops while the Interaction is waiting for an answer and starts again after it; a server that never
 * answers still fails within the timeout.
 */
import type { Interaction } from './transport';

export class HandshakeDeadline {
  private timer: NodeJS.Timeout | undefined;
  private remaining: number;
  private startedAt = 0;
  private waitingOnPeople = 0;
  private done = false;

  constructor(
    timeoutMs: number,
    private readonly onExpired: () => void,
  ) {
    this.remaining = timeoutMs;
    this.run();
  }

  /** The connection is up or has failed: the deadline no longer matters. */
  cancel(): void {
    this.done = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The same Interaction, with the clock stopped while any of its questions is open. */
  pausingDuring(interaction: Interaction): Interaction {
    const paused =
      <A extends unknown[], R>(ask: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        this.pause();
        try {
          return await ask(...args);
        } finally {
          this.resume();
        }
      };
    return {
      confirmHostKey: paused(interaction.confirmHostKey.bind(interaction)),
      askPassword: paused(interaction.askPassword.bind(interaction)),
      askPassphrase: paused(interaction.askPassphrase.bind(interaction)),
      keyboardInteractive: paused(interaction.keyboardInteractive.bind(interaction)),
      log: interaction.log.bind(interaction),
    };
  }

  private run(): void {
    if (this.done) return;
    this.startedAt = Date.now();
    this.timer = setTimeout(
      () => {
        this.done = true;
        this.onExpired();
      },
      Math.max(0, this.remaining),
    );
  }

  private pause(): void {
    if (this.waitingOnPeople++ > 0 || this.done) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.remaining -= Date.now() - this.startedAt;
  }

  private resume(): void {
    if (--this.waitingOnPeople > 0 || this.done) return;
    this.run();
  }
}
