/**
 * Exits and restarts as the Docker engine keeps them: GET /containers/{id}/json on its API socket
 * (docs.docker.com/engine/api: State.ExitCode, OOMKilled, StartedAt, FinishedAt, Error; RestartCount).
 *
 * Asked over the socket, never by running `docker`: the agent does not block on children. The answer is
 * bounded in bytes and time: dockerd holds a container's lock while it works on it (an exec into a hung
 * container can hold it for minutes), and a stuck engine must cost this request a few seconds, no more.
 */
import * as fs from 'fs';
import * as http from 'http';
import type { DiagnoseExits } from '../protocol';

/** Where dockerd listens by default (its -H flag can move it; the rig and the packages keep this one). */
export const DOCKER_SOCKETS = ['/run/docker.sock', '/var/run/docker.sock'];
/** An inspect answer is a few KiB; a container with thousands of labels or mounts, some hundreds. */
const ANSWER_MAX_BYTES = 4 * 1024 * 1024;
export const DOCKER_ANSWER_MS = 5000;

const SIGNALS: Record<number, string> = {
  1: 'SIGHUP',
  2: 'SIGINT',
  3: 'SIGQUIT',
  4: 'SIGILL',
  6: 'SIGABRT',
  7: 'SIGBUS',
  8: 'SIGFPE',
  9: 'SIGKILL',
  11: 'SIGSEGV',
  13: 'SIGPIPE',
  14: 'SIGALRM',
  15: 'SIGTERM',
};

/** The signal a shell-style exit code above 128 stands for; null for an ordinary exit. */
export function signalOfExitCode(code: number | null): string | null {
  if (code === null || code <= 128 || code > 128 + 64) return null;
  return SIGNALS[code - 128] ?? `signal ${code - 128}`;
}

export const unknownExits = (why: string): DiagnoseExits => ({
  source: null,
  status: null,
  running: null,
  exitCode: null,
  signal: null,
  oomKilled: null,
  restartCount: null,
  startedAt: null,
  finishedAt: null,
  error: null,
  unknown: why,
});

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) ? v : null);
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : null);
/** Docker writes "0001-01-01T00:00:00Z" for a time that never came. */
const time = (v: unknown): string | null => {
  const s = str(v);
  return s && !s.startsWith('0001-') ? s : null;
};

/** The exits section from an inspect answer (parsed JSON). Pure. */
export function exitsFromInspect(doc: unknown): DiagnoseExits {
  const o = doc && typeof doc === 'object' ? (doc as Record<string, unknown>) : {};
  const state = o.State && typeof o.State === 'object' ? (o.State as Record<string, unknown>) : null;
  if (!state) return unknownExits('the engine answered without a State');
  const exitCode = int(state.ExitCode);
  return {
    source: 'docker',
    status: str(state.Status),
    running: bool(state.Running),
    exitCode,
    signal: signalOfExitCode(exitCode),
    oomKilled: bool(state.OOMKilled),
    restartCount: int(o.RestartCount),
    startedAt: time(state.StartedAt),
    finishedAt: time(state.FinishedAt),
    error: str(state.Error) || null,
    unknown: null,
  };
}

/** The first of `sockets` that is a socket now; null when none is. */
function dockerSocket(sockets: string[]): string | null {
  for (const s of sockets) {
    try {
      if (fs.statSync(s).isSocket()) return s;
    } catch {
      /* not there: the next */
    }
  }
  return null;
}

export interface InspectAnswer {
  /** The parsed answer; null when there was none, with why. */
  doc: unknown;
  why: string | null;
  /** 404: the engine has no such container. */
  notFound?: boolean;
}

/** GET /containers/{ref}/json on the engine's socket, bounded in bytes and time. */
export function inspectDocker(ref: string, sockets = DOCKER_SOCKETS, timeoutMs = DOCKER_ANSWER_MS): Promise<InspectAnswer> {
  const socketPath = dockerSocket(sockets);
  if (!socketPath) return Promise.resolve({ doc: null, why: `no Docker engine socket (${sockets.join(', ')})` });
  return new Promise((resolve) => {
    let settled = false;
    const done = (a: InspectAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(a);
    };
    const req = http.get({ socketPath, path: `/containers/${encodeURIComponent(ref)}/json`, headers: { host: 'docker' } }, (res) => {
      const chunks: Buffer[] = [];
      let total = 0;
      res.on('data', (c: Buffer) => {
        total += c.length;
        if (total > ANSWER_MAX_BYTES) done({ doc: null, why: `the engine's answer passed ${ANSWER_MAX_BYTES} bytes` });
        else chunks.push(c);
      });
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode === 404) return done({ doc: null, why: 'the engine has no such container', notFound: true });
        if (res.statusCode !== 200) return done({ doc: null, why: `the engine answered HTTP ${res.statusCode}` });
        try {
          done({ doc: JSON.parse(body), why: null });
        } catch {
          done({ doc: null, why: 'the engine answered with something not JSON' });
        }
      });
      res.on('error', (err) => done({ doc: null, why: `the engine's answer broke off (${err.message})` }));
    });
    req.on('error', (err: NodeJS.ErrnoException) =>
      done({ doc: null, why: `the engine's socket ${socketPath}: ${err.code ?? err.message}` }),
    );
    const timer = setTimeout(
      () => done({ doc: null, why: `the engine did not answer within ${timeoutMs / 1000} s (it holds a busy container's lock)` }),
      timeoutMs,
    );
  });
}
