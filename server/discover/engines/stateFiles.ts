/**
 * Engine state files are written by other programs, possibly mid-write or by a version we have never
 * seen: every read here is defensive. A missing file is normal (the container is gone, or the engine
 * is not installed) and returns null quietly; a malformed one returns null with a Problem naming it.
 */
import * as fs from 'fs';
import type { Problem } from '../../protocol';
import { readRegularFile } from '../../sys/openChecked';

/** Far above any engine's state file (a podman containers.json of thousands of containers is a few MB). */
const STATE_FILE_MAX = 64 * 1024 * 1024;

/**
 * A regular file's text, else null. Where these files are looked for can be steered from outside the
 * engine (dockerd's --data-root is read from whichever process is named dockerd): a FIFO there must not
 * block the snapshot, nor a device be opened, nor a huge file be read whole.
 */
export function readText(file: string): string | null {
  const read = readRegularFile(file, STATE_FILE_MAX);
  return 'data' in read ? read.data.toString('utf8') : null;
}

export function readJson(file: string, problems: Problem[]): unknown {
  const text = readText(file);
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    problems.push({ source: file, message: `malformed JSON (${(err as Error).message.split('\n')[0]}); engine facts skipped` });
    return null;
  }
}

export function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** A plain object, or null: lets callers index parsed JSON without trusting its shape. */
export function obj(v: unknown): Record<string, unknown> | null {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

export function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}

/** Only string values: labels and annotations must be string → string. */
export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(obj(v) ?? {})) if (typeof val === 'string') out[k] = val;
  return out;
}
