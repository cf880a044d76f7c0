/**
 * Changing a node from the Nodes tree in a real VS Code (code-server) in Chromium, each change shown first
 * in a modal and made only on its button: Set Limit… (held against cgroupfs), and Launch Test Container
 * from Its Image… then Stop and Remove (held against runc's state, cgroupfs and the bundle directory).
 * Screenshots land in test-results/e2e/.
 */
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import { BASE_IMAGE, E2E_CONTAINERS, E2E_SETTINGS, LIMITED, SHOWN } from '../fixtures/e2eRig';
import { inspect, reEscape } from '../support/dockerFacts';
import { e2eSkip } from '../support/e2eNeeds';
import { contextMenu, expand, rows, showDockerContainers } from '../support/nodesTreePage';
import { nodescopeSession } from '../support/nodescopeSession';
import { answer, quickPick } from '../support/quickInputPage';
import { rigUp } from '../support/real';
import { modal, toast } from '../support/workbenchPage';

const LIMIT = E2E_CONTAINERS.limit;
const LAUNCHED = E2E_CONTAINERS.launched;

/** What a launch leaves behind, removed whether or not the flow got as far as Stop and Remove. */
function removeLaunched(): void {
  spawnSync('runc', ['delete', '--force', LAUNCHED.name]);
  spawnSync('umount', [`/run/nodescope/launch/${LAUNCHED.name}/rootfs`]);
  fs.rmSync(`/run/nodescope/launch/${LAUNCHED.name}`, { recursive: true, force: true });
}

