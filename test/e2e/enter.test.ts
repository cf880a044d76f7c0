/**
 * Entering a container from the Nodes tree in a real VS Code (code-server) in Chromium, on the rig's real
 * containers: Enter Namespaces… opens a terminal inside the container (its hostname per docker inspect);
 * a container with no shell fails with one line; Enter Namespaces as… offers the container's own shells
 * and users and runs as the one picked (per docker exec); a shell exiting 7 says so in the terminal and
 * nowhere as an error. Screenshots land in test-results/e2e/.
 */
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { E2E_CONTAINERS, E2E_SETTINGS, LIMITED, PICKED_SHELL, RIG_SHELLS, RIG_USER, SHOWN } from '../fixtures/e2eRig';
import { e2eSkip } from '../support/e2eNeeds';
import { contextMenu, rows, showDockerContainers, until } from '../support/nodesTreePage';
import { nodescopeSession } from '../support/nodescopeSession';
import { quickPick } from '../support/quickInputPage';
import { rigUp } from '../support/real';
import {
  askHostname,
  closeOnKey,
  enterContainer,
  exitAndClose,
  focusTerminal,
  terminalHasLine,
  terminalText,
  typeLine,
  untilTerminal,
} from '../support/terminalPage';
import { clearNotifications, notifications, toast } from '../support/workbenchPage';

const NOSHELL = E2E_CONTAINERS.noShell;

/** A container with no shell at all: an image of /busybox alone, imported from this machine's busybox. */
function startNoShellContainer(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-e2e-noshell-'));
  try {
    fs.copyFileSync(execFileSync('sh', ['-c', 'command -v busybox'], { encoding: 'utf8' }).trim(), path.join(dir, 'busybox'));
    fs.chmodSync(path.join(dir, 'busybox'), 0o755);
    execFileSync('sh', ['-c', `tar -C "${dir}" -c busybox | docker import - ${NOSHELL.image}`], { stdio: 'ignore' });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  execFileSync('docker', ['run', '-d', '--name', NOSHELL.name, '--network', 'none', NOSHELL.image, '/busybox', 'sleep', '600'], {
    stdio: 'ignore',
  });
}
function removeNoShellContainer(): void {
  spawnSync('docker', ['rm', '-f', NOSHELL.name]);
  spawnSync('docker', ['rmi', NOSHELL.image]);
}

describe('entering a container from the tree', { skip: e2eSkip(), timeout: 400_000 }, () => {
  const ui = nodescopeSession();

  before(async () => {
    rigUp();
    removeNoShellContainer();
    await ui.open(E2E_SETTINGS);
  });

  after(async () => {
    removeNoShellContainer();
    await ui.close();
  });

  ui.step(
    '4. right-click a container → Enter Namespaces… opens a terminal inside it; hostname shows its hostname; exit, a key closes it',
    async () => {
      await showDockerContainers(ui.page);
      await askHostname(ui.page, LIMITED);
      await ui.vs.shot('04-enter-terminal');
      await exitAndClose(ui.page, SHOWN.exited(0));
    },
  );

  ui.step('4b. entering a container without a shell fails with one line, as a notification and in the terminal', async () => {
    const page = ui.page;
    startNoShellContainer();
    try {
      await rows(page, NOSHELL.name).first().waitFor({ timeout: 30_000 });
      await contextMenu(page, NOSHELL.name, 'Enter Namespaces…');
      const failed = toast(page, `cannot enter ${NOSHELL.name}`);
      await failed.waitFor({ timeout: 30_000 });
      const message = (await failed.locator('.notification-list-item-message').innerText()).trim();
      assert.match(message, /no shell in .*root/, message);
      assert.doesNotMatch(message, /\n|\bat \S+ \(/, 'one line, no stack');
      await untilTerminal(page, 'the error in the terminal', async () => (await terminalText(page)).includes('no shell in'));
      await ui.vs.shot('04b-enter-no-shell');
      await focusTerminal(page);
      await closeOnKey(page, 'a key to close the failed terminal');
      await clearNotifications(page);
      await failed.waitFor({ state: 'detached', timeout: 10_000 });
    } finally {
      removeNoShellContainer();
    }
    await rows(page, NOSHELL.name).first().waitFor({ state: 'detached', timeout: 30_000 });
  });

  ui.step("4c. Enter Namespaces as… offers the container's shells and users; the terminal runs as the one picked", async () => {
    const page = ui.page;
    await contextMenu(page, LIMITED, 'Enter Namespaces as…');
    // Each quick pick lists what the container's own root has; typing filters, Enter takes the match.
    const shells = await quickPick(page, /shell/, PICKED_SHELL);
    assert.ok(
      RIG_SHELLS.every((s) => shells.includes(s)),
      `shells offered: ${shells.join(', ')}`,
    );
    const users = await quickPick(page, /user/, RIG_USER.name);
    const passwd = execFileSync('docker', ['exec', LIMITED, 'cut', '-d:', '-f1', '/etc/passwd'], { encoding: 'utf8' }).trim().split('\n');
    assert.deepEqual(users, passwd, "the container's /etc/passwd, not the node's");
    await untilTerminal(page, 'the terminal to open', async () => (await terminalText(page)).includes(`entering ${LIMITED}`));
    await focusTerminal(page);
    await typeLine(page, 'echo "as:$(id -u):$(id -g):$HOME:$0"');
    const expected = `as:${execFileSync('docker', ['exec', '-u', RIG_USER.name, LIMITED, 'sh', '-c', 'echo "$(id -u):$(id -g):$HOME"'], { encoding: 'utf8' }).trim()}:${PICKED_SHELL}`;
    await untilTerminal(page, `${expected} in the terminal`, () => terminalHasLine(page, expected));
    await ui.vs.shot('04c-enter-as-user');
    await exitAndClose(page, SHOWN.exited(0));
  });

  ui.step('4g. a shell that exits 7 shows the code in the terminal and closes on a key, with no error notification', async () => {
    const page = ui.page;
    await enterContainer(page, LIMITED);
    await typeLine(page, 'exit 7');
    await untilTerminal(page, 'the exit line', async () => (await terminalText(page)).includes(SHOWN.exited(7)));
    await ui.vs.shot('04g-shell-exit-7');
    await closeOnKey(page);
    // VS Code shows its toast right after the terminal closes: give it the time it would take.
    await page.waitForTimeout(2_000);
    const toasts = await notifications(page);
    assert.doesNotMatch(toasts, /exit code|terminated/i, `notifications: ${toasts}`);
    await until(
      'the log line',
      () => ui.vs.nodescopeLog().some((l) => l.includes(`enter ${LIMITED} on This machine: the shell exited with code 7`)),
      10_000,
    );
    await ui.vs.shot('04g-no-error-toast');
  });
});
