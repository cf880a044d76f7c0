/**
 * Layer files in a real VS Code (code-server in Debian's Chromium): on a container of the rig's waste image
 * (its /etc/app/conf written twice: "version 1 of the config", then "v2" by a later layer), Open File in
 * Layer… opens the file from the layer that wrote v2, alone; the editor title's Compare with Layer Below
 * opens a diff editor whose left side is the file as the layers below that one have it; Compare with Image
 * from the palette compares the container's own view with the image's. Which layer wrote what comes
 * from `docker inspect` (GraphDriver's directories, read here), not from Nodescope. Screenshots land in
 * test-results/e2e/layerfiles-*.png.
 */
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Page } from 'playwright-core';
import { probes, rigUp, skipUnlessReal } from '../support/real';
import { startVsCode, type VsCode } from '../support/codeServer';
import { nodeRow, until } from '../support/nodesTreePage';
import { stepsWithShots } from '../support/e2eSteps';

const repo = path.resolve(__dirname, '..', '..');
const vsix = path.join(repo, 'dist', 'nodescope.vsix');
const packaged = (): string | null => (fs.existsSync(vsix) ? null : `needs ${vsix} (npm run build && npm run package)`);
const skip = skipUnlessReal(probes.root, probes.docker, probes.command('chromium'), packaged);

const CTR = `nodescope-e2e-layerfiles-${process.pid}`;
const ANSWER_MS = 30_000;

/** The layer index (0 = the writable layer, then GraphDriver's lower dirs top-most first) whose own directory holds `file` with `content`. */
function layerWriting(file: string, content: string): number {
  const data = JSON.parse(execFileSync('docker', ['inspect', '-f', '{{json .GraphDriver.Data}}', CTR], { encoding: 'utf8' })) as {
    UpperDir: string;
    LowerDir: string;
  };
  const dirs = [data.UpperDir, ...data.LowerDir.split(':')];
  const index = dirs.findIndex((d) => fs.existsSync(d + file) && fs.readFileSync(d + file, 'utf8') === content);
  assert.ok(index > 0, `a lower layer directory holds ${file} = ${JSON.stringify(content)}`);
  return index;
}

