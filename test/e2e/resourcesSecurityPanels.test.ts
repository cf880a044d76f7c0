/**
 * The live resources and security matrix panels in a real VS Code (code-server) in Chromium, on real
 * containers. Resources opens from the palette and from a container's context menu (focused on it); the
 * rig's limited container shows the memory limit docker inspect gives (HostConfig.Memory) and its charts
 * get at least two samples on a canvas; hiding the tab drops its page, and the page shown again gets the
 * history back from the extension. The security matrix opens from the palette and a node's context menu; a
 * container started here with --cap-add SYS_ADMIN --security-opt seccomp=unconfined is flagged
 * privileged-like with its reason, one started with Docker's defaults holds exactly Docker's default set.
 * Both panels come back after a window reload. Screenshots in the dark and the light theme land in
 * test-results/e2e/ (resources-*.png, security-*.png).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { Frame, Page } from 'playwright-core';
import { DOCKER_DEFAULT_CAPS } from '../../server/discover/capabilities';
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
const ADMIN = `nodescope-e2e-secadmin-${process.pid}`;
const PLAIN = `nodescope-e2e-secplain-${process.pid}`;

const docker = (...args: string[]): string => execFileSync('docker', args, { encoding: 'utf8', timeout: 20_000 }).trim();

describe('the live resources and security matrix panels in a real VS Code', { skip, timeout: 600_000 }, () => {
  let vs: VsCode;
  let page: Page;
  let limitedId: string;

  before(async () => {
    rigUp();
    spawnSync('docker', ['rm', '-f', ADMIN, PLAIN]);
    docker(
      'run',
      '-d',
      '--name',
      ADMIN,
      '--network',
      'none',
      '--cap-add',
      'SYS_ADMIN',
      '--security-opt',
      'seccomp=unconfined',
      'nodescope-rig/base:1',
      'sleep',
      '900',
    );
    docker('run', '-d', '--name', PLAIN, '--network', 'none', 'nodescope-rig/base:1', 'sleep', '900');
    limitedId = docker('inspect', '-f', '{{.Id}}', LIMITED);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodescope-e2e-res-'));
    const sshConfig = path.join(dir, 'ssh_config');
    fs.writeFileSync(sshConfig, '');
    // Dark first, named: the profile's default theme is not what the dark screenshots must show.
    vs = await startVsCode(
      { 'nodescope.sshConfigFile': sshConfig, 'nodescope.watchIntervalMs': 1000, 'workbench.colorTheme': 'Default Dark Modern' },
      { NODESCOPE_VSIX: vsix },
    );
    page = vs.page;
  });

  after(async () => {
    spawnSync('docker', ['rm', '-f', ADMIN, PLAIN]);
    await vs?.close();
  });

  const step = partsWithShots('resources-security', () => vs);

  const samplesOf = async (f: Frame, chart: string): Promise<number> =>
    Number(
      (await f
        .locator(`figure[data-chart="${chart}"]`)
        .getAttribute('data-samples')
        .catch(() => '0')) ?? 0,
    );

  /** The limited container's row is there, selected, with charts of at least `n` samples. */
  async function limitedCharts(f: Frame, n: number): Promise<void> {
    const row = f.locator(`table.resources tr[data-id="${limitedId}"]`);
    await row.waitFor({ timeout: 30_000 });
    if ((await row.getAttribute('aria-selected')) !== 'true') await row.click();
    await until(`charts with ${n} samples`, async () => (await samplesOf(f, 'memory')) >= n, 30_000);
  }

  it('resources and security: palette, context menus, facts against docker inspect, charts, reload, themes', async () => {
    await step('resources from the palette', async () => {
      await showNodesView(page);
      await palette(page, 'Nodescope: Show Live Resources');
      const f = await frameWith(page, 'table.resources');
      const memory = JSON.parse(docker('inspect', '-f', '{{.HostConfig.Memory}}', LIMITED)) as number;
      assert.ok(memory > 0, 'the rig limits this container');
      const row = f.locator(`table.resources tr[data-id="${limitedId}"]`);
      assert.equal(Number(await row.getAttribute('data-memory-limit')), memory, 'the memory limit docker inspect gives');
      assert.match(await row.innerText(), new RegExp(`/ ${(memory / 2 ** 20).toFixed(1)} MiB`));
      await limitedCharts(f, 2);
      assert.ok((await f.locator('figure[data-chart="memory"] .plot canvas').count()) > 0, 'the chart is drawn on a canvas');
      // Two samples make a rate: the CPU cell is a figure now, not "unknown".
      await until('a CPU rate', async () => /\d CPU \//.test(await row.locator('td').nth(2).innerText()), 15_000);
      await page.waitForTimeout(3000);
      await vs.shot('resources-01-dark');
    });

    await step('history survives the page', async () => {
      const f = await frameWith(page, 'table.resources');
      const before = await samplesOf(f, 'memory');
      await palette(page, 'Nodescope: Show Security Matrix');
      await frameWith(page, 'table.security');
      await page.waitForTimeout(2500);
      // Back to the resources tab: its page was dropped while hidden and loads again.
      await page
        .locator('.tabs-container .tab', { hasText: /^Resources · This machine/ })
        .first()
        .click();
      const again = await frameWith(page, 'figure[data-chart="memory"]');
      await until('the history back, and newer', async () => (await samplesOf(again, 'memory')) > before, 20_000);
    });

    await step('security matrix', async () => {
      await page.locator('.tabs-container .tab', { hasText: 'Security · This machine' }).first().click();
      const f = await frameWith(page, 'table.security');
      const adminId = docker('inspect', '-f', '{{.Id}}', ADMIN);
      const plainId = docker('inspect', '-f', '{{.Id}}', PLAIN);
      const inspected = JSON.parse(docker('inspect', '-f', '{{json .HostConfig}}', ADMIN)) as { CapAdd: string[]; SecurityOpt: string[] };
      assert.deepEqual(inspected.SecurityOpt, ['seccomp=unconfined']);
      assert.ok(inspected.CapAdd.some((c) => /SYS_ADMIN$/.test(c)));
      const flag = f.locator(`table.security tr[data-id="${adminId}"] li[data-rule="sys-admin-no-seccomp"]`);
      await flag.waitFor({ timeout: 30_000 });
      assert.match(await flag.innerText(), /CAP_SYS_ADMIN with seccomp off: .+/);
      assert.equal(await f.locator(`table.security tr[data-id="${adminId}"]`).getAttribute('data-worst'), 'critical');
      const plainRow = f.locator(`table.security tr[data-id="${plainId}"]`);
      assert.equal(await plainRow.locator('td.caps').innerText(), "Docker's default");
      const held = await f
        .locator(`table.matrix td[data-container="${plainId}"]`)
        .evaluateAll((cells) => cells.filter((c) => c.textContent === '●').map((c) => (c.closest('tr') as HTMLElement).dataset.cap));
      assert.deepEqual([...held].sort(), [...DOCKER_DEFAULT_CAPS].sort(), "the default container holds exactly Docker's default set");
      await vs.shot('security-01-dark');
    });

    await step('context menus', async () => {
      await contextMenu(page, 'This machine', 'Show Security Matrix');
      await until(
        'the security panel revealed, not a twin',
        async () => (await tabs(page)).filter((t) => t.includes('Security · This machine')).length === 1,
        10_000,
      );
      await expand(page, /^\s*Containers/);
      await expand(page, /^\s*docker/);
      await contextMenu(page, LIMITED, 'Show Live Resources');
      await until(
        'a tab for the container',
        async () => (await tabs(page)).some((t) => t.includes(`Resources · ${LIMITED} · This machine`)),
        15_000,
      );
      const f = await frameWith(page, `table.resources tr.selected[data-id="${limitedId}"]`);
      await until('its charts', async () => (await samplesOf(f, 'memory')) >= 1, 20_000);
      await vs.shot('resources-02-container');
    });

    await step('reload', async () => {
      await palette(page, 'Developer: Reload Window');
      await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
      const f = await frameWith(page, 'table.resources', 90_000);
      await limitedCharts(f, 2);
      await page.locator('.tabs-container .tab', { hasText: 'Security · This machine' }).first().click();
      await frameWith(page, 'table.security li[data-rule="sys-admin-no-seccomp"]', 60_000);
      await vs.shot('security-02-after-reload');
    });

    await step('light', async () => {
      await pickTheme(page, 'light');
      const s = await frameWith(page, 'table.security');
      await s.locator('body.vscode-light').waitFor({ timeout: 20_000 });
      await page.waitForTimeout(1000);
      await vs.shot('security-03-light');
      await page
        .locator('.tabs-container .tab', { hasText: `Resources · ${LIMITED}` })
        .first()
        .click();
      const r = await frameWith(page, 'figure[data-chart="memory"]');
      await r.locator('body.vscode-light').waitFor({ timeout: 20_000 });
      await limitedCharts(r, 2);
      await page.waitForTimeout(2500);
      await vs.shot('resources-03-light');
    });
  });
});
