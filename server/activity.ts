/**
 * What the agent is doing now, in words ("reading mount table of pid 123"), kept where another thread can
 * read it while this one is stuck: the watchdog (agentWatchdog.ts) reads it from a SharedArrayBuffer when
 * a request runs past its deadline, because a main thread blocked in a system call can say nothing itself.
 *
 * Cheap by design, as it runs inside the snapshot: a label is written only at the start and end of a unit
 * of work (a request, a mount table, a namespace holder), never per file or per process, and writing one is
 * a UTF-8 encode into shared memory plus three atomic adds; no message, no allocation beyond the string.
 *
 * Layout of the buffer (Int32 slots, then text), shared with the worker's reader in agentWatchdog.ts:
 *  - BUSY: increased on entering and on leaving the outermost `during`: odd while busy. A new value is a
 *    new request, so the watchdog times each request from the moment it first saw it odd.
 *  - VERSION: increased before and after the text is written (odd while writing), so a reader that saw
 *    the same even value before and after its copy knows the copy is whole.
 *  - LENGTH: bytes of UTF-8 text from TEXT_OFFSET.
 */

export const ACTIVITY_SLOTS = { BUSY: 0, VERSION: 1, LENGTH: 2 } as const;
export const ACTIVITY_TEXT_OFFSET = 16;
/** Room for a label; a longer one is cut at a character boundary (TextEncoder.encodeInto writes whole characters). */
const ACTIVITY_TEXT_BYTES = 496;

const buffer = new SharedArrayBuffer(ACTIVITY_TEXT_OFFSET + ACTIVITY_TEXT_BYTES);
const slots = new Int32Array(buffer, 0, 4);
const text = new Uint8Array(buffer, ACTIVITY_TEXT_OFFSET);
const encoder = new TextEncoder();
let depth = 0;
let current = 'idle';

function publish(what: string): void {
  current = what;
  Atomics.add(slots, ACTIVITY_SLOTS.VERSION, 1);
  Atomics.store(slots, ACTIVITY_SLOTS.LENGTH, encoder.encodeInto(what, text).written);
  Atomics.add(slots, ACTIVITY_SLOTS.VERSION, 1);
}

/**
 * Runs `work` with `what` as the agent's current activity, and the one before it again afterwards (so an
 * inner label never outlives its work). Nested calls refine the label of the request around them; only
 * the outermost one marks the agent busy. `work` is synchronous: for a promise, only the part before its
 * first await is covered (agent.ts puts its own deadline on the rest).
 */
export function during<T>(what: string, work: () => T): T {
  const before = current;
  if (depth++ === 0) Atomics.add(slots, ACTIVITY_SLOTS.BUSY, 1);
  publish(what);
  try {
    return work();
  } finally {
    publish(before);
    if (--depth === 0) Atomics.add(slots, ACTIVITY_SLOTS.BUSY, 1);
  }
}

/** The current label, for a message on this thread. */
export function currentActivity(): string {
  return current;
}

/** The shared memory the watchdog reads (see the layout above). */
export function activityBuffer(): SharedArrayBuffer {
  return buffer;
}