async function palette(page: Page, command: string): Promise<void> {
  await page.keyboard.press('F1');
  const widget = page.locator('.quick-input-widget').filter({ visible: true });
  await widget.waitFor();
  await page.keyboard.type(command);
  await widget.locator('.quick-input-list .monaco-list-row.focused', { hasText: command }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/** Picks the quick pick row whose label holds `label` (typed to filter, then Enter). */
async function pick(page: Page, label: string): Promise<void> {
  const widget = page.locator('.quick-input-widget').filter({ visible: true });
  // The row itself first: the previous pick's list may still be on screen.
  await widget.locator('.quick-input-list .monaco-list-row', { hasText: label }).first().waitFor({ timeout: ANSWER_MS });
  await page.keyboard.type(label);
  await widget.locator('.quick-input-list .monaco-list-row.focused', { hasText: label }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

/** Walks the open dialog down `names`, each typed once its directory's listing shows it, and opens the last. */
async function openInDialog(page: Page, names: string[]): Promise<void> {
  const dialog = page.locator('.quick-input-widget').filter({ visible: true });
  for (const [i, name] of names.entries()) {
    await dialog.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: ANSWER_MS });
    await page.keyboard.type(i < names.length - 1 ? `${name}/` : name);
  }
  // An Enter that lands while the dialog still lists the directory is taken as "select a file": press again.
  for (let i = 0; i < 4 && (await dialog.count()) > 0; i++) {
    await page.waitForTimeout(500);
    if (await dialog.count()) await page.keyboard.press('Enter');
    await page.waitForTimeout(1000);
  }
}

/** The text of one side of the visible diff editor (Monaco renders lines as .view-line). */
async function side(page: Page, which: 'original' | 'modified'): Promise<string> {
  return (await page.locator(`.monaco-diff-editor .editor.${which} .view-lines`).filter({ visible: true }).first().innerText()).replace(
    /\u00a0/g,
    ' ',
  );
}

describe(
  'layer files in a real VS Code: open a file from a lower layer, compare it with the layer below and with the image',
  { skip, timeout: 300_000 },
  () => {
    let vs: VsCode;
    let page: Page;
    let written = -1;

    const step = stepsWithShots('layerfiles', () => vs);

    before(async () => {
      rigUp();
      spawnSync('docker', ['rm', '-f', CTR]);
      execFileSync(
        'docker',
        ['run', '-d', '--name', CTR, '--network', 'none', '--label', 'nodescope.test=1', 'nodescope-rig/waste:1', 'sleep', '600'],
        { stdio: 'ignore' },
      );
      written = layerWriting('/etc/app/conf', 'v2\n');
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-e2e-layerfiles-'));
      fs.writeFileSync(path.join(dir, 'ssh_config'), '');
      vs = await startVsCode({ 'nodescope.sshConfigFile': path.join(dir, 'ssh_config') });
      page = vs.page;
    });

    after(async () => {
      spawnSync('docker', ['rm', '-f', CTR]);
      await vs?.close();
    });

    step('1. This machine is live with the container', async () => {
      const icon = page.locator('.activitybar [aria-label^="Nodescope"]').first();
      await icon.waitFor({ timeout: 60_000 });
      await icon.click();
      await until(
        'This machine connected',
        async () =>
          /\d+ containers?\b/.test(
            await nodeRow(page)
              .innerText()
              .catch(() => ''),
          ),
        60_000,
      );
    });

    step('2. Open File in Layer… opens /etc/app/conf from the layer that wrote v2, alone', async () => {
      await palette(page, 'Nodescope: Open File in Layer…');
      await pick(page, CTR);
      await pick(page, `Layer ${written} alone`);
      await openInDialog(page, ['etc', 'app', 'conf']);
      const tab = page.locator('.tabs-container .tab', { hasText: 'conf' }).first();
      await tab.waitFor({ timeout: ANSWER_MS });
      await until(
        'the editor shows v2',
        async () => (await page.locator('.view-line', { hasText: 'v2' }).filter({ visible: true }).count()) > 0,
        ANSWER_MS,
      );
      // The breadcrumbs name the view: the container and "layer N".
      assert.match(
        await page.locator('.breadcrumbs-control').first().innerText(),
        new RegExp(`${CTR} \\(layer ${written}\\)\\s*\\S*\\s*etc`),
      );
      await vs.shot('layerfiles-1-opened-from-layer');
    });

    step('3. Compare with Layer Below, from the editor title, shows the older version on the left', async () => {
      await page.locator('.editor-actions .action-label[aria-label="Compare with Layer Below"]').first().click();
      await page.locator('.monaco-diff-editor').first().waitFor({ timeout: ANSWER_MS });
      await until(
        'both sides rendered',
        async () =>
          (await side(page, 'original').catch(() => '')).includes('version 1') &&
          (await side(page, 'modified').catch(() => '')).includes('v2'),
        ANSWER_MS,
      );
      // The left side is what the image had before that layer: read from the layer directory below it, independently.
      const below = execFileSync(
        'docker',
        ['run', '--rm', '--network', 'none', '--entrypoint', 'cat', 'nodescope-rig/waste:1', '/etc/app/conf'],
        { encoding: 'utf8' },
      );
      assert.equal(below, 'v2\n', 'the image itself has v2 on top');
      assert.equal((await side(page, 'original')).trim(), 'version 1 of the config');
      assert.equal((await side(page, 'modified')).trim(), 'v2');
      const title = await page.locator('.tabs-container .tab.active').first().innerText();
      assert.match(title, new RegExp(`conf \\(up to layer ${written + 1}\\) ↔ conf \\(layer ${written}\\)`));
      await page.waitForTimeout(500);
      const shot = await vs.shot('layerfiles-2-compare-with-layer-below');
      assert.ok(fs.statSync(shot).size > 10_000, shot);
    });

    step('4. Compare with Image from the palette: a file the container changed, against the image', async () => {
      execFileSync('docker', ['exec', CTR, 'sh', '-c', "printf 'changed by the container\\n' >/etc/app/conf"]);
      await palette(page, 'Nodescope: Open File in Layer…');
      await pick(page, CTR);
      await pick(page, 'Up to layer 0');
      await openInDialog(page, ['etc', 'app', 'conf']);
      await until(
        'the editor shows the container copy',
        async () => (await page.locator('.view-line', { hasText: 'changed by the container' }).filter({ visible: true }).count()) > 0,
        ANSWER_MS,
      );
      // The decoration of a copied-up file (layerDecorations.ts): the tab's label carries its colour and badge classes.
      const label = page.locator('.tabs-container .tab.active .monaco-icon-label').first();
      await until(
        'the copied-up file decorated',
        async () => /monaco-decoration-itemColor-/.test((await label.getAttribute('class')) ?? ''),
        ANSWER_MS,
      );
      // The badge's letter lives in a generated CSS rule; its presence and the colour class are what the page shows of it.
      assert.match((await label.getAttribute('class')) ?? '', /monaco-decoration-itemBadge-/, 'the copied-up badge');
      await vs.shot('layerfiles-3-copied-up-decorated');
      await palette(page, 'Nodescope: Compare with Image');
      await until(
        'the diff against the image',
        async () =>
          (await side(page, 'original').catch(() => '')).includes('v2') &&
          (await side(page, 'modified').catch(() => '')).includes('changed by the container'),
        ANSWER_MS,
      );
      await page.waitForTimeout(500);
      await vs.shot('layerfiles-4-compare-with-image');
    });
  },
);
