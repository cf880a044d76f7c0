/**
 * Nodes over SSH in a real VS Code (code-server) in Chromium, against a real sshd on loopback: the Nodes
 * view lists This machine and the SSH config's host; connecting asks about the host key as OpenSSH does
 * (Enter alone refuses, `yes` trusts) and the same rig containers appear, Enter Namespaces… working over
 * SSH; a stopped sshd shows the node disconnected and it reconnects when sshd is back; Add Node… keeps a
 * node in Nodescope's settings and Remove Node takes it out, or hides an SSH config host without touching
 * the file. Screenshots land in test-results/e2e/.
 */
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { E2E_SETTINGS, LIMITED, RIG_DOCKER_CONTAINERS, SHOWN, SSH_HOST } from '../fixtures/e2eRig';
import { reEscape } from '../support/dockerFacts';
import { e2eSkip } from '../support/e2eNeeds';
import { collapse, containerCount, contextMenu, expand, rows, until } from '../support/nodesTreePage';
import { activityIcon, nodescopeSession } from '../support/nodescopeSession';
import { palette } from '../support/panelPage';
import { inputFocused, quickInput } from '../support/quickInputPage';
import { probes, rigUp } from '../support/real';
import { startSshd, type Sshd } from '../support/sshd';
import { askHostname, exitAndClose } from '../support/terminalPage';
import { toast } from '../support/workbenchPage';

/** The SSH config naming the test's sshd as SSH_HOST, with a known_hosts that knows no key. */
function writeSshConfig(sshd: Sshd): string {
  const emptyKnownHosts = path.join(sshd.dir, 'empty_known_hosts');
  fs.writeFileSync(emptyKnownHosts, '');
  const sshConfig = path.join(sshd.dir, 'ssh_config');
  fs.writeFileSync(
    sshConfig,
    [
      `Host ${SSH_HOST}`,
      '  HostName 127.0.0.1',
      `  Port ${sshd.port}`,
      '  User root',
      `  IdentityFile ${sshd.clientKey}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${emptyKnownHosts}`,
      '',
    ].join('\n'),
  );
  return sshConfig;
}

