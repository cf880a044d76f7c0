/**
 * Gate for suites that need a real part (root, the Docker engine, sshd, Chromium, code-server).
 * Outside CI a missing part skips the suite with its reason; with CI=true it fails the suite, because a
 * green CI that silently skipped the real environment would be a lie.
 */
import { execFileSync } from 'child_process';
import type { TestContext } from 'node:test';

export const inCI = process.env.CI === 'true';

/** Returns null when the part is there, else why not. */
export type Probe = () => string | null;

export const probes = {
  root: (): string | null => (process.getuid?.() === 0 ? null : 'needs root'),
  docker: (): string | null => {
    try {
      execFileSync('docker', ['info'], { stdio: 'ignore', timeout: 10_000 });
      return null;
    } catch {
      return 'needs a running Docker engine (bash test/rig/up.sh starts one)';
    }
  },
  command: (name: string) => (): string | null => {
    try {
      execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
      return null;
    } catch {
      return `needs ${name} on PATH (bash scripts/provision.sh installs it)`;
    }
  },
};

/**
 * Call at the top of a real-environment test or in `before`: skips with the reason outside CI,
 * throws inside CI. Returns false when the caller should stop (skipped).
 */
export function requireReal(t: TestContext | undefined, ...needs: Probe[]): boolean {
  for (const probe of needs) {
    const why = probe();
    if (why === null) continue;
    if (inCI) throw new Error(`real part missing in CI: ${why}`);
    t?.skip(why);
    return false;
  }
  return true;
}

/** For describe-level gating: the reason to skip, or undefined to run (throws in CI). */
export function skipUnlessReal(...needs: Probe[]): string | undefined {
  for (const probe of needs) {
    const why = probe();
    if (why === null) continue;
    if (inCI) throw new Error(`real part missing in CI: ${why}`);
    return why;
  }
  return undefined;
}

/** Rig facts printed by test/rig/up.sh (it is idempotent: cheap when everything is up). */
export function rigUp(): Record<string, string> {
  const out = execFileSync('bash', ['test/rig/up.sh'], { encoding: 'utf8', timeout: 300_000 });
  const facts: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line);
    if (m) facts[m[1]] = m[2];
  }
  return facts;
}
