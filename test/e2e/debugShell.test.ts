/**
 * Debug Shell… from the Nodes tree in a real VS Code (code-server) in Chromium, on the rig's distroless
 * container (one static binary FROM scratch: no shell, no tools; test/rig/up.sh): the terminal opens a
 * shell inside it with the node's busybox on PATH; `ls /` lists the container's own root (per
 * /proc/PID/root) and `hostname` its hostname (per docker inspect); the container's mount table is the
 * same before, during and after. Enter Some Namespaces… with net alone runs the node's shell in the
 * container's network namespace (per stat of /proc/PID/ns/net). Screenshots land in test-results/e2e/.
 */
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'fs';
import { E2E_SETTINGS, SHOWN } from '../fixtures/e2eRig';
import { inspect } from '../support/dockerFacts';
import { e2eSkip } from '../support/e2eNeeds';
import { contextMenu, rows, showDockerContainers } from '../support/nodesTreePage';
import { nodescopeSession } from '../support/nodescopeSession';
import { inputFocused, quickInput } from '../support/quickInputPage';
import { rigUp } from '../support/real';
import { exitAndClose, focusTerminal, terminalHasLine, terminalText, typeLine, untilTerminal } from '../support/terminalPage';

const DISTROLESS = 'nodescope-rig-distroless';

describe('a debug shell from the tree', { skip: e2eSkip(), timeout: 400_000 }, () => {
  const ui = nodescopeSession();
  let pid: number;

  before(async () => {
    rigUp();
    pid = Number(inspect('{{.State.Pid}}', DISTROLESS));
    await ui.open(E2E_SETTINGS);
  });

  after(async () => {
    await ui.close();
  });

  ui.step('12. right-click the distroless container → Debug Shell…; ls / lists its own root; its mounts do not change', async () => {
    const page = ui.page;
    const mountsBefore = fs.readFileSync(`/proc/${pid}/mountinfo`, 'utf8');
    await showDockerContainers(page);
    await rows(page, DISTROLESS).first().waitFor({ timeout: 30_000 });
    await contextMenu(page, DISTROLESS, 'Debug Shell…');
    await untilTerminal(page, 'the debug terminal to open', async () =>
      (await terminalText(page)).includes(`debug shell in ${DISTROLESS}`),
    );
    await focusTerminal(page);
    await typeLine(page, 'hostname');
    const hostname = inspect('{{.Config.Hostname}}', DISTROLESS);
    await untilTerminal(page, `${hostname} in the terminal`, () => terminalHasLine(page, hostname));
    // One name a line: the terminal's width does not decide how they are laid out.
    await typeLine(page, 'ls -1 /');
    const names = fs.readdirSync(`/proc/${pid}/root`).filter((n) => !n.startsWith('.'));
    await untilTerminal(page, `every name of the container's / (${names.join(', ')})`, async () => {
      const text = await terminalText(page);
      return names.every((n) => text.split('\n').some((l) => l.trim() === n));
    });
    assert.equal(fs.readFileSync(`/proc/${pid}/mountinfo`, 'utf8'), mountsBefore, "the container's mountinfo while the debug shell runs");
    await ui.vs.shot('12-debug-shell-ls');
    await exitAndClose(page, SHOWN.exited(0));
    assert.equal(fs.readFileSync(`/proc/${pid}/mountinfo`, 'utf8'), mountsBefore, "the container's mountinfo after");
  });

  ui.step("12b. Enter Some Namespaces… with net alone: the node's shell in the container's network namespace", async () => {
    const page = ui.page;
    await contextMenu(page, DISTROLESS, 'Enter Some Namespaces…');
    const widget = quickInput(page);
    await widget.locator('.quick-input-title', { hasText: /which namespaces/ }).waitFor({ timeout: 30_000 });
    await inputFocused(page);
    // A multi-select: a click on a row ticks it; Enter takes the ticked rows.
    const net = widget.locator('.quick-input-list .monaco-list-row').filter({ has: page.locator('.label-name', { hasText: /^net$/ }) });
    await net.locator('.label-name').first().click();
    await widget.locator('.quick-input-count', { hasText: /1 Selected/ }).waitFor({ timeout: 10_000 });
    await inputFocused(page);
    await page.keyboard.press('Enter');
    await untilTerminal(page, 'the terminal to open', async () => (await terminalText(page)).includes(`entering ${DISTROLESS}`));
    await focusTerminal(page);
    await typeLine(page, 'echo net=$(stat -L -c %i /proc/self/ns/net)');
    const want = `net=${fs.statSync(`/proc/${pid}/ns/net`).ino}`;
    await untilTerminal(page, `${want} in the terminal`, () => terminalHasLine(page, want));
    await ui.vs.shot('12b-enter-net-only');
    await exitAndClose(page, SHOWN.exited(0));
  });
});
