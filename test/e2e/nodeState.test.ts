/**
 * A node's real state, as a user sees it in a real VS Code (code-server) in Chromium: the local agent that
 * the extension started is stopped for real (SIGSTOP, found in /proc by its path inside this test's
 * profile). The node's row and its status bar item must stop calling the data live ("stale since
 * HH:MM:SS", then "unresponsive, restarting"), the stopped agent must be killed and a new one started,
 * and the node must come back to live by itself, with live updates: a container started afterwards is
 * shown under docker (docker is the independent source). Then an agent that cannot start again (its
 * bundle moved away): the retries end, the row says "failed" with the error, and its Retry button brings
 * the node back. Screenshots land in test-results/e2e/.
 *
 * The watchdog runs with the extension's defaults (a question every 15 s to an idle agent, 20 s for its
 * answer, stale after 5 s unanswered): this is what a user waits, so the test waits it too.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { probes, rigUp, skipUnlessReal } from '../support/real';
import { startVsCode, type VsCode } from '../support/codeServer';
import { expand, nodeRow, rows, showNodesView, statusItem, until } from '../support/nodesTreePage';

const repo = path.resolve(__dirname, '..', '..');
const vsix = process.env.NODESCOPE_VSIX ?? path.join(repo, 'dist', 'nodescope.vsix');
const packaged = (): string | null => (fs.existsSync(vsix) ? null : `needs ${vsix} (npm run build && npm run package)`);
const skip = skipUnlessReal(probes.root, probes.docker, probes.command('chromium'), packaged);
const CONTAINER = `nodescope-e2e-state-${process.pid}`;
const CLOCK = /\d\d:\d\d:\d\d/;

function read(p: string): string {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return '';
  }
}
const alive = (pid: number): boolean => /^State:\s+[^Z]/m.test(read(`/proc/${pid}/status`));

/** The agents this test's code-server started: their command line names the agent inside its profile. */
function agentsOf(vs: VsCode): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      const argv = read(`/proc/${d}/cmdline`).split('\0');
      return argv.some((a) => a.startsWith(vs.dir) && a.endsWith(path.join('dist', 'agent-bundle', 'agent.js')));
    })
    .map(Number)
    .filter(alive);
}

/** A failed step leaves a screenshot and says what the extension logged last. */
async function explained(vs: VsCode, err: unknown): Promise<Error> {
  await vs.shot('FAILED-nodestate').catch(() => undefined);
  return new Error(`${(err as Error).message}\nNodescope log: ${vs.nodescopeLog().slice(-8).join(' | ')}`, { cause: err });
}

