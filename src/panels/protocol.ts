/**
 * The envelope every panel speaks, on both sides of `postMessage`. Pure types and guards: the extension host
 * (src/panels/host) and the browser bundles (src/panels/web, src/panels/<panel>/web) import this module.
 *
 * The page speaks first (`ready`); until then the host queues what it would post. The page asks with
 * `request` (an id the host answers with `response`); the host tells with `notify` (no answer).
 * This is the shape GitLens and the GitHub PR extension use for their webviews.
 */

/** What one panel's page may ask its host, and what the host tells the page. */
export interface PanelContract {
  /** page → host: method → its params and the result the host answers with. */
  requests: Record<string, { params: unknown; result: unknown }>;
  /** host → page: method → its params. */
  notifications: Record<string, unknown>;
}

export type FromPage = { kind: 'ready' } | { kind: 'request'; id: number; method: string; params: unknown };

export type ToPage =
  { kind: 'response'; id: number; result?: unknown; error?: string } | { kind: 'notify'; method: string; params: unknown };

/** Requests carry ids below this: a page that counts past it is broken or hostile. */
const MAX_REQUEST_ID = 2 ** 31;

/**
 * Checks the envelope of a message from a page. A webview is less trusted than the extension (a page bug,
 * or content a container controls rendered by mistake, can post anything), so nothing is assumed.
 */
export function parseFromPage(m: unknown): FromPage | string {
  if (typeof m !== 'object' || m === null) return 'not an object';
  const o = m as Record<string, unknown>;
  if (o.kind === 'ready') return { kind: 'ready' };
  if (o.kind !== 'request') return `unknown message kind ${JSON.stringify(String(o.kind)).slice(0, 40)}`;
  if (typeof o.id !== 'number' || !Number.isInteger(o.id) || o.id < 0 || o.id >= MAX_REQUEST_ID) return 'request without a valid id';
  if (typeof o.method !== 'string' || o.method.length > 64) return 'request without a method';
  return { kind: 'request', id: o.id, method: o.method, params: o.params };
}

/** A params check: returns null when `p` is acceptable, else what is wrong with it (one line). */
export type ParamsCheck = (p: unknown) => string | null;

/** Small checks the panels' contracts compose (no validation library in the page bundle). */
export const check = {
  none: (): ParamsCheck => (p) =>
    p === undefined || p === null || (typeof p === 'object' && Object.keys(p).length === 0) ? null : 'takes no params',
  object:
    (fields: Record<string, (v: unknown) => boolean>): ParamsCheck =>
    (p) => {
      if (typeof p !== 'object' || p === null || Array.isArray(p)) return 'params must be an object';
      for (const [k, ok] of Object.entries(fields)) if (!ok((p as Record<string, unknown>)[k])) return `bad or missing field ${k}`;
      for (const k of Object.keys(p)) if (!(k in fields)) return `unknown field ${k.slice(0, 40)}`;
      return null;
    },
  string:
    (max = 4096) =>
    (v: unknown) =>
      typeof v === 'string' && v.length <= max,
  optionalString:
    (max = 4096) =>
    (v: unknown) =>
      v === undefined || (typeof v === 'string' && v.length <= max),
  integer:
    (min = 0, max = Number.MAX_SAFE_INTEGER) =>
    (v: unknown) =>
      typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max,
  optionalInteger:
    (min = 0, max = Number.MAX_SAFE_INTEGER) =>
    (v: unknown) =>
      v === undefined || (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max),
  boolean: () => (v: unknown) => typeof v === 'boolean',
  optionalBoolean: () => (v: unknown) => v === undefined || typeof v === 'boolean',
  oneOf:
    <T extends string>(...values: T[]) =>
    (v: unknown) =>
      typeof v === 'string' && (values as string[]).includes(v),
};
