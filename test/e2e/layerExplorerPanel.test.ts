/**
 * The layer explorer in a real VS Code (code-server) in Chromium, on the rig's container built with a
 * known whiteout (`RUN rm /data/gone`) and opaque dir. Explore Layers from the container's context menu;
 * the stack's history commands against `docker history --no-trunc`; the layer that deleted /data/gone
 * shows it removed (a whiteout); a file of a lower layer opens in an editor; the panel comes back after a
 * window reload with the same layer selected. Screenshots (dark, light) in test-results/e2e/explorer-*.png.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Frame, Page } from 'playwright-core';
import { probes, rigUp, skipUnlessReal } from '../support/real';
import { startVsCode, type VsCode } from '../support/codeServer';
import { contextMenu, expand, showNodesView, until } from '../support/nodesTreePage';
import { frameWith, palette, pickTheme, tabs } from '../support/panelPage';
import { partsWithShots } from '../support/e2eSteps';

const repo = path.resolve(__dirname, '..', '..');
const vsix = process.env.NODESCOPE_VSIX ?? path.join(repo, 'dist', 'nodescope.vsix');
const packaged = (): string | null => (fs.existsSync(vsix) ? null : `needs ${vsix} (npm run build && npm run package)`);
const skip = skipUnlessReal(probes.root, probes.docker, probes.command('chromium'), packaged);
const LIMITED = 'nodescope-rig-limited';
const DELETER = '/bin/sh -c rm /data/gone';

const docker = (...args: string[]): string => execFileSync('docker', args, { encoding: 'utf8', timeout: 20_000 }).trim();

describe('the layer explorer in a real VS Code', { skip, timeout: 600_000 }, () => {
  let vs: VsCode;
  let page: Page;

  before(async () => {
    rigUp();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-e2e-explorer-'));
    const sshConfig = path.join(dir, 'ssh_config');
    fs.writeFileSync(sshConfig, '');
    vs = await startVsCode({ 'nodescope.sshConfigFile': sshConfig }, { NODESCOPE_VSIX: vsix });
    page = vs.page;
  });

  after(async () => {
    await vs?.close();
  });

  const step = partsWithShots('explorer', () => vs);

  /** The card of the layer whose history command is `createdBy`, once the report has arrived. */
  const card = (f: Frame, createdBy: string) =>
    f.locator('li.layer', { has: f.locator('code.created-by', { hasText: createdBy }) }).first();

  it('Explore Layers: history commands, a whiteout marked removed, a lower layer file opened, reload, themes', async () => {
    const image = docker('inspect', '-f', '{{.Config.Image}}', LIMITED);
    const history = docker('history', '--no-trunc', '--format', '{{.CreatedBy}}', image).split('\n');
    assert.ok(history.includes(DELETER), `the rig's image deletes /data/gone in a layer of its own: ${history.join(' | ')}`);
    let f!: Frame;

    await step('open from the context menu', async () => {
      await showNodesView(page);
      await expand(page, /^\s*Containers/);
      await expand(page, /^\s*docker/);
      await contextMenu(page, LIMITED, 'Explore Layers');
      await until('a tab for the container', async () => (await tabs(page)).some((t) => t.includes(`Layers of ${LIMITED}`)), 20_000);
      f = await frameWith(page, 'li.layer code.created-by', 60_000);
    });

    await step('history commands against docker history', async () => {
      const shown = (await f.locator('li.layer code.created-by').allInnerTexts()).map((t) => t.trim());
      // Every image layer's command is docker's, in docker's order (top first); history entries without a layer are folded.
      const made = shown.filter((t) => history.includes(t));
      const docked = history.filter((h) => made.includes(h));
      assert.deepEqual(made, docked, `the stack's commands in docker's order: ${shown.join(' | ')}`);
      for (const cmd of ['/bin/sh -c rm -rf /opq && mkdir /opq && echo new >/opq/new', DELETER])
        assert.ok(made.includes(cmd), `${cmd} shown`);
      assert.match(await f.locator('li.layer').first().innerText(), /writable[\s\S]*what the container changed/);
    });

    await step('the layer that deleted /data/gone', async () => {
      await card(f, DELETER).click();
      await until('the deleting layer selected', async () => (await card(f, DELETER).getAttribute('aria-selected')) === 'true', 10_000);
      const data = f.locator('.row.entry[data-path="/data"]');
      await data.waitFor({ timeout: 30_000 });
      await data.click();
      const gone = f.locator('.row.entry[data-path="/data/gone"]');
      await gone.waitFor({ timeout: 30_000 });
      assert.equal(await gone.getAttribute('data-mark'), 'R');
      assert.match(await gone.innerText(), /whiteout/);
      await page.waitForTimeout(500);
      await vs.shot('explorer-01-whiteout-dark');
    });

    await step('a lower layer file opens in an editor', async () => {
      const maker = '/bin/sh -c mkdir -p /data/keep';
      await f
        .locator('li.layer', { has: f.locator('code.created-by', { hasText: maker }) })
        .first()
        .click();
      // /data stays expanded from the layer before (the tree keeps what was open); open it if this layer's page shows it closed.
      const data = f.locator('.row.entry[data-path="/data"]');
      await data.waitFor({ timeout: 30_000 });
      if ((await data.getAttribute('aria-expanded')) !== 'true') await data.click();
      await f.locator('.row.entry[data-path="/data/keep"]').click();
      const k = f.locator('.row.entry[data-path="/data/keep/k"]');
      await k.waitFor({ timeout: 30_000 });
      assert.equal(await k.getAttribute('data-mark'), 'A', 'the layer that made it added it');
      await k.hover();
      await k.locator('button[title="Open"]').click();
      await until('an editor with the file', async () => (await tabs(page)).some((t) => /^k\b/.test(t.trim())), 20_000);
      const text = await page.locator('.editor-instance .view-lines').last().innerText();
      assert.equal(text.trim(), docker('exec', LIMITED, 'cat', '/data/keep/k'));
      await vs.shot('explorer-02-open-file');
    });

    await step('reload', async () => {
      await page
        .locator('.tabs-container .tab', { hasText: `Layers of ${LIMITED}` })
        .first()
        .click();
      await palette(page, 'Developer: Reload Window');
      await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
      // The workbench found may still be the one going away: a frame found in it can be detached the next
      // moment, so the page is looked up again until its text is read from a frame that stays.
      let selected = '';
      await until(
        'the explorer back after the reload',
        async () => {
          const g = await frameWith(page, 'li.layer.selected code.created-by', 90_000);
          selected = await g
            .locator('li.layer.selected code.created-by')
            .innerText({ timeout: 5_000 })
            .catch(() => '');
          if (selected) f = g;
          return selected !== '';
        },
        120_000,
      );
      assert.match(selected, /mkdir -p \/data\/keep/, 'the same layer is selected after the reload');
    });

    await step('light', async () => {
      await pickTheme(page, 'light');
      f = await frameWith(page, 'li.layer code.created-by');
      await f.locator('body.vscode-light').waitFor({ timeout: 20_000 });
      await card(f, DELETER).click();
      await f.locator('.row.entry[data-path="/data"]').waitFor({ timeout: 30_000 });
      await page.waitForTimeout(1000);
      await vs.shot('explorer-03-light');
    });
  });
});
