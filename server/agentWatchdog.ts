/**
 * The agent's watchdog: a worker thread that keeps running when the main thread is stuck in a system call
 * (a FIFO's open, a hung FUSE or NFS lookup), where no timer, signal handler or stdin 'end' event of the
 * main thread can run any more. Every quarter second it
 *  - polls fd 0, the agent's channel, for a hang-up, without reading from it (poll(2) with no input
 *    events asked: POLLHUP, POLLERR and POLLNVAL are always reported, POLLRDHUP covers a socket whose
 *    peer shut down its writing side, as sshd may). When the channel is gone and the main thread has not
 *    exited by itself within a second (it does so at once when it is not stuck), the worker ends the
 *    whole process: a root agent must not outlive its client;
 *  - looks at the request the main thread is in (activity.ts): past `stuckMs` it writes one line to
 *    stderr naming what the agent is doing ("nodescope-agent: stuck 10 s: reading mount table of pid
 *    123"), which the client shows; past `exitMs` it writes another and exits non-zero (EX_TEMPFAIL), so
 *    the client starts a new agent rather than waiting on this one forever.
 *
 * The worker writes with fs.writeSync(2): a worker's process.stderr is relayed through the main thread,
 * which is exactly the thread that cannot run. It exits with _exit(2) through koffi, which ends every
 * thread (process.exit in a worker ends only the worker), or with SIGKILL when native calls are missing.
 *
 * The worker's source is a string evaluated in the worker: the agent ships as one bundle (no second file
 * to point a Worker at), and koffi is loaded there from where the bundle's own require finds it.
 */
import { Worker } from 'worker_threads';
import { ACTIVITY_SLOTS, ACTIVITY_TEXT_OFFSET, activityBuffer } from './activity';

export interface WatchdogOptions {
  /** A request running this long gets its one line on stderr. */
  stuckMs: number;
  /** A request running this long ends the agent. */
  exitMs: number;
  /** How long the main thread has to exit by itself once the channel is gone. */
  graceMs?: number;
  /** The module the worker resolves koffi from: the running bundle (or this file under tsx). */
  requireFrom: string;
}

/** EX_TEMPFAIL (sysexits.h): "try again later", what a client should do after a stuck agent exits. */
export const EXIT_STUCK = 75;

const WORKER_SOURCE = `
'use strict';
const fs = require('fs');
const { workerData } = require('worker_threads');
const { buffer, slots, textOffset, stuckMs, exitMs, graceMs, tickMs, requireFrom, exitStuck } = workerData;
const ints = new Int32Array(buffer, 0, 4);
const bytes = new Uint8Array(buffer, textOffset);
const decoder = new TextDecoder();

let poll = null;
let hardExit = (code) => process.kill(process.pid, 'SIGKILL');
try {
  const koffi = require('module').createRequire(requireFrom)('koffi');
  const libc = koffi.load('libc.so.6');
  // struct pollfd { int fd; short events; short revents; }
  poll = libc.func('int poll(_Inout_ uint8_t *fds, unsigned long nfds, int timeout)');
  const exit = libc.func('void _exit(int status)');
  hardExit = (code) => exit(code);
} catch (err) {
  fs.writeSync(2, 'nodescope-agent: watchdog without native calls (' + String(err && err.message).split('\\n')[0] + '): a stuck agent is not ended when its channel closes\\n');
}

const POLLERR = 0x8, POLLHUP = 0x10, POLLNVAL = 0x20, POLLRDHUP = 0x2000;
const pollfd = Buffer.alloc(8);
function channelGone() {
  if (!poll) return false;
  pollfd.writeInt32LE(0, 0);
  pollfd.writeInt16LE(POLLRDHUP, 4);
  pollfd.writeInt16LE(0, 6);
  if (poll(pollfd, 1, 0) < 1) return false;
  return (pollfd.readInt16LE(6) & (POLLERR | POLLHUP | POLLNVAL | POLLRDHUP)) !== 0;
}

/** The main thread's label, copied whole (same even VERSION before and after), control characters masked. */
function doing() {
  for (let tries = 0; tries < 100; tries++) {
    const v = Atomics.load(ints, slots.VERSION);
    if (v % 2) continue;
    const text = decoder.decode(bytes.slice(0, Atomics.load(ints, slots.LENGTH)));
    if (Atomics.load(ints, slots.VERSION) === v) return text.replace(/[\\u0000-\\u001f\\u007f-\\u009f]/g, '?');
  }
  return 'something (its label was being rewritten)';
}

const say = (line) => { try { fs.writeSync(2, 'nodescope-agent: ' + line + '\\n'); } catch {} };
const secs = (ms) => Math.round(ms / 1000);

let watched = -1, since = 0, warned = false, goneSince = 0;
setInterval(() => {
  const now = Date.now();
  const busy = Atomics.load(ints, slots.BUSY);
  if (busy % 2 === 0) watched = -1;
  else if (busy !== watched) { watched = busy; since = now; warned = false; }
  else {
    const ran = now - since;
    if (ran >= exitMs) {
      say('stuck ' + secs(ran) + ' s: ' + doing() + '; exiting so that the client starts a new agent');
      hardExit(exitStuck);
    } else if (ran >= stuckMs && !warned) {
      warned = true;
      say('stuck ' + secs(ran) + ' s: ' + doing());
    }
  }
  if (!channelGone()) { goneSince = 0; return; }
  if (!goneSince) goneSince = now;
  else if (now - goneSince >= graceMs) {
    say('channel closed and the agent did not stop (' + (busy % 2 ? 'stuck: ' + doing() : 'between requests') + '); exiting');
    hardExit(0);
  }
}, tickMs);
`;

let started: Worker | null = null;

/** Starts the watchdog once per process. It never keeps the process alive by itself (unref). */
export function startWatchdog(opts: WatchdogOptions): Worker {
  if (started) return started;
  started = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      buffer: activityBuffer(),
      slots: ACTIVITY_SLOTS,
      textOffset: ACTIVITY_TEXT_OFFSET,
      stuckMs: opts.stuckMs,
      exitMs: opts.exitMs,
      graceMs: opts.graceMs ?? 1000,
      tickMs: 250,
      requireFrom: opts.requireFrom,
      exitStuck: EXIT_STUCK,
    },
  });
  started.unref();
  started.on('error', (err) => process.stderr.write(`nodescope-agent: watchdog failed: ${err.message}\n`));
  return started;
}
