/**
 * The Nodes view as the end-to-end tests drive it in code-server: its rows, This machine's row and status
 * bar item, expanding and collapsing, context menus, and waiting for a condition. Shared by the e2e files
 * so each holds only its flow.
 */
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';

export function sidebar(page: Page): Locator {
  return page.locator('[id="workbench.parts.sidebar"]');
}

/** Visible rows only: the tree keeps hidden copies of some rows (sticky scroll) in the page. */
export function rows(page: Page, text: string | RegExp): Locator {
  return sidebar(page).locator('.monaco-list-row', { hasText: text }).filter({ visible: true });
}

export const nodeRow = (page: Page): Locator => rows(page, 'This machine').first();
export const statusItem = (page: Page): Locator =>
  page.locator('[id="workbench.parts.statusbar"] .statusbar-item', { hasText: 'This machine' }).first();

/** A visible row by its label alone (a row's text runs label and description together). */
export function labelled(page: Page, label: string): Locator {
  return sidebar(page)
    .locator('.monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^${label.replace(/[()#]/g, '\\$&')}$`) }) })
    .filter({ visible: true });
}

/** The text of every row on screen (the tree is a virtual list: rows scrolled out of view are not there). */
export const sidebarText = (page: Page): Promise<string> => sidebar(page).innerText();

/** Clicks a row until it says it is expanded (a click that lands while the list re-renders is lost). */
export async function expandRow(row: Locator, what = 'row'): Promise<void> {
  const r = row.first();
  await r.waitFor({ timeout: 30_000 });
  for (let i = 0; i < 5 && (await r.getAttribute('aria-expanded')) === 'false'; i++) {
    await r.click();
    await r.page().waitForTimeout(400);
  }
  assert.notEqual(await r.getAttribute('aria-expanded'), 'false', `${what} did not expand`);
}

export const expand = (page: Page, text: string | RegExp): Promise<void> => expandRow(rows(page, text), String(text));

export async function collapse(page: Page, text: string | RegExp): Promise<void> {
  const r = rows(page, text).first();
  if ((await r.getAttribute('aria-expanded').catch(() => null)) === 'true') await r.click();
}

/** The "N containers" a node's row says, or undefined while it says something else. */
export async function containerCount(page: Page, node: string | RegExp): Promise<string | undefined> {
  return /(\d+) containers/.exec(await rows(page, node).first().innerText())?.[1];
}

/** This machine's Docker containers on screen: This machine, its Containers and their docker group expanded. */
export async function showDockerContainers(page: Page): Promise<void> {
  await expand(page, /This machine/);
  await expand(page, /^\s*Containers/);
  await expand(page, /^\s*docker/);
}

/** Right-click a tree row, then click an item of its context menu (after the pause VS Code needs). */
export async function contextMenu(page: Page, rowText: string, itemText: string): Promise<void> {
  await rows(page, rowText).first().click({ button: 'right' });
  const item = page.locator('.monaco-menu .action-label', { hasText: itemText }).first();
  await item.waitFor();
  await page.waitForTimeout(600);
  await item.click();
}

/** Opens the Nodescope view from the activity bar and waits until This machine is connected and counts its containers. */
export async function showNodesView(page: Page): Promise<void> {
  await page.locator('.activitybar [aria-label^="Nodescope"]').first().click();
  await until(
    'This machine live',
    async () =>
      /\d+ containers?\b/.test(
        await nodeRow(page)
          .innerText()
          .catch(() => ''),
      ),
    90_000,
  );
}

/** Polls `check` until it holds, or fails after `ms` naming what it waited for. */
export async function until(what: string, check: () => Promise<boolean> | boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
