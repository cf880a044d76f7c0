/**
 * The overview webview in a real VS Code (code-server) in Chromium: its containers table carries the limits
 * Docker reports and working links to the other panels, and a container with (almost) every capability
 * added keeps the table inside the panel, its cell's hover counting what the kernel counts. Screenshots
 * land in test-results/e2e/.
 */
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import type { Frame, Page } from 'playwright-core';
import { BASE_IMAGE, CAPS_ADDED, E2E_CONTAINERS, E2E_SETTINGS, LIMITED } from '../fixtures/e2eRig';
import { inspect, mebibytes, reEscape } from '../support/dockerFacts';
import { e2eSkip } from '../support/e2eNeeds';
import { rows, showDockerContainers } from '../support/nodesTreePage';
import { nodescopeSession } from '../support/nodescopeSession';
import { palette } from '../support/panelPage';
import { rigUp } from '../support/real';

const CAPS = E2E_CONTAINERS.caps.name;

/** Polls every webview frame with `probe` until one answers (not undefined), `tries` times 500 ms apart. */
async function fromFrames<T>(page: Page, tries: number, probe: (f: Frame) => Promise<T | undefined>): Promise<T | undefined> {
  for (let i = 0; i < tries; i++) {
    let found: T | undefined;
    for (const f of page.frames()) found = (await probe(f)) ?? found;
    if (found !== undefined) return found;
    await page.waitForTimeout(500);
  }
  return undefined;
}

describe('the overview webview', { skip: e2eSkip(), timeout: 400_000 }, () => {
  const ui = nodescopeSession();

  before(async () => {
    rigUp();
    spawnSync('docker', ['rm', '-f', CAPS]);
    await ui.open(E2E_SETTINGS);
    await showDockerContainers(ui.page);
  });

  after(async () => {
    spawnSync('docker', ['rm', '-f', CAPS]);
    await ui.close();
  });

  ui.step(
    `6. the overview webview renders real content with links to the other panels; a container with ${CAPS_ADDED.length} capabilities added keeps the table inside the panel`,
    async () => {
      const page = ui.page;
      execFileSync('docker', [
        'run',
        '-d',
        '--name',
        CAPS,
        '--network',
        'none',
        ...CAPS_ADDED.flatMap((c) => ['--cap-add', c]),
        BASE_IMAGE,
        'sleep',
        '600',
      ]);
      await rows(page, CAPS).first().waitFor({ timeout: 30_000 });
      await palette(page, 'Nodescope: Open Overview');
      const pick = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'This machine' });
      await pick
        .first()
        .waitFor({ timeout: 10_000 })
        .then(
          () => pick.first().click(),
          () => undefined,
        );
      const limitedRow = await fromFrames(page, 60, async (f) => {
        const tr = f.locator('tr', { hasText: LIMITED });
        const linked =
          (await tr.count().catch(() => 0)) &&
          (await f
            .locator('.panel-links button[data-panel="layerGraph"]:not([disabled])')
            .count()
            .catch(() => 0));
        return linked ? tr.first().innerText() : undefined;
      });
      assert.ok(limitedRow, 'the webview shows the containers table and a working link to the layer graph');
      // The row carries the limits Docker reports, not just the name.
      assert.match(limitedRow, new RegExp(`${reEscape(mebibytes(inspect('{{.HostConfig.Memory}}', LIMITED)))} MiB`), limitedRow);
      assert.match(limitedRow, new RegExp(`/ ${inspect('{{.HostConfig.PidsLimit}}', LIMITED)}\\b`), limitedRow);
      await ui.vs.shot('06-overview-webview');
      // The kernel's count of the container's effective capabilities, against the cell's hover.
      const capEff = /CapEff:\s*([0-9a-f]+)/.exec(fs.readFileSync(`/proc/${inspect('{{.State.Pid}}', CAPS)}/status`, 'utf8'))![1];
      const effective = [...BigInt(`0x${capEff}`).toString(2)].filter((b) => b === '1').length;
      const capsId = inspect('{{.Id}}', CAPS);
      const fit = await fromFrames(page, 40, async (f) => {
        const cell = f.locator(`tr[data-container="${capsId}"] td.caps`);
        if (!(await cell.count().catch(() => 0))) return undefined;
        // The table against the box it sits in (which would scroll it rather than grow the page), and the page against the panel.
        const box = await f.evaluate(() => {
          const table = document.querySelector('table')!;
          const box = table.parentElement!;
          const over = Math.max(
            table.scrollWidth - box.clientWidth,
            document.documentElement.scrollWidth - document.documentElement.clientWidth,
          );
          return { scroll: box.clientWidth + over, client: box.clientWidth };
        });
        return { ...box, title: (await cell.getAttribute('title')) ?? '' };
      });
      assert.ok(fit, 'the container with every capability is in the table');
      assert.ok(fit.scroll <= fit.client, `the table is ${fit.scroll} px wide in a ${fit.client} px panel`);
      assert.match(fit.title, new RegExp(`^${effective} effective capabilities: .*CAP_SYS_ADMIN`), fit.title);
      assert.match(fit.title, /added to Docker's default: .*CAP_SYS_ADMIN/);
      await ui.vs.shot('06b-overview-many-capabilities');
      spawnSync('docker', ['rm', '-f', CAPS]);
    },
  );
});
