/**
 * A container's files from the Nodes tree in a real VS Code (code-server) in Chromium, on the rig's real
 * container: Show Changes Against Image (held against docker diff), Open File in Container… (against
 * docker exec ls and cat, read-only, named without the container's id), Which Layer Provides a Path…
 * (against Docker's own layer directories). Screenshots land in test-results/e2e/.
 */
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { E2E_SETTINGS, LIMITED, RIG_USER, ROOT_ENTRIES, WHITEOUT_PATH } from '../fixtures/e2eRig';
import { inspect, reEscape } from '../support/dockerFacts';
import { e2eSkip } from '../support/e2eNeeds';
import { contextMenu, showDockerContainers, until } from '../support/nodesTreePage';
import { nodescopeSession } from '../support/nodescopeSession';
import { answer, quickInput } from '../support/quickInputPage';
import { rigUp } from '../support/real';
import { editorLines, editorLinesText, editorText } from '../support/workbenchPage';

describe("a container's files from the tree", { skip: e2eSkip(), timeout: 400_000 }, () => {
  const ui = nodescopeSession();

  before(async () => {
    rigUp();
    await ui.open(E2E_SETTINGS);
    await showDockerContainers(ui.page);
  });

  after(async () => {
    await ui.close();
  });

  ui.step('4d. Show Changes Against Image lists what the container wrote, as docker diff does', async () => {
    const page = ui.page;
    const file = `/nodescope-e2e-diff-${process.pid}`;
    execFileSync('docker', ['exec', LIMITED, 'sh', '-c', `echo changed > ${file}`]);
    try {
      const expected = execFileSync('docker', ['diff', LIMITED], { encoding: 'utf8' }).split('\n').filter(Boolean).sort();
      assert.ok(expected.includes(`A ${file}`), `docker diff: ${expected.join(', ')}`);
      await contextMenu(page, LIMITED, 'Show Changes Against Image');
      await editorLines(page).waitFor({ timeout: 30_000 });
      await until('the changes in the editor', async () => (await editorText(page)).includes(`A ${file}`), 30_000);
      assert.deepEqual((await editorLinesText(page)).sort(), expected);
      await ui.vs.shot('04d-changes-against-image');
      await page.keyboard.press('Control+W');
    } finally {
      execFileSync('docker', ['exec', LIMITED, 'rm', '-f', file]);
    }
  });

  ui.step("4e. Open File in Container… browses the container's own root and opens /etc/passwd read-only", async () => {
    const page = ui.page;
    await contextMenu(page, LIMITED, 'Open File in Container…');
    // VS Code's own file dialog over the nodescope-files scheme: a path box listing the container's root.
    const dialog = quickInput(page);
    await dialog.locator('.quick-input-list .monaco-list-row', { hasText: 'etc' }).first().waitFor({ timeout: 30_000 });
    const listed = await dialog
      .locator('.quick-input-list .monaco-list-row')
      .evaluateAll((rows) => rows.map((r) => r.querySelector('.label-name')?.textContent?.replace(/\/$/, '') ?? ''));
    const root = execFileSync('docker', ['exec', LIMITED, 'ls', '-A', '/'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    for (const name of ROOT_ENTRIES)
      assert.ok(listed.includes(name) && root.includes(name), `${name}: dialog ${listed.join(' ')}; ls / ${root.join(' ')}`);
    await page.keyboard.type('etc/');
    // The dialog reads the directory typed into (files.list) before it can take a name in it.
    await dialog.locator('.quick-input-list .monaco-list-row', { hasText: 'passwd' }).first().waitFor();
    await page.keyboard.type('passwd');
    await page.waitForTimeout(300);
    await page.keyboard.press('Enter');
    const expected = execFileSync('docker', ['exec', LIMITED, 'cat', '/etc/passwd'], { encoding: 'utf8' }).trim();
    await until(
      "the container's /etc/passwd in the editor",
      async () => (await editorText(page).catch(() => '')).includes(RIG_USER.passwdLine),
      30_000,
    );
    assert.deepEqual(await editorLinesText(page), expected.split('\n'));
    // Named by the container's name and the file, nowhere by its 64-digit id (what docker inspect says it is).
    const id = inspect('{{.Id}}', LIMITED);
    const tab = page.locator('.tabs-container .tab.active').first();
    assert.equal((await tab.locator('.label-name').innerText()).trim(), 'passwd');
    const crumbs = (await page.locator('.breadcrumbs-control').filter({ visible: true }).first().innerText()).replace(/\s+/g, ' ');
    assert.match(crumbs, new RegExp(`${LIMITED}.*etc.*passwd`), `breadcrumbs: ${crumbs}`);
    assert.ok(!crumbs.includes(id.slice(0, 12)), `breadcrumbs: ${crumbs}`);
    await tab.hover();
    await page.waitForTimeout(1500);
    const hover = (await page.locator('.workbench-hover, .monaco-hover').filter({ visible: true }).allInnerTexts()).join(' ');
    assert.ok(!hover.includes(id.slice(0, 12)), `the tab's hover: ${hover}`);
    await ui.vs.shot('04e-container-file');
    // Read-only: typing changes nothing.
    await editorLines(page).click();
    await page.keyboard.type('zzz');
    assert.ok(!(await editorText(page)).includes('zzz'), 'the editor is read-only');
    await page.keyboard.press('Control+W');
  });

  ui.step(
    `4f. Which Layer Provides a Path… answers in words: the layer whose whiteout deleted ${WHITEOUT_PATH} and the layer that still holds it; a path in no layer says so`,
    async () => {
      const page = ui.page;
      // The independent answer, from Docker's layer directories: which one holds the whiteout (a 0/0 char
      // device), which one the file.
      const lowers = inspect('{{.GraphDriver.Data.LowerDir}}', LIMITED).split(':');
      const whiteout = lowers.find((d) => fs.lstatSync(`${d}${WHITEOUT_PATH}`, { throwIfNoEntry: false })?.isCharacterDevice());
      const holder = lowers.find((d) => fs.lstatSync(`${d}${WHITEOUT_PATH}`, { throwIfNoEntry: false })?.isFile());
      assert.ok(whiteout && holder, `docker's lower dirs: ${lowers.join(' ')}`);
      const ask = async (p: string): Promise<string> => {
        await contextMenu(page, LIMITED, 'Which Layer Provides a Path…');
        await answer(page, { message: 'absolute path inside the container' }, p);
        await until(`the answer for ${p} in the editor`, async () => (await editorText(page).catch(() => '')).startsWith(p), 30_000);
        return editorText(page);
      };
      const gone = await ask(WHITEOUT_PATH);
      assert.doesNotMatch(gone, /[{}"]/, `words, not JSON: ${gone}`);
      assert.match(gone, new RegExp(`deleted by +lower #\\d+ ${reEscape(whiteout)} \\(whiteout\\)`), gone);
      assert.match(gone, new RegExp(`still in +lower #\\d+ ${reEscape(holder)}`), gone);
      assert.match(gone, /inode +none in the container's own view: the container does not see this path/, gone);
      assert.doesNotMatch(gone, /merged \?/);
      await ui.vs.shot('04f-whence-deleted');
      await page.keyboard.press('Control+W');
      const none = await ask('/no/such/path-e2e');
      assert.match(none, /not in any layer/, none);
      await page.keyboard.press('Control+W');
    },
  );
});
