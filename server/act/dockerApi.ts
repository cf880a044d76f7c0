/**
 * One request to the Docker Engine API on its unix socket (docs.docker.com/engine/api), for the changes
 * the engine should keep: the answer bounded in bytes, the request in time, never a `docker` child. The
 * sockets are the ones the diagnose reader asks (diagnose/dockerState.ts).
 */
import * as fs from 'fs';
import * as http from 'http';
import { DOCKER_ANSWER_MS, DOCKER_SOCKETS } from '../diagnose/dockerState';

/** An error or update answer is a few hundred bytes; an inspect one a few KiB. */
const ANSWER_MAX_BYTES = 4 * 1024 * 1024;

export interface EngineAnswer {
  /** HTTP status; null when there was no answer (then `why`). */
  status: number | null;
  /** The parsed JSON body; null when empty or not JSON. */
  doc: unknown;
  why: string | null;
}

function socketOf(sockets: string[]): string | null {
  return (
    sockets.find((s) => {
      try {
        return fs.statSync(s).isSocket();
      } catch {
        return false;
      }
    }) ?? null
  );
}

/** `method` `path` with `body` as JSON; settles (never rejects) by DOCKER_ANSWER_MS. */
export function dockerRequest(
  method: 'GET' | 'POST',
  apiPath: string,
  body?: unknown,
  sockets = DOCKER_SOCKETS,
  timeoutMs = DOCKER_ANSWER_MS,
): Promise<EngineAnswer> {
  const socketPath = socketOf(sockets);
  if (!socketPath) return Promise.resolve({ status: null, doc: null, why: `no Docker engine socket (${sockets.join(', ')})` });
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve) => {
    let settled = false;
    const done = (a: EngineAnswer): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(a);
    };
    const headers: http.OutgoingHttpHeaders = { host: 'docker' };
    if (payload) Object.assign(headers, { 'content-type': 'application/json', 'content-length': payload.length });
    const req = http.request({ socketPath, method, path: apiPath, headers }, (res) => {
      const chunks: Buffer[] = [];
      let total = 0;
      res.on('data', (c: Buffer) => {
        total += c.length;
        if (total > ANSWER_MAX_BYTES) done({ status: null, doc: null, why: `the engine's answer passed ${ANSWER_MAX_BYTES} bytes` });
        else chunks.push(c);
      });
      res.on('end', () => {
        let doc: unknown = null;
        try {
          doc = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          /* empty or not JSON: the status says enough */
        }
        done({ status: res.statusCode ?? null, doc, why: null });
      });
      res.on('error', (err) => done({ status: null, doc: null, why: `the engine's answer broke off (${err.message})` }));
    });
    req.on('error', (err: NodeJS.ErrnoException) =>
      done({ status: null, doc: null, why: `the engine's socket ${socketPath}: ${err.code ?? err.message}` }),
    );
    const timer = setTimeout(
      () => done({ status: null, doc: null, why: `the engine did not answer within ${timeoutMs / 1000} s` }),
      timeoutMs,
    );
    req.end(payload);
  });
}

/** The engine's own words for a refusal ({"message": …}), one line. */
export function engineMessage(a: EngineAnswer): string {
  const m = (a.doc as { message?: unknown } | null)?.message;
  return typeof m === 'string' ? m.split('\n')[0] : (a.why ?? `HTTP ${a.status}`);
}
