/**
 * Driving Nodescope's webview panels in code-server: the palette, the frame a panel's page runs in, the
 * editor tabs, the colour theme. For the panels' e2e files (test/e2e/*Panel*.test.ts).
 */
import type { Frame, Page } from 'playwright-core';
import { until } from './nodesTreePage';

/** The webview frame that has `selector` (each panel's page is a frame inside VS Code's webview frame). */
export async function frameWith(page: Page, selector: string, ms = 30_000): Promise<Frame> {
  let found: Frame | undefined;
  await until(
    `a webview with ${selector}`,
    async () => {
      for (const f of page.frames())
        if (
          await f
            .locator(selector)
            .count()
            .catch(() => 0)
        )
          return Boolean((found = f));
      return false;
    },
    ms,
  );
  return found!;
}

/** Runs a command from the palette (F1), waiting until the palette offers it. */
export async function palette(page: Page, command: string): Promise<void> {
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').filter({ visible: true }).first().waitFor();
  await page.keyboard.type(command);
  await page
    .locator('.quick-input-widget .monaco-list-row.focused', { hasText: command.replace(/^Nodescope: /, '') })
    .first()
    .waitFor({ timeout: 10_000 });
  await page.keyboard.press('Enter');
}

export const tabs = (page: Page): Promise<string[]> => page.locator('.tabs-container .tab').allInnerTexts();

const THEMES = {
  light: { label: 'Light Modern', workbench: '.monaco-workbench.vs' },
  dark: { label: 'Dark Modern', workbench: '.monaco-workbench.vs-dark' },
} as const;

/**
 * Switches the colour theme with the theme picker (Ctrl+K Ctrl+T), as a person would, and waits until the
 * workbench wears it. One helper for every panel's e2e file: a settings.json edit was not applied within 20 s
 * after a window reload, and the palette's first match for "Color Theme" is the Marketplace browser. Keys pressed
 * while a webview's frame holds the focus can be lost, so the focus goes to the editor's tab strip first, and a
 * picker that did not open (or a theme that did not take) is tried again, up to three times, the second time
 * through the palette.
 */
export async function pickTheme(page: Page, kind: keyof typeof THEMES): Promise<void> {
  const { label, workbench } = THEMES[kind];
  let last: unknown;
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      await page.keyboard.press('Escape');
      await page
        .locator('.tabs-container .tab.active')
        .first()
        .click({ timeout: 5_000 })
        .catch(() => undefined);
      if (attempt !== 2) {
        await page.keyboard.press('Control+k');
        await page.keyboard.press('Control+t');
      } else await openPickerFromPalette(page);
      await page.locator('.quick-input-widget input').filter({ visible: true }).first().waitFor({ timeout: 10_000 });
      await page.keyboard.type(label);
      await page.locator('.quick-input-widget .monaco-list-row.focused', { hasText: label }).first().waitFor({ timeout: 10_000 });
      await page.keyboard.press('Enter');
      await until(`the ${kind} theme`, async () => (await page.locator(workbench).count()) > 0, 30_000);
      return;
    } catch (err) {
      last = err;
      process.stderr.write(`pickTheme ${kind}: attempt ${attempt} failed: ${(err as Error).message.split('\n')[0]}\n`);
    }
  }
  throw last;
}

/** The picker through the palette: the row whose label is exactly the command's, not the Marketplace's. */
async function openPickerFromPalette(page: Page): Promise<void> {
  await page.keyboard.press('F1');
  await page.locator('.quick-input-widget input').filter({ visible: true }).first().waitFor({ timeout: 10_000 });
  await page.keyboard.type('Preferences: Color Theme');
  await page
    .locator('.quick-input-widget .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: /^\s*Preferences: Color Theme\s*$/ }) })
    .first()
    .click({ timeout: 10_000 });
}
