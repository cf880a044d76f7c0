/**
 * The namespace graph panel in a real VS Code (code-server) in Chromium, on the rig's real containers.
 * It opens from the palette and from This machine's context menu (which reveals it, no twin); typing a
 * rig container's name in the search box selects it and the details pane lists its namespaces' inodes,
 * compared with the independent source: docker inspect's pid, then readlink /proc/PID/ns/* done here; the
 * found container is centred, so a right-click in the canvas' middle opens its context menu (docker
 * inspect's id) whose Show Live Resources opens that container's resources panel and Reveal in Tree selects its row; the panel comes back
 * after a window reload with the same selection; screenshots in the dark and the light theme land in
 * test-results/e2e/ (namespacegraph-*.png).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Frame, Page } from 'playwright-core';
import { NS_TYPES } from '../../server/protocol';
import { probes, rigUp, skipUnlessReal } from '../support/real';
import { startVsCode, type VsCode } from '../support/codeServer';
import { contextMenu, showNodesView, until } from '../support/nodesTreePage';
import { frameWith, palette, pickTheme, tabs } from '../support/panelPage';

const repo = path.resolve(__dirname, '..', '..');
const vsix = process.env.NODESCOPE_VSIX ?? path.join(repo, 'dist', 'nodescope.vsix');
const packaged = (): string | null => (fs.existsSync(vsix) ? null : `needs ${vsix} (npm run build && npm run package)`);
const skip = skipUnlessReal(probes.root, probes.docker, probes.command('chromium'), packaged);
const LIMITED = 'nodescope-rig-limited';
const TAB = 'Namespaces · This machine';

/** `type → inode` of the container's init process, from docker inspect's pid and readlink here. */
function dockerNamespaces(name: string): Map<string, string> {
  const pid = execFileSync('docker', ['inspect', '-f', '{{.State.Pid}}', name], { encoding: 'utf8', timeout: 20_000 }).trim();
  assert.match(pid, /^[1-9]\d*$/, `${name} is not running`);
  return new Map(NS_TYPES.map((t) => [t, /\[(\d+)\]/.exec(fs.readlinkSync(`/proc/${pid}/ns/${t}`))![1]]));
}

/** The details pane's namespace table: type → inode, as the page shows it. */
async function detailsNamespaces(f: Frame): Promise<Map<string, string>> {
  const rows = await f
    .locator('.ng-ns-table tr[data-ns]')
    .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 2).map((td) => td.textContent ?? '')));
  return new Map(rows.map(([t, i]) => [t, i]));
}

