/**
 * Docker's data root decides which layer directories are trusted as Docker's (layerTrust.ts), so a program
 * named dockerd that anyone runs must not move it (commit 4b912ce). Real processes here, read from /proc as
 * the snapshot reads them: a shell script named `dockerd` (the kernel names a script's process for the
 * script: comm is "dockerd") with `--data-root=/tmp/evil…` in its command line, run as nobody, as root in a
 * mount namespace of its own, and, as the control that shows the test can fail, as root where the agent is.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { probes, skipUnlessReal } from '../support/real';
import { readProcess } from '../../server/discover/procfs';
import { dockerDataRoot } from '../../server/discover/engines/docker';
import type { Problem } from '../../server/protocol';

const skip = skipUnlessReal(probes.root, probes.command('unshare'), probes.command('setpriv'));

describe("a program named dockerd that is not the node's", { skip, timeout: 60_000 }, () => {
  let dir = '';
  const evil = `/tmp/nodescope-evil-root-${process.pid}`;
  const running: ChildProcess[] = [];
  let noDaemonJson = '';

  /** Starts the script under `wrapper` and waits until /proc shows it as `dockerd`. */
  async function start(wrapper: string[]): Promise<number> {
    const child = spawn(wrapper[0], [...wrapper.slice(1), path.join(dir, 'dockerd'), `--data-root=${evil}`], { stdio: 'ignore' });
    running.push(child);
    const end = Date.now() + 10_000;
    for (;;) {
      // The wrappers exec: the script's process keeps the child's pid.
      const p = readProcess(child.pid!, []);
      if (p?.comm === 'dockerd') return child.pid!;
      if (Date.now() > end) throw new Error(`${wrapper.join(' ')} did not run the script (comm ${p?.comm})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  function dataRootWith(pid: number): string {
    const problems: Problem[] = [];
    const p = readProcess(pid, problems);
    assert.ok(p, `pid ${pid} is alive`);
    assert.match(p.cmdline ?? '', new RegExp(`--data-root=${evil}`));
    return dockerDataRoot([p], noDaemonJson);
  }

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-dockerd-'));
    fs.chmodSync(dir, 0o755);
    fs.writeFileSync(path.join(dir, 'dockerd'), '#!/bin/sh\nwhile :; do sleep 1; done\n', { mode: 0o755 });
    noDaemonJson = path.join(dir, 'no-daemon.json');
  });

  after(() => {
    for (const c of running) c.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('run by nobody: the data root stays the default', async () => {
    const pid = await start(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']);
    assert.equal(readProcess(pid, [])!.uid, 65534);
    assert.equal(dataRootWith(pid), '/var/lib/docker');
  });

  it('run by root in a mount namespace of its own: the data root stays the default', async () => {
    const pid = await start(['unshare', '-m']);
    assert.notEqual(fs.readlinkSync(`/proc/${pid}/ns/mnt`), fs.readlinkSync('/proc/self/ns/mnt'));
    assert.equal(dataRootWith(pid), '/var/lib/docker');
  });

  it('control: run by root where the agent runs, its flag is taken', async () => {
    const pid = await start(['env']);
    assert.equal(dataRootWith(pid), evil);
  });
});