describe("a node's real state in a real VS Code", { skip, timeout: 400_000 }, () => {
  let vs: VsCode;
  let page: Page;

  before(async () => {
    rigUp();
    spawnSync('docker', ['rm', '-f', CONTAINER]);
    // No SSH hosts: the tree holds This machine only, so its row and status item are the ones checked.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-e2e-state-'));
    const sshConfig = path.join(dir, 'ssh_config');
    fs.writeFileSync(sshConfig, '');
    vs = await startVsCode({ 'nodescope.sshConfigFile': sshConfig, 'nodescope.watchIntervalMs': 1000 }, { NODESCOPE_VSIX: vsix });
    page = vs.page;
  });

  after(async () => {
    spawnSync('docker', ['rm', '-f', CONTAINER]);
    // A stopped agent must not outlive a failed run.
    if (vs) for (const pid of agentsOf(vs)) process.kill(pid, 'SIGKILL');
    await vs?.close();
  });

  it('a stopped agent shows stale, then unresponsive, and the node comes back live with live updates', async () => {
    try {
      await showNodesView(page);
      const liveText = await nodeRow(page).innerText();
      assert.doesNotMatch(liveText, /stale|unresponsive|failed/);
      await vs.shot('nodestate-01-live');

      const [stopped, ...others] = agentsOf(vs);
      assert.ok(stopped, 'the extension started an agent in this profile');
      assert.deepEqual(others, [], 'one agent for one node');
      process.kill(stopped, 'SIGSTOP');
      // The stop is delivered when the kernel next schedules the process: wait until /proc says so.
      await until('the agent to be stopped (State: T)', () => /^State:\s+T/m.test(read(`/proc/${stopped}/status`)), 10_000);

      // Within a ping interval and the stale threshold (15 s + 5 s), the row and the status bar say so.
      await until('the row to say stale since', async () => /stale since \d\d:\d\d:\d\d/.test(await nodeRow(page).innerText()), 40_000);
      const staleRow = await nodeRow(page).innerText();
      assert.match(
        staleRow,
        /This machine\s*stale since \d\d:\d\d:\d\d · .*\d+ containers?\b/,
        'the data stays, marked first (the sidebar cuts the end off)',
      );
      await until('the status bar to say stale', async () => /This machine: stale since/.test(await statusItem(page).innerText()), 10_000);
      assert.ok(CLOCK.test(await statusItem(page).innerText()));
      assert.equal(await nodeRow(page).locator('.codicon-warning').count(), 1, 'a warning icon on the row');
      await vs.shot('nodestate-02-stale');

      // Then the verdict (no answer in 20 s): the agent is killed and replaced; the row says so meanwhile.
      const said = await page.waitForFunction(
        () => {
          const bar = Array.from(document.querySelectorAll('[id="workbench.parts.statusbar"] .statusbar-item'))
            .map((e) => e.textContent ?? '')
            .find((t) => t.includes('This machine'));
          const tree = document.querySelector('[id="workbench.parts.sidebar"]')?.textContent ?? '';
          return bar && /unresponsive, restarting/.test(bar) && /unresponsive, restarting/.test(tree) ? bar : false;
        },
        undefined,
        { polling: 'raf', timeout: 40_000 },
      );
      // Killing the stopped agent comes first, then the first attempt (numbered) to start another.
      assert.match(
        String(await said.jsonValue()),
        /This machine: unresponsive, restarting( \(attempt 1 of \d+\))? · stale since \d\d:\d\d:\d\d/,
      );
      await vs.shot('nodestate-03-unresponsive');

      await until(
        'the node live again',
        async () => {
          const t = await nodeRow(page).innerText();
          return /\d+ containers?\b/.test(t) && !/stale|unresponsive|failed/.test(t);
        },
        60_000,
      );
      await until('the stopped agent gone from /proc', () => !alive(stopped), 10_000);
      const [fresh] = agentsOf(vs);
      assert.ok(fresh && fresh !== stopped, 'a new agent runs');
      assert.equal(
        await statusItem(page)
          .innerText()
          .then((t) => t.trim()),
        'This machine',
      );
      assert.ok(
        vs.nodescopeLog().some((l) => l.includes(`agent pid ${stopped} stopped answering`)),
        vs.nodescopeLog().slice(-5).join('\n'),
      );

      // Live updates came back by themselves: a container started now shows up under docker.
      await expand(page, /^\s*Containers/);
      await expand(page, /^\s*docker/);
      execFileSync('docker', ['run', '-d', '--network', 'none', '--name', CONTAINER, 'nodescope-rig/base:1', 'sleep', '300'], {
        stdio: 'ignore',
      });
      await rows(page, CONTAINER).first().waitFor({ timeout: 30_000 });
      await vs.shot('nodestate-04-live-again');
    } catch (err) {
      throw await explained(vs, err);
    }
  });

  it('an agent that cannot start again: retries end in "failed" with the error, and Retry on the row brings the node back', async () => {
    const [agent] = agentsOf(vs);
    assert.ok(agent, 'a live agent from the step before');
    const file = read(`/proc/${agent}/cmdline`)
      .split('\0')
      .find((a) => a.startsWith(vs.dir) && a.endsWith('agent.js'))!;
    // The bundle gone: every restart fails before it spawns anything (as root, a chmod would not stop it).
    const logged = vs.nodescopeLog().length;
    fs.renameSync(file, `${file}.away`);
    try {
      process.kill(agent, 'SIGKILL');
      // Five retries with growing delays (1 + 2 + 4 + 8 + 16 s), each said, then it stops and says so.
      await until(
        'the row to say failed',
        async () => /This machine\s*failed · stale since \d\d:\d\d:\d\d: .*agent bundle not found/.test(await nodeRow(page).innerText()),
        90_000,
      );
      assert.match(await nodeRow(page).innerText(), /gave up after 5 retries/);
      assert.equal((await statusItem(page).innerText()).trim(), 'This machine: failed');
      assert.equal(await nodeRow(page).locator('.codicon-error').count(), 1, 'an error icon on the row');
      // Each retry is said, numbered up to the last. They count on from the restart of the step before:
      // the node had not stayed up for a minute since, and an agent that keeps dying is not retried for ever.
      const attempts = vs
        .nodescopeLog()
        .slice(logged)
        .filter((l) => /reconnecting in \d+ s/.test(l))
        .map((l) => Number(/\(attempt (\d) of 5\)/.exec(l)?.[1]));
      assert.ok(
        attempts.length > 0 && attempts.every((a, i) => a === 5 - (attempts.length - 1 - i)),
        `attempts said: ${attempts.join(', ')}`,
      );
      await nodeRow(page).hover();
      await vs.shot('nodestate-05-failed');
    } finally {
      fs.renameSync(`${file}.away`, file);
    }
    try {
      await nodeRow(page).hover();
      await nodeRow(page).locator('.action-label[aria-label="Retry"]').click();
      await until(
        'the node live again after Retry',
        async () => {
          const t = await nodeRow(page).innerText();
          return /\d+ containers?\b/.test(t) && !/stale|unresponsive|failed/.test(t);
        },
        60_000,
      );
      const [fresh] = agentsOf(vs);
      assert.ok(fresh && fresh !== agent && !alive(agent), 'a new agent, the killed one gone');
      assert.equal((await statusItem(page).innerText()).trim(), 'This machine');
      await vs.shot('nodestate-06-retried');
    } catch (err) {
      throw await explained(vs, err);
    }
  });
});
