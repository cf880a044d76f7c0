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
export const statusItem = (page: Page): Locator => page.locator('[id="workbench.parts.statusbar"] .statusbar-item', { hasText: 'This machine' }).first();

/** Clicks a row until it says it is expanded (a click that lands while the list re-renders is lost). */
export async function expand(page: Page, text: string | RegExp): Promise<void> {
  const r = rows(page, text).first();
  await r.waitFor({ timeout: 30_000 });
  for (let i = 0; i < 5 && (await r.getAttribute('aria-expanded')) === 'false'; i++) {
    await r.click();
    await page.waitForTimeout(400);
  }
  assert.notEqual(await r.getAttribute('aria-expanded'), 'false', `${text} did not expand`);
}

export async function collapse(page: Page, text: string | RegExp): Promise<void> {
  const r = rows(page, text).first();
  if ((await r.getAttribute('aria-expanded').catch(() => null)) === 'true') await r.click();
}

/** Right-click a tree row, then click an item of its context menu (after the pause VS Code needs). */
export async function contextMenu(page: Page, rowText: string, itemText: string): Promise<void> {
  await rows(page, rowText).first().click({ button: 'right' });
  const item = page.locator('.monaco-menu .action-label', { hasText: itemText }).first();
  await item.waitFor();
  await page.waitForTimeout(600);
  await item.click();
}

/** Polls `check` until it holds, or fails after `ms` naming what it waited for. */
export async function until(what: string, check: () => Promise<boolean> | boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
