/**
 * What every end-to-end flow needs before it starts code-server: root, the Docker engine, Chromium and the
 * packaged extension (plus what the flow adds, such as sshd).
 */
import * as fs from 'fs';
import * as path from 'path';
import { probes, skipUnlessReal, type Probe } from './real';

const repo = path.resolve(__dirname, '..', '..');

const packaged = (): string | null =>
  fs.existsSync(path.join(repo, 'dist', 'nodescope.vsix')) ? null : 'needs dist/nodescope.vsix (npm run build && npm run package)';

/** The describe's `skip`: why the flow cannot run here (outside CI), or undefined. */
export const e2eSkip = (...more: Probe[]): string | undefined =>
  skipUnlessReal(probes.root, probes.docker, ...more, probes.command('chromium'), packaged);