describe('nodes over SSH', { skip: e2eSkip(probes.command('sshd')), timeout: 500_000 }, () => {
  const ui = nodescopeSession();
  let sshd: Sshd;
  let sshConfig: string;
  const settingsFile = (): string => path.join(ui.vs.dir, 'user', 'User', 'settings.json');
  const setting = (key: string): unknown => (JSON.parse(fs.readFileSync(settingsFile(), 'utf8')) as Record<string, unknown>)[key];
  /** The node Add Node… adds: the test's sshd by its address. */
  const added = (): { line: string; label: string } => ({
    line: `ssh -i ${sshd.clientKey} -p ${sshd.port} root@127.0.0.1`,
    label: `root@127.0.0.1:${sshd.port}`,
  });

  before(async () => {
    rigUp();
    sshd = await startSshd();
    sshConfig = writeSshConfig(sshd);
    // Accepted host keys go to a store of this test's own, not the machine user's.
    await ui.open({ 'nodescope.sshConfigFile': sshConfig, ...E2E_SETTINGS }, { XDG_CONFIG_HOME: sshd.dir, SSH_AUTH_SOCK: '' });
  });

  after(async () => {
    await ui.close();
    sshd?.dispose();
  });

  ui.step('1. the Nodescope icon is in the activity bar; the Nodes view lists This machine and the SSH host', async () => {
    const page = ui.page;
    await activityIcon(page).waitFor({ timeout: 60_000 });
    await rows(page, 'This machine').first().waitFor({ timeout: 60_000 });
    await rows(page, SSH_HOST).first().waitFor();
    await rows(page, /This machine.*containers/)
      .first()
      .waitFor({ timeout: 60_000 });
    await ui.vs.shot('01-nodes-view');
  });

  ui.step(
    '3. connecting the SSH host asks about its host key, Enter alone refuses it; typing yes trusts it, the same containers appear, and Enter works over SSH',
    async () => {
      const page = ui.page;
      await collapse(page, /This machine/);
      await expand(page, SSH_HOST);
      // OpenSSH's question, typed: the fingerprint is shown, and Enter on the empty box is "no".
      const input = quickInput(page);
      const question = input.locator('.quick-input-title', { hasText: `authenticity of [127.0.0.1]:${sshd.port} (${SSH_HOST})` });
      await question.waitFor({ timeout: 60_000 });
      const fingerprint = execFileSync('ssh-keygen', ['-lf', `${sshd.dir}/host_key.pub`], { encoding: 'utf8' }).split(' ')[1];
      assert.ok((await input.innerText()).includes(fingerprint), 'the question shows the SHA256 fingerprint');
      await ui.vs.shot('03a-host-key-question');
      await inputFocused(page);
      await page.keyboard.press('Enter');
      await question.waitFor({ state: 'detached', timeout: 10_000 });
      await rows(page, new RegExp(`${SSH_HOST}.*not trusted`))
        .first()
        .waitFor({ timeout: 30_000 });
      const store = path.join(sshd.dir, 'nodescope', 'known_hosts');
      const key = sshd.hostKeyPub.split(' ')[1];
      assert.ok(!fs.existsSync(store) || !fs.readFileSync(store, 'utf8').includes(key), 'nothing trusted by Enter');
      await ui.vs.shot('03b-host-key-refused');
      // Asked again: "y" is not an answer (as with ssh), "yes" is.
      await contextMenu(page, SSH_HOST, 'Connect');
      await question.waitFor({ timeout: 60_000 });
      await inputFocused(page);
      await page.keyboard.type('y');
      await input.locator('.quick-input-message', { hasText: SHOWN.hostKeyRetry }).waitFor({ timeout: 10_000 });
      await page.keyboard.type('es');
      await page.keyboard.press('Enter');
      await rows(page, new RegExp(`${SSH_HOST}.*hostname vm · \\d+ containers`))
        .first()
        .waitFor({ timeout: 60_000 });
      assert.ok(fs.readFileSync(store, 'utf8').includes(key), "the key is kept in Nodescope's own store once trusted");
      // The same count on both, read at the same moment. Other suites (and people) start and stop containers
      // meanwhile, and each node catches up within a watch pass or two: wait for a moment when nothing changed
      // for both to see (a busy machine here went 20 s without one).
      await until(
        'the same container count on both nodes',
        async () => (await containerCount(page, /This machine/)) === (await containerCount(page, SSH_HOST)),
        60_000,
      ).catch(async () => {
        assert.equal(await containerCount(page, SSH_HOST), await containerCount(page, /This machine/));
      });
      // The same rig containers, by name, under the SSH node (This machine is collapsed: these rows are its).
      await expand(page, /^\s*Containers/);
      await expand(page, /^\s*docker/);
      for (const name of RIG_DOCKER_CONTAINERS) await rows(page, name).first().waitFor();
      await ui.vs.shot('03c-ssh-node-connected');
      // Enter over SSH: the plan comes from the agent on the node, the shell runs in an SSH pty.
      await askHostname(page, LIMITED);
      await ui.vs.shot('03d-ssh-enter-terminal');
      await exitAndClose(page, SHOWN.exited(0));
      await collapse(page, SSH_HOST);
      await expand(page, /This machine/);
    },
  );

  ui.step('8. a stopped sshd shows the node disconnected with the reason; started again, it reconnects', async () => {
    const page = ui.page;
    sshd.stop();
    await rows(page, new RegExp(`${SSH_HOST}.*(disconnected|reconnecting)`))
      .first()
      .waitFor({ timeout: 60_000 });
    const text = await rows(page, SSH_HOST).first().innerText();
    assert.match(text, /connection lost|closed|refused|reconnecting/, text);
    await ui.vs.shot('08a-disconnected');
    await sshd.start();
    await rows(page, new RegExp(`${SSH_HOST}.*vm · \\d+ containers`))
      .first()
      .waitFor({ timeout: 90_000 });
    await ui.vs.shot('08b-reconnected');
  });

  ui.step(
    "9. Add Node… keeps the node in Nodescope's settings when Enter takes the default, and connects it at once, without expanding it",
    async () => {
      const page = ui.page;
      const configBefore = fs.readFileSync(sshConfig, 'utf8');
      const { line, label } = added();
      await palette(page, 'Nodescope: Add Node');
      const input = quickInput(page);
      await input.locator('.quick-input-title', { hasText: 'Nodescope: Add Node' }).waitFor({ timeout: 30_000 });
      await inputFocused(page);
      await page.keyboard.type(line);
      await page.keyboard.press('Enter');
      await input.locator('.quick-input-title', { hasText: 'where to keep it' }).waitFor({ timeout: 10_000 });
      const first = (await input.locator('.quick-input-list .monaco-list-row.focused .label-name').first().innerText()).trim();
      assert.equal(first, SHOWN.keepInSettings, 'the default, the one Enter takes');
      await ui.vs.shot('09a-add-node-where');
      await page.keyboard.press('Enter');
      const row = rows(page, label);
      await row.first().waitFor({ timeout: 30_000 });
      await rows(page, new RegExp(`${reEscape(label)}.*hostname vm · \\d+ containers`))
        .first()
        .waitFor({ timeout: 60_000 });
      assert.equal(await row.first().getAttribute('aria-expanded'), 'false', 'connected without being expanded');
      assert.deepEqual(setting('nodescope.hosts'), [line]);
      assert.equal(fs.readFileSync(sshConfig, 'utf8'), configBefore, 'the SSH config is not touched');
      await ui.vs.shot('09b-added-node-connected');
    },
  );

  ui.step('9b. Remove Node takes an added node out of the tree and out of nodescope.hosts', async () => {
    const page = ui.page;
    const { label } = added();
    await contextMenu(page, label, 'Remove Node');
    await rows(page, label).first().waitFor({ state: 'detached', timeout: 30_000 });
    assert.deepEqual(setting('nodescope.hosts') ?? [], []);
    await toast(page, `removed ${label}`).waitFor({ timeout: 10_000 });
    await ui.vs.shot('09c-node-removed');
  });

  ui.step(
    '9c. Remove Node on an SSH config host hides it through nodescope.hiddenHosts, leaving the SSH config as it was; Undo lists it again',
    async () => {
      const page = ui.page;
      const configBefore = fs.readFileSync(sshConfig, 'utf8');
      await contextMenu(page, SSH_HOST, 'Remove Node');
      await rows(page, SSH_HOST).first().waitFor({ state: 'detached', timeout: 30_000 });
      assert.deepEqual(setting('nodescope.hiddenHosts'), [SSH_HOST]);
      assert.equal(fs.readFileSync(sshConfig, 'utf8'), configBefore);
      const hidden = toast(page, `${SSH_HOST} is no longer listed`);
      await hidden.waitFor({ timeout: 10_000 });
      await ui.vs.shot('09d-ssh-host-hidden');
      await hidden.getByRole('button', { name: 'Undo' }).click();
      await rows(page, SSH_HOST).first().waitFor({ timeout: 30_000 });
      assert.deepEqual(setting('nodescope.hiddenHosts') ?? [], []);
    },
  );
});
