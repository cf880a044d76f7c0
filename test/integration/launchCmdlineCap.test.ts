/**
 * Launch starts a test container with its source's command when no bundle tells it: the kernel's
 * /proc/PID/cmdline. A container may give its init megabytes of arguments; the agent reads at most
 * 256 KiB of it, and a longer one is marked so that launch asks for a command instead of running a prefix.
 * Real processes here: a shell with 300 KB and with 200 KB of arguments (each under MAX_ARG_STRLEN).
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import { probes, skipUnlessReal } from '../support/real';
import { LAUNCH_CMDLINE_MAX_BYTES, sourceProcess } from '../../server/act/sourceProcess';
import type { ContainerInfo } from '../../server/protocol';

const skip = skipUnlessReal(probes.root);
/** No bundle label, and an id no directory is named for: only the kernel's command line is left. */
const container = { id: 'nodescope-no-bundle', labels: {} } as unknown as ContainerInfo;

describe('the command line launch falls back to', { skip, timeout: 60_000 }, () => {
  const running: ChildProcess[] = [];
  after(() => running.forEach((c) => c.kill('SIGKILL')));

  async function withArgs(kb: number): Promise<number> {
    const args = Array.from({ length: kb / 100 }, (_, i) => String(i).padEnd(100_000, 'a'));
    const child = spawn('sh', ['-c', 'while :; do sleep 1; done', 'sh', ...args], { stdio: 'ignore' });
    running.push(child);
    // Until the kernel shows its arguments (spawn returns before the exec).
    for (let i = 0; i < 100 && !fs.readFileSync(`/proc/${child.pid}/cmdline`).includes('aaaa'); i++)
      await new Promise((r) => setTimeout(r, 20));
    return child.pid!;
  }

  it('over 256 KiB: marked truncated, and no more than the cap read', async () => {
    const pid = await withArgs(300);
    assert.ok(fs.readFileSync(`/proc/${pid}/cmdline`).length > LAUNCH_CMDLINE_MAX_BYTES);
    const src = sourceProcess(container, pid)!;
    assert.equal(src.truncated, true);
    assert.equal(src.source, `/proc/${pid}/cmdline`);
    assert.ok(src.args.join('\0').length <= LAUNCH_CMDLINE_MAX_BYTES);
  });

  it('under 256 KiB: whole, as the kernel shows it', async () => {
    const pid = await withArgs(200);
    const src = sourceProcess(container, pid)!;
    assert.equal(src.truncated, undefined);
    assert.deepEqual(src.args, fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean));
  });
});
