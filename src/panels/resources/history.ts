/**
 * The resource history of one node, kept by the extension so that a page that reloads (or a panel opened
 * again) gets it back: a bounded ring of samples (resourceSamples.ts), taken when the agent's watch changes
 * the model and, when nothing changed, once per watch interval (the numbers are then the same as before,
 * which is the truth: the agent sends only what changed). Sampling runs while a resources panel of the node
 * is open; the ring is kept after, so reopening continues the same timeline (with a gap).
 * No vscode import: unit-tested with a plain session-like object.
 */
import type { Snapshot } from '../../../server/protocol';
import { historyCapacity, SampleRing, sampleOf, type ResourceSample } from '../../model/resources/resourceSamples';

/** The part of a NodeSession the history reads. */
export interface SampledSession {
  readonly id: string;
  readonly state: string;
  readonly model: { readonly snapshot: Snapshot | null; onDidChange(l: () => void): () => void };
}

/** Two passes closer than this are one sample (a refresh right after a watch pass). */
const MIN_SPACING_MS = 100;

export class NodeResourceHistory {
  readonly ring: SampleRing<ResourceSample>;
  private readonly listeners = new Set<(s: ResourceSample) => void>();
  private stopSampling: (() => void) | null = null;

  constructor(
    private readonly session: SampledSession,
    readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.ring = new SampleRing(historyCapacity(intervalMs));
  }

  /** A listener for new samples; sampling runs while there is at least one. Returns its removal. */
  subscribe(fn: (s: ResourceSample) => void): () => void {
    this.listeners.add(fn);
    if (!this.stopSampling) this.start();
    return () => {
      this.listeners.delete(fn);
      if (this.listeners.size === 0) this.stop();
    };
  }

  get sampling(): boolean {
    return this.stopSampling !== null;
  }

  /** Takes a sample of the model as it is now, if connected with data; returns it. */
  sample(): ResourceSample | null {
    const snap = this.session.model.snapshot;
    if (!snap || this.session.state !== 'connected') return null;
    const t = this.now();
    const last = this.ring.last();
    if (last && t - last.t < MIN_SPACING_MS) return null;
    const s = sampleOf(snap, t);
    this.ring.push(s);
    for (const fn of this.listeners) fn(s);
    return s;
  }

  private start(): void {
    const offModel = this.session.model.onDidChange(() => void this.sample());
    // Nothing changed for a whole interval: the same numbers, one more point on the timeline.
    const timer = setInterval(() => {
      const last = this.ring.last();
      if (!last || this.now() - last.t >= this.intervalMs * 0.9) this.sample();
    }, this.intervalMs);
    this.stopSampling = () => {
      offModel();
      clearInterval(timer);
    };
    this.sample();
  }

  private stop(): void {
    this.stopSampling?.();
    this.stopSampling = null;
  }
}