describe('setting limits and launching a test container from the tree', { skip: e2eSkip(), timeout: 400_000 }, () => {
  const ui = nodescopeSession();

  before(async () => {
    rigUp();
    spawnSync('docker', ['rm', '-f', LIMIT.name]);
    await ui.open(E2E_SETTINGS);
    await showDockerContainers(ui.page);
  });

  after(async () => {
    spawnSync('docker', ['rm', '-f', LIMIT.name]);
    removeLaunched();
    await ui.close();
  });

  ui.step(
    '7b. Set Limit… asks which limit and how much, shows the change in a modal; then cgroupfs, docker inspect and the tree hold it',
    async () => {
      const page = ui.page;
      const id = execFileSync(
        'docker',
        ['run', '-d', '--name', LIMIT.name, '--network', 'none', '--memory', LIMIT.memory, BASE_IMAGE, 'sleep', '600'],
        { encoding: 'utf8' },
      ).trim();
      const limitFile = `/sys/fs/cgroup/memory/docker/${id}/memory.limit_in_bytes`;
      const from = `${LIMIT.fromMiB.toFixed(1)} MiB`;
      const to = `${LIMIT.toMiB.toFixed(1)} MiB`;
      try {
        await rows(page, new RegExp(`${LIMIT.name}.*/ ${reEscape(from)}`))
          .first()
          .waitFor({ timeout: 30_000 });
        await contextMenu(page, LIMIT.name, 'Set Limit…');
        const offered = await quickPick(page, /Set a limit of/, 'Memory');
        assert.deepEqual(offered, SHOWN.limitKinds);
        await answer(page, { title: `Memory limit of ${LIMIT.name}` }, LIMIT.to);
        // The modal: what the agent's dry run says will change, and that it goes through Docker's own API.
        const dialog = await modal(page);
        const said = await dialog.innerText();
        assert.match(said, new RegExp(`Set the memory limit of ${LIMIT.name}\\?`));
        assert.match(said, new RegExp(`memory: ${reEscape(from)} → ${reEscape(to)} \\(uses .*\\)`));
        assert.match(said, /through the Docker Engine API .*docker inspect shows it/);
        assert.equal(fs.readFileSync(limitFile, 'utf8').trim(), String(LIMIT.fromMiB * 2 ** 20), 'nothing written before the button');
        await ui.vs.shot('07b-set-limit-modal');
        await dialog.getByRole('button', { name: 'Set Limit' }).click();
        await rows(page, new RegExp(`${LIMIT.name}.*/ ${reEscape(to)}`))
          .first()
          .waitFor({ timeout: 30_000 });
        assert.equal(fs.readFileSync(limitFile, 'utf8').trim(), String(LIMIT.toMiB * 2 ** 20));
        // Docker's own record agrees (the limit went through its API, so a restart keeps it).
        assert.equal(
          execFileSync('docker', ['inspect', '-f', '{{.HostConfig.Memory}}', id], { encoding: 'utf8' }).trim(),
          String(LIMIT.toMiB * 2 ** 20),
        );
        await toast(page, `${LIMIT.name}: memory: ${from} → ${to}`).waitFor({ timeout: 10_000 });
        await ui.vs.shot('07c-limit-set');
      } finally {
        spawnSync('docker', ['rm', '-f', LIMIT.name]);
      }
      await rows(page, LIMIT.name).first().waitFor({ state: 'detached', timeout: 30_000 });
    },
  );

  ui.step(
    '7c. Launch Test Container from Its Image… starts one on its layers with the limits typed; Stop and Remove takes it away',
    async () => {
      const page = ui.page;
      try {
        // The launched container's own menu has Stop and Remove; an engine's container's does not.
        await rows(page, LIMITED).first().click({ button: 'right' });
        const items = await page.locator('.monaco-menu .action-label').allInnerTexts();
        assert.ok(items.includes(SHOWN.launchItem) && !items.includes(SHOWN.stopItem), items.join(' | '));
        await page.keyboard.press('Escape');
        await contextMenu(page, LIMITED, SHOWN.launchItem);
        await answer(page, { message: /Its name/ }, LAUNCHED.name);
        await answer(page, { message: /Options as on the command line/ }, LAUNCHED.options);
        await answer(page, { message: /The command/ }, null);
        const dialog = await modal(page);
        const said = await dialog.innerText();
        assert.match(said, new RegExp(`Launch ${LAUNCHED.name} from ${LIMITED}'s image on This machine\\?`));
        assert.match(said, new RegExp(`memory ${LAUNCHED.memoryMiB}\\.0 MiB, pids ${LAUNCHED.pids} tasks, cpu unlimited`));
        const layers = inspect('{{.GraphDriver.Data.LowerDir}}', LIMITED).split(':').length;
        assert.match(said, new RegExp(`${LIMITED}: ${layers} image layers`));
        assert.equal(spawnSync('runc', ['state', LAUNCHED.name]).status, 1, 'nothing started before the button');
        await ui.vs.shot('07d-launch-modal');
        await dialog.getByRole('button', { name: 'Launch' }).click();
        await expand(page, /^\s*runc/);
        await rows(page, new RegExp(`${LAUNCHED.name}.*/ ${LAUNCHED.memoryMiB}\\.0 MiB`))
          .first()
          .waitFor({ timeout: 30_000 });
        const state = JSON.parse(execFileSync('runc', ['state', LAUNCHED.name], { encoding: 'utf8' }));
        assert.equal(state.status, 'running');
        assert.equal(fs.readFileSync(`/sys/fs/cgroup/pids/nodescope/${LAUNCHED.name}/pids.max`, 'utf8').trim(), String(LAUNCHED.pids));
        await ui.vs.shot('07e-launched');
        await contextMenu(page, LAUNCHED.name, SHOWN.stopItem);
        const confirm = await modal(page);
        await confirm.getByRole('button', { name: 'Stop and Remove' }).click();
        await rows(page, LAUNCHED.name).first().waitFor({ state: 'detached', timeout: 30_000 });
        assert.notEqual(spawnSync('runc', ['state', LAUNCHED.name]).status, 0, 'runc no longer knows it');
        assert.equal(fs.existsSync(`/run/nodescope/launch/${LAUNCHED.name}`), false, 'its bundle is gone');
      } finally {
        removeLaunched();
      }
    },
  );
});