describe('the namespace graph panel in a real VS Code', { skip, timeout: 900_000 }, () => {
  let vs: VsCode;
  let page: Page;

  before(async () => {
    rigUp();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-e2e-nsgraph-'));
    const sshConfig = path.join(dir, 'ssh_config');
    fs.writeFileSync(sshConfig, '');
    // Dark first, named: code-server's own default theme is a light one.
    vs = await startVsCode(
      { 'nodescope.sshConfigFile': sshConfig, 'nodescope.watchIntervalMs': 2000, 'workbench.colorTheme': 'Default Dark Modern' },
      { NODESCOPE_VSIX: vsix },
    );
    page = vs.page;
  });

  after(async () => {
    await vs?.close();
  });

  async function step(name: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      await vs.shot(`FAILED-namespacegraph-${name}`).catch(() => undefined);
      throw new Error(`${name}: ${(err as Error).message}\nNodescope log: ${vs.nodescopeLog().slice(-6).join(' | ')}`, { cause: err });
    }
  }

  /** The panel's page once it has drawn the snapshot (the status line counts namespaces then). */
  async function drawn(ms = 60_000): Promise<Frame> {
    const f = await frameWith(page, '.ng-toolbar', ms);
    await until(
      'the graph drawn',
      async () =>
        /\d+ namespaces, \d+ containers/.test(
          await f
            .locator('.ng-status')
            .innerText()
            .catch(() => ''),
        ),
      ms,
    );
    return f;
  }

  it('palette, search against /proc/PID/ns of docker inspect, context menu, reload, dark and light', async () => {
    const expected = dockerNamespaces(LIMITED);

    await step('open', async () => {
      await showNodesView(page);
      await palette(page, 'Nodescope: Show Namespace Graph');
      const f = await drawn();
      assert.ok((await f.locator('.ng-graph canvas').count()) > 0, 'the graph is drawn on a canvas');
      assert.deepEqual((await tabs(page)).filter((t) => t.includes(TAB)).length, 1);
      await page.waitForTimeout(1500);
      await vs.shot('namespacegraph-01-dark');
    });

    await step('search', async () => {
      const f = await drawn();
      await f.locator('.ng-search input').click();
      await page.keyboard.type(LIMITED);
      await until(
        'the details pane for the container',
        async () =>
          (
            await f
              .locator('.ng-details h3')
              .innerText()
              .catch(() => '')
          ).includes(LIMITED),
        15_000,
      );
      const shown = await detailsNamespaces(f);
      for (const [type, inode] of expected)
        assert.equal(shown.get(type), inode, `${type}: docker's /proc/PID/ns says ${inode}, the details pane ${shown.get(type)}`);
      assert.match(await f.locator('.ng-count').innerText(), /^1 of \d+ \(name\)/);
      for (const action of ['enter', 'reveal', 'inspect'])
        assert.equal(await f.locator(`.ng-buttons [data-action="${action}"]`).count(), 1, action);
      await page.waitForTimeout(800);
      await vs.shot('namespacegraph-02-search-dark');
    });

    await step('graph context menu', async () => {
      const f = await drawn();
      // The searched container was centred in the canvas: its middle is the container's box.
      const box = (await f.locator('.ng-graph').boundingBox())!;
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2, { button: 'right' });
      const menu = f.locator('.context-menu');
      await menu.waitFor({ timeout: 10_000 });
      const id = execFileSync('docker', ['inspect', '-f', '{{.Id}}', LIMITED], { encoding: 'utf8', timeout: 20_000 }).trim();
      assert.equal(await menu.getAttribute('data-container'), id, 'the menu is the centred container’s (docker inspect’s id)');
      for (const item of ['enter', 'reveal', 'exploreLayers', 'panel:resources', 'inspect'])
        assert.equal(await menu.locator(`[data-menu="${item}"]`).count(), 1, item);
      await vs.shot('namespacegraph-02b-context-menu-dark');
      // Show Live Resources opens the resources panel about that container (its name in the tab's title).
      await menu.locator('[data-menu="panel:resources"]').click();
      await until(
        'the container’s resources panel',
        async () => (await tabs(page)).some((t) => t.includes(`Resources · ${LIMITED}`)),
        20_000,
      );
      await page.locator('.tabs-container .tab', { hasText: TAB }).first().click();
      // Reveal in Tree selects the container's own row in the Nodes view (its engine's group opened for it).
      const g = await drawn();
      const graph = (await g.locator('.ng-graph').boundingBox())!;
      await page.mouse.click(graph.x + graph.width / 2, graph.y + graph.height / 2, { button: 'right' });
      await g.locator('.context-menu [data-menu="reveal"]').click({ timeout: 10_000 });
      await until(
        'the container selected in the Nodes view',
        async () => (await page.locator('.monaco-list-row.selected', { hasText: LIMITED }).count()) > 0,
        20_000,
      );
      await vs.shot('namespacegraph-02c-revealed-in-tree');
      await page.locator('.tabs-container .tab', { hasText: TAB }).first().click();
    });

    await step('context menu', async () => {
      await page
        .locator('.tabs-container .tab')
        .first()
        .click()
        .catch(() => undefined);
      await contextMenu(page, 'This machine', 'Show Namespace Graph');
      await until('the panel revealed, not a twin', async () => (await tabs(page)).filter((t) => t.includes(TAB)).length === 1, 10_000);
      await until(
        'the panel active',
        async () =>
          (
            await page
              .locator('.tabs-container .tab.active')
              .innerText()
              .catch(() => '')
          ).includes(TAB),
        10_000,
      );
    });

    await step('reload', async () => {
      // The context menu left focus in the tree; the palette opens from the editor.
      await page.keyboard.press('Escape');
      await page.locator('.tabs-container .tab', { hasText: TAB }).first().click();
      await palette(page, 'Developer: Reload Window');
      await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
      const f = await drawn(120_000);
      // The view state came back with it: the search and the selected container.
      await until(
        'the selection restored',
        async () =>
          (
            await f
              .locator('.ng-details h3')
              .innerText()
              .catch(() => '')
          ).includes(LIMITED),
        30_000,
      );
      const shown = await detailsNamespaces(f);
      for (const [type, inode] of expected) assert.equal(shown.get(type), inode, type);
      await page.waitForTimeout(1000);
      await vs.shot('namespacegraph-03-after-reload');
    });

    await step('light', async () => {
      await page.locator('.tabs-container .tab', { hasText: TAB }).first().click();
      await pickTheme(page, 'light');
      const f = await drawn();
      await f.locator('body.vscode-light').waitFor({ timeout: 20_000 });
      await page.waitForTimeout(1500);
      await vs.shot('namespacegraph-04-light');
      // A namespace shared by the rig containers, selected by its inode: owner, holders and containers shown.
      await f.locator('.ng-search input').fill(expected.get('cgroup')!);
      await until(
        'the namespace details',
        async () =>
          (await f
            .locator('.ng-details dd[data-field="inode"]')
            .innerText()
            .catch(() => '')) === expected.get('cgroup'),
        15_000,
      );
      await page.waitForTimeout(800);
      await vs.shot('namespacegraph-05-namespace-light');
    });
  });
});
